"""Batch: the items of one step of a run, their component data, and the actions on them.

Examples
--------
>>> import numpy as np
>>> class ImagesBatch(Batch):
...     components = 'images', 'labels'
...     @action
...     def invert(self):
...         self.images = 1 - self.images
...         return self
>>> batch = ImagesBatch([10, 11], preloaded=(np.zeros((2, 3)), np.array([0, 1])))
>>> batch.invert().images.sum(), batch[11].labels
(np.float64(6.0), np.int64(1))
>>> sorted(ImagesBatch.actions())
['invert', 'load']
"""
from __future__ import annotations

import numbers
from collections.abc import Callable, Iterator, Sequence
from types import MappingProxyType

import numpy as np

from dagflow.data.action import ActionInfo, action, actions_of
from dagflow.data.components import (
    as_components,
    concat_items,
    data_length,
    normalize_components,
    take_item,
    take_items,
)
from dagflow.data.index import DatasetIndex
from dagflow.exceptions import (
    ComponentError,
    DatasetIndexError,
    ModelError,
    UnknownActionError,
    suggestion_text,
)

__all__ = ['Batch', 'BatchItem', 'action', 'ActionInfo']


class _Component:
    """The attribute ``batch.<name>`` of a declared component: reads and assigns its data."""

    __slots__ = ('name',)

    def __init__(self, name: str):
        self.name = name

    def __get__(self, batch, owner=None):
        if batch is None:
            return self
        return batch._get_component(self.name)

    def __set__(self, batch, value) -> None:
        batch._set_component(self.name, value)

    def __repr__(self) -> str:
        return f'<component {self.name!r}>'


_MISSING = object()


def _declare_components(cls: type) -> tuple[str, ...]:
    names = normalize_components(cls.__dict__['components'], cls.__name__)
    for name in names:
        existing = getattr(cls, name, _MISSING)
        if existing is not _MISSING and not isinstance(existing, _Component):
            raise ComponentError(f'{cls.__name__}.components: {name!r} clashes with the attribute '
                                 f'{cls.__name__}.{name}; rename the component', name=name)
        if existing is _MISSING:
            setattr(cls, name, _Component(name))
    return names


