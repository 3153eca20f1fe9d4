"""Lanes: where the tasks of a run execute, one module per scheduler behind the :class:`Lane` protocol.

A lane takes ``(group, payload)`` and returns a :class:`concurrent.futures.Future`
of the next payload.  Pure groups may go to another process; state groups
always run in the driver process, where the variables and models live, so the
state is never shipped back and forth.

* ``sync`` (:class:`SyncLane`): every task at once, in the caller's thread.
* ``threads`` (:class:`ThreadLane`): pure groups on a pool of ``prefetch + 1``
  threads, at most one more than the CPU cores (more threads only fight for
  the cores and each keeps its own malloc arena), at a lower priority than the
  state groups, which run on a pool of their own.
* ``processes`` (:class:`ProcessLane`): pure groups on a pool of worker
  processes (the plan and the dataset are sent once per worker, batches
  travel without them), state groups on one driver thread.
* a ``distributed.Client`` (:class:`DistributedLane`): every group a Dask
  task, pure groups on the cluster, state groups on a worker started inside
  the driver process for the run (:mod:`~dagflow.engine.lanes.state_worker`).
* ``local-cluster`` (:class:`LocalClusterLane`): a Dask ``LocalCluster``
  started for the run, one worker process per core, the dashboard on
  127.0.0.1 only.

On a cluster, ``state_worker=`` puts the state on one of its workers instead
of the driver process (:mod:`~dagflow.engine.lanes.remote_state`).
"""
from __future__ import annotations

from ...exceptions import BatchPickleError
from .base import Lane
from .distributed import DistributedLane, announce_dashboard
from .local_cluster import LocalClusterLane
from .processes import ProcessLane
from .shipping import strip_batch
from .sync import SyncLane
from .threads import PURE_NICENESS, ThreadLane, lower_thread_priority

__all__ = ['BatchPickleError', 'DistributedLane', 'LANES', 'Lane', 'LocalClusterLane', 'PURE_NICENESS', 'ProcessLane',
           'SyncLane', 'ThreadLane', 'announce_dashboard', 'lower_thread_priority', 'open_lane', 'strip_batch']

LANES: dict[str, type[Lane]] = {'sync': SyncLane, 'threads': ThreadLane, 'processes': ProcessLane,
                                'local-cluster': LocalClusterLane}
"""The lane of each scheduler name; anything else that is not a :class:`Lane` is a ``distributed.Client``."""


def open_lane(lane, steps, state, prefetch: int, state_worker=None) -> Lane:
    """The lane of a run, started: ``lane`` is a scheduler name, a ``distributed.Client`` or a :class:`Lane`.

    ``state_worker`` (a worker's address or name) puts the state on that
    worker of the cluster (``'local-cluster'`` or a client only; a lane object
    takes it as its own argument).

    Examples
    --------
    >>> from dagflow import Pipeline
    >>> from dagflow.engine.serial import StepTable
    >>> from dagflow.runtime import RunState
    >>> p = Pipeline()
    >>> lane = open_lane('threads', StepTable(p.compile()), RunState.of(p), prefetch=1)
    >>> type(lane).__name__, lane.state.owner is p
    ('ThreadLane', True)
    >>> lane.close()
    """
    if isinstance(lane, str):
        lane = LANES[lane](state_worker=state_worker) if state_worker is not None else LANES[lane]()
    elif not isinstance(lane, Lane):
        lane = DistributedLane(lane, state_worker=state_worker)
    return lane.start(steps, state, prefetch)
