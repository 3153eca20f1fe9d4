"""Iteration orders: how a run of ``batch_size`` batches walks over an index.

Free functions over positions ``0 .. size-1``; :class:`~dagflow.data.index.DatasetIndex`
turns the positions into ids.  The rules follow BatchFlow:

* items are taken epoch after epoch; each epoch has its own order (reshuffled
  with the same generator when ``shuffle`` is on);
* without ``drop_last`` the batches flow across epoch boundaries, so a batch may
  hold the tail of one epoch and the head of the next (and then may repeat an id),
  and with ``n_epochs`` the very last batch holds what is left;
* with ``drop_last`` every epoch yields only full batches and drops its remainder;
* ``n_iters`` counts batches, ``n_epochs`` counts passes; give one of them, or
  neither for an endless stream (``n_epochs=None``).

Examples
--------
>>> [b.tolist() for b in batch_positions(4, 3, n_epochs=2)]
[[0, 1, 2], [3, 0, 1], [2, 3]]
>>> [b.tolist() for b in batch_positions(4, 3, n_epochs=2, drop_last=True)]
[[0, 1, 2], [0, 1, 2]]
>>> iteration_count(4, 3, n_epochs=2)
3
"""
from __future__ import annotations

import numbers
from collections.abc import Callable, Iterator

import numpy as np

from dagflow.exceptions import RunArgumentError
from dagflow.seeds import make_rng
from dagflow.sentinel import Sentinel

__all__ = ['DEFAULT_EPOCHS', 'resolve_length', 'check_iteration', 'iteration_count',
           'check_batch_size', 'make_order', 'batch_positions', 'PositionStream', 'bar_of']


DEFAULT_EPOCHS = Sentinel('DEFAULT_EPOCHS', __name__)
"""Default ``n_epochs``: one epoch when ``n_iters`` is not given, else no epoch limit."""


def resolve_length(n_iters: int | None, n_epochs) -> tuple[int | None, int | None]:
    """Replace :data:`DEFAULT_EPOCHS` with what it means for these arguments.

    Examples
    --------
    >>> resolve_length(None, DEFAULT_EPOCHS)
    (None, 1)
    >>> resolve_length(10, DEFAULT_EPOCHS)
    (10, None)
    >>> resolve_length(None, None)
    (None, None)
    """
    if n_epochs is DEFAULT_EPOCHS:
        n_epochs = 1 if n_iters is None else None
    return n_iters, n_epochs


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def _check_count(name: str, value) -> None:
    if value is not None and (not _is_int(value) or value < 0):
        raise RunArgumentError(f'{name} must be a non-negative int or None, but got {value!r}',
                               name=name, value=value)


def check_iteration(size: int, batch_size: int, n_iters: int | None = None,
                    n_epochs=DEFAULT_EPOCHS, drop_last: bool = False) -> tuple[int | None, int | None]:
    """Validate the arguments of a batch iteration and return ``(n_iters, n_epochs)``.

    Parameters
    ----------
    size : int
        Number of items in the index.
    batch_size : int
        Positive number of items in a batch.
    n_iters, n_epochs : int or None
        Number of batches or of passes over the index; at most one of them.
    drop_last : bool
        Whether incomplete batches are dropped.

    Raises
    ------
    RunArgumentError
        When a value is invalid or no batch could ever be made.

    Examples
    --------
    >>> check_iteration(10, 3, n_iters=5)
    (5, None)
    >>> check_iteration(10, 0)
    Traceback (most recent call last):
    ...
    dagflow.exceptions.RunArgumentError: batch_size must be a positive int, but got 0
    """
    check_batch_size(size, batch_size, drop_last)
    if n_iters is not None and n_epochs is not None and n_epochs is not DEFAULT_EPOCHS:
        raise RunArgumentError(f'Give n_iters or n_epochs, not both (got n_iters={n_iters!r}, '
                               f'n_epochs={n_epochs!r})', name='n_iters', value=(n_iters, n_epochs))
    n_iters, n_epochs = resolve_length(n_iters, n_epochs)
    _check_count('n_iters', n_iters)
    _check_count('n_epochs', n_epochs)
    if size == 0 and n_epochs is None:
        raise RunArgumentError('Cannot make batches from an empty index', name='size', value=size)
    return n_iters, n_epochs