class Batch:
    """A batch of items: their index, their component data and the actions on them.

    Subclasses declare ``components`` (a name or a tuple of names); each becomes an
    attribute that reads and assigns that component's data.  Methods marked with
    ``@action`` form the closed set of names a pipeline may call.

    Parameters
    ----------
    index : DatasetIndex or array-like of ids
        The items of the batch.
    preloaded : optional
        The batch's data, aligned with ``index``: an ndarray (one component, or the
        whole data if there are no components), a tuple (one entry per component),
        a dict (component -> data) or a DataFrame (columns are components).
    dataset : Dataset, optional
        The dataset the batch comes from.

    Attributes
    ----------
    context : object or None
        Set by the engine while the batch runs in a pipeline.

    Raises
    ------
    ComponentError
        When ``preloaded`` names an unknown component.
    DatasetIndexError
        When ``preloaded`` does not hold one entry per item.

    Examples
    --------
    >>> batch = Batch([3, 4, 5], preloaded=np.arange(6).reshape(3, 2))
    >>> batch.size, batch.indices.tolist(), batch[4].tolist()
    (3, [3, 4, 5], [2, 3])
    """

    components: tuple[str, ...] = ()
    context = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if 'components' in cls.__dict__:
            cls.components = _declare_components(cls)

    def __init__(self, index: DatasetIndex | Sequence | np.ndarray, preloaded=None, dataset=None):
        self._index = index if isinstance(index, DatasetIndex) else DatasetIndex(index)
        self._dataset = dataset
        self._random = None
        self.context = None
        self._data = self._as_data(preloaded)

    def _as_data(self, source):
        data = as_components(source, self.components)
        if self.components:
            data = {name: (data or {}).get(name) for name in self.components}
        length = data_length(data) if data is not None else None
        if length is not None and length != len(self._index):
            raise DatasetIndexError(f'The data holds {length} items, but the batch index has '
                                    f'{len(self._index)}', lengths=(length, len(self._index)))
        return data

    # --- items and data ---------------------------------------------------------------
    @property
    def index(self) -> DatasetIndex:
        """DatasetIndex : the ids of the batch's items."""
        return self._index

    @property
    def indices(self) -> np.ndarray:
        """numpy.ndarray : the ids as an array."""
        return self._index.indices

    @property
    def size(self) -> int:
        """int : the number of items."""
        return len(self._index)

    def __len__(self) -> int:
        return len(self._index)

    @property
    def dataset(self):
        """Dataset or None : the dataset the batch was made from."""
        return self._dataset

    @property
    def data(self):
        """Mapping of component -> data (read-only view), or the whole data if there are no components."""
        return MappingProxyType(self._data) if self.components else self._data

    def _get_component(self, name: str):
        self._check_component(name)
        return self._data[name]

    def _set_component(self, name: str, value) -> None:
        self._check_component(name)
        self._data[name] = value

    def _check_component(self, name: str) -> None:
        if name not in self.components:
            raise ComponentError(f'{type(self).__name__} has no component {name!r}; its components are '
                                 f'{self.components}.' + suggestion_text(name, self.components), name=name)

    def __getitem__(self, item_id):
        """Return the item with this id: a view of its components, or its part of the data."""
        if np.ndim(item_id) > 0:
            raise TypeError(f'batch[...] takes one item id, but got {item_id!r}')
        position = self._index.get_pos(item_id)
        return BatchItem(self, position) if self.components else take_item(self._data, position)

    def __iter__(self) -> Iterator:
        for position in range(len(self)):
            yield BatchItem(self, position) if self.components else take_item(self._data, position)

    def __repr__(self) -> str:
        parts = [f'index={self._index!r}']
        if self.components:
            parts.append(f'components={self.components!r}')
        return f'{type(self).__name__}({", ".join(parts)})'

    # --- run context ------------------------------------------------------------------
    @property
    def pipeline(self):
        """Pipeline or None : the pipeline running the batch (from ``context``)."""
        return getattr(self.context, 'pipeline', None) if self.context is not None else None

    @property
    def random(self) -> np.random.Generator:
        """numpy.random.Generator : the run's generator for this batch, else one made once per batch."""
        generator = getattr(self.context, 'random', None) if self.context is not None else None
        if generator is not None:
            return generator
        if self._random is None:
            self._random = np.random.default_rng()
        return self._random

    def get_model_by_name(self, name: str):
        """Return a model of the pipeline running this batch (a dynamic one is created from this batch).

        Call it inside a batch action; dagflow reads the action's code to learn
        which models it uses, so the plan orders the action with the other
        steps using them (or declare it: ``@action(writes='model:name')``).

        Raises
        ------
        ModelError
            When the batch is not running in a pipeline.

        Examples
        --------
        >>> Batch(2).get_model_by_name('m')
        Traceback (most recent call last):
        ...
        dagflow.exceptions.ModelError: Cannot get model 'm': the batch is not running in a pipeline
        """
        if self.pipeline is None:
            raise ModelError(f'Cannot get model {name!r}: the batch is not running in a pipeline', name=name)
        return self.pipeline.get_model_by_name(name, batch=self)

    # --- actions ----------------------------------------------------------------------
    @classmethod
    def actions(cls) -> dict[str, Callable]:
        """Return ``{name: function}`` of the class's actions, its bases' included.

        Examples
        --------
        >>> list(Batch.actions())
        ['load']
        """
        return actions_of(cls)

    @classmethod
    def action_info(cls, name: str) -> ActionInfo:
        """Return the :class:`ActionInfo` of an action.

        Raises
        ------
        UnknownActionError
            When the class has no action with that name.

        Examples
        --------
        >>> Batch.action_info('laod')
        Traceback (most recent call last):
        ...
        dagflow.exceptions.UnknownActionError: Batch has no action 'laod'. Did you mean 'load'?
        """
        found = actions_of(cls)
        if name not in found:
            raise UnknownActionError(f'{cls.__name__} has no action {name!r}.'
                                     + suggestion_text(name, found), name=name,
                                     suggestions=list(found))
        return found[name].action_info

    @action
    def load(self, src=None, fmt: str | None = None, components: str | Sequence[str] | None = None):
        """Load component data for the batch's items; return the batch.

        Parameters
        ----------
        src : ndarray, tuple, dict or DataFrame, optional
            Data aligned with the dataset's data index (the whole dataset's items, see
            :attr:`Dataset.data_index`), or with the batch itself when it has no dataset;
            the rows of this batch's items are taken.  ``None``: the dataset's preloaded data.
        fmt : None
            Only in-memory sources are read here; subclasses may override ``load`` for files.
        components : str or sequence of str, optional
            The components to fill (default: all); a tuple ``src`` fills them in order.

        Examples
        --------
        >>> class LabelsBatch(Batch):
        ...     components = 'labels'
        >>> from dagflow.data.dataset import Dataset
        >>> batch = Dataset(3, batch_class=LabelsBatch).create_batch([2, 0])
        >>> batch.load(src=np.array([5, 6, 7])).labels.tolist()
        [7, 5]
        """
        if fmt is not None:
            raise ValueError(f'{type(self).__name__}.load reads in-memory sources only, but got '
                             f'fmt={fmt!r}; override load to read other formats')
        targets = self._load_targets(components)
        if src is None:
            return self._load_preloaded(targets)
        align = self.dataset.data_index if self.dataset is not None else self._index
        data = as_components(src, targets)
        length = data_length(data)
        if length != len(align):
            raise DatasetIndexError(f'load(src=...) got {length} items, but the data index has '
                                    f'{len(align)}', lengths=(length, len(align)))
        self._store(take_items(data, align.get_pos(self.indices)))
        return self

    def _load_targets(self, components) -> tuple[str, ...]:
        if components is None:
            return self.components
        names = normalize_components(components, type(self).__name__)
        for name in names:
            self._check_component(name)
        return names

    def _load_preloaded(self, targets: tuple[str, ...]):
        if self.dataset is None or self.dataset.preloaded is None:
            raise ValueError('load() without src reads the preloaded data of the batch\'s dataset, '
                             'but this batch has no dataset with preloaded data; pass src=')
        data = self.dataset.preloaded_items(self.indices)
        self._store({name: data.get(name) for name in targets} if targets else data)
        return self

    def _store(self, data) -> None:
        if self.components:
            self._data.update(data)
        else:
            self._data = data

    # --- merging ----------------------------------------------------------------------
    @classmethod
    def merge(cls, batches: Sequence[Batch], batch_size: int | None = None) -> tuple[Batch, Batch | None]:
        """Join batches into one; with ``batch_size``, split it into ``(first batch_size items, rest)``.

        The result has the class, dataset and context of the first batch and keeps the
        items' ids (which may repeat if the same item came in several batches).

        Returns
        -------
        merged : Batch
        rest : Batch or None
            The items beyond ``batch_size``; ``None`` when there are none.

        Examples
        --------
        >>> merged, rest = Batch.merge([Batch([0, 1], preloaded=np.array([5, 6])),
        ...                             Batch([2], preloaded=np.array([7]))], batch_size=2)
        >>> merged.data.tolist(), rest.indices.tolist(), rest.data.tolist()
        ([5, 6], [2], [7])
        """
        batches = list(batches)
        if not batches:
            raise ValueError('merge needs at least one batch, but got none')
        if batch_size is not None and (not isinstance(batch_size, numbers.Integral)
                                       or isinstance(batch_size, bool) or batch_size <= 0):
            raise ValueError(f'merge: batch_size must be a positive int or None, but got {batch_size!r}')
        kinds = {type(batch) for batch in batches}
        if len(kinds) > 1:
            raise TypeError(f'merge needs batches of one class, but got {sorted(k.__name__ for k in kinds)}')
        index = DatasetIndex.concat(*(batch.index for batch in batches))
        data = concat_items([batch._data for batch in batches])
        cut = len(index) if batch_size is None else min(batch_size, len(index))
        rest = _merged(batches[0], index, data, slice(cut, None)) if cut < len(index) else None
        return _merged(batches[0], index, data, slice(0, cut)), rest


