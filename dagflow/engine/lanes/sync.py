"""The inline lane: every task runs in the caller's thread when it is submitted."""
from __future__ import annotations

import concurrent.futures as cf

from ..lower import run_group
from .base import Lane

__all__ = ['SyncLane']


class SyncLane(Lane):
    """Runs every task at once, in the caller's thread: its futures are resolved when they are returned.

    It is the ``sync`` scheduler as a :class:`Lane` object for the streaming
    loop.  ``run(..., lane='sync')`` takes the serial fast path instead
    (:func:`~dagflow.engine.serial.serial_segment`: a batch's steps in one
    call, no task bookkeeping), through the same run skeleton
    (:func:`~dagflow.engine.execute.stream_plan`); both give the same batches
    and the same state.

    Examples
    --------
    >>> from dagflow import Pipeline, V, engine
    >>> from dagflow.runtime import RunState
    >>> p = Pipeline().init_variable('n', 0).update(V('n'), V('n') + 1)
    >>> len(list(engine.run(p.compile(), RunState.of(p), [None] * 3, SyncLane(), seed=0))), p.v('n')
    (3, 3)
    """

    def submit(self, group, payload, debug=None, key=None) -> cf.Future:
        future: cf.Future = cf.Future()
        try:
            future.set_result(run_group(self.steps, group, self.state, payload, debug=debug))
        except Exception as exc:   # noqa: BLE001 - handed to the loop, as a pool's future would
            future.set_exception(exc)
        return future
