"""Dataset: an index, a batch class, optional preloaded data and extra attributes.

Examples
--------
>>> import numpy as np
>>> ds = Dataset(6, preloaded=np.arange(6) * 10, classes=3)
>>> [batch.data.tolist() for batch in ds.gen_batch(4)]
[[0, 10, 20, 30], [40, 50]]
>>> ds.classes
3
>>> ds.split(0.5)
>>> ds.train.create_batch([4, 5]).data.tolist()
[40, 50]
"""
from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Sequence

import numpy as np

from dagflow.data.batch import Batch
from dagflow.data.components import as_components, data_length, take_items
from dagflow.data.index import DatasetIndex
from dagflow.data.iteration import DEFAULT_EPOCHS
from dagflow.data.split import get_fold
from dagflow.exceptions import DatasetIndexError

__all__ = ['Dataset']

_FOLD_NAME = re.compile(r'cv(\d+)')


class Dataset:
    """Items to make batches of: their index, batch class and (optionally) their data.

    Parameters
    ----------
    index : DatasetIndex, int or array-like of ids
        The items (an int ``n`` means ids ``0 .. n-1``).
    batch_class : type
        A subclass of :class:`Batch` for the batches this dataset makes.
    preloaded : optional
        Data aligned with the index: an ndarray, a tuple (one entry per component),
        a dict (component -> data) or a DataFrame; each batch gets its items' rows.
    **attributes
        Extra attributes readable as ``ds.<name>`` (and by ``D('<name>')``).

    Raises
    ------
    TypeError
        When ``batch_class`` is not a Batch subclass, or an attribute name is taken.
    DatasetIndexError
        When the preloaded data does not hold one entry per item.
    ComponentError
        When the preloaded data names an unknown component.

    Examples
    --------
    >>> ds = Dataset(['a', 'b', 'c'])
    >>> len(ds), ds.create_batch(['c', 'a']).indices.tolist()
    (3, ['c', 'a'])
    >>> Dataset(3, preloaded=np.zeros(4))
    Traceback (most recent call last):
    ...
    dagflow.exceptions.DatasetIndexError: The preloaded data holds 4 items, but the index has 3
    """

    def __init__(self, index: DatasetIndex | int | Sequence | np.ndarray, batch_class: type = Batch,
                 preloaded=None, **attributes):
        if not (isinstance(batch_class, type) and issubclass(batch_class, Batch)):
            raise TypeError(f'batch_class must be a subclass of Batch, but got {batch_class!r}')
        self._index = index if isinstance(index, DatasetIndex) else DatasetIndex(index)
        self._batch_class = batch_class
        self._preloaded = preloaded
        self._items = as_components(preloaded, batch_class.components)
        self._data_index = self._index
        self._subsets: dict[str, Dataset] = {}
        self._folds: tuple[Dataset, ...] = ()
        self._check_preloaded()
        self._attribute_names = tuple(attributes)
        for name, value in attributes.items():
            self._check_attribute(name)
            setattr(self, name, value)

    def _check_preloaded(self) -> None:
        length = data_length(self._items) if self._items is not None else None
        if length is not None and length != len(self._index):
            raise DatasetIndexError(f'The preloaded data holds {length} items, but the index has '
                                    f'{len(self._index)}', lengths=(length, len(self._index)))

    def _check_attribute(self, name: str) -> None:
        if hasattr(type(self), name) or name.startswith('_') or _FOLD_NAME.fullmatch(name):
            raise TypeError(f'Cannot set the dataset attribute {name!r}: the name is taken by '
                            f'{type(self).__name__}; choose another name')

    # --- basic properties -----------------------------------------------------------
    @property
    def index(self) -> DatasetIndex:
        """DatasetIndex : the dataset's items."""
        return self._index

    @property
    def indices(self) -> np.ndarray:
        """numpy.ndarray : the ids of the items."""
        return self._index.indices

    def __len__(self) -> int:
        return len(self._index)

    @property
    def batch_class(self) -> type:
        """type : the class of the batches this dataset makes."""
        return self._batch_class

    @property
    def preloaded(self):
        """The preloaded data as given (shared with sub-datasets; aligned with :attr:`data_index`)."""
        return self._preloaded

    @property
    def data_index(self) -> DatasetIndex:
        """DatasetIndex : the index the preloaded data (and ``load(src=...)``) is aligned with.

        The dataset's own index, or for ``ds.train``, ``ds.cv0.test`` ... the index of the
        dataset they were split from.
        """
        return self._data_index

    @property
    def attributes(self) -> dict:
        """dict : the extra attributes given at construction (and shared with sub-datasets)."""
        return {name: getattr(self, name) for name in self._attribute_names}

    def __repr__(self) -> str:
        parts = [f'index={self._index!r}', f'batch_class={self._batch_class.__name__}']
        if self._preloaded is not None:
            parts.append(f'preloaded={type(self._preloaded).__name__}')
        parts.extend(f'{name}=...' for name in self._attribute_names)
        return f'{type(self).__name__}({", ".join(parts)})'

    # --- batches --------------------------------------------------------------------
    def preloaded_items(self, ids):
        """Return the preloaded data of these items (per component when the batch class has some).

        Examples
        --------
        >>> Dataset([7, 8, 9], preloaded=np.array([1, 2, 3])).preloaded_items([9, 7]).tolist()
        [3, 1]
        """
        if self._items is None:
            return None
        return take_items(self._items, self._data_index.get_pos(ids))

    def create_batch(self, index: DatasetIndex | Sequence | np.ndarray) -> Batch:
        """Return a ``batch_class`` batch of these items, holding their preloaded data.

        Examples
        --------
        >>> Dataset(5, preloaded=np.arange(5) ** 2).create_batch([3, 1]).data.tolist()
        [9, 1]
        """
        if not isinstance(index, DatasetIndex):
            index = self._index.create_subset(index)
        return self._batch_class(index, preloaded=self.preloaded_items(index.indices), dataset=self)

    def gen_batch(self, batch_size: int, shuffle=False, n_iters: int | None = None,
                  n_epochs=DEFAULT_EPOCHS, drop_last: bool = False, bar=False) -> Iterator[Batch]:
        """Return an iterator over batches; see :meth:`DatasetIndex.gen_batch` for the arguments.

        Examples
        --------
        >>> [len(batch) for batch in Dataset(5).gen_batch(2, n_epochs=2)]
        [2, 2, 2, 2, 2]
        """
        batches = self._index.gen_batch(batch_size, shuffle, n_iters, n_epochs, drop_last, bar)
        return (self.create_batch(index) for index in batches)

    def next_batch(self, batch_size: int, shuffle=False, n_iters: int | None = None,
                   n_epochs=DEFAULT_EPOCHS, drop_last: bool = False, bar=False) -> Batch:
        """Return the next batch of a stateful iteration; see :meth:`DatasetIndex.next_batch`.

        Examples
        --------
        >>> ds = Dataset(3)
        >>> ds.next_batch(2).indices.tolist(), ds.next_batch(2).indices.tolist()
        ([0, 1], [2])
        """
        return self.create_batch(self._index.next_batch(batch_size, shuffle, n_iters, n_epochs,
                                                        drop_last, bar))

    def reset(self, what: str | Sequence[str] = 'iter') -> None:
        """Reset state: ``'iter'`` (or ``'all'``) restarts :meth:`next_batch`."""
        self._index.reset(what)

    def reset_iter(self) -> None:
        """Restart :meth:`next_batch`; the same as ``reset('iter')``."""
        self._index.reset('iter')

    # --- subsets --------------------------------------------------------------------
    def _derive(self, index: DatasetIndex) -> Dataset:
        """A dataset over ``index`` sharing batch class, preloaded data and attributes."""
        subset = copy.copy(self)
        subset._index = index
        subset._subsets = {}
        subset._folds = ()
        return subset

    @property
    def train(self) -> Dataset | None:
        """Dataset or None : the train part made by :meth:`split` or :meth:`cv_split`."""
        return self._subsets.get('train')

    @property
    def test(self) -> Dataset | None:
        """Dataset or None : the test part made by :meth:`split` or :meth:`cv_split`."""
        return self._subsets.get('test')

    @property
    def validation(self) -> Dataset | None:
        """Dataset or None : the validation part made by :meth:`split`."""
        return self._subsets.get('validation')

    def __getattr__(self, name: str):
        match = _FOLD_NAME.fullmatch(name)
        if match is None:
            raise AttributeError(f'{type(self).__name__!r} object has no attribute {name!r}')
        return get_fold(self, self.__dict__.get('_folds', ()), int(match.group(1)), name)

    def split(self, shares: float | Sequence[float] = 0.8, shuffle=False) -> None:
        """Split into sub-datasets ``.train``, ``.test`` and maybe ``.validation``.

        See :meth:`DatasetIndex.split`.  The parts share the batch class, the preloaded
        data and the attributes.

        Examples
        --------
        >>> ds = Dataset(10, preloaded=np.arange(10))
        >>> ds.split([0.7, 0.2], shuffle=3)
        >>> len(ds.train), len(ds.test), len(ds.validation)
        (7, 2, 1)
        """
        self._index.split(shares, shuffle)
        subsets = {name: getattr(self._index, name) for name in ('train', 'test', 'validation')}
        self._subsets = {name: self._derive(sub) for name, sub in subsets.items() if sub is not None}

    def cv_split(self, n_splits: int = 5, shuffle=False) -> None:
        """Make cross-validation folds ``.cv0``, ``.cv1`` ... each with ``.train`` and ``.test``.

        See :meth:`DatasetIndex.cv_split`.

        Examples
        --------
        >>> ds = Dataset(6)
        >>> ds.cv_split(3)
        >>> ds.cv1.test.indices.tolist(), ds.cv1.train.indices.tolist()
        ([2, 3], [0, 1, 4, 5])
        """
        self._index.cv_split(n_splits, shuffle)
        self._folds = tuple(self._make_fold(getattr(self._index, f'cv{i}')) for i in range(n_splits))

    def _make_fold(self, fold_index: DatasetIndex) -> Dataset:
        fold = self._derive(fold_index)
        fold._subsets = {'train': self._derive(fold_index.train), 'test': self._derive(fold_index.test)}
        return fold

    # --- pipelines ------------------------------------------------------------------
    def pipeline(self, config=None):
        """Return a new ``Pipeline`` over this dataset."""
        from dagflow.pipeline import Pipeline

        return Pipeline(dataset=self, config=config)

    @property
    def p(self):
        """A new ``Pipeline`` over this dataset (short for ``ds.pipeline()``)."""
        return self.pipeline()

    def __rshift__(self, pipeline):
        return pipeline << self
