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

__all__ = ['DEFAULT_EPOCHS', 'resolve_length', 'check_iteration', 'iteration_count',
           'make_order', 'batch_positions']


class _DefaultEpochs:
    """The default of ``n_epochs``: one epoch, unless ``n_iters`` is given."""

    __slots__ = ()

    def __repr__(self) -> str:
        return 'DEFAULT_EPOCHS'

    def __reduce__(self):
        return 'DEFAULT_EPOCHS'


DEFAULT_EPOCHS = _DefaultEpochs()
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
    if not _is_int(batch_size) or batch_size <= 0:
        raise RunArgumentError(f'batch_size must be a positive int, but got {batch_size!r}',
                               name='batch_size', value=batch_size)
    if n_iters is not None and n_epochs is not None and n_epochs is not DEFAULT_EPOCHS:
        raise RunArgumentError(f'Give n_iters or n_epochs, not both (got n_iters={n_iters!r}, '
                               f'n_epochs={n_epochs!r})', name='n_iters', value=(n_iters, n_epochs))
    n_iters, n_epochs = resolve_length(n_iters, n_epochs)
    _check_count('n_iters', n_iters)
    _check_count('n_epochs', n_epochs)
    if size == 0 and n_epochs is None:
        raise RunArgumentError('Cannot make batches from an empty index', name='size', value=size)
    if drop_last and batch_size > size:
        raise RunArgumentError(f'batch_size={batch_size} is larger than the index ({size} items) '
                               'and drop_last=True, so no batch could ever be made',
                               name='batch_size', value=batch_size)
    return n_iters, n_epochs


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

    Parameters
    ----------
    shuffle : bool, int, numpy.random.Generator, numpy.random.RandomState or callable
        ``False``: in order; ``True``: a fresh ``np.random.default_rng()``; an int:
        a seed; a generator or a random state: used as is; a callable:
        ``shuffle(ids) -> permuted ids``.  Each call reshuffles with the same generator.
    ids : numpy.ndarray
        The ids of the index, in index order.
    get_pos : callable, optional
        Maps ids to their positions; needed only for a callable ``shuffle``.

    Examples
    --------
    >>> next_order = make_order(7, np.arange(5))
    >>> first, second = next_order(), next_order()
    >>> sorted(first.tolist()), first.tolist() == make_order(7, np.arange(5))().tolist()
    ([0, 1, 2, 3, 4], True)
    """
    size = len(ids)
    if shuffle is False or shuffle is None:
        return lambda: np.arange(size)
    if isinstance(shuffle, (bool, np.bool_)) and shuffle:
        shuffle = np.random.default_rng()
    elif _is_int(shuffle):
        shuffle = np.random.default_rng(int(shuffle))
    if isinstance(shuffle, (np.random.Generator, np.random.RandomState)):
        return lambda: shuffle.permutation(size)
    if callable(shuffle):
        return lambda: _custom_order(shuffle, ids, get_pos)
    raise RunArgumentError('shuffle must be a bool, an int seed, a numpy Generator or RandomState, '
                           f'or a callable, but got {shuffle!r}', name='shuffle', value=shuffle)


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
    n_iters, n_epochs = check_iteration(size, batch_size, n_iters, n_epochs, drop_last)
    if next_order is None:
        next_order = make_order(shuffle, np.arange(size))
    if drop_last:
        return _epoch_batches(size, batch_size, next_order, n_iters, n_epochs)
    return _flowing_batches(batch_size, next_order, n_iters, n_epochs)


def _epoch_batches(size, batch_size, next_order, n_iters, n_epochs):
    made, epoch = 0, 0
    while n_iters != made and n_epochs != epoch:
        order = next_order()
        epoch += 1
        for start in range(0, size // batch_size * batch_size, batch_size):
            yield order[start:start + batch_size]
            made += 1
            if made == n_iters:
                return


def _flowing_batches(batch_size, next_order, n_iters, n_epochs):
    buffer = np.empty(0, dtype=np.intp)
    made, epoch = 0, 0
    while n_iters != made:
        if len(buffer) >= batch_size:
            batch, buffer = buffer[:batch_size], buffer[batch_size:]
            made += 1
            yield batch
        elif n_epochs == epoch:
            if len(buffer):
                yield buffer
            return
        else:
            buffer = np.concatenate([buffer, next_order()])
            epoch += 1
