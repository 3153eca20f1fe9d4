"""Lowering: from a plan's main steps to tasks per batch, and to a Dask graph.

A batch's main steps become a chain of *groups*: every run of consecutive
pure steps is fused into one group (one task per batch, so a no-op action
costs microseconds, not a scheduler round-trip), and every state step is a
group of its own, except that the step after a ``join`` runs in the join's
group (it takes the joined batches as arguments, which live in that task
only).  The task of group *g* of batch *k* depends on

* the batch edge: group *g-1* of batch *k* (group 0 on the batch itself);
* carried state edges: for a plan edge ``u -> v`` that crosses to the next
  batch, the group of ``u`` in batch *k-1* (edges inside one batch are already
  implied by the batch chain, because they point forward);
* the previous batch: the first group that writes state (a variable, a
  model, a lock, the output) waits for the last group of batch *k-1*, so a
  batch changes nothing before every earlier batch is through: when a step
  of batch *k-1* raises or stops the run (``StopPipeline``), no later batch
  has changed the state, exactly as in the serial loop;
* the window edge: group 0 of batch *k* waits for the last group of batch
  *k - prefetch - 1*, so at most ``prefetch + 1`` batches are in flight.

Keys read as the pipeline: ``('normalize+blur-<token>', 3)``.  The same
lowering feeds :func:`to_dask` (an ordinary Dask graph for ``dask.compute``,
``dask.visualize``, ``dask.order``) and the streaming executor.

Examples
--------
>>> from dagflow import Batch, Dataset, V, action
>>> class Images(Batch):
...     @action
...     def normalize(self):
...         return self
...     @action
...     def scale(self, factor):
...         return self
>>> p = Dataset(4, Images).p.init_variable('n', 0).normalize().scale(2).update(V('n'), V('n') + 1).normalize()
>>> [(g.name, g.pure) for g in fuse_groups(p.compile())]
[('normalize+scale', True), ('update', False), ('normalize', True)]
"""
from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import dask.threaded

from ..exceptions import RunArgumentError, SkipBatchException, StopPipeline
from ..expr import Context, IterationInfo
from ..plan.effects import Access
from ..runtime.state import RunState
from .serial import StepTable, batch_random, run_section, run_steps
from .steps import with_batch

__all__ = ['DriverState', 'Group', 'LoweredRun', 'Payload', 'SKIPPED', 'STOPPED', 'fuse_groups', 'batch_tasks',
           'graph_task', 'lower_run', 'previous_waits', 'run_group', 'to_dask_graph']


@dataclass(frozen=True)
class Group:
    """Consecutive steps of one batch that run as one task.

    Parameters
    ----------
    index : int
        Position of the group in the batch chain.
    nodes : tuple
        Plan nodes, in order.
    pure : bool
        True for fused pure steps (they may run anywhere, in parallel); False
        for a single state step (it runs where the state lives, in plan order).
    name : str
        Action names joined by ``+``: the key prefix the dashboard shows.
    after : tuple of int
        Groups of the *previous* batch this group waits for (carried state edges).
    settles : bool
        True for the first group that writes state: it also waits for the whole
        previous batch (its last group), so no batch changes the state while an
        earlier one may still fail or stop the run.
    """

    index: int
    nodes: tuple
    pure: bool
    name: str
    after: tuple = ()
    settles: bool = False


@dataclass
class Payload:
    """What flows from one group task to the next: the batch and its own random generator."""

    batch: object
    random: object
    number: int
    total: int | None = None
    segment: int = 0
    records: list | None = None   # profile records made on a Dask worker, gathered in the driver


class _Marker:
    """A payload that stands for no batch; it pickles as the module constant of its name."""

    __slots__ = ('name',)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self):
        return self.name

    def __reduce__(self):
        return self.name


SKIPPED = _Marker('SKIPPED')
"""The payload of a batch that a step skipped (``SkipBatchException``)."""

STOPPED = _Marker('STOPPED')
"""In a Dask graph (:func:`to_dask_graph`): the payload of a batch at or after one whose step stopped the run."""


def fuse_groups(plan, nodes: Iterable | None = None) -> list[Group]:
    """Split ``nodes`` (default: the main section) into groups; see the module docstring."""
    nodes = list(plan.section_nodes('main') if nodes is None else nodes)
    groups: list[list] = []
    for node in nodes:
        data = plan.nodes[node]
        pure = data['pure']
        if groups and (data['step'].joined or (pure and groups[-1][0])):
            groups[-1][1].append(node)      # a pure run goes on, or the step that takes a join's batches
            groups[-1][0] = groups[-1][0] and pure
        else:
            groups.append([pure, [node]])
    where = {node: i for i, (_, members) in enumerate(groups) for node in members}
    writers = [i for i, (_, members) in enumerate(groups) if any(
        effect.access is Access.WRITE for node in members for effect in plan.nodes[node]['effects'])]
    result, seen = [], set()
    for i, (pure, members) in enumerate(groups):
        after = sorted({where[u] for v in members for u, _, data in plan.in_edges(v, data=True)
                        if data['carried'] and u in where})
        name = '+'.join(plan.nodes[node]['step'].name for node in members)
        if name in seen:  # keys must differ: a repeated action gets its step position
            name = f'{name}[{members[0][1]}]'
        seen.add(name)
        result.append(Group(i, tuple(members), pure, name, tuple(after), settles=bool(writers) and i == writers[0]))
    return result


