"""The :class:`Lane` protocol: what the streaming loop needs of a scheduler."""
from __future__ import annotations

import concurrent.futures as cf

from ...runtime.state import RunState
from ..lower import Group, run_group
from ..serial import StepTable

__all__ = ['Lane']


class Lane:
    """Where the tasks of a run go: the scheduler behind the streaming loop.

    The loop (:func:`~dagflow.engine.parallel.stream_segment`) calls
    :meth:`start` once when the run starts, :meth:`submit` for every task
    whose dependencies are done, :meth:`fetch` for every finished batch, and
    :meth:`close` when the run ends (normally, failed, or closed by its
    consumer).  A task is a :class:`~dagflow.engine.lower.Group` of one
    batch: pure groups (``group.pure``) may run anywhere, in parallel; state
    groups must run where ``state`` lives (this process), one at a time per
    batch, in the order the loop submits them.  Subclass it and give the
    lane object to :func:`dagflow.engine.run` (``lane=...``) to run a plan on
    a scheduler of your own; the built-in lanes are ``'sync'``,
    ``'threads'``, ``'processes'`` and a ``distributed.Client``
    (:mod:`dagflow.engine.lanes`).

    Examples
    --------
    A lane that runs every task at once, in the caller's thread, and logs it:

    >>> import concurrent.futures as cf
    >>> class LoggingLane(Lane):
    ...     def __init__(self):
    ...         self.log = []
    ...     def submit(self, group, payload, debug=None, key=None):
    ...         self.log.append((group.name, payload.number))
    ...         future = cf.Future()
    ...         future.set_result(self.run_here(group, payload, debug))
    ...         return future
    >>> from dagflow import Pipeline, V, engine
    >>> from dagflow.runtime import RunState
    >>> p = Pipeline().init_variable('n', 0).update(V('n'), V('n') + 1)
    >>> lane = LoggingLane()
    >>> len(list(engine.run(p.compile(), RunState.of(p), [None, None], lane, seed=0))), p.v('n'), lane.log
    (2, 2, [('update', 0), ('update', 1)])
    """

    steps: StepTable | None = None
    state: RunState | None = None
    chains: bool = False
    """Whether the lane takes a task before its dependencies are done and starts it itself once they are.

    The loop then submits every task of a batch at once, when the consumer
    does not pace the state steps (``run``): ``payload`` is the future of the
    batch's task before (or the payload, for its first task), and ``after``
    the futures of the previous batch's tasks it must follow.  A task whose
    dependency failed must fail with the same error, without running.  A
    Dask cluster does this in its scheduler, with no round trip through the
    driver per task.
    """

    failed: bool = False
    """Set when the run failed, was interrupted or closed before its end: :meth:`close` keeps nothing for the next."""

    def start(self, steps: StepTable, state: RunState, prefetch: int) -> Lane:
        """Get ready for a run of ``steps`` with ``state``, ``prefetch + 1`` batches in flight; return the lane."""
        self.steps, self.state = steps, state
        return self

    def submit(self, group: Group, payload, debug: list | None = None, key=None, after=()) -> cf.Future:
        """Start ``group`` on ``payload``: a future of the next payload (:func:`~dagflow.engine.lower.run_group`'s).

        ``debug`` receives the profile records of the steps run (when kept);
        ``key`` is the task's Dask key, ``('<actions>-<token>', k)``; ``after``
        is given only to a lane that :attr:`chains`.
        """
        raise NotImplementedError(f'{type(self).__name__} must define submit(group, payload, debug, key).')

    def fetch(self, payload):
        """A finished batch's payload, in this process (a lane whose results stay remote gathers it here)."""
        return payload

    def close(self) -> None:
        """The run is over: cancel what has not started, wait for what runs, free what :meth:`start` took."""

    def run_here(self, group: Group, payload, debug: list | None = None):
        """Run ``group`` on ``payload`` now, in this thread, with the run's state; return the next payload."""
        return run_group(self.steps, group, self.state, payload, debug=debug)
