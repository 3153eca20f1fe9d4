"""Compile step records into a :class:`~dagflow.plan.plan.Plan`."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..pipeline.step import StepKind
from .effects import Access, effects_of
from .plan import SECTIONS, Plan

__all__ = ['compile_plan', 'state_dependencies']


def compile_plan(sections: Mapping[str, Sequence], *, variables: Mapping | None = None,
                 action_infos: Mapping | None = None) -> Plan:
    """Build the plan of a pipeline.

    Parameters
    ----------
    sections : mapping
        ``'before'``, ``'main'``, ``'after'`` -> sequences of steps.
    variables : mapping, optional
        Declared variables (name -> spec), kept as ``plan.variables``.
    action_infos : mapping, optional
        Batch action name -> ``ActionInfo`` declaration, for effects of user actions.

    Returns
    -------
    Plan

    Examples
    --------
    >>> from dagflow.expr import V
    >>> from dagflow.pipeline.step import Step, StepKind
    >>> plan = compile_plan({'main': [Step('update', StepKind.API, args=(V('x'), 1)),
    ...                               Step('print', StepKind.API, args=(V('x'),))]})
    >>> for edge in plan.state_edges():
    ...     print(edge)
    (('main', 0), ('main', 1), ('var:x',))
    (('main', 1), ('main', 1), ('io:stdout',))
    (('main', 1), ('main', 0), ('var:x',))
    """
    infos = action_infos or {}
    plan = Plan(variables=dict(variables or {}))
    for section in SECTIONS:
        steps = list(sections.get(section, ()))
        nodes = [(section, i) for i in range(len(steps))]
        for node, step in zip(nodes, steps):
            info = _info_for(step, infos)
            effects = effects_of(step, info)
            plan.add_node(node, step=step, section=section, position=node[1],
                          effects=effects, pure=not effects, label=step.label)
        for previous, node in zip(nodes, nodes[1:]):
            _add_edge(plan, previous, node, batch=True)
        accesses = [[(e.resource, e.access) for e in plan.nodes[n]['effects']] for n in nodes]
        for source, target, resource, carried in state_dependencies(accesses, cyclic=section == 'main'):
            _add_edge(plan, nodes[source], nodes[target], resource=resource, carried=carried)
    return plan


def _info_for(step, infos):
    if step.kind is StepKind.ACTION:
        return infos.get(step.name)
    if step.kind is StepKind.SUB:
        return infos
    return None


def _add_edge(plan: Plan, source, target, *, batch=False, resource=None, carried=False):
    if plan.has_edge(source, target):
        data = plan.edges[source, target]
        data['batch'] = data['batch'] or batch
        if resource and resource not in data['resources']:
            data['resources'] = tuple(sorted((*data['resources'], resource)))
        return
    plan.add_edge(source, target, batch=batch, resources=(resource,) if resource else (), carried=carried)


def state_dependencies(accesses: Sequence[Sequence[tuple[str, Access]]], cyclic: bool = True):
    """Yield ``(source, target, resource, carried)`` ordering edges between positions.

    Each access waits for the previous *conflicting* access of the same
    resource in serial order: a read waits for the last write; a write waits
    for the reads since the last write, or for the last write when there were
    none.  With ``cyclic=True`` the sequence repeats for the next batch, and
    edges that reach into the next repetition are ``carried``.

    Examples
    --------
    >>> R, W = Access.READ, Access.WRITE
    >>> sorted(state_dependencies([[('var:x', W)], [('var:x', R)], [('var:x', R)]]))
    [(0, 1, 'var:x', False), (0, 2, 'var:x', False), (1, 0, 'var:x', True), (2, 0, 'var:x', True)]
    """
    by_resource: dict[str, list[tuple[int, Access]]] = {}
    for position, step_accesses in enumerate(accesses):
        merged = {}
        for resource, access in step_accesses:
            if merged.get(resource) is not Access.WRITE:
                merged[resource] = access
        for resource, access in merged.items():
            by_resource.setdefault(resource, []).append((position, access))
    for resource, sequence in sorted(by_resource.items()):
        rounds = 2 if cyclic else 1
        stream = [(pos, acc, rep) for rep in range(rounds) for pos, acc in sequence]
        last_write, reads_since = None, []
        for pos, access, rep in stream:
            if access is Access.READ:
                waits = [last_write] if last_write is not None else []
            else:
                waits = reads_since if reads_since else ([last_write] if last_write is not None else [])
            if rep == rounds - 1 or not cyclic:
                for src_pos, src_rep in waits:
                    carried = cyclic and src_rep != rep
                    if carried or (src_pos, src_rep) != (pos, rep):
                        yield src_pos, pos, resource, carried
            if access is Access.WRITE:
                last_write, reads_since = (pos, rep), []
            else:
                reads_since.append((pos, rep))