def previous_waits(groups: list[Group], group: Group) -> tuple:
    """The groups of the *previous* batch that ``group`` waits for: its carried edges, and the last when it settles.

    This is the one statement of the rule across batches: :func:`batch_tasks` (the Dask graph) makes
    one dependency of each, and the streaming loop (:func:`~dagflow.engine.parallel.stream_segment`)
    starts ``group`` once that many groups of the batch before are done.

    Examples
    --------
    >>> g = [Group(0, (('main', 0),), False, 'count', after=(0,), settles=True), Group(1, (('main', 1),), True, 'load')]
    >>> previous_waits(g, g[0]), previous_waits(g, g[1])
    ((0, 1), ())
    """
    return group.after + (groups[-1].index,) if group.settles else group.after


def batch_tasks(groups: list[Group], k: int, token: str, prefetch: int | None):
    """The tasks of batch ``k``: ``(key, group, dependency keys)`` for each group, in order.

    The first dependency of every task is the one whose payload it consumes
    (the previous group, or the batch key ``('batch-<token>', k)``).

    Examples
    --------
    >>> g = [Group(0, (('main', 0),), False, 'count', after=(0,), settles=True), Group(1, (('main', 1),), True, 'load'),
    ...      Group(2, (('main', 2),), False, 'train', after=(2,))]
    >>> for key, group, deps in batch_tasks(g, 2, 'ab', prefetch=0):
    ...     print(key, deps)
    ('count-ab', 2) [('batch-ab', 2), ('count-ab', 1), ('train-ab', 1)]
    ('load-ab', 2) [('count-ab', 2)]
    ('train-ab', 2) [('load-ab', 2), ('train-ab', 1)]
    """
    tasks = []
    for group in groups:
        previous = ('batch-' + token, k) if group.index == 0 else tasks[-1][0]
        deps = [previous]
        if k > 0:
            deps += [task_key(groups[i], token, k - 1) for i in previous_waits(groups, group)]
        if group.index == 0 and prefetch is not None and k - prefetch - 1 >= 0:
            deps.append(task_key(groups[-1], token, k - prefetch - 1))
        tasks.append((task_key(group, token, k), group, list(dict.fromkeys(deps))))
    return tasks


def task_key(group: Group, token: str, k: int) -> tuple:
    """The Dask key of ``group`` for batch ``k``: ``('<names>-<token>', k)``."""
    return (f'{group.name}-{token}', k)


def new_token() -> str:
    """A short token that keeps the keys of two runs apart."""
    return uuid.uuid4().hex[:8]


def run_group(plan, group: Group, state: RunState, payload, *_order, debug: list | None = None):
    """Run the steps of ``group`` on ``payload`` with the run ``state``; return the next payload (or :data:`SKIPPED`).

    Extra positional arguments are the ordering dependencies of the task; they
    carry no data.  ``plan`` is the run's :class:`~dagflow.engine.serial.StepTable`
    (a plan gets one for this call).
    """
    if payload is SKIPPED:
        return SKIPPED
    ctx = with_batch(Context(batch=payload.batch, pipeline=state.owner, dataset=state.dataset,
                             iteration=IterationInfo(payload.number, payload.total), random=payload.random),
                     payload.batch)
    try:
        ctx = run_steps(plan, group.nodes, ctx, batch_number=payload.number, debug=debug)
    except SkipBatchException:
        return SKIPPED
    payload.batch = ctx.batch
    return payload


class DriverState:
    """The run state in a Dask graph: it stays in this process, and sending it elsewhere is an error.

    The tasks of a lowered run update the variables, models and locks of the
    pipeline that made it.  On worker processes or a cluster they would
    update pickled copies and the results would be lost without a word, so
    pickling the state raises instead, saying what to do.

    Examples
    --------
    >>> import pickle
    >>> pickle.dumps(DriverState(RunState()))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dagflow.exceptions.RunArgumentError: A run lowered by to_dask() keeps its variables, models and locks in ...
    """

    __slots__ = ('state',)

    def __init__(self, state: RunState):
        self.state = state

    def __reduce__(self):
        raise RunArgumentError(
            'A run lowered by to_dask() keeps its variables, models and locks in this process: computed on '
            'worker processes or a distributed cluster, its steps would update copies of them and the results '
            "would be lost. Compute it with Dask's threaded scheduler (dask.compute(lowered, scheduler='threads'); "
            'a default distributed Client would otherwise take it), or run the pipeline with '
            'pipeline.run(..., scheduler=client), which sends only the steps that touch no state to the cluster.',
            name='scheduler')

    def __repr__(self):
        return f'DriverState({self.state!r})'


