"""Running steps: the step table of a run, a batch's steps, a section, and the serial (``sync``) segment.

The serial run is the reference semantics every scheduler must match.  Its
skeleton (``before`` once, the ``main`` segments for every batch in order,
chained at ``rebatch`` steps, ``after`` once when the stream ends) is the one
every lane shares, :func:`dagflow.engine.execute.stream_plan`; on the ``sync``
lane a segment is :func:`serial_segment`, which runs each batch's steps in
one call.  A step raising :class:`~dagflow.exceptions.StopPipeline` ends the
stream there: the batch goes no further, no later batch is made, and
``after`` runs as at the end.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextvars import ContextVar

import numpy as np

from ..exceptions import SkipBatchException, StopPipeline, attach_step_info
from ..expr import Context, IterationInfo
from ..plan.effects import splits_stream
from ..runtime.api import Joined
from ..runtime.guard import RUNNING, StepGuard
from ..runtime.state import RunState
from .steps import run_step, with_batch

__all__ = ['StepTable', 'process_batch', 'run_section', 'run_steps', 'segments', 'serial_segment', 'step_table',
           'batch_random', 'rebatch_stream', 'WORKER']

#: Where steps run, for the profile: set by worker processes and Dask tasks; a thread's name otherwise.
WORKER: ContextVar[str | None] = ContextVar('dagflow_worker', default=None)


def batch_random(seed: int, *key: int) -> np.random.Generator:
    """The random generator of one batch (or section), derived from the run seed and its position."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))


class StepTable:
    """What one run needs of each plan node: ``node -> (step, guard label, allowed resources)``.

    A run makes its own, so that nothing of the run is written into the
    compiled plan, which stays a value (``pipeline.compile()`` hands out the
    same plan to every run).  An entry is made from the plan the first time a
    run reaches its node; after that, a step costs one dict lookup
    (:attr:`entries`).  It travels (to worker processes, to a Dask cluster)
    as its plan, and fills again there.  It is not a ``dict`` itself, so that
    Dask takes it as an opaque argument of a task.

    Examples
    --------
    >>> from dagflow import Pipeline, V
    >>> plan = Pipeline().init_variable('n', 0).update(V('n'), V('n') + 1).compile()
    >>> step, label, allowed = StepTable(plan)[('main', 0)]
    >>> label, sorted(map(str, allowed)), 'guard' in plan.nodes[('main', 0)]
    ("main[0] 'update'", ['var:n'], False)
    """

    __slots__ = ('plan', 'entries')

    def __init__(self, plan):
        self.plan, self.entries = plan, _Entries(plan)

    def __getitem__(self, node) -> tuple:
        return self.entries[node]

    def pure(self) -> StepTable:
        """The table of the pure steps alone: what a worker gets, without a model class or a state step.

        Workers run pure steps only, so nothing else of the plan travels (a model
        class that cannot be pickled cannot break a cluster run).

        Examples
        --------
        >>> from dagflow import Pipeline, V
        >>> plan = Pipeline().init_variable('n', 0).update(V('n'), V('n') + 1).call(print).compile()
        >>> list(StepTable(plan).pure().plan.nodes), StepTable(plan).pure().plan.variables
        ([('main', 1)], {})
        """
        plan = type(self.plan)()
        plan.add_nodes_from((node, data) for node, data in self.plan.nodes(data=True) if data['pure'])
        return StepTable(plan)

    def __reduce__(self):
        return StepTable, (self.plan,)

    def __repr__(self):
        return f'<StepTable of {self.plan!r}: {len(self.entries)} made>'


class _Entries(dict):
    """``node -> (step, label, allowed)``, each made on first use from the plan."""

    __slots__ = ('plan',)

    def __init__(self, plan):
        super().__init__()
        self.plan = plan

    def __missing__(self, node) -> tuple:
        data = self.plan.nodes[node]
        step = data['step']
        entry = self[node] = (step, f'{node[0]}[{node[1]}] {step.name!r}',
                              frozenset(effect.resource for effect in data['effects']))
        return entry


def step_table(plan) -> StepTable:
    """``plan``'s :class:`StepTable` for a run: a new one for a plan, the same one when given one."""
    return plan if isinstance(plan, StepTable) else StepTable(plan)


