"""The batches of ``Pipeline.next_batch``: the batch size may change between calls, as in ``Dataset.next_batch``.

A prefetching run cuts batches ahead of the one the consumer asked for.  When
``next_batch`` is then called with another ``batch_size``, the engine gives
the batches cut ahead back (none of their state steps has run: the consumer
paces them, see :mod:`dagflow.engine.parallel`) and :meth:`ResizableBatches.rewind`
cuts them again with the new size, from where the consumer is.  So the
batches equal those of the serial run on every scheduler.
"""
from __future__ import annotations

import copy
from collections import deque

from ..data.iteration import PositionStream, check_batch_size, make_order
from ..exceptions import RunArgumentError

__all__ = ['ResizableBatches']


class _Replay:
    """An epoch-order function that can go back: the orders drawn since ``first`` are kept and given again."""

    __slots__ = ('next_order', 'drawn', 'first', 'position')

    def __init__(self, next_order):
        self.next_order, self.drawn, self.first, self.position = next_order, [], 0, 0

    def __call__(self):
        i = self.position - self.first
        if i == len(self.drawn):
            self.drawn.append(self.next_order())
        self.position += 1
        return self.drawn[i]

    def forget_before(self, position: int) -> None:
        """Drop the orders before ``position``: nothing goes back that far any more."""
        if position > self.first:
            del self.drawn[:position - self.first]
            self.first = position


class ResizableBatches:
    """Batches of ``dataset`` cut one at a time with the size of the moment; batches cut ahead can be cut again.

    Without a change of size they are the batches of ``dataset.gen_batch``
    with the same arguments.

    Parameters
    ----------
    dataset : Dataset
        The items.
    batch_size, shuffle, n_iters, n_epochs, drop_last
        As for :meth:`~dagflow.Dataset.gen_batch`.
    keep : int
        How many batches may be given back at most (the run's ``prefetch + 1``).
    fixed : str, optional
        Why the size may not change in this run (the sentence of the error :meth:`resize` raises).

    Examples
    --------
    >>> from dagflow import Dataset
    >>> batches = ResizableBatches(Dataset(10), 3, n_epochs=1, keep=3)
    >>> [next(batches).indices.tolist() for _ in range(3)]
    [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    >>> batches.resize(2)
    >>> batches.resized
    True
    >>> batches.rewind(1)            # the consumer took batch 0 only: cut from batch 1 on again
    >>> [batch.indices.tolist() for batch in batches]
    [[3, 4], [5, 6], [7, 8], [9]]
    """

    def __init__(self, dataset, batch_size: int, shuffle=False, n_iters: int | None = None, n_epochs=None,
                 drop_last: bool = False, *, keep: int = 1, fixed: str | None = None):
        self.dataset, self.size, self.drop_last, self.fixed = dataset, batch_size, drop_last, fixed
        self._orders = _Replay(make_order(shuffle, dataset.indices, dataset.index.get_pos))
        self._stream = PositionStream(len(dataset), batch_size, n_iters=n_iters, n_epochs=n_epochs,
                                      drop_last=drop_last, next_order=self._orders)
        self._marks: deque = deque(maxlen=max(1, keep) + 1)  # (number, stream, orders drawn) before each cut
        self.count = 0          # batches cut so far: the number of the next one
        self.resized = False    # the size changed since the last batch was cut

    def __iter__(self):
        return self

    def __next__(self):
        self._marks.append((self.count, copy.copy(self._stream), self._orders.position))
        self._orders.forget_before(self._marks[0][2])
        positions = self._stream.next(self.size)
        if positions is None:
            self._marks.pop()
            raise StopIteration
        self.count += 1
        self.resized = False
        return self.dataset.create_batch(positions, pos=True)

    def resize(self, batch_size: int) -> None:
        """Cut the batches from now on with ``batch_size`` items (checked now).

        Raises
        ------
        RunArgumentError
            For a size the dataset cannot make, or when the run cannot change it (``fixed``).
        """
        if batch_size == self.size:
            return
        if self.fixed:
            raise RunArgumentError(f'next_batch(batch_size={batch_size!r}): {self.fixed}', name='batch_size',
                                   value=batch_size)
        check_batch_size(len(self.dataset), batch_size, self.drop_last)
        self.size, self.resized = batch_size, True

    def rewind(self, number: int) -> None:
        """Cut again from batch ``number`` on (the batches from it on were given back); clear :attr:`resized`."""
        self.resized = False
        if number == self.count:
            return
        while self._marks and self._marks[-1][0] > number:
            self._marks.pop()
        if not self._marks or self._marks[-1][0] != number:
            raise ValueError(f'batch {number} cannot be cut again: only the last {self._marks.maxlen - 1} can')
        _, stream, position = self._marks.pop()
        self._stream, self._orders.position, self.count = stream, position, number