def _merged(first: Batch, index: DatasetIndex, data, part: slice) -> Batch:
    positions = np.arange(len(index))[part]
    batch = type(first)(index._derive(index.indices[positions]), preloaded=take_items(data, positions),
                        dataset=first.dataset)
    batch.context = first.context
    return batch


class BatchItem:
    """One item of a batch: its components read and assigned as attributes.

    Examples
    --------
    >>> class LabelsBatch(Batch):
    ...     components = 'labels'
    >>> batch = LabelsBatch(['a', 'b'], preloaded=np.array([0, 1]))
    >>> item = batch['b']
    >>> item.labels
    np.int64(1)
    >>> item.labels = 7
    >>> batch.labels.tolist(), item
    ([0, 7], BatchItem(LabelsBatch, id='b'))
    """

    __slots__ = ('_batch', '_position')

    def __init__(self, batch: Batch, position: int):
        object.__setattr__(self, '_batch', batch)
        object.__setattr__(self, '_position', position)

    def __getattr__(self, name: str):
        if name.startswith('_'):
            raise AttributeError(name)
        return take_item(self._batch._get_component(name), self._position)

    def __setattr__(self, name: str, value) -> None:
        values = self._batch._get_component(name)
        if values is None:
            raise ComponentError(f'Cannot set {name!r} of one item: the component holds no data yet',
                                 name=name)
        values[self._position] = value

    def __repr__(self) -> str:
        item_id = self._batch.indices[self._position].item()
        return f'BatchItem({type(self._batch).__name__}, id={item_id!r})'
