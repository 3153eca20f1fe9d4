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
['add_components', 'do_nothing', 'dump', 'invert', 'load', 'save']
"""
from __future__ import annotations

import copy as copy_module
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence

import numpy as np

from dagflow.data import loading
from dagflow.data.action import ActionInfo, action, actions_of
from dagflow.data.components import ComponentsView, as_components, concat_items, normalize_components, take_item
from dagflow.data.index import DatasetIndex
from dagflow.data.item import BatchItem
from dagflow.data.merge import merge_batches
from dagflow.data.preloaded import Aligned, align_to_batch, check_length
from dagflow.exceptions import (
    ComponentError,
    ComponentExistsError,
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
        whole data if there are no components), a tuple (one entry per component; a
        shorter one leaves the rest None), a dict (component -> data; other keys are
        ignored with a warning) or a DataFrame (columns are components).  A dict
        ``{id: value}`` and a pandas object indexed by the ids are read by id.
    dataset : Dataset, optional
        The dataset the batch comes from.

    Attributes
    ----------
    context : object or None
        Set by the engine while the batch runs in a pipeline.

    Raises
    ------
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
    _added_components = frozenset()
    """The components :meth:`add_components` gave this batch (its own set then; an assignment checks it)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if 'components' in cls.__dict__:
            cls.components = _declare_components(cls)

    def __init__(self, index: DatasetIndex | Sequence | np.ndarray, preloaded=None, dataset=None):
        # set directly: these names are never components, so __setattr__ has nothing to decide
        _set = object.__setattr__
        _set(self, '_index', index if isinstance(index, DatasetIndex) else DatasetIndex(index))
        _set(self, '_dataset', dataset)
        _set(self, '_random', None)
        _set(self, 'context', None)
        _set(self, '_data', self._as_data(preloaded))

    def _as_data(self, source):
        if isinstance(source, Aligned):
            data = source.data
        else:
            data = as_components(source, self.components)
            if data is not None:
                data = align_to_batch(data, self.indices, components=bool(self.components))
                check_length(data, len(self._index), bool(self.components))
        if self.components:
            data = {name: (data or {}).get(name) for name in self.components}
        return data

    @classmethod
    def from_data(cls, index=None, data=None) -> Batch:
        """Return a batch holding ``data``; without ``index`` its ids are ``0 .. len(data)-1``.

        Examples
        --------
        >>> Batch.from_data(data=np.array([5, 6])).indices.tolist()
        [0, 1]
        """
        if index is None:
            first = next((value for value in (data.values() if isinstance(data, Mapping) else
                                              data if isinstance(data, tuple) else [data])
                          if value is not None), None)
            index = DatasetIndex(len(first))
        return cls(index, preloaded=data)

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
        """The components' data as a read-only mapping (``data['images']``, ``data.images``), or the whole
        data if there are no components."""
        return ComponentsView(self._data) if self.components else self._data

    @property
    def array_of_nones(self) -> np.ndarray:
        """numpy.ndarray : an object array of ``None``, one per item.

        Examples
        --------
        >>> Batch([1, 2]).array_of_nones.tolist()
        [None, None]
        """
        return np.array([None] * len(self), dtype=object)

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

    def __getattr__(self, name: str):
        # reached for names the class does not have (components added by add_components), and for
        # a declared component this batch lacks (its descriptor raised): say which components there are
        added = self.__dict__.get('components') if not name.startswith('_') else None
        if (added is not None and name in added) or isinstance(getattr(type(self), name, None), _Component):
            return self._get_component(name)
        raise AttributeError(f'{type(self).__name__!r} object has no attribute {name!r}')

    def __setattr__(self, name: str, value) -> None:
        # a component added by add_components has no descriptor on the class: its assignment goes to the data
        if name in self._added_components:
            self._set_component(name, value)
        else:
            object.__setattr__(self, name, value)

    def get(self, item=None, component: str | None = None):
        """Return the data, a component, an item or a component of an item (BatchFlow's accessor).

        Examples
        --------
        >>> class LabelsBatch(Batch):
        ...     components = 'labels'
        >>> batch = LabelsBatch(['a', 'b'], preloaded=np.array([1, 2]))
        >>> batch.get(component='labels').tolist(), batch.get('b', 'labels')
        ([1, 2], np.int64(2))
        """
        if item is None:
            return self.data if component is None else self._get_component(component)
        return self[item] if component is None else getattr(self[item], component)

    def __getitem__(self, item_id):
        """Return the item with this id: a view of its components, or its part of the data."""
        if np.ndim(item_id) > 0:
            raise TypeError(f'batch[...] takes one item id, but got {item_id!r}')
        if not self.components and isinstance(self._data, Mapping):
            return self._data[item_id]
        position = self._index.get_pos(item_id)
        return BatchItem(self, position) if self.components else take_item(self._data, position)

    def __iter__(self) -> Iterator:
        if not self.components and isinstance(self._data, Mapping):
            yield from (self._data[item_id] for item_id in self.indices.tolist())
            return
        for position in range(len(self)):
            yield BatchItem(self, position) if self.components else take_item(self._data, position)

    def __repr__(self) -> str:
        parts = [f'index={self._index!r}']
        if self.components:
            parts.append(f'components={self.components!r}')
        return f'{type(self).__name__}({", ".join(parts)})'

    def deepcopy(self) -> Batch:
        """Return a copy of the batch with a deep copy of its data (the dataset and the run are shared).

        Examples
        --------
        >>> batch = Batch([0], preloaded=[[1]])
        >>> other = batch.deepcopy()
        >>> other.data[0].append(2)
        >>> batch.data, other.data
        ([[1]], [[1, 2]])
        """
        new = copy_module.copy(self)
        object.__setattr__(new, '_data', copy_module.deepcopy(self._data))
        return new

    def as_dataset(self, dataset=None, copy: bool = False):
        """Return a dataset of this batch's items, preloaded with its data.

        Parameters
        ----------
        dataset : Dataset or type, optional
            A dataset whose class and attributes the new one takes, or a Dataset
            class; the batch's own dataset by default.
        copy : bool
            Deep-copy the data into the batches the new dataset makes.

        Raises
        ------
        ValueError
            When there is no dataset to take the class from.

        Examples
        --------
        >>> from dagflow.data.dataset import Dataset
        >>> ds = Batch([4, 5], preloaded=np.array([40, 50])).as_dataset(Dataset)
        >>> ds.create_batch([5]).data.tolist()
        [50]
        """
        dataset = dataset if dataset is not None else self._dataset
        if dataset is None:
            raise ValueError('as_dataset needs a Dataset class or instance: the batch has no dataset')
        cls, attributes = (dataset, {}) if isinstance(dataset, type) else (type(dataset), dataset.get_attrs())
        index = DatasetIndex(self.indices)
        data = dict(self._data) if self.components else self._data
        return cls(index, type(self), preloaded=data, copy=copy, **attributes)

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
        >>> sorted(Batch.actions())
        ['add_components', 'do_nothing', 'dump', 'load', 'save']
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
    def do_nothing(self, *args, **kwargs):
        """Return the batch unchanged (a placeholder step, as in BatchFlow).

        Examples
        --------
        >>> batch = Batch([0])
        >>> batch.do_nothing(1, key=2) is batch
        True
        """
        return self

    @action
    def add_components(self, components: str | Sequence[str], init=None):
        """Add components to this batch (not to its class); return the batch.

        Parameters
        ----------
        components : str or sequence of str
            The new names.
        init : optional
            The data of the new component, or (with several names) a sequence with
            the data of each; ``None`` leaves them empty.

        Raises
        ------
        ComponentExistsError
            When the batch already has a component or an attribute of that name
            (a ``ValueError``, as in BatchFlow).
        DatasetIndexError
            When ``init`` does not hold one item per item of the batch.

        Examples
        --------
        >>> batch = Batch([0, 1]).add_components(['masks', 'labels'], init=[None, np.array([3, 4])])
        >>> batch.components, batch.masks, batch.labels.tolist()
        (('masks', 'labels'), None, [3, 4])
        >>> batch.masks = np.zeros(2)
        >>> sorted(batch.data)
        ['labels', 'masks']
        """
        names = normalize_components(components, type(self).__name__)
        if isinstance(components, str):
            values = (init,)
        else:
            values = (None,) * len(names) if init is None else tuple(init)
        if len(values) != len(names):
            raise ComponentError(f'add_components: {len(values)} initial values for the {len(names)} '
                                 f'components {names}', name=names)
        for name in names:
            if name in self.components or hasattr(self, name):
                raise ComponentExistsError(f'add_components: {type(self).__name__} already has '
                                           f'{"a component" if name in self.components else "an attribute"} '
                                           f'{name!r}', name=name)
        data = dict(zip(names, values))
        check_length(data, len(self), True)
        if not self.components:
            if self._data is not None:
                warnings.warn(f'add_components{names}: the batch had data without components; it is dropped',
                              UserWarning, stacklevel=2)
            object.__setattr__(self, '_data', {})
        object.__setattr__(self, 'components', self.components + names)
        object.__setattr__(self, '_added_components', self._added_components | frozenset(names))
        self._data.update(data)
        return self

    @action
    def load(self, src=None, fmt: str | None = None, components: str | Sequence[str] | None = None,
             dst: str | Sequence[str] | None = None, post: Callable | None = None, **kwargs):
        """Load component data for the batch's items; return the batch.

        Parameters
        ----------
        src : optional
            In-memory data (an ndarray, tuple, dict or DataFrame) aligned with the
            dataset's data index (the whole dataset's items, see
            :attr:`Dataset.data_index`), or with the batch itself when it has no dataset,
            read by the rules of :mod:`dagflow.data.preloaded`; or, with ``fmt``, a file.
            ``None``: the dataset's preloaded data.
        fmt : {None, 'csv', 'feather', 'hdf5'}
            A table file read with pandas (``**kwargs`` go to the reader, e.g.
            ``index_col=0``); its rows are found by the ids.
        components, dst : str or sequence of str, optional
            The components to fill (default: all); ``components=`` is the guide's
            spelling, ``dst=`` BatchFlow 0.10.1's.  Names the batch lacks are added
            (see :meth:`add_components`).  A tuple ``src`` fills them in order; with
            one name given as a str, ``src`` is that component's data as a whole.
        post : callable, optional
            With ``fmt``: ``post(frame, src=, fmt=, dst=, **kwargs)`` transforms the
            table read before it is loaded.

        Raises
        ------
        ValueError
            For another format, or no data to load.
        TypeError
            When both ``components`` and ``dst`` are given and differ.

        Examples
        --------
        >>> class LabelsBatch(Batch):
        ...     components = 'labels'
        >>> from dagflow.data.dataset import Dataset
        >>> batch = Dataset(3, batch_class=LabelsBatch).create_batch([2, 0])
        >>> batch.load(src=np.array([5, 6, 7])).labels.tolist()
        [7, 5]
        >>> batch.load(src=np.ones(3), dst='masks').masks.tolist()
        [1.0, 1.0]
        """
        names, whole = loading.load_targets(self, components, dst)
        if fmt is not None:
            frame = loading.read_table(src, fmt, **kwargs)
            if callable(post):
                frame = post(frame, src=src, fmt=fmt, dst=dst, **kwargs)
            return self.load(src=frame, components=names)
        if kwargs or post is not None:
            unexpected = [*kwargs, *(['post'] if post is not None else [])]
            raise TypeError(f'load() got {unexpected} without fmt=: only file formats take more arguments')
        data = loading.preloaded_of(self, names) if src is None else loading.items_of(self, src, names, whole)
        if self.components:
            self._data.update(data)
        else:
            object.__setattr__(self, '_data', data)
        return self

    @action(use_lock='batch_dump')
    def dump(self, dst=None, fmt: str | None = None, components: str | Sequence[str] | None = None, **kwargs):
        """Write component data into an array (by item id) or a table file; return the batch.

        In a pipeline it runs where the run's state lives (the driver), one batch after
        another, so an array written in place is the caller's and a file is never
        written by two batches at once.

        Parameters
        ----------
        dst : array-like or str
            Without ``fmt``: an array (or anything indexable) written as
            ``dst[batch.indices] = component``.  With ``fmt``: a file name.
        fmt : {None, 'csv', 'feather', 'hdf5'}
            A table format written with pandas (``**kwargs`` go to the writer).
        components : str or sequence of str, optional
            The components to write (one without ``fmt``); all by default.

        Examples
        --------
        >>> class LabelsBatch(Batch):
        ...     components = 'labels'
        >>> out = np.zeros(4)
        >>> _ = LabelsBatch([3, 1], preloaded=np.array([7., 9.])).dump(out)
        >>> out.tolist()
        [0.0, 9.0, 0.0, 7.0]
        """
        loading.dump_data(self, dst, fmt, components, **kwargs)
        return self

    @action(use_lock='batch_dump')
    def save(self, *args, **kwargs):
        """Another name for :meth:`dump`."""
        return self.dump(*args, **kwargs)

    # --- merging ----------------------------------------------------------------------
    @classmethod
    def merge(cls, batches: Sequence[Batch], batch_size: int | None = None,
              components: str | Sequence[str] | None = None,
              batch_class: type | None = None) -> tuple[Batch, Batch | None]:
        """Join batches into one; with ``batch_size``, split it into ``(first batch_size items, rest)``.

        As BatchFlow documents, the merged batch's index is ``arange(new_size)`` (and
        the rest's ``arange(len(rest))``): the items may come from several batches,
        pipelines or datasets, so their ids may repeat or mean nothing together.
        The result keeps the dataset and the run context of the first batch.

        Parameters
        ----------
        batches : sequence of Batch
            Batches of one class.
        batch_size : int, optional
            The size of the first batch returned.
        components : str or sequence of str, optional
            Only these components (default: all of the first batch's).
        batch_class : type, optional
            The class of the batches returned (default: the batches' class).

        Returns
        -------
        merged : Batch
        rest : Batch or None
            The items beyond ``batch_size``; ``None`` when there are none.

        Examples
        --------
        >>> merged, rest = Batch.merge([Batch([5, 6], preloaded=np.array([5, 6])),
        ...                             Batch([7], preloaded=np.array([7]))], batch_size=2)
        >>> merged.indices.tolist(), merged.data.tolist(), rest.indices.tolist(), rest.data.tolist()
        ([0, 1], [5, 6], [0], [7])
        """
        return merge_batches(cls, batches, batch_size, components, batch_class)

    @classmethod
    def merge_component(cls, component: str | None = None, data: Sequence | None = None):
        """Join one component's data from several batches (override it for special data).

        Examples
        --------
        >>> Batch.merge_component('labels', [np.array([1]), np.array([2, 3])]).tolist()
        [1, 2, 3]
        """
        return concat_items(list(data), component or 'data')
