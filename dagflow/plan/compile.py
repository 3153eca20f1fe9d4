"""Compile step records into a :class:`~dagflow.plan.plan.Plan`."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..core import ResourceKind
from ..core.step import StepKind
from ..exceptions import PlanError
from .effects import Access, Effect, effects_of, reads_of
from .learn import learn_accesses, resolve_accesses
from .plan import SECTIONS, Plan

__all__ = ['compile_plan', 'state_dependencies']


def compile_plan(sections: Mapping[str, Sequence], *, variables: Mapping | None = None,
                 actions: Mapping | None = None, owner: type | None = None, models: Mapping | None = None) -> Plan:
    """Build the plan of a pipeline.

    Parameters
    ----------
    sections : mapping
        ``'before'``, ``'main'``, ``'after'`` -> sequences of steps.
    variables : mapping, optional
        Declared variables (name -> spec), kept as ``plan.variables``.
    actions : mapping, optional
        Batch action name -> function.  Effects of a user action are what its
        ``@action(reads=, writes=, use_lock=)`` declares plus what dagflow learns
        from its code (:mod:`dagflow.plan.learn`): models it gets by name,
        variables it reads or writes through ``self.pipeline``.
    owner : type, optional
        The batch class, so the code of helper methods an action calls is read too.
    models : mapping, optional
        Model name -> ``ModelSpec``.  A step that uses a dynamic model also reads
        what the model's config reads (``V``, ``C``), since it may create the model.

    Returns
    -------
    Plan

    Examples
    --------
    >>> from dagflow.expr import V
    >>> from dagflow.core import Step, StepKind
    >>> plan = compile_plan({'main': [Step('update', StepKind.API, args=(V('x'), 1)),
    ...                               Step('print', StepKind.API, args=(V('x'),))]})
    >>> for source, target, resources in plan.state_edges():
    ...     print(source, target, *resources)
    ('main', 0) ('main', 1) var:x
    ('main', 1) ('main', 1) io:stdout
    ('main', 1) ('main', 0) var:x
    """
    actions, models = actions or {}, models or {}
    plan = Plan(variables=dict(variables or {}), models=dict(models))
    for section in SECTIONS:
        steps = list(sections.get(section, ()))
        nodes = [(section, i) for i in range(len(steps))]
        for node, step in zip(nodes, steps):
            if section != 'main' and step.kind is StepKind.ACTION:
                raise PlanError(f'Step {section}[{node[1]}] {step.name!r}' + (f' (added at {step.source})'
                                if step.source else '') + f' is a batch action, but the {section!r} section '
                                f'runs once, without a batch. Record it in the main chain, or use '
                                f'call(...) for a function of the pipeline.', step=step.name, source=step.source)
            effects = step_effects(step, actions, owner, models)
            models_used = tuple(sorted({e.resource.name for e in effects if e.resource.kind is ResourceKind.MODEL}))
            stated = step_effects(step, actions, owner, models, learn=False)
            learnt = frozenset(e.resource for e in effects - stated)
            plan.add_node(node, step=step, section=section, position=node[1], effects=effects,
                          pure=not effects, models=models_used, learnt=learnt, label=step.label)
        for previous, node in zip(nodes, nodes[1:]):
            _add_edge(plan, previous, node, batch=True)
        accesses = _expand_wildcards([[(e.resource, e.access) for e in plan.nodes[n]['effects']] for n in nodes])
        for source, target, resource, carried in state_dependencies(accesses, cyclic=section == 'main'):
            _add_edge(plan, nodes[source], nodes[target], resource=resource, carried=carried)
    _constant_config_is_pure(plan)
    return plan


def _constant_config_is_pure(plan: Plan) -> None:
    """Mark pure the steps that only read the config, when no step of the plan writes to it.

    Such a step reads values fixed for the whole run: it conflicts with
    nothing, so it may run in parallel with anything, in a worker too
    (workers get the config of the run's start).  Its effects still list the
    reads, for the pictures and the checks.
    """
    if any(e.access is Access.WRITE and e.resource.kind is ResourceKind.CONFIG
           for _, data in plan.nodes(data=True) for e in data['effects']):
        return
    for _, data in plan.nodes(data=True):
        if data['effects'] and all(e.access is Access.READ and e.resource.kind is ResourceKind.CONFIG
                                   for e in data['effects']):
            data['pure'] = True


def step_effects(step, actions: Mapping, owner: type | None = None, models: Mapping | None = None,
                 learn: bool = True) -> frozenset:
    """The effects of ``step``: declared, learnt from a user action's code (unless ``learn=False``), and of
    the models it uses.

    Examples
    --------
    >>> from dagflow.core import Step, StepKind
    >>> sorted(map(str, step_effects(Step('train_model', StepKind.API, args=('m',)), {})))
    ['write model:m']
    """
    if step.kind is StepKind.SUB:
        effects = {Effect(resource, Access.READ) for resource in reads_of(step.target[0])}
        for sub in step.target[1]:
            effects |= step_effects(sub, actions, owner, models, learn)
        return frozenset(effects)
    info = getattr(actions.get(step.name), 'action_info', None) if step.kind is StepKind.ACTION else None
    effects = set(effects_of(step, info))
    if learn:
        effects |= learnt_effects(step, actions, owner)
    models = models or {}
    for effect in list(effects):
        if effect.access is not Access.WRITE or effect.resource.kind is not ResourceKind.MODEL:
            continue
        name = effect.resource.name
        for spec in (models.values() if effect.resource.is_wildcard else [models.get(name)]):
            if spec is not None and spec.mode == 'dynamic':  # the step may create it: it reads what its config reads
                effects |= {Effect(resource, Access.READ) for resource in reads_of(spec.deferred)}
    return frozenset(effects)


def learnt_effects(step, actions: Mapping, owner: type | None = None) -> set:
    """Effects of a batch action found in its code (:mod:`dagflow.plan.learn`), for the step's arguments."""
    function = actions.get(step.name) if step.kind is StepKind.ACTION else None
    if function is None:
        if step.kind is StepKind.SUB:
            return set().union(*(learnt_effects(sub, actions, owner) for sub in step.target[1]))
        return set()
    learned = resolve_accesses(learn_accesses(function, owner), function, step.args, step.kwargs,
                               leading=1 + step.joined)
    return {Effect(resource, Access(access)) for resource, access in learned}


def _expand_wildcards(accesses):
    """An access to ``kind:*`` (any model, any variable) also accesses every ``kind:name`` of the section."""
    concrete = {}
    for step_accesses in accesses:
        for resource, _ in step_accesses:
            if not resource.is_wildcard:
                concrete.setdefault(resource.kind, set()).add(resource)
    expanded = []
    for step_accesses in accesses:
        extra = [(resource, access) for wildcard, access in step_accesses if wildcard.is_wildcard
                 for resource in sorted(concrete.get(wildcard.kind, ()))]
        expanded.append([*step_accesses, *extra])
    return expanded


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
