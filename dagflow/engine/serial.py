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
from ..pipeline.api import Joined
from ..pipeline.guard import RUNNING, StepGuard
from .steps import run_step, with_batch

__all__ = ['execute_plan', 'process_batch', 'run_section', 'run_steps', 'batch_random', 'run_dataset', 'WORKER']

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


def run_steps(plan, nodes, ctx: Context, *, batch_number=None, debug: list | None = None) -> Context:
    """Run the steps at ``nodes`` in order in ``ctx``; return the context of the resulting batch.

    An exception is re-raised as is, annotated with the step and batch
    (``exc.dagflow_step``, ``exc.dagflow_batch`` and a traceback note).
    With ``debug``, a profile record is appended to it for every step run
    (section, position, step, batch, worker, and start/end as ``time.time()``).
    """
    joined = ()
    for node in nodes:
        data = plan.nodes[node]
        step = data['step']
        start = time.time() if debug is not None else 0.0
        label, allowed = data.get('guard') or data.setdefault('guard', _guard_info(node, data))
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


def _guard_info(node, data) -> tuple[str, frozenset]:
    """The label and allowed resources of a step, computed once per plan node."""
    return f"{node[0]}[{node[1]}] {data['step'].name!r}", frozenset(e.resource for e in data['effects'])


def run_section(plan, section: str, pipeline, seed: int, *, debug: list | None = None, dataset=None) -> bool:
    """Run the ``before`` or ``after`` section once, with no batch; return whether a step stopped the run.

    A step raising :class:`~dagflow.exceptions.StopPipeline` ends the section there.  ``dataset``
    is the run's (default: the pipeline's, see :func:`run_dataset`).
    """
    nodes = plan.section_nodes(section)
    if nodes:
        key = 0 if section == 'before' else 1
        ctx = Context(pipeline=pipeline, dataset=run_dataset(pipeline, dataset), random=batch_random(seed, 1, key))
        try:
            run_steps(plan, nodes, ctx, debug=debug)
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
    dataset = run_dataset(pipeline, dataset)
    stopped = run_section(plan, 'before', pipeline, seed, debug=debug, dataset=dataset)
    stream = enumerate(() if stopped else batches)
    for segment, (nodes, rebatch) in enumerate(_segments(plan)):
        stream = _run_segment(plan, nodes, stream, pipeline, seed, segment,
                              total if segment == 0 else None, debug, dataset)
        if rebatch is not None:
            stream = enumerate(_rebatch(stream, plan.nodes[rebatch]['step']))
    for _, batch in stream:
        yield batch
    run_section(plan, 'after', pipeline, seed, debug=debug, dataset=dataset)


def _segments(plan):
    segments, current = [], []
    for node in plan.section_nodes('main'):
        if plan.nodes[node]['step'].name == 'rebatch' and plan.nodes[node]['step'].kind.value == 'api':
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
    :class:`StopPipeline` when a step stops the run.
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