def check_batch_size(size: int, batch_size: int, drop_last: bool = False) -> None:
    """Raise a RunArgumentError unless ``batch_size`` can make batches of an index of ``size`` items.

    Examples
    --------
    >>> check_batch_size(3, 5, drop_last=True)
    Traceback (most recent call last):
    ...
    dagflow.exceptions.RunArgumentError: batch_size=5 is larger than the index (3 items) and drop_last=True, \
so no batch could ever be made
    """
    if not _is_int(batch_size) or batch_size <= 0:
        raise RunArgumentError(f'batch_size must be a positive int, but got {batch_size!r}',
                               name='batch_size', value=batch_size)
    if drop_last and batch_size > size:
        raise RunArgumentError(f'batch_size={batch_size} is larger than the index ({size} items) '
                               'and drop_last=True, so no batch could ever be made',
                               name='batch_size', value=batch_size)


def iteration_count(size: int, batch_size: int, n_iters: int | None = None,
                    n_epochs=DEFAULT_EPOCHS, drop_last: bool = False) -> int | None:
    """Return how many batches an iteration yields, or ``None`` for an endless one.

    Examples
    --------
    >>> iteration_count(10, 3, n_epochs=1)
    4
    >>> iteration_count(10, 3, n_epochs=2, drop_last=True)
    6
    >>> iteration_count(10, 3, n_iters=7)
    7
    >>> iteration_count(10, 3, n_epochs=None) is None
    True
    """
    n_iters, n_epochs = check_iteration(size, batch_size, n_iters, n_epochs, drop_last)
    if n_iters is not None:
        return n_iters
    if n_epochs is None:
        return None
    if drop_last:
        return size // batch_size * n_epochs
    return -(-size * n_epochs // batch_size)


def make_order(shuffle, ids: np.ndarray, get_pos: Callable[[np.ndarray], np.ndarray] | None = None
               ) -> Callable[[], np.ndarray]:
    """Return a function that gives the positions of one epoch, in the order to visit them.

    As in BatchFlow, each epoch permutes the previous epoch's order: an int seed
    makes a fresh ``numpy.random.Generator(SFC64(seed))`` for every epoch (so the
    orders equal BatchFlow's for the same seed), a generator or a random state is
    used as it is and goes on drawing.

    Parameters
    ----------
    shuffle : bool, int, SeedSequence, Generator, BitGenerator, RandomState or callable
        ``False``/``None``: in order; ``True``: a generator with fresh entropy; an int
        or a ``SeedSequence``: a seed; a generator, a bit generator or a random
        state: drawn from; a callable: ``shuffle(ids) -> permuted ids``.
    ids : numpy.ndarray
        The ids of the index, in index order.
    get_pos : callable, optional
        Maps ids to their positions; needed only for a callable ``shuffle``.

    Raises
    ------
    RunArgumentError
        For any other ``shuffle``.

    Examples
    --------
    >>> next_order = make_order(7, np.arange(5))
    >>> first, second = next_order(), next_order()
    >>> sorted(first.tolist()), first.tolist() == make_order(7, np.arange(5))().tolist()
    ([0, 1, 2, 3, 4], True)
    >>> second.tolist() == first[first].tolist()  # the same permutation, applied again
    True
    """
    size = len(ids)
    if shuffle is False or shuffle is None:
        return lambda: np.arange(size)
    new_generator = _generator_maker(shuffle)
    if new_generator is None:
        if callable(shuffle):
            return lambda: _custom_order(shuffle, ids, get_pos)
        raise RunArgumentError('shuffle must be a bool, an int seed, a SeedSequence, a numpy Generator, '
                               f'BitGenerator or RandomState, or a callable, but got {shuffle!r}',
                               name='shuffle', value=shuffle)
    order = np.arange(size)

    def next_order() -> np.ndarray:
        nonlocal order
        order = new_generator().permutation(order)
        return order

    return next_order


def _generator_maker(shuffle) -> Callable[[], np.random.Generator | np.random.RandomState] | None:
    """Return what gives each epoch's generator (:func:`~dagflow.seeds.make_rng`), or None."""
    if _is_int(shuffle) or isinstance(shuffle, np.random.SeedSequence):
        if _is_int(shuffle) and shuffle < 0:
            raise RunArgumentError(f'A shuffle seed must be non-negative, but got {shuffle!r}',
                                   name='shuffle', value=shuffle)
        seed = int(shuffle) if _is_int(shuffle) else shuffle
        return lambda: make_rng(seed)   # a fresh generator every epoch, as BatchFlow's
    if isinstance(shuffle, (bool, np.bool_, np.random.BitGenerator, np.random.Generator, np.random.RandomState)):
        generator = make_rng(shuffle)
        return lambda: generator
    return None


def _custom_order(shuffle, ids, get_pos) -> np.ndarray:
    permuted = np.asarray(shuffle(ids))
    if permuted.shape != ids.shape or not np.array_equal(np.sort(permuted), np.sort(ids)):
        raise RunArgumentError(f'shuffle={shuffle!r} must return a permutation of the ids it gets, '
                               f'but returned {permuted!r}', name='shuffle', value=shuffle)
    return get_pos(permuted)


def batch_positions(size: int, batch_size: int, shuffle=False, n_iters: int | None = None,
                    n_epochs=DEFAULT_EPOCHS, drop_last: bool = False, *,
                    next_order: Callable[[], np.ndarray] | None = None) -> Iterator[np.ndarray]:
    """Yield the positions of each batch of an iteration (see the module docs for the rules).

    Arguments are validated when this is called, before the first batch is asked for.

    Parameters
    ----------
    size, batch_size, n_iters, n_epochs, drop_last
        As in :func:`check_iteration`.
    shuffle
        As in :func:`make_order` (an int, bool, generator or random state).
    next_order : callable, optional
        Gives each epoch's positions; overrides ``shuffle``.

    Examples
    --------
    >>> [b.tolist() for b in batch_positions(5, 2, n_iters=4)]
    [[0, 1], [2, 3], [4, 0], [1, 2]]
    >>> [b.tolist() for b in batch_positions(5, 2, n_iters=4, drop_last=True)]
    [[0, 1], [2, 3], [0, 1], [2, 3]]
    """
    stream = PositionStream(size, batch_size, shuffle, n_iters, n_epochs, drop_last, next_order=next_order)
    return _cut(stream, batch_size)


def _cut(stream: PositionStream, batch_size: int) -> Iterator[np.ndarray]:
    while (positions := stream.next(batch_size)) is not None:
        yield positions


class PositionStream:
    """The batches of an iteration, one at a time; the batch size may change between batches.

    Parameters are those of :func:`batch_positions`; ``batch_size`` is the first
    batch's size, checked with the others at once.  :meth:`next` takes the size of
    each batch, as BatchFlow's ``next_batch`` does.

    Examples
    --------
    >>> stream = PositionStream(10, 3, n_epochs=1)
    >>> [stream.next(3).tolist(), stream.next(4).tolist(), stream.next(5).tolist(), stream.next(5)]
    [[0, 1, 2], [3, 4, 5, 6], [7, 8, 9], None]
    """

    __slots__ = ('size', 'n_iters', 'n_epochs', 'drop_last', '_next_order', '_buffer', '_made', '_epoch',
                 '_checked_size')

    def __init__(self, size: int, batch_size: int, shuffle=False, n_iters: int | None = None,
                 n_epochs=DEFAULT_EPOCHS, drop_last: bool = False, *,
                 next_order: Callable[[], np.ndarray] | None = None):
        self.n_iters, self.n_epochs = check_iteration(size, batch_size, n_iters, n_epochs, drop_last)
        self.size, self.drop_last = size, drop_last
        self._next_order = make_order(shuffle, np.arange(size)) if next_order is None else next_order
        self._buffer = np.empty(0, dtype=np.intp)
        self._made = 0
        self._epoch = 0
        self._checked_size = None

    def next(self, batch_size: int) -> np.ndarray | None:
        """Return the positions of the next batch of ``batch_size`` items, or None when the iteration is over.

        Raises
        ------
        RunArgumentError
            On a bad batch size (or one larger than the index with ``drop_last``).
        """
        if type(batch_size) is not int or batch_size != self._checked_size:  # checked when it changes
            check_batch_size(self.size, batch_size, self.drop_last)
            self._checked_size = batch_size
        if self._made == self.n_iters:
            return None
        while len(self._buffer) < batch_size:
            if self._epoch == self.n_epochs:
                if self.drop_last or not len(self._buffer):
                    return None
                batch, self._buffer = self._buffer, self._buffer[:0]
                self._made += 1
                return batch
            order = self._next_order()
            # with drop_last an epoch's incomplete remainder is dropped, so no batch spans two epochs
            self._buffer = order if self.drop_last else np.concatenate([self._buffer, order])
            self._epoch += 1
        batch, self._buffer = self._buffer[:batch_size], self._buffer[batch_size:]
        self._made += 1
        return batch


def bar_of(bar, notifier):
    """Return the progress bar asked for by ``bar=`` (dagflow) or ``notifier=`` (BatchFlow).

    A BatchFlow notifier (a str such as ``'t'`` or ``'n'``, a dict of options, or
    ``True``) shows a ``tqdm.auto`` bar; a callable is used as ``bar(iterable, total=...)``.

    Examples
    --------
    >>> bar_of(False, 'n'), bar_of(True, None), bar_of(False, None)
    (True, True, False)
    """
    if notifier is None or notifier is False:
        return bar
    if bar:
        raise RunArgumentError(f'Give bar= or notifier=, not both (got bar={bar!r}, notifier={notifier!r})',
                               name='notifier', value=notifier)
    return notifier if callable(notifier) else True
