"""The picture of a lowered run: the Dask tasks of a few batches, one lane per batch.

It shows what :mod:`dagflow.engine.lower` makes of a plan: consecutive pure
steps fused into one task per batch (they may run in parallel across lanes),
every state step a task of its own, chained across batches in serial order by
the plan's carried edges, and, with ``prefetch``, the window edges that bound
how many batches are in flight.  The ``before`` and ``after`` sections (one task
each) are left out.

Examples
--------
>>> from dagflow import Pipeline, V
>>> p = Pipeline().init_variable('n', 0).update(V('n'), V('n') + 1)
>>> scene = lowered_scene(p.compile(), n_batches=2)
>>> [node.id for node in scene.nodes]
['batch_0', 'g0_b0', 'batch_1', 'g0_b1']
>>> [(e.source, e.target, e.kind.value) for e in scene.edges]
[('batch_0', 'g0_b0', 'batch'), ('batch_1', 'g0_b1', 'batch'), ('g0_b0', 'g0_b1', 'carried')]
"""
from __future__ import annotations

from ..plan.effects import splits_stream
from .errors import VizError
from .scene import Edge, EdgeKind, Node, NodeKind, Scene, check_rankdir, effects_note, resource_colors

__all__ = ['lowered_scene']

_TOKEN = 'viz'


def lowered_scene(plan, n_batches: int = 3, prefetch: int | None = None, rankdir: str = 'LR',
                  legend: bool = True) -> Scene:
    """The scene of the Dask graph that a run over ``n_batches`` batches lowers to.

    Parameters
    ----------
    plan : Plan
        The compiled pipeline; its ``main`` section is lowered.
    n_batches : int
        How many batches (lanes) to draw.
    prefetch : int, optional
        Draw the window edges of ``run(..., prefetch=prefetch)``; None draws none
        (as ``pipeline.to_dask()`` without ``prefetch``).
    rankdir : {'LR', 'TB'}
        Lanes left to right (default) or top to bottom.
    legend : bool
        Whether to draw a legend.

    Returns
    -------
    Scene
    """
    from ..engine.lower import batch_tasks, fuse_groups  # the lowering's own functions: the picture cannot drift
    if not isinstance(n_batches, int) or isinstance(n_batches, bool) or n_batches < 1:
        raise VizError(f'n_batches must be a positive integer, got {n_batches!r}.', name='n_batches')
    if prefetch is not None and (not isinstance(prefetch, int) or prefetch < 0):
        raise VizError(f'prefetch must be None or a non-negative integer, got {prefetch!r}.', name='prefetch')
    if any(map(splits_stream, plan.steps('main'))):
        raise VizError('visualize_dask cannot draw a pipeline that rebatches: how many batches come out depends on '
                       'the data, so the run is not one Dask graph. Draw the plan with visualize() instead.',
                       name='rebatch')
    groups = fuse_groups(plan)
    window = 'no window' if prefetch is None else f'prefetch={prefetch}'
    scene = Scene(rankdir=check_rankdir(rankdir), legend=legend,
                  title=f'Lowered graph: {n_batches} batch{"es" if n_batches != 1 else ""}, {window}',
                  notes=('one lane per batch; a box is one Dask task; consecutive pure steps are fused into one',),
                  chain=False)
    colors = resource_colors(r for _, _, resources in plan.state_edges(carried=True) for r in resources)
    ids = {}
    for k in range(n_batches):
        scene.nodes.append(Node(f'batch_{k}', f'batch {k}', kind=NodeKind.DATA, lane=k))
        ids[('batch-' + _TOKEN, k)] = f'batch_{k}'
        for key, group, deps in batch_tasks(groups, k, _TOKEN, prefetch):
            ids[key] = f'g{group.index}_b{k}'
            scene.nodes.append(_group_node(plan, group, k, key))
            scene.edges.append(Edge(ids[deps[0]], ids[key], EdgeKind.BATCH))
            state_keys = {(f'{groups[i].name}-{_TOKEN}', k - 1): groups[i] for i in group.after}
            for dep in deps[1:]:
                if dep in state_keys:
                    resources = _carried_resources(plan, state_keys[dep], group)
                    color = colors.get(resources[0], '#c0392b') if resources else '#c0392b'
                    scene.edges.append(Edge(ids[dep], ids[key], EdgeKind.CARRIED, ', '.join(resources), color))
                elif group.index == 0 and prefetch is not None and dep[1] == k - prefetch - 1:
                    scene.edges.append(Edge(ids[dep], ids[key], EdgeKind.WINDOW, 'window', '#7f8c8d'))
                else:   # the first step that writes state waits for the whole previous batch
                    scene.edges.append(Edge(ids[dep], ids[key], EdgeKind.CARRIED, 'previous batch', '#c0392b'))
    return scene


def _group_node(plan, group, k: int, key: tuple) -> Node:
    names = group.name.split('+')
    lines, current = [], ''
    for name in names:  # the key's action names, wrapped at the '+'
        candidate = f'{current}+{name}' if current else name
        if current and len(candidate) > 24:
            lines.append(current + '+')
            current = name
        else:
            current = candidate
    lines.append(current)
    if any(plan.nodes[node]['models'] for node in group.nodes):
        kind = NodeKind.MODEL
    else:
        kind = NodeKind.PURE if group.pure else NodeKind.STATE
    steps = len(group.nodes)
    if group.pure:
        note = f'{steps} pure steps, fused' if steps > 1 else 'pure'
    else:
        note = effects_note(frozenset().union(*(plan.nodes[node]['effects'] for node in group.nodes)))
    return Node(f'g{group.index}_b{k}', lines[0], tuple(lines[1:]), note, kind, lane=k,
                tooltip=f'Dask key {key!r}')


def _carried_resources(plan, source_group, target_group) -> list:
    found = set()
    for u in source_group.nodes:
        for v in target_group.nodes:
            if plan.has_edge(u, v) and plan.edges[u, v]['carried']:
                found.update(plan.edges[u, v]['resources'])
    return [str(resource) for resource in sorted(found)]
