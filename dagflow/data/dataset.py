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

import copy as copy_module
import numbers
import re
from collections.abc import Iterator, Sequence

import numpy as np

from dagflow.data.batch import Batch
from dagflow.data.components import ComponentsView, as_components
from dagflow.data.index import DatasetIndex
from dagflow.data.iteration import DEFAULT_EPOCHS
from dagflow.data.preloaded import Aligned, align_to_batch, check_preloaded, ids_are_rows, select
from dagflow.data.split import get_fold
from dagflow.exceptions import DatasetIndexError

__all__ = ['Dataset']

_FOLD_NAME = re.compile(r'cv(\d+)')
_CV_ARGUMENTS = ('method', 'n_splits', 'shuffle')


class Dataset:
    """Items to make batches of: their index, batch class and (optionally) their data.

    Parameters
    ----------
    index : DatasetIndex, int, array-like of ids or callable
        The items (an int ``n`` means ids ``0 .. n-1``).
    batch_class : type
        A subclass of :class:`Batch` for the batches this dataset makes.
    preloaded : optional
        The items' data: an ndarray, a tuple (one entry per component; a shorter tuple
        leaves the rest None), a dict (component -> data; other keys are ignored with a
        warning) or a DataFrame; each batch gets its items' rows.  How items are found
        (by id in dicts ``{id: value}`` and pandas objects indexed by ids, by position
        otherwise) is described in :mod:`dagflow.data.preloaded`.
    cast_to_array : bool
        Give batches component data as arrays (a dict ``{id: value}`` as the stacked
        values, a Series as its values); ``False`` keeps them as they are.
    copy : bool
        Deep-copy the items into each batch, so that changing a batch never changes
        ``preloaded`` (arrays are copied anyway; this matters for lists of objects).
    n_splits, method, shuffle : optional
        Given ``n_splits``, call :meth:`cv_split` at once (BatchFlow's shortcut).
    **attributes
        Extra attributes readable as ``ds.<name>`` (and by ``D('<name>')``).

    Raises
    ------
    TypeError
        When ``batch_class`` is not a Batch subclass, or an attribute name is taken.
    DatasetIndexError
        When the preloaded data does not hold one entry per item.
    UnknownIdError
        When preloaded data read by id lacks some items.

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
                 preloaded=None, *, cast_to_array: bool = True, copy: bool = False, **attributes):
        if not (isinstance(batch_class, type) and issubclass(batch_class, Batch)):
            raise TypeError(f'batch_class must be a subclass of Batch, but got {batch_class!r}')
        cv_arguments = {name: attributes.pop(name) for name in _CV_ARGUMENTS if name in attributes}
        self._index = self.build_index(index)
        self._batch_class = batch_class
        self._preloaded = preloaded
        self.cast_to_array = cast_to_array
        self._copy = copy
        self._items = as_components(preloaded, batch_class.components)
        if self._items is not None:
            check_preloaded(self._items, self._index.indices, components=bool(batch_class.components))
        self._rows = ids_are_rows(self._index.indices)
        self._data_index = self._index
        self._subsets: dict[str, Dataset] = {}
        self._folds: tuple[Dataset, ...] = ()
        self._attribute_names: tuple[str, ...] = ()
        self.create_attrs(**attributes)
        if cv_arguments:
            if cv_arguments.get('n_splits') is None:
                raise TypeError(f'Dataset(..., {", ".join(cv_arguments)}=...) splits for cross-validation '
                                'only with n_splits=')
            self.cv_split(**cv_arguments)

    def create_attrs(self, **attributes) -> None:
        """Add extra attributes, readable as ``ds.<name>`` (and shared with sub-datasets).

        Raises
        ------
        TypeError
            When a name is taken by the Dataset class, private, or a fold name.

        Examples
        --------
        >>> ds = Dataset(2)
        >>> ds.create_attrs(classes=10)
        >>> ds.classes, ds.get_attrs()
        (10, {'classes': 10})
        """
        for name, value in attributes.items():
            if hasattr(type(self), name) or name.startswith('_') or _FOLD_NAME.fullmatch(name):
                raise TypeError(f'Cannot set the dataset attribute {name!r}: the name is taken by '
                                f'{type(self).__name__}; choose another name')
            setattr(self, name, value)
        self._attribute_names += tuple(name for name in attributes if name not in self._attribute_names)

    def get_attrs(self) -> dict:
        """Return the extra attributes as a dict (BatchFlow's name for :attr:`attributes`)."""
        return {name: getattr(self, name) for name in self._attribute_names}

    @property
    def attributes(self) -> dict:
        """dict : the extra attributes given at construction (and shared with sub-datasets)."""
        return self.get_attrs()

    @staticmethod
    def build_index(index, *args, **kwargs) -> DatasetIndex:
        """Return ``index`` if it is a DatasetIndex, else ``DatasetIndex(index, ...)``.

        Examples
        --------
        >>> Dataset.build_index(3)
        DatasetIndex([0, 1, 2])
        """
        return index if isinstance(index, DatasetIndex) else DatasetIndex(index, *args, **kwargs)

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
    def size(self) -> int:
        """int : the number of items (``len(dataset)``), as ``D('size')`` reads it."""
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
    def data(self):
        """The preloaded data of this dataset's items, in index order; None without preloaded data.

        With components, a read-only mapping ``{component: values}`` (also readable as
        ``ds.data.<component>`` and ``ds.<component>``); without, the data itself.  A dataset aligned with its own
        index by position gives the preloaded objects themselves.

        Examples
        --------
        >>> class LabelsBatch(Batch):
        ...     components = 'labels'
        >>> ds = Dataset(['a', 'b', 'c', 'd'], LabelsBatch, preloaded={'labels': {'c': 3, 'a': 1, 'd': 4, 'b': 2}})
        >>> ds.labels.tolist()
        [1, 2, 3, 4]
        >>> ds.split(0.5)
        >>> ds.train.data['labels'].tolist()
        [3, 4]
        """
        if self._items is None:
            return None
        components = bool(self._batch_class.components)
        ids = self._index.indices
        if self._index is self._data_index and not (self._rows and np.any(ids != np.arange(len(ids)))):
            data = align_to_batch(self._items, ids, components=components)
        else:
            data = self.preloaded_items(ids)
        return ComponentsView(data) if components else data

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
        return self._preloaded_items(np.asarray(ids), known=False)

    def _preloaded_items(self, ids: np.ndarray, known: bool):
        """:meth:`preloaded_items`; ``known``: the ids come from this dataset's index (not from a user)."""
        if self._items is None:
            return None
        return select(self._items, ids, self._data_positions(ids, known),
                      components=bool(self._batch_class.components), cast=self.cast_to_array, copy=self._copy)

    def data_positions(self, ids) -> np.ndarray:
        """Return the rows of these items in data aligned by position with :attr:`data_index`.

        As BatchFlow reads ``preloaded[id]``, when the ids of the data index are the
        integers ``0 .. n-1`` (in any order) the row of id ``i`` is ``i``; otherwise it is
        the id's position in the data index.

        Raises
        ------
        UnknownIdError
            When an id is not in the data index.

        Examples
        --------
        >>> Dataset(DatasetIndex([2, 0, 1])).data_positions([2, 0]).tolist()
        [2, 0]
        >>> Dataset(DatasetIndex([5, 3])).data_positions([3]).tolist()
        [1]
        """
        return self._data_positions(np.asarray(ids), known=False)

    def _data_positions(self, ids: np.ndarray, known: bool) -> np.ndarray:
        """:meth:`data_positions`; ids that are ``known`` to be in the data index are not checked again."""
        if not self._rows:
            return self._data_index.get_pos(ids)
        if not known and (ids.dtype.kind not in 'iu'
                          or ids.size and (ids.min() < 0 or ids.max() >= len(self._data_index))):
            self._data_index.get_pos(ids)       # names the unknown ids (and 1.5 is not row 1)
        return ids.astype(np.intp)

    def create_batch(self, index: DatasetIndex | Sequence | np.ndarray, pos: bool = False, *args,
                     **kwargs) -> Batch:
        """Return a ``batch_class`` batch of these items, holding their preloaded data.

        Parameters
        ----------
        index : DatasetIndex, sequence or numpy.ndarray
            The items: an index, their ids, or (``pos=True``) their positions in
            this dataset's index.
        pos : bool
            Whether ``index`` holds positions rather than ids.
        **kwargs
            Passed on to the batch class.

        Raises
        ------
        UnknownIdError
            When an id is not in this dataset (a ``KeyError`` and an ``IndexError`` too).

        Examples
        --------
        >>> ds = Dataset([5, 6, 7], preloaded=np.array([50, 60, 70]))
        >>> ds.create_batch([7, 5]).data.tolist(), ds.create_batch([1], pos=True).data.tolist()
        ([70, 50], [60])
        """
        known = not isinstance(index, DatasetIndex)   # then this dataset's index checks the ids (or positions)
        if known:
            index = self._index.create_batch(index, pos, *args)
        return self._batch_of(index, known, **kwargs)

    def _batch_of(self, index: DatasetIndex, known: bool, **kwargs) -> Batch:
        """The batch of ``index``; ``known``: its ids come from this dataset's index, so they are not checked."""
        return self._batch_class(index, preloaded=Aligned(self._preloaded_items(index.indices, known)),
                                 dataset=self, **kwargs)

    def gen_batch(self, batch_size: int, shuffle=False, n_iters: int | None = None,
                  n_epochs=DEFAULT_EPOCHS, drop_last: bool = False, bar=False, *,
                  notifier=None) -> Iterator[Batch]:
        """Return an iterator over batches; see :meth:`DatasetIndex.gen_batch` for the arguments.

        Examples
        --------
        >>> [len(batch) for batch in Dataset(5).gen_batch(2, n_epochs=2)]
        [2, 2, 2, 2, 2]
        """
        batches = self._index.gen_batch(batch_size, shuffle, n_iters, n_epochs, drop_last, bar, notifier=notifier)
        return (self._batch_of(index, known=True) for index in batches)

    def next_batch(self, batch_size: int, shuffle=False, n_iters: int | None = None,
                   n_epochs: int | None = None, drop_last: bool = False, bar=False, *, notifier=None) -> Batch:
        """Return the next batch of a stateful iteration; see :meth:`DatasetIndex.next_batch`.

        Endless unless ``n_iters`` or ``n_epochs`` is given, as BatchFlow's is.

        Examples
        --------
        >>> ds = Dataset(3)
        >>> ds.next_batch(2).indices.tolist(), ds.next_batch(2).indices.tolist()
        ([0, 1], [2, 0])
        """
        return self._batch_of(self._index.next_batch(batch_size, shuffle, n_iters, n_epochs, drop_last, bar,
                                                     notifier=notifier), known=True)

    def reset(self, what: str | Sequence[str] = 'iter') -> None:
        """Reset state: ``'iter'`` (or ``'all'``) restarts :meth:`next_batch`."""
        self._index.reset(what)

    def reset_iter(self) -> None:
        """Restart :meth:`next_batch`; the same as ``reset('iter')``."""
        self._index.reset('iter')

    # --- subsets --------------------------------------------------------------------
    def _derive(self, index: DatasetIndex) -> Dataset:
        """A dataset over ``index`` sharing batch class, preloaded data and attributes."""
        subset = copy_module.copy(self)
        subset._index = index
        subset._subsets = {}
        subset._folds = ()
        return subset

    @classmethod
    def from_dataset(cls, dataset: Dataset, index, batch_class: type | None = None, copy: bool = False,
                     **kwargs) -> Dataset:
        """Return a dataset of some of ``dataset``'s items, sharing its preloaded data and attributes.

        Parameters
        ----------
        dataset : Dataset
            The source.
        index : DatasetIndex or ids
            The items of the new dataset (usually a subset of the source's).
        batch_class : type, optional
            Another batch class for the new dataset.
        copy : bool
            Make a new dataset even when ``index`` and ``batch_class`` are the source's
            (which is otherwise returned as it is), over a copy of ``index``.
        **kwargs
            Attributes to add or replace.

        Raises
        ------
        UnknownIdError
            When the source has preloaded data and ``index`` holds ids it does not have.

        Examples
        --------
        >>> ds = Dataset(4, preloaded=np.arange(4) * 10, kind='toy')
        >>> Dataset.from_dataset(ds, ds.index) is ds
        True
        >>> part = Dataset.from_dataset(ds, DatasetIndex([3, 1]))
        >>> part.create_batch([3]).data.tolist(), part.kind
        ([30], 'toy')
        """
        index = cls.build_index(index)
        same_class = batch_class is None or batch_class is dataset.batch_class
        if same_class and not copy and not kwargs and index == dataset.index:
            return dataset
        if copy:
            index = copy_module.copy(index)
        if not same_class:
            source = cls(dataset.data_index, batch_class, dataset.preloaded, cast_to_array=dataset.cast_to_array,
                         copy=dataset._copy, **dataset.get_attrs())
            return cls.from_dataset(source, index, copy=False, **kwargs)
        if dataset.preloaded is not None:
            dataset.data_index.get_pos(index.indices)
        derived = dataset._derive(index)
        derived.n_splits = None
        if kwargs:
            derived._attribute_names = tuple(name for name in derived._attribute_names if name not in kwargs)
            derived.create_attrs(**kwargs)
        return derived

    def create_subset(self, index) -> Dataset:
        """Return a dataset of some of this dataset's items (see :meth:`from_dataset`).

        Raises
        ------
        UnknownIdError
            When an id is not in this dataset (an ``IndexError`` too, as in BatchFlow).

        Examples
        --------
        >>> Dataset(5).create_subset([3, 1]).indices.tolist()
        [3, 1]
        """
        return type(self).from_dataset(self, self._index.create_subset(index))

    def copy(self) -> Dataset:
        """Return a shallow copy: a new dataset over a copy of the index, sharing the data.

        Examples
        --------
        >>> ds = Dataset(3)
        >>> other = ds.copy()
        >>> other is not ds and other.index == ds.index
        True
        """
        return type(self).from_dataset(self, self._index, copy=True)

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

    @property
    def is_split(self) -> bool:
        """bool : whether the dataset has train, test or validation parts."""
        return bool(self._subsets)

    def __getattr__(self, name: str):
        if name.startswith('_'):
            raise AttributeError(name)
        match = _FOLD_NAME.fullmatch(name)
        if match is not None:
            return get_fold(self, self.__dict__.get('_folds', ()), int(match.group(1)), name)
        batch_class = self.__dict__.get('_batch_class')
        if batch_class is not None and name in batch_class.components:
            return self.data[name]
        raise AttributeError(f'{type(self).__name__!r} object has no attribute {name!r}')

    def calc_split(self, shares: float | Sequence[float] = 0.8) -> tuple[int, int, int]:
        """Return the numbers of train, test and validation items :meth:`split` makes.

        Examples
        --------
        >>> Dataset(10).calc_split([0.6, 0.3])
        (6, 3, 1)
        """
        return self._index.calc_split(shares)

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

    # --- cross-validation -----------------------------------------------------------
    @property
    def n_splits(self) -> int | None:
        """int or None : the number of cross-validation folds made by :meth:`cv_split`."""
        return len(self._folds) or self.__dict__.get('_n_splits')

    @n_splits.setter
    def n_splits(self, value: int | None) -> None:
        self.__dict__['_n_splits'] = value

    def cv_split(self, method: str = 'kfold', n_splits: int | None = None, shuffle=False) -> None:
        """Make cross-validation folds ``.cv0``, ``.cv1`` ... each with ``.train`` and ``.test``.

        As in BatchFlow, ``.train`` and ``.test`` of this dataset then hold the folds'
        parts too: ``ds.train.cv0 is ds.cv0.train``.  See :meth:`DatasetIndex.cv_split`.

        Parameters
        ----------
        method : {'kfold'}
            The splitting method (BatchFlow's only one); an int here is taken as
            ``n_splits`` (``ds.cv_split(3)``).
        n_splits : int
            The number of folds (5 by default).
        shuffle : bool, int, Generator, RandomState or callable
            The order of items before splitting, as in :meth:`DatasetIndex.shuffle`.

        Raises
        ------
        DatasetIndexError
            For another method (a ``ValueError``) or a bad ``n_splits``.

        Examples
        --------
        >>> ds = Dataset(6)
        >>> ds.cv_split(n_splits=3)
        >>> ds.cv1.test.indices.tolist(), ds.cv1.train.indices.tolist()
        ([2, 3], [0, 1, 4, 5])
        >>> ds.train.cv1 is ds.cv1.train, ds.cv(1) is ds.cv1, ds.n_splits
        (True, True, 3)
        """
        if isinstance(method, numbers.Integral) and not isinstance(method, bool):
            if n_splits is not None:
                raise TypeError(f'cv_split({method!r}, {n_splits!r}): give the method first, or n_splits= '
                                'by keyword')
            method, n_splits = 'kfold', method
        if method != 'kfold':
            raise DatasetIndexError(f"Unknown cross-validation method {method!r}: only 'kfold' is supported",
                                    value=method)
        n_splits = 5 if n_splits is None else n_splits
        self._index.cv_split(n_splits, shuffle)
        self._folds = tuple(self._make_fold(getattr(self._index, f'cv{i}')) for i in range(n_splits))
        for part in ('train', 'test'):
            whole = self._derive(self._index)
            whole._folds = tuple(fold._subsets[part] for fold in self._folds)
            self._subsets[part] = whole

    def _make_fold(self, fold_index: DatasetIndex) -> Dataset:
        fold = self._derive(fold_index)
        fold._subsets = {'train': self._derive(fold_index.train), 'test': self._derive(fold_index.test)}
        return fold

    def cv(self, n: int) -> Dataset:
        """Return the dataset of fold ``n`` (the same as ``ds.cv<n>``).

        Raises
        ------
        DatasetIndexError
            When there is no such fold (a ``ValueError``, as in BatchFlow).

        Examples
        --------
        >>> ds = Dataset(4)
        >>> ds.cv_split(n_splits=2)
        >>> ds.cv(1).test.indices.tolist()
        [2, 3]
        """
        if not isinstance(n, numbers.Integral) or not 0 <= n < len(self._folds):
            made = f'{len(self._folds)} folds, 0 to {len(self._folds) - 1}' if self._folds else 'no folds'
            raise DatasetIndexError(f'The dataset has no fold {n!r}: cv_split() made {made}', value=n)
        return self._folds[n]

    def CV(self, expr):  # noqa: N802 -- BatchFlow's name
        """Return a named expression for the dataset of fold ``expr`` (itself a named expression).

        ``pipeline << dataset.CV(C('fold')).train`` takes the fold from the config when
        the pipeline runs.

        Examples
        --------
        >>> from types import SimpleNamespace
        >>> from dagflow.config import Config
        >>> from dagflow.expr import C
        >>> ds = Dataset(6)
        >>> ds.cv_split(n_splits=3)
        >>> fold = ds.CV(C('fold')).train
        >>> fold.get(pipeline=SimpleNamespace(config=Config({'fold': 2}))) is ds.cv2.train
        True
        """
        from dagflow.expr import F

        return F(self.cv)(expr)

    # --- pipelines ------------------------------------------------------------------
    def pipeline(self, config=None, **kwargs):
        """Return a new ``Pipeline`` over this dataset with this ``config`` (other arguments go to ``Pipeline``)."""
        from dagflow.pipeline import Pipeline

        return Pipeline(dataset=self, config=config, **kwargs)

    @property
    def p(self):
        """A new ``Pipeline`` over this dataset (short for ``ds.pipeline()``)."""
        return self.pipeline()

    def __rshift__(self, pipeline):
        return pipeline << self
