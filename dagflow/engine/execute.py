"""The engine's entry point :func:`run`, and the one skeleton every lane's run goes through.

:func:`stream_plan` is the shape of every run: ``before`` once; the ``main``
steps cut at each ``rebatch`` into segments, chained as generators of
``(number, batch)`` pairs (a ``rebatch`` re-cuts the stream between two
segments); ``after`` once when the stream ends.  A lane only decides how a
segment runs: on ``'sync'`` each batch's steps run in one call, in the
caller's thread (:func:`~dagflow.engine.serial.serial_segment`, the reference
semantics, with no task bookkeeping per step); on every other lane -- a
:class:`~dagflow.engine.lanes.Lane` object included -- the streaming loop
(:func:`~dagflow.engine.parallel.stream_segment`) runs the lowered groups of
up to ``prefetch + 1`` batches at once, started by the lowering's rule.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..runtime.state import RunState
from .lanes import open_lane
from .parallel import Gate, Numbered, numbered, stream_segment
from .schedulers import check_scheduler, check_state_worker, is_address
from .serial import StepTable, rebatch_stream, run_section, segments, serial_segment

__all__ = ['run', 'stream_plan']


def run(plan, state: RunState, batches: Iterable, lane='sync', *, seed: int, prefetch: int = 0,
        total: int | None = None, debug: list | None = None, paced: bool = True, state_worker=None) -> Iterator:
    """Run ``plan`` over ``batches`` with the run ``state`` on ``lane``; yield the finished batches in order.

    The batches, the variables, the models and the errors are those of the
    serial run (``lane='sync'``, ``prefetch=0``) on every lane and for every
    ``prefetch``.  Nothing of a pipeline is needed: the steps see
    ``state.owner`` as their pipeline and ``state.dataset`` as the run's
    dataset.  It does not reset the per-run variables: the caller calls
    ``state.variables.start_run()`` when its run starts (``Pipeline.run`` does,
    before anything such as a progress bar reads them).

    Parameters
    ----------
    plan : Plan
        The compiled pipeline; the run never writes into it.
    state : RunState
        The variables, models, locks, config and dataset the run reads and writes.
    batches : iterable
        The batches to process, in order (a source with ``resized``/``rewind``
        gets the batches cut ahead back when the consumer changes their size).
    lane : str, distributed.Client or Lane
        ``'sync'``, ``'threads'``, ``'processes'``, a ``distributed.Client``, a
        scheduler address (``'tcp://host:8786'``, connected for the run), None
        (``'sync'`` with ``prefetch=0``, else ``'threads'``), or a
        :class:`~dagflow.engine.lanes.Lane` object (started for the run and
        closed at its end).
    seed : int
        The run seed; batch *k* of segment *s* draws from ``batch_random(seed, 0, s, k)``.
    prefetch : int
        How many batches may be processed ahead of the one being finished.
    total : int, optional
        The number of batches, for ``I('max')``.
    debug : list, optional
        Receives one profile record per executed step.
    paced : bool
        ``True``: the state steps of a batch run only once the consumer asks
        for it, so a consumer that stops (or changes the state) between
        batches sees the serial run's state.  ``False``, for a consumer that
        takes every batch at once and looks at the state only at the end
        (``Pipeline.run``): a lane that :attr:`~dagflow.engine.lanes.Lane.chains`
        gets every task of a batch at once (a cluster then runs the state
        chain without a round trip through this process per batch).
    state_worker : str, optional
        With a cluster as ``lane``: the address (or name) of the worker that
        holds ``state`` during the run (:mod:`~dagflow.engine.lanes.remote_state`);
        ``state`` gets the variables, models and config back when the run ends.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from dagflow import Pipeline, V
    >>> from dagflow.runtime import Variables
    >>> plan = Pipeline().init_variable('n', 0).update(V('n'), V('n') + 1).compile()
    >>> variables = Variables()
    >>> owner = SimpleNamespace(get_variable=variables.get, set_variable=variables.set,
    ...                         has_variable=variables.has, config={})
    >>> variables.set('n', 0)
    >>> state = RunState(variables=variables, owner=owner)
    >>> len(list(run(plan, state, [None] * 4, 'threads', seed=0, prefetch=2))), variables.get('n')
    (4, 4)
    """
    prefetch, lane = check_scheduler(prefetch, lane)
    check_state_worker(lane, state_worker)
    options = {'state_worker': state_worker} if state_worker is not None else {}
    if is_address(lane):
        return _with_client(lane, plan, state, batches, seed=seed, prefetch=prefetch, total=total, debug=debug,
                            paced=paced, **options)
    return stream_plan(plan, state, batches, lane, seed=seed, prefetch=prefetch, total=total, debug=debug,
                       paced=paced, **options)


def _with_client(address: str, plan, state, batches, **kwargs) -> Iterator:
    """Connect to the scheduler at ``address`` for the run (an error naming it when none answers), then disconnect."""
    from .lanes.probe import connect
    with connect(address) as client:
        yield from stream_plan(plan, state, batches, client, **kwargs)


def stream_plan(plan, state: RunState, batches: Iterable, lane, *, seed: int, prefetch: int = 0,
                total: int | None = None, debug: list | None = None, paced: bool = True,
                state_worker=None) -> Iterator:
    """The run skeleton: ``before``, the main segments chained at each ``rebatch``, ``after``; see the module doc.

    ``lane`` is ``'sync'`` (the serial segments) or what :func:`~dagflow.engine.lanes.open_lane`
    takes (the streaming loop); it is opened only when ``before`` did not stop the run, with ``state_worker``.
    """
    steps = StepTable(plan)   # before and after: a lane has its own
    if not run_section(steps, 'before', state, seed, debug=debug):   # stopped: no batch, then after
        finished = _chain(plan, steps, state, batches, lane, seed=seed, prefetch=prefetch, total=total, debug=debug,
                          paced=paced, state_worker=state_worker)
        try:
            for _, batch in finished:
                yield batch
        finally:
            finished.close()   # its running tasks settle now, not whenever it is collected
    run_section(steps, 'after', state, seed, debug=debug)


def _chain(plan, steps, state, batches, lane, *, seed, prefetch, total, debug, paced=True,
           state_worker=None) -> Iterator:
    """The main segments of one run, chained at each ``rebatch``: ``(number, batch)`` pairs of the last one."""
    parts = segments(plan)
    serial = isinstance(lane, str) and lane == 'sync'
    # state steps before a rebatch: the loop keeps the serial interleaving of the segments for them (Gate)
    interleave = not serial and any(not plan.nodes[node]['pure'] for nodes, _ in parts[:-1] for node in nodes)
    lanes = None if serial else open_lane(lane, steps, state, prefetch, state_worker)
    recut = Numbered(batches) if len(parts) == 1 and hasattr(batches, 'rewind') and not serial else None
    stream = recut if recut is not None else enumerate(batches)
    opened, gate = [], None
    try:
        for segment, (nodes, rebatch) in enumerate(parts):
            first = total if segment == 0 else None
            if serial:
                stream = serial_segment(steps, nodes, stream, state, seed=seed, segment=segment, total=first,
                                        debug=debug)
            else:
                # the last segment's state steps wait for the consumer to ask (unless it does not pace them and
                # the lane chains tasks itself); one before a rebatch's for the rebatch
                paces = rebatch is None and (paced or not lanes.chains)
                stream = stream_segment(plan, nodes, stream, lanes, seed=seed, segment=segment, prefetch=prefetch,
                                        total=first, debug=debug, head_only=paces or interleave,
                                        gate=gate, feeds_rebatch=rebatch is not None, recut=recut)
            opened.append(stream)
            if rebatch is not None:
                gate = Gate() if interleave else None
                stream = numbered(rebatch_stream(stream if gate is None else gate.hold(stream),
                                                 plan.nodes[rebatch]['step']))
        yield from stream
    except BaseException:   # failed, interrupted or closed early
        if lanes is not None:
            lanes.failed = True
        raise
    finally:
        for generator in reversed(opened):  # settle their running tasks now, not whenever they are collected
            generator.close()
        if lanes is not None:
            lanes.close()
