"""Dataset indices: the ids of the items, their order of iteration, train/test splits.

Examples
--------
>>> index = DatasetIndex(10)
>>> [batch.indices.tolist() for batch in index.gen_batch(4)]
[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
>>> index.split(0.8)
>>> index.train.indices.tolist(), index.test.indices.tolist()
([0, 1, 2, 3, 4, 5, 6, 7], [8, 9])
"""
from __future__ import annotations

import glob
import numbers
import os
import re
from collections import Counter
from collections.abc import Iterator, Sequence

import numpy as np

from dagflow.data.iteration import (
    DEFAULT_EPOCHS,
    batch_positions,
    iteration_count,
    make_order,
)
from dagflow.exceptions import DatasetIndexError, EmptyBatchSequence, RunArgumentError, suggestion_text

__all__ = ['DatasetIndex', 'FilesIndex', 'split_sizes']

_FOLD_NAME = re.compile(r'cv(\d+)')
_SUBSETS = ('train', 'test', 'validation')


def _freeze(ids: np.ndarray) -> np.ndarray:
    ids.flags.writeable = False
    return ids


def _as_ids(index) -> np.ndarray:
    """Return a read-only 1-d array of ids from an int, an index or an array-like."""
    if isinstance(index, DatasetIndex):
        return index.indices
    if isinstance(index, numbers.Integral) and not isinstance(index, bool):
        if index < 0:
            raise DatasetIndexError(f'An index size must be non-negative, but got {index}', value=index)
        return _freeze(np.arange(index))
    ids = np.array(index)
    if ids.ndim != 1:
        raise DatasetIndexError(f'An index must be an int or a 1-d array of ids, but got {index!r}',
                                value=index)
    return _freeze(ids)


def _check_unique(ids: np.ndarray) -> None:
    if len(np.unique(ids)) == len(ids):
        return
    repeated = [item for item, count in Counter(ids.tolist()).items() if count > 1]
    raise DatasetIndexError(f'Index ids must be unique, but these repeat: {repeated[:5]}'
                            + (f' and {len(repeated) - 5} more' if len(repeated) > 5 else ''),
                            duplicates=repeated)


def _check_shares(shares) -> list[float]:
    values = [shares] if isinstance(shares, numbers.Real) else list(np.ravel(shares))
    ok = (1 <= len(values) <= 3 and all(isinstance(v, numbers.Real) and not isinstance(v, bool)
                                        for v in values))
    if not ok or any(v < 0 for v in values) or sum(values) > 1 + 1e-9:
        raise DatasetIndexError('shares must be a float or 1 to 3 non-negative floats summing to at most 1, '
                                f'but got {shares!r}', shares=shares)
    return [float(v) for v in values]


def split_sizes(size: int, shares) -> tuple[int, int, int]:
    """Return the numbers of train, test and validation items of a split.

    ``shares`` is a float ``f`` (train ``f``, test ``1 - f``) or 1 to 3 floats
    ``[train, test, validation]``; as in BatchFlow, what the train and test shares
    leave becomes the validation share, so every item lands in one subset.  A positive
    share gets at least one item; the train subset takes what rounding leaves.

    Examples
    --------
    >>> split_sizes(10, 0.8)
    (8, 2, 0)
    >>> split_sizes(10, [0.6, 0.3])
    (6, 3, 1)
    >>> split_sizes(3, [0.9, 0.05, 0.05])
    (1, 1, 1)
    """
    values = _check_shares(shares)
    train = values[0]
    test = values[1] if len(values) > 1 else 1 - train
    rest = 1 - train - test
    fracs = [train, test, rest if rest > 1e-9 else 0.0]
    wanted = sum(f > 0 for f in fracs)
    if size < wanted:
        raise DatasetIndexError(f'An index of {size} items cannot be split into {wanted} subsets '
                                f'(shares={shares!r})', shares=shares, size=size)
    sizes = [max(1, round(f * size)) if f > 0 else 0 for f in fracs]
    sizes[0] = size - sizes[1] - sizes[2]
    while fracs[0] > 0 and sizes[0] < 1:
        largest = 1 if sizes[1] >= sizes[2] else 2
        sizes[largest] -= 1
        sizes[0] += 1
    return sizes[0], sizes[1], sizes[2]