def run_steps(plan, nodes, ctx: Context, *, batch_number=None, debug: list | None = None) -> Context:
    """Run the steps at ``nodes`` in order in ``ctx``; return the context of the resulting batch.

    ``plan`` is the run's :class:`StepTable` (a plan gets one for this call).
    An exception is re-raised as is, annotated with the step and batch
    (``exc.dagflow_step``, ``exc.dagflow_batch`` and a traceback note).
    With ``debug``, a profile record is appended to it for every step run
    (section, position, step, batch, worker, and start/end as ``time.time()``).
    """
    entries = step_table(plan).entries
    joined = ()
    for node in nodes:
        step, label, allowed = entries[node]
        start = time.time() if debug is not None else 0.0
        token = RUNNING.set(StepGuard(ctx.pipeline, label, allowed, ctx.batch))
        try:
            result = run_step(step, ctx, joined)
        except (SkipBatchException, StopPipeline):
            raise
        except Exception as exc:
            attach_step_info(exc, step=label, batch=batch_number, source=step.source)
            raise
        finally:
            RUNNING.reset(token)
        joined = ()
        if isinstance(result, Joined):
            result, joined = result.batch, result.joined
        ctx = with_batch(ctx, result)
        if debug is not None:
            debug.append({'section': node[0], 'position': node[1], 'step': step.name, 'batch': batch_number,
                          'worker': WORKER.get() or threading.current_thread().name,
                          'start': start, 'end': time.time()})
    return ctx


def run_section(plan, section: str, state: RunState, seed: int, *, debug: list | None = None) -> bool:
    """Run the ``before`` or ``after`` section once, with no batch; return whether a step stopped the run.

    A step raising :class:`~dagflow.exceptions.StopPipeline` ends the section there.  The steps see
    ``state.owner`` as their pipeline and ``state.dataset`` as the run's dataset.  ``plan`` may be the
    run's :class:`StepTable`.
    """
    steps = step_table(plan)
    nodes = steps.plan.section_nodes(section)
    if nodes:
        key = 0 if section == 'before' else 1
        ctx = Context(pipeline=state.owner, dataset=state.dataset, random=batch_random(seed, 1, key))
        try:
            run_steps(steps, nodes, ctx, debug=debug)
        except StopPipeline:
            return True
    return False


def segments(plan) -> list[tuple[list, object]]:
    """The main section cut at its ``rebatch`` steps: ``[(nodes, rebatch node or None), ...]``, in order."""
    parts, current = [], []
    for node in plan.section_nodes('main'):
        if splits_stream(plan.nodes[node]['step']):
            parts.append((current, node))
            current = []
        else:
            current.append(node)
    parts.append((current, None))
    return parts


def process_batch(plan, nodes, state: RunState, batch, *, seed: int, number: int = 0, total: int | None = None,
                  segment: int = 0, debug: list | None = None):
    """Run the steps at ``nodes`` on batch number ``number`` with the run ``state``; return the resulting batch.

    Raises :class:`SkipBatchException` when an action skips the batch, and
    :class:`StopPipeline` when a step stops the run.  ``plan`` may be the run's :class:`StepTable`.
    """
    ctx = Context(batch=batch, pipeline=state.owner, dataset=state.dataset,
                  iteration=IterationInfo(number, total), random=batch_random(seed, 0, segment, number))
    ctx = with_batch(ctx, batch)
    return run_steps(plan, nodes, ctx, batch_number=number, debug=debug).batch


def serial_segment(steps: StepTable, nodes, stream, state: RunState, *, seed: int, segment: int,
                   total: int | None, debug: list | None) -> Iterator:
    """The ``sync`` lane's segment: each ``(number, batch)`` of ``stream`` through ``nodes`` in the caller's thread.

    It yields ``(number, batch)`` pairs in order, as :func:`~dagflow.engine.parallel.stream_segment` does
    on the other lanes; a skipped batch is left out and a stop ends the stream.
    """
    for number, batch in stream:
        try:
            batch = process_batch(steps, nodes, state, batch, seed=seed, number=number, total=total,
                                  segment=segment, debug=debug)
        except SkipBatchException:
            continue
        except StopPipeline:
            return    # the stream ends here; a rebatch after it passes on what it gathered, as at the end
        yield number, batch


def rebatch_stream(stream, step) -> Iterator:
    """Re-cut ``stream`` into batches of ``batch_size`` items (the last one may be smaller).

    Items of ``stream`` that are not ``(number, batch)`` pairs (the parallel
    engine's ``HOLD``) are passed on as they come.
    """
    size = step.args[0] if step.args else step.kwargs['batch_size']
    pending = None
    for item in stream:
        if not isinstance(item, tuple):
            yield item
            continue
        batch = item[1]
        pending = batch if pending is None else type(batch).merge([pending, batch])[0]
        while len(pending) >= size:
            ready, pending = type(pending).merge([pending], batch_size=size)
            yield ready
            if pending is None:
                break
    if pending is not None and len(pending):
        yield pending
