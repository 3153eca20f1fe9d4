"""Dataset indices: the ids of the items, their order of iteration, train/test splits.

Examples
--------
>>> index = DatasetIndex(10)
>>> [batch.indices.tolist() for batch in index.gen_batch(4)]
[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
>>> index.split(0.8)
>>> index.train.indices.tolist(), index.test.indices.tolist()
([2, 3, 4, 5, 6, 7, 8, 9], [0, 1])
"""
from __future__ import annotations

import numbers
import re
from collections.abc import Iterator, Sequence

import numpy as np

from dagflow.data.ids import check_ids, check_unique, freeze, lookup_fails
from dagflow.data.iteration import (
    DEFAULT_EPOCHS,
    PositionStream,
    bar_of,
    check_batch_size,
    iteration_count,
    make_order,
)
from dagflow.data.split import fold_parts, get_fold, split_parts, split_sizes
from dagflow.exceptions import DatasetIndexError, EmptyBatchSequence, RunArgumentError, UnknownIdError, suggestion_text

__all__ = ['DatasetIndex']

_FOLD_NAME = re.compile(r'cv(\d+)')
_SUBSETS = ('train', 'test', 'validation')


class DatasetIndex:
    """The ids of a dataset's items: unique, ordered, and able to make batches of them.

    Parameters
    ----------
    index : int, array-like, callable or DatasetIndex
        ``n`` for ids ``0 .. n-1``; a 1-d array-like of unique ids (a scalar is one
        id); a callable returning one of these; or an index to copy.  The
        arguments go to :meth:`build_index`, which subclasses may redefine.

    Raises
    ------
    DatasetIndexError
        When ids repeat or there are none (a ``ValueError``).
    IndexShapeError
        When the ids are not 1-d (a ``TypeError``).

    Examples
    --------
    >>> DatasetIndex(3)
    DatasetIndex([0, 1, 2])
    >>> index = DatasetIndex(['a', 'b', 'c'])
    >>> len(index), index.get_pos('b'), index.get_pos(['c', 'a']).tolist()
    (3, 1, [2, 0])
    >>> DatasetIndex(lambda: [5, 7]).index.tolist()
    [5, 7]
    >>> DatasetIndex([1, 2, 1])
    Traceback (most recent call last):
    ...
    dagflow.exceptions.DatasetIndexError: Index ids must be unique, but these repeat: [1]
    """

    __slots__ = ('_indices', '_pos', '_iteration', '_subsets', '_folds')

    def __init__(self, *args, **kwargs):
        source = args[0] if args else kwargs.get('index')
        self._setup(check_ids(self.build_index(*args, **kwargs), source))
        if isinstance(source, DatasetIndex) and isinstance(self, type(source)):
            source._inherit(self)

    @staticmethod
    def build_index(index) -> np.ndarray:
        """Return the ids an index is built from (the constructor's arguments go here).

        Redefine it in a subclass to build the ids from other arguments; the result
        is checked (1-d, not empty, unique) by the constructor.

        Parameters
        ----------
        index : int, array-like, callable or DatasetIndex
            See :class:`DatasetIndex`.

        Examples
        --------
        >>> DatasetIndex.build_index(3).tolist(), DatasetIndex.build_index(lambda: ['a']).tolist()
        ([0, 1, 2], ['a'])
        """
        if callable(index) and not isinstance(index, DatasetIndex):
            index = index()
        if isinstance(index, DatasetIndex):
            return index.indices
        if isinstance(index, numbers.Integral) and not isinstance(index, (bool, np.bool_)):
            if index < 0:
                raise DatasetIndexError(f'An index size must be non-negative, but got {index}', value=index)
            return np.arange(index)
        return np.asarray(index)

    @classmethod
    def from_index(cls, *args, **kwargs) -> DatasetIndex:
        """Return ``cls(*args, **kwargs)`` (BatchFlow's name for the constructor).

        Examples
        --------
        >>> DatasetIndex.from_index([3, 4])
        DatasetIndex([3, 4])
        """
        return cls(*args, **kwargs)

    def _setup(self, ids: np.ndarray) -> None:
        self._indices = ids
        self._pos = None
        self._iteration = None
        self._subsets = {}
        self._folds = ()

    _own_attributes = False
    """Whether instances have a ``__dict__`` (a subclass without ``__slots__``): decided once per class."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._own_attributes = any('__dict__' in vars(klass) for klass in cls.__mro__)

    def _inherit(self, other: DatasetIndex) -> None:
        """Copy into ``other`` what a subset keeps: a subclass's own attributes (and paths in FilesIndex)."""
        if self._own_attributes and self.__dict__:
            other.__dict__.update(self.__dict__)

    def _join(self, other: DatasetIndex, indices: Sequence[DatasetIndex]) -> None:
        """Copy into ``other`` what a join of ``indices`` keeps (nothing here; paths in FilesIndex)."""

    @classmethod
    def concat(cls, *indices: DatasetIndex) -> DatasetIndex:
        """Join indices in order into one of the first one's kind (ids may then repeat, as in batches).

        Examples
        --------
        >>> DatasetIndex.concat(DatasetIndex([3, 4]), DatasetIndex([0]))
        DatasetIndex([3, 4, 0])
        """
        same_kind = len({type(index) for index in indices}) == 1
        new = object.__new__(type(indices[0]) if same_kind else DatasetIndex)
        new._setup(freeze(np.concatenate([index.indices for index in indices])))
        if same_kind:
            indices[0]._join(new, indices)
        return new

    def __add__(self, other) -> DatasetIndex:
        """Return the ids of this index followed by ``other``'s (an index or ids); they must not repeat.

        Examples
        --------
        >>> DatasetIndex([1, 2]) + [3]
        DatasetIndex([1, 2, 3])
        """
        other = other if isinstance(other, DatasetIndex) else DatasetIndex(other)
        joined = self.concat(self, other)
        check_unique(joined.indices)
        return joined

    def _derive(self, ids: np.ndarray) -> DatasetIndex:
        """Make an index of the same kind over ``ids`` without checks (ids may repeat in batches)."""
        new = object.__new__(type(self))
        new._setup(freeze(ids))
        self._inherit(new)
        return new

    # --- basic protocol -------------------------------------------------------------
    @property
    def indices(self) -> np.ndarray:
        """numpy.ndarray : the ids, read-only."""
        return self._indices

    @property
    def index(self) -> np.ndarray:
        """numpy.ndarray : the ids, read-only (BatchFlow's ``index.index``; the same as :attr:`indices`)."""
        return self._indices

    @property
    def size(self) -> int:
        """int : the number of ids."""
        return len(self._indices)

    def __len__(self) -> int:
        return len(self._indices)

    def __iter__(self) -> Iterator:
        return iter(self._indices.tolist())

    def __contains__(self, item_id) -> bool:
        return item_id in self._positions()

    def __eq__(self, other) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return np.array_equal(self._indices, other._indices) and self._same_extras(other)

    def _same_extras(self, other: DatasetIndex) -> bool:
        return True

    __hash__ = None

    def __repr__(self) -> str:
        ids = self._indices.tolist()
        if len(ids) <= 8:
            return f'{type(self).__name__}({ids!r})'
        shown = ', '.join(repr(i) for i in ids[:3]) + ', ..., ' + ', '.join(repr(i) for i in ids[-3:])
        return f'{type(self).__name__}([{shown}], size={len(ids)})'

    def __getstate__(self) -> dict:
        names = {name for cls in type(self).__mro__ for name in getattr(cls, '__slots__', ())}
        state = {name: getattr(self, name) for name in names - {'_pos', '_iteration'}}
        state.update(getattr(self, '__dict__', {}))
        return state

    def __setstate__(self, state: dict) -> None:
        self._pos = None
        self._iteration = None
        for name, value in state.items():
            object.__setattr__(self, name, value)

    # --- positions and subsets ------------------------------------------------------
    def _positions(self) -> dict:
        if self._pos is None:
            size = len(self._indices)
            # built backwards so that a repeated id (a batch spanning two epochs) maps to its first place
            self._pos = dict(zip(self._indices[::-1].tolist(), range(size - 1, -1, -1)))
        return self._pos

    def build_pos(self) -> dict:
        """Return a new dict ``{id: position}``.

        Examples
        --------
        >>> DatasetIndex(['a', 'b']).build_pos()
        {'a': 0, 'b': 1}
        """
        positions = self._positions()
        return {item: positions[item] for item in self._indices.tolist()}

    def get_pos(self, ids):
        """Return the position of an id, an array of positions of several ids, or a slice of positions.

        Parameters
        ----------
        ids : id, sequence of ids, DatasetIndex or slice
            A slice of ids (``slice('b', None)``) gives the slice of their positions.

        Raises
        ------
        UnknownIdError
            When an id is not in the index (a ``KeyError`` too, as in BatchFlow).

        Examples
        --------
        >>> index = DatasetIndex([10, 20, 30])
        >>> index.get_pos([30, 10]).tolist(), index.get_pos(slice(20, None))
        ([2, 0], slice(1, None, None))
        >>> index.get_pos(40)
        Traceback (most recent call last):
        ...
        dagflow.exceptions.UnknownIdError: Unknown ids [40]: not in the index DatasetIndex([10, 20, 30])
        """
        if isinstance(ids, slice):
            start = None if ids.start is None else self.get_pos(ids.start)
            stop = None if ids.stop is None else self.get_pos(ids.stop)
            return slice(start, stop, ids.step)
        positions = self._positions()
        many = isinstance(ids, DatasetIndex) or np.ndim(ids) > 0
        if isinstance(ids, DatasetIndex):
            ids = ids.indices
        wanted = (ids.tolist() if isinstance(ids, np.ndarray) else list(ids)) if many \
            else [np.asarray(ids).item()]
        try:
            found = [positions[item] for item in wanted]
        except (KeyError, TypeError):
            unknown = [item for item in wanted if lookup_fails(positions, item)]
            raise UnknownIdError(f'Unknown ids {unknown[:5]}: not in the index {self!r}', ids=unknown) from None
        return np.array(found, dtype=np.intp) if many else found[0]

    def subset_by_pos(self, pos) -> np.ndarray:
        """Return the ids at positions ``pos`` (an int, a slice or an array of positions).

        Examples
        --------
        >>> DatasetIndex([5, 6, 7]).subset_by_pos([2, 0]).tolist()
        [7, 5]
        """
        return self._indices[pos]

    def create_subset(self, ids) -> DatasetIndex:
        """Return an index of the same kind with some of this index's ids.

        Raises
        ------
        UnknownIdError
            When an id is not in this index.

        Examples
        --------
        >>> DatasetIndex(5).create_subset([4, 2])
        DatasetIndex([4, 2])
        """
        ids = check_ids(DatasetIndex.build_index(ids), ids)
        self.get_pos(ids)
        return self._derive(ids)

    def create_batch(self, index, pos: bool = True, as_array: bool = False, *args, **kwargs):
        """Return the batch of these items: an index of the same kind (or, with ``as_array``, the ids).

        Parameters
        ----------
        index : int, slice, sequence, numpy.ndarray or DatasetIndex
            Positions of items in this index (``pos=True``, the default, as in
            BatchFlow), or their ids (``pos=False``).
        pos : bool
            Whether ``index`` holds positions or ids.
        as_array : bool
            Return the ids as an array instead of an index.

        Raises
        ------
        UnknownIdError
            With ``pos=False``, when an id is not in this index.

        Examples
        --------
        >>> index = DatasetIndex([5, 6, 7])
        >>> index.create_batch([2, 0]), index.create_batch([7, 5], pos=False)
        (DatasetIndex([7, 5]), DatasetIndex([7, 5]))
        >>> index.create_batch(slice(1, None), as_array=True).tolist()
        [6, 7]
        """
        _ = args, kwargs
        items = index.indices if isinstance(index, DatasetIndex) else index
        ids = self.subset_by_pos(items) if pos else self._indices[self.get_pos(np.atleast_1d(items))]
        ids = np.atleast_1d(ids)
        return ids if as_array else self._derive(ids)

    def shuffle(self, shuffle) -> np.ndarray:
        """Return the positions of the items in the order ``shuffle`` gives (one epoch's order).

        Parameters
        ----------
        shuffle : bool, int, SeedSequence, Generator, RandomState or callable
            As in :meth:`gen_batch`; ``False`` gives ``0 .. len-1``.

        Examples
        --------
        >>> DatasetIndex([5, 6, 7]).shuffle(False).tolist()
        [0, 1, 2]
        >>> sorted(DatasetIndex([5, 6, 7]).shuffle(1).tolist())
        [0, 1, 2]
        """
        return make_order(shuffle, self._indices, self.get_pos)()

    @property
    def train(self) -> DatasetIndex | None:
        """DatasetIndex or None : the train subset made by :meth:`split`."""
        return self._subsets.get('train')

    @property
    def test(self) -> DatasetIndex | None:
        """DatasetIndex or None : the test subset made by :meth:`split` or :meth:`cv_split`."""
        return self._subsets.get('test')

    @property
    def validation(self) -> DatasetIndex | None:
        """DatasetIndex or None : the validation subset made by :meth:`split`."""
        return self._subsets.get('validation')

    @property
    def is_split(self) -> bool:
        """bool : whether the index has train, test or validation subsets."""
        return bool(self._subsets)

    def __getattr__(self, name: str):
        match = _FOLD_NAME.fullmatch(name)
        if match is None or name.startswith('_'):
            raise AttributeError(f'{type(self).__name__!r} object has no attribute {name!r}')
        return get_fold(self, self._folds, int(match.group(1)), name)

    def calc_split(self, shares: float | Sequence[float] = 0.8) -> tuple[int, int, int]:
        """Return the numbers of train, test and validation items :meth:`split` makes.

        See :func:`~dagflow.data.split.split_sizes`.

        Examples
        --------
        >>> DatasetIndex(10).calc_split([0.6, 0.3])
        (6, 3, 1)
        """
        return split_sizes(len(self), shares)

    def split(self, shares: float | Sequence[float] = 0.8, shuffle=False) -> None:
        """Split into ``.train``, ``.test`` and (when shares leave room) ``.validation``.

        Parameters
        ----------
        shares : float or sequence of 1 to 3 floats
            See :func:`~dagflow.data.split.split_sizes`.  As in BatchFlow,
            validation takes the first items of the order, then test, then train.
        shuffle : bool, int, Generator, RandomState or callable
            The order of items before splitting, as in :meth:`shuffle`.

        Examples
        --------
        >>> index = DatasetIndex(10)
        >>> index.split([0.5, 0.3])
        >>> [index.train.indices.tolist(), index.test.indices.tolist(), index.validation.indices.tolist()]
        [[5, 6, 7, 8, 9], [2, 3, 4], [0, 1]]
        """
        parts = split_parts(self.shuffle(shuffle), shares)
        self._subsets = {name: self._derive(self._indices[part])
                         for name, part in zip(_SUBSETS, parts) if len(part)}

    def cv_split(self, n_splits: int = 5, shuffle=False) -> None:
        """Make cross-validation folds ``.cv0``, ``.cv1`` ...; fold ``i`` tests on the ``i``-th part.

        Each fold is a copy of this index with ``.train`` and ``.test`` subsets.  As in
        BatchFlow, the first ``len % n_splits`` test parts hold one extra item.

        Examples
        --------
        >>> index = DatasetIndex(10)
        >>> index.cv_split(3)
        >>> [index.cv0.test.indices.tolist(), index.cv2.test.indices.tolist()]
        [[0, 1, 2, 3], [7, 8, 9]]
        >>> index.cv2.train.indices.tolist()
        [0, 1, 2, 3, 4, 5, 6]
        """
        parts = fold_parts(self.shuffle(shuffle), n_splits)
        self._folds = tuple(self._make_fold(parts, i) for i in range(n_splits))

    def _make_fold(self, parts: list[np.ndarray], i: int) -> DatasetIndex:
        fold = self._derive(self._indices)
        train = np.concatenate(parts[:i] + parts[i + 1:])
        fold._subsets = {'train': self._derive(self._indices[train]),
                         'test': self._derive(self._indices[parts[i]])}
        return fold

    # --- batches --------------------------------------------------------------------
    def gen_batch(self, batch_size: int, shuffle=False, n_iters: int | None = None,
                  n_epochs=DEFAULT_EPOCHS, drop_last: bool = False, bar=False, *,
                  notifier=None) -> Iterator[DatasetIndex]:
        """Return an iterator over batches of ids, each an index of the same kind.

        Arguments are checked at once, not at the first batch.

        Parameters
        ----------
        batch_size : int
            Number of items in a batch (the last batch of a run may hold fewer).
        shuffle : bool, int, SeedSequence, Generator, RandomState or callable
            ``False``: index order; ``True``: a fresh random generator; an int: a seed
            (the orders equal BatchFlow's for the same seed); a generator or random
            state: drawn from; a callable: ``shuffle(ids) -> ids``.  Each epoch
            permutes the previous epoch's order.
        n_iters : int, optional
            Number of batches; batches flow across epoch boundaries.
        n_epochs : int or None
            Number of passes; one by default unless ``n_iters`` is given; ``None``
            with no ``n_iters`` for an endless stream.
        drop_last : bool
            Drop each epoch's last incomplete batch, so no batch spans two epochs.
        bar : bool or callable
            Show a ``tqdm.auto.tqdm`` progress bar (or call ``bar(iterable, total=...)``).
        notifier : bool, str, dict or callable, optional
            BatchFlow's name for ``bar``: any of its notifier settings shows a bar.

        Raises
        ------
        RunArgumentError
            On a bad batch size, both ``n_iters`` and ``n_epochs``, negative counts,
            or ``drop_last`` with a batch larger than the index.

        Notes
        -----
        Without ``drop_last`` a batch that spans two shuffled epochs may repeat an id;
        then :meth:`get_pos` gives the first place of that id (as in BatchFlow).

        Examples
        --------
        >>> index = DatasetIndex(4)
        >>> [b.indices.tolist() for b in index.gen_batch(3, n_epochs=2)]
        [[0, 1, 2], [3, 0, 1], [2, 3]]
        >>> [b.indices.tolist() for b in index.gen_batch(3, n_iters=3, drop_last=True)]
        [[0, 1, 2], [0, 1, 2], [0, 1, 2]]
        """
        sizes = [batch_size]
        return self._batches(self._stream(batch_size, shuffle, n_iters, n_epochs, drop_last), sizes,
                             bar_of(bar, notifier), (batch_size, n_iters, n_epochs, drop_last))

    def _stream(self, batch_size, shuffle, n_iters, n_epochs, drop_last) -> PositionStream:
        next_order = make_order(shuffle, self._indices, self.get_pos)
        return PositionStream(len(self), batch_size, n_iters=n_iters, n_epochs=n_epochs,
                              drop_last=drop_last, next_order=next_order)

    def _batches(self, stream: PositionStream, sizes: list, bar, counts: tuple) -> Iterator[DatasetIndex]:
        """Batches of ``stream``, each of the size ``sizes[0]`` holds when it is asked for."""
        def batches():
            while (positions := stream.next(sizes[0])) is not None:
                yield self._derive(self._indices[positions])

        if not bar:
            return batches()
        total = iteration_count(len(self), *counts)
        if callable(bar):
            return bar(batches(), total=total)
        from tqdm.auto import tqdm
        return tqdm(batches(), total=total)

    def next_batch(self, batch_size: int, shuffle=False, n_iters: int | None = None,
                   n_epochs: int | None = None, drop_last: bool = False, bar=False, *,
                   notifier=None) -> DatasetIndex:
        """Return the next batch of a stateful iteration (same arguments as :meth:`gen_batch`).

        The batch size may change from call to call, as in BatchFlow; the other
        arguments must stay those the iteration started with.  Unlike
        :meth:`gen_batch`, the iteration is endless unless ``n_iters`` or
        ``n_epochs`` is given, as BatchFlow's ``next_batch`` is (and
        ``Pipeline.next_batch``).

        Raises
        ------
        EmptyBatchSequence
            When the iteration is over (a ``StopIteration``); :meth:`reset` starts it again.
        RunArgumentError
            When called with arguments other than ``batch_size`` that differ from
            those the iteration started with.

        Examples
        --------
        >>> index = DatasetIndex(5)
        >>> index.next_batch(2, n_epochs=1), index.next_batch(3, n_epochs=1)
        (DatasetIndex([0, 1]), DatasetIndex([2, 3, 4]))
        >>> index.next_batch(2, n_epochs=1)
        Traceback (most recent call last):
        ...
        dagflow.exceptions.EmptyBatchSequence: No batches left; call reset('iter') to start again
        """
        bar = bar_of(bar, notifier)
        settings = (shuffle, n_iters, n_epochs, drop_last, bar)
        if self._iteration is None:
            sizes = [batch_size]
            stream = self._stream(batch_size, shuffle, n_iters, n_epochs, drop_last)
            self._iteration = (settings, sizes, self._batches(stream, sizes, bar,
                                                              (batch_size, n_iters, n_epochs, drop_last)))
        elif self._iteration[0] != settings:
            raise RunArgumentError(f'next_batch(shuffle, n_iters, n_epochs, drop_last, bar)={settings} differs '
                                   f'from the running iteration\'s {self._iteration[0]}; call reset(\'iter\') '
                                   'first', name='next_batch', value=settings)
        check_batch_size(len(self), batch_size, drop_last)
        self._iteration[1][0] = batch_size
        try:
            return next(self._iteration[2])
        except StopIteration:
            raise EmptyBatchSequence("No batches left; call reset('iter') to start again") from None

    def reset(self, what: str | Sequence[str] = 'iter') -> None:
        """Reset state: ``'iter'`` (or ``'all'``) restarts :meth:`next_batch`.

        Examples
        --------
        >>> index = DatasetIndex(3)
        >>> _ = index.next_batch(2)
        >>> index.reset('iter')
        >>> index.next_batch(2)
        DatasetIndex([0, 1])
        """
        for item in [what] if isinstance(what, str) else what:
            if item not in ('iter', 'all'):
                raise RunArgumentError(f"Cannot reset {item!r}: an index resets only 'iter' or 'all'."
                                       + suggestion_text(item, ['iter', 'all']), name='what', value=item)
        self._iteration = None

    def reset_iter(self) -> None:
        """Restart :meth:`next_batch`; the same as ``reset('iter')``."""
        self.reset('iter')