def graph_task(plan, group: Group, state: RunState | DriverState, payload, *order):
    """:func:`run_group` as a task of a Dask graph: a stop becomes the payload :data:`STOPPED`.

    A batch whose own payload or whose previous batch (among the ordering
    dependencies ``order``) is stopped is stopped too, so the stop passes on
    to every later batch through the edges of the graph, and a later batch
    never reaches a step that writes state (its first one waits for the
    whole previous batch, see :func:`fuse_groups`).
    """
    if payload is STOPPED or any(dependency is STOPPED for dependency in order):
        return STOPPED
    if isinstance(state, DriverState):
        state = state.state
    try:
        return run_group(plan, group, state, payload)
    except StopPipeline:
        return STOPPED


def make_payload(batch, number: int, seed: int, total: int | None = None, segment: int = 0) -> Payload:
    """The payload of batch ``number``: the batch and the generator the serial run would give it."""
    return Payload(batch, batch_random(seed, 0, segment, number), number, total, segment)


def to_dask_graph(plan, state: RunState | DriverState, batches: Iterable, *, seed: int, prefetch: int | None = None,
                  total: int | None = None, token: str | None = None) -> tuple[dict, list]:
    """The Dask graph of a run over ``batches``: ``(graph, output keys in batch order)``.

    Parameters
    ----------
    plan : Plan
        The compiled pipeline (its ``main`` section is lowered; it must not ``rebatch``).
    state : RunState
        The run state the steps use (its dataset, its owner as their pipeline).
    batches : iterable
        The batches, in order (a finite iterable).
    seed : int
        The run seed; batch *k* gets the generator of the serial run.
    prefetch : int, optional
        Adds window edges bounding in-flight batches to ``prefetch + 1``.
    total : int, optional
        The number of batches, for ``I('max')``.
    token : str, optional
        The key suffix (a fresh one by default).
    """
    token = token or new_token()
    steps = StepTable(plan)
    groups = fuse_groups(plan)
    graph, outputs = {}, []
    for k, batch in zip(itertools.count(), batches):
        graph[('batch-' + token, k)] = make_payload(batch, k, seed, total)
        for key, group, deps in batch_tasks(groups, k, token, prefetch):
            graph[key] = (graph_task, steps, group, state, *deps)
        outputs.append(key if groups else ('batch-' + token, k))
    return graph, outputs


class LoweredRun:
    """A run lowered to Dask: a collection ``dask.compute`` / ``dask.visualize`` / ``dask.persist`` accept.

    ``dask.compute(run)`` runs the ``before`` section, every batch, then the
    ``after`` section, and returns the finished batches in order (skipped ones
    left out; a ``StopPipeline`` ends the list where the serial run ends).
    ``graph`` is the plain task dict, ``keys`` the final task of every batch.
    """

    def __init__(self, graph: dict, keys: list, after_key):
        self.graph, self.keys, self.after_key = graph, keys, after_key

    def __dask_graph__(self):
        return self.graph

    def __dask_keys__(self):
        return [*self.keys, self.after_key]

    def __dask_layers__(self):
        return (f'dagflow-run-{self.after_key[0]}',)

    def __dask_tokenize__(self):
        return self.after_key[0]

    def __dask_postcompute__(self):
        return _finished_batches, ()

    def __dask_postpersist__(self):
        return LoweredRun._rebuild, (self.keys, self.after_key)

    @staticmethod
    def _rebuild(graph, keys, after_key, rename=None):
        return LoweredRun(dict(graph), keys, after_key)

    __dask_scheduler__ = staticmethod(dask.threaded.get)
    __dask_optimize__ = None  # the tasks are already fused by the lowering

    def __repr__(self):
        return f'<LoweredRun: {len(self.keys)} batches, {len(self.graph)} tasks>'


def _finished_batches(results):
    finished = []
    for payload in results[:-1]:
        if payload is STOPPED:
            break
        if payload is not SKIPPED:
            finished.append(payload.batch)
    return finished


def _run_section_task(plan, state: DriverState, section: str, seed: int, *_order):
    state = state.state
    if section == 'before' and state.variables is not None:
        state.variables.start_run()
    stopped = run_section(plan, section, state, seed)
    return STOPPED if stopped and section == 'before' else section


def lower_run(plan, state: RunState, batches: Iterable, *, seed: int, prefetch: int | None = None,
              total: int | None = None, token: str | None = None) -> LoweredRun:
    """Lower a whole run (``before``, the batches, ``after``) with the run ``state`` to a :class:`LoweredRun`.

    The ``before`` task resets the per-run variables (``state.variables.start_run()``) first.
    """
    token = token or new_token()
    state = DriverState(state)   # the tasks of the run share the state of this process, and only here
    graph, keys = to_dask_graph(plan, state, batches, seed=seed, prefetch=prefetch, total=total, token=token)
    before, after = ('before-' + token, 0), ('after-' + token, 0)
    steps = StepTable(plan)
    graph[before] = (_run_section_task, steps, state, 'before', seed)
    for key, task in list(graph.items()):
        if key[0].startswith('batch-'):
            graph[key] = (_after_before, task, before)
    graph[after] = (_run_section_task, steps, state, 'after', seed, *keys)
    return LoweredRun(graph, keys, after)


def _after_before(payload, before):
    return STOPPED if before is STOPPED else payload