class DatasetIndex:
    """The ids of a dataset's items: unique, ordered, and able to make batches of them.

    Parameters
    ----------
    index : int, array-like or DatasetIndex
        ``n`` for ids ``0 .. n-1``; a 1-d array-like of unique ids; or an index to copy.

    Raises
    ------
    DatasetIndexError
        When ids repeat or the array is not 1-d.

    Examples
    --------
    >>> DatasetIndex(3)
    DatasetIndex([0, 1, 2])
    >>> index = DatasetIndex(['a', 'b', 'c'])
    >>> len(index), index.get_pos('b'), index.get_pos(['c', 'a']).tolist()
    (3, 1, [2, 0])
    >>> DatasetIndex([1, 2, 1])
    Traceback (most recent call last):
    ...
    dagflow.exceptions.DatasetIndexError: Index ids must be unique, but these repeat: [1]
    """

    __slots__ = ('_indices', '_pos', '_iteration', '_subsets', '_folds')

    def __init__(self, index: int | Sequence | np.ndarray | DatasetIndex):
        ids = _as_ids(index)
        _check_unique(ids)
        self._setup(ids)
        if isinstance(self, type(index)):
            index._inherit(self)

    def _setup(self, ids: np.ndarray) -> None:
        self._indices = ids
        self._pos = None
        self._iteration = None
        self._subsets = {}
        self._folds = ()

    def _inherit(self, other: DatasetIndex) -> None:
        """Copy into ``other`` what a subset keeps of this index (nothing here; paths in FilesIndex)."""

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
        new._setup(_freeze(np.concatenate([index.indices for index in indices])))
        if same_kind:
            indices[0]._join(new, indices)
        return new

    def _derive(self, ids: np.ndarray) -> DatasetIndex:
        """Make an index of the same kind over ``ids`` without checks (ids may repeat in batches)."""
        new = object.__new__(type(self))
        new._setup(_freeze(ids))
        self._inherit(new)
        return new

    # --- basic protocol -------------------------------------------------------------
    @property
    def indices(self) -> np.ndarray:
        """numpy.ndarray : the ids, read-only."""
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
        return {name: getattr(self, name) for name in names - {'_pos', '_iteration'}}

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

    def get_pos(self, ids):
        """Return the position of an id, or an array of positions of several ids.

        Raises
        ------
        DatasetIndexError
            When an id is not in the index.

        Examples
        --------
        >>> DatasetIndex([10, 20, 30]).get_pos([30, 10]).tolist()
        [2, 0]
        >>> DatasetIndex([10, 20, 30]).get_pos(40)
        Traceback (most recent call last):
        ...
        dagflow.exceptions.DatasetIndexError: Unknown ids [40]: not in the index DatasetIndex([10, 20, 30])
        """
        positions = self._positions()
        many = isinstance(ids, DatasetIndex) or np.ndim(ids) > 0
        if isinstance(ids, DatasetIndex):
            ids = ids.indices
        wanted = (ids.tolist() if isinstance(ids, np.ndarray) else list(ids)) if many \
            else [np.asarray(ids).item()]
        try:
            found = [positions[item] for item in wanted]
        except (KeyError, TypeError):
            unknown = [item for item in wanted if _lookup_fails(positions, item)]
            raise DatasetIndexError(f'Unknown ids {unknown[:5]}: not in the index {self!r}',
                                    ids=unknown) from None
        return np.array(found, dtype=np.intp) if many else found[0]

    def create_subset(self, ids) -> DatasetIndex:
        """Return an index of the same kind with some of this index's ids.

        Examples
        --------
        >>> DatasetIndex(5).create_subset([4, 2])
        DatasetIndex([4, 2])
        """
        ids = _as_ids(ids)
        _check_unique(ids)
        self.get_pos(ids)
        return self._derive(ids)

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

    def __getattr__(self, name: str):
        match = _FOLD_NAME.fullmatch(name)
        if match is None or name.startswith('_'):
            raise AttributeError(f'{type(self).__name__!r} object has no attribute {name!r}')
        return _get_fold(self, self._folds, int(match.group(1)), name)

    def split(self, shares: float | Sequence[float] = 0.8, shuffle=False) -> None:
        """Split into ``.train``, ``.test`` and (when shares leave room) ``.validation``.

        Parameters
        ----------
        shares : float or sequence of 1 to 3 floats
            See :func:`split_sizes`.  Train takes the first items of the order, then
            test, then validation.
        shuffle : bool, int, Generator, RandomState or callable
            The order of items before splitting, as in :meth:`gen_batch`.

        Examples
        --------
        >>> index = DatasetIndex(10)
        >>> index.split([0.5, 0.3])
        >>> [len(index.train), len(index.test), len(index.validation)]
        [5, 3, 2]
        """
        sizes = split_sizes(len(self), shares)
        order = make_order(shuffle, self._indices, self.get_pos)()
        bounds = np.cumsum((0,) + sizes)
        self._subsets = {name: self._derive(self._indices[order[start:stop]])
                         for name, start, stop in zip(_SUBSETS, bounds[:-1], bounds[1:]) if stop > start}

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
        n_ok = isinstance(n_splits, numbers.Integral) and not isinstance(n_splits, bool)
        if not n_ok or not 2 <= n_splits <= len(self):
            raise DatasetIndexError(f'n_splits must be an int from 2 to the index size {len(self)}, '
                                    f'but got {n_splits!r}', n_splits=n_splits, size=len(self))
        order = make_order(shuffle, self._indices, self.get_pos)()
        parts = np.array_split(order, n_splits)
        self._folds = tuple(self._make_fold(parts, i) for i in range(n_splits))

    def _make_fold(self, parts: list[np.ndarray], i: int) -> DatasetIndex:
        fold = self._derive(self._indices)
        train = np.concatenate(parts[:i] + parts[i + 1:])
        fold._subsets = {'train': self._derive(self._indices[train]),
                         'test': self._derive(self._indices[parts[i]])}
        return fold

    # --- batches --------------------------------------------------------------------
    def gen_batch(self, batch_size: int, shuffle=False, n_iters: int | None = None,
                  n_epochs=DEFAULT_EPOCHS, drop_last: bool = False, bar=False) -> Iterator[DatasetIndex]:
        """Return an iterator over batches of ids, each an index of the same kind.

        Arguments are checked at once, not at the first batch.

        Parameters
        ----------
        batch_size : int
            Number of items in a batch (the last batch of a run may hold fewer).
        shuffle : bool, int, numpy.random.Generator, numpy.random.RandomState or callable
            ``False``: index order; ``True``: a fresh random generator; an int: a seed;
            a generator or random state: used as is; a callable: ``shuffle(ids) -> ids``.
            Every epoch is reshuffled with the same generator.
        n_iters : int, optional
            Number of batches; batches flow across epoch boundaries.
        n_epochs : int or None
            Number of passes; one by default unless ``n_iters`` is given; ``None``
            with no ``n_iters`` for an endless stream.
        drop_last : bool
            Drop each epoch's last incomplete batch, so no batch spans two epochs.
        bar : bool or callable
            Show a ``tqdm.auto.tqdm`` progress bar (or call ``bar(iterable, total=...)``).

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
        next_order = make_order(shuffle, self._indices, self.get_pos)
        positions = batch_positions(len(self), batch_size, n_iters=n_iters, n_epochs=n_epochs,
                                    drop_last=drop_last, next_order=next_order)
        batches = (self._derive(self._indices[pos]) for pos in positions)
        if not bar:
            return batches
        total = iteration_count(len(self), batch_size, n_iters, n_epochs, drop_last)
        if callable(bar):
            return bar(batches, total=total)
        from tqdm.auto import tqdm
        return tqdm(batches, total=total)

    def next_batch(self, batch_size: int, shuffle=False, n_iters: int | None = None,
                   n_epochs=DEFAULT_EPOCHS, drop_last: bool = False, bar=False) -> DatasetIndex:
        """Return the next batch of a stateful iteration (same arguments as :meth:`gen_batch`).

        Raises
        ------
        EmptyBatchSequence
            When the iteration is over; :meth:`reset` starts it again.
        RunArgumentError
            When called with arguments other than those the iteration started with.

        Examples
        --------
        >>> index = DatasetIndex(3)
        >>> index.next_batch(2), index.next_batch(2)
        (DatasetIndex([0, 1]), DatasetIndex([2]))
        >>> index.next_batch(2)
        Traceback (most recent call last):
        ...
        dagflow.exceptions.EmptyBatchSequence: No batches left; call reset('iter') to start again
        """
        args = (batch_size, shuffle, n_iters, n_epochs, drop_last, bar)
        if self._iteration is None:
            self._iteration = (args, self.gen_batch(*args))
        elif self._iteration[0] != args:
            raise RunArgumentError(f'next_batch{args} differs from the running iteration '
                                   f'next_batch{self._iteration[0]}; call reset(\'iter\') first',
                                   name='next_batch', value=args)
        try:
            return next(self._iteration[1])
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


def _lookup_fails(positions: dict, item) -> bool:
    try:
        return item not in positions
    except TypeError:
        return True


def _get_fold(owner, folds: tuple, i: int, name: str):
    """Return fold ``i`` of ``owner`` or raise an AttributeError that says how to make it."""
    if i < len(folds):
        return folds[i]
    if not folds:
        hint = 'call cv_split() first'
    else:
        hint = f'cv_split() made {len(folds)} folds, cv0 to cv{len(folds) - 1}'
    raise AttributeError(f'{type(owner).__name__!r} object has no attribute {name!r}: {hint}')


class FilesIndex(DatasetIndex):
    """An index of files (or directories) found by glob patterns; the ids are basenames.

    Parameters
    ----------
    path : str, sequence of str or FilesIndex
        One or several glob patterns (``**`` recurses), or a FilesIndex to copy.
    no_ext : bool
        Drop the last extension from ids (``'img.png'`` -> ``'img'``).
    sort : bool
        Sort ids; otherwise they follow the patterns and the order ``glob`` returns.
    dirs : bool
        Index directories instead of files.

    Raises
    ------
    DatasetIndexError
        When a pattern matches nothing, or two matches share an id.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ('b.txt', 'a.txt'):
    ...     _ = (folder / name).write_text('x')
    >>> index = FilesIndex(str(folder / '*.txt'), no_ext=True, sort=True)
    >>> index
    FilesIndex(['a', 'b'])
    >>> index.get_fullpath('a') == str(folder / 'a.txt')
    True
    """

    __slots__ = ('_paths', '_dirs')

    def __init__(self, path: str | Sequence[str] | FilesIndex, *, no_ext: bool = False,
                 sort: bool = False, dirs: bool = False):
        if isinstance(path, FilesIndex):
            super().__init__(path)
            return
        found = _find_paths([path] if isinstance(path, str) else list(path), dirs, no_ext)
        if sort:
            found.sort()
        _check_unique_keys(found)
        self._setup(_freeze(np.array([key for key, _ in found])))
        self._paths = dict(found)
        self._dirs = dirs

    def _inherit(self, other: DatasetIndex) -> None:
        other._paths = {key: self._paths[key] for key in other.indices.tolist()}
        other._dirs = self._dirs

    def _join(self, other: DatasetIndex, indices: Sequence[DatasetIndex]) -> None:
        other._paths = {key: path for index in indices for key, path in index._paths.items()}
        other._dirs = self._dirs

    def _same_extras(self, other: DatasetIndex) -> bool:
        return self._paths == other._paths and self._dirs == other._dirs

    @property
    def dirs(self) -> bool:
        """bool : whether the ids name directories rather than files."""
        return self._dirs

    def get_fullpath(self, item_id: str) -> str:
        """Return the path of the file (or directory) with this id."""
        try:
            return self._paths[item_id]
        except KeyError:
            raise DatasetIndexError(f'Unknown id {item_id!r}: not in {self!r}.'
                                    + suggestion_text(str(item_id), self._paths), ids=[item_id]) from None


def _find_paths(patterns: list[str], dirs: bool, no_ext: bool) -> list[tuple[str, str]]:
    """Return ``(id, path)`` for every match of every pattern."""
    is_wanted = os.path.isdir if dirs else os.path.isfile
    found = []
    for pattern in patterns:
        matches = [path for path in glob.glob(pattern, recursive=True) if is_wanted(path)]
        if not matches:
            kind = 'directories' if dirs else 'files'
            raise DatasetIndexError(f'No {kind} match the pattern {pattern!r}', pattern=pattern)
        found.extend((_path_key(path, no_ext), path) for path in matches)
    return found


def _check_unique_keys(found: list[tuple[str, str]]) -> None:
    counts = Counter(key for key, _ in found)
    repeated = sorted(key for key, count in counts.items() if count > 1)
    if repeated:
        paths = [path for key, path in found if key == repeated[0]]
        raise DatasetIndexError(f'Files share the ids {repeated[:5]} (e.g. {paths}); ids are basenames, '
                                'so they must be unique across the patterns', duplicates=repeated)


def _path_key(path: str, no_ext: bool) -> str:
    name = os.path.basename(os.path.normpath(path))
    return os.path.splitext(name)[0] if no_ext else name
