"""The serial executor: the reference semantics every scheduler must match.

It walks the plan: ``before`` once, the ``main`` steps for every batch in
order, ``after`` once when the stream ends.  ``rebatch`` steps split ``main``
into segments chained as generators.  A step raising
:class:`~dagflow.exceptions.StopPipeline` ends the stream there: the batch
goes no further, no later batch is made, and ``after`` runs as at the end.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from contextvars import ContextVar

import numpy as np

from ..exceptions import SkipBatchException, StopPipeline, attach_step_info
from ..expr import Context, IterationInfo
from ..plan.effects import splits_stream
from ..runtime.api import Joined
from ..runtime.guard import RUNNING, StepGuard
from .steps import run_step, with_batch

__all__ = ['StepTable', 'execute_plan', 'process_batch', 'run_section', 'run_steps', 'step_table', 'batch_random',
           'run_dataset', 'WORKER']

#: Where steps run, for the profile: set by worker processes and Dask tasks; a thread's name otherwise.
WORKER: ContextVar[str | None] = ContextVar('dagflow_worker', default=None)


def batch_random(seed: int, *key: int) -> np.random.Generator:
    """The random generator of one batch (or section), derived from the run seed and its position."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))


def run_dataset(pipeline, dataset=None):
    """The dataset a run uses: ``dataset`` when given, else the pipeline's (read once, when the run starts).

    The pipeline layer resolves a dataset given as a named expression when the
    run starts and passes it down, so that nothing in the engine reads
    ``pipeline.dataset`` again while the run goes on.
    """
    return dataset if dataset is not None else getattr(pipeline, 'dataset', None)


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


def run_section(plan, section: str, pipeline, seed: int, *, debug: list | None = None, dataset=None) -> bool:
    """Run the ``before`` or ``after`` section once, with no batch; return whether a step stopped the run.

    A step raising :class:`~dagflow.exceptions.StopPipeline` ends the section there.  ``dataset``
    is the run's (default: the pipeline's, see :func:`run_dataset`).  ``plan`` may be the run's
    :class:`StepTable`.
    """
    steps = step_table(plan)
    nodes = steps.plan.section_nodes(section)
    if nodes:
        key = 0 if section == 'before' else 1
        ctx = Context(pipeline=pipeline, dataset=run_dataset(pipeline, dataset), random=batch_random(seed, 1, key))
        try:
            run_steps(steps, nodes, ctx, debug=debug)
        except StopPipeline:
            return True
    return False


def execute_plan(plan, pipeline, batches: Iterable, *, seed: int, total: int | None = None,
                 debug: list | None = None, dataset=None) -> Iterator:
    """Run ``plan`` over ``batches``, yielding each finished batch in order.

    Parameters
    ----------
    plan : Plan
        The compiled pipeline.
    pipeline : object
        Holds the run state: ``get_variable``/``set_variable``/``config``/``dataset``/``locks``.
    batches : iterable
        The batches to process, in order.
    seed : int
        The run seed; batch *k* draws from :func:`batch_random` ``(seed, 0, segment, k)``.
    total : int, optional
        The number of batches, for ``I('max')``.
    debug : list, optional
        Receives one record per executed step.
    dataset : Dataset, optional
        The run's dataset (what ``D(...)`` and dataset methods see); default: the pipeline's.
    """
    dataset, steps = run_dataset(pipeline, dataset), StepTable(plan)
    stopped = run_section(steps, 'before', pipeline, seed, debug=debug, dataset=dataset)
    stream = enumerate(() if stopped else batches)
    for segment, (nodes, rebatch) in enumerate(_segments(plan)):
        stream = _run_segment(steps, nodes, stream, pipeline, seed, segment,
                              total if segment == 0 else None, debug, dataset)
        if rebatch is not None:
            stream = enumerate(_rebatch(stream, plan.nodes[rebatch]['step']))
    for _, batch in stream:
        yield batch
    run_section(steps, 'after', pipeline, seed, debug=debug, dataset=dataset)


def _segments(plan):
    segments, current = [], []
    for node in plan.section_nodes('main'):
        if splits_stream(plan.nodes[node]['step']):
            segments.append((current, node))
            current = []
        else:
            current.append(node)
    segments.append((current, None))
    return segments


def process_batch(plan, nodes, pipeline, batch, *, seed: int, number: int = 0, total: int | None = None,
                  segment: int = 0, debug: list | None = None, dataset=None):
    """Run the steps at ``nodes`` on batch number ``number``; return the resulting batch.

    Raises :class:`SkipBatchException` when an action skips the batch, and
    :class:`StopPipeline` when a step stops the run.  ``plan`` may be the run's :class:`StepTable`.
    """
    ctx = Context(batch=batch, pipeline=pipeline, dataset=run_dataset(pipeline, dataset),
                  iteration=IterationInfo(number, total), random=batch_random(seed, 0, segment, number))
    ctx = with_batch(ctx, batch)
    return run_steps(plan, nodes, ctx, batch_number=number, debug=debug).batch


def _run_segment(plan, nodes, stream, pipeline, seed, segment, total, debug, dataset):
    for number, batch in stream:
        try:
            batch = process_batch(plan, nodes, pipeline, batch, seed=seed, number=number, total=total,
                                  segment=segment, debug=debug, dataset=dataset)
        except SkipBatchException:
            continue
        except StopPipeline:
            return    # the stream ends here; a rebatch after it passes on what it gathered, as at the end
        yield number, batch


def _rebatch(stream, step):
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
