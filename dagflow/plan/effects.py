"""Effects: which shared state a step reads and writes.

This module is the one place where effects are computed.  A resource is a
typed :class:`~dagflow.core.Resource` ``(kind, name)`` that prints as
``'<kind>:<name>'`` — ``var:loss``, ``config:lr``, ``lock:train``,
``model:unet``, ``io:stdout`` (printing keeps its order), ``source:join``
(the iterator of a joined pipeline), ``stream:rebatch`` (re-batching).  The
facts come from where they are declared: the resource kind a named
expression reads from its class (``V.resource_kind``), an API action's
effects from its :class:`~dagflow.core.ActionSpec`, a batch action's from
its ``@action(reads=..., writes=..., use_lock=...)``.

Examples
--------
>>> from dagflow.expr import B, V
>>> from dagflow.core import Step, StepKind
>>> sorted(map(str, effects_of(Step('update', StepKind.API, args=(V('n'), V('n') + 1)))))
['read var:n', 'write var:n']
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..core import Access, Assigns, Effect, Resource, ResourceKind, UsesModel, Writes, action_spec
from ..core.step import Step, StepKind
from ..expr import is_expression, walk

__all__ = ['Access', 'Effect', 'effects_of', 'reads_of', 'writes_of', 'resource_of', 'model_resource',
           'splits_stream', 'defines_model', 'assigned_arguments']


def resource_of(expr) -> Resource | None:
    """The resource a named expression leaf stands for (``V('x')`` -> ``var:x``), or None.

    The leaf's class declares the kind it reads (``resource_kind``); a leaf
    without a name (``C()``) stands for any resource of that kind.

    Examples
    --------
    >>> from dagflow.expr import B, C, V
    >>> resource_of(V('x')), resource_of(C()), resource_of(B('x'))
    (Resource.parse('var:x'), Resource.parse('config:*'), None)
    """
    kind = getattr(type(expr), 'resource_kind', None)
    if kind is None:
        return None
    return Resource(ResourceKind(kind), expr.name or '*')


def reads_of(value) -> set[Resource]:
    """Resources read by evaluating ``value`` (every ``V``/``C`` inside it)."""
    return {res for node in walk(value) if (res := resource_of(node)) is not None}


def writes_of(target) -> tuple[set[Resource], set[Resource]]:
    """Resources written, and read, by assigning to ``target`` (one location or a sequence).

    A bare ``V('x')`` is written; ``V('x')[0]`` is read and written.  A numpy
    array (written in place) is ``io:array@<id>``, so the step runs where the
    array lives, in serial order.
    """
    targets = target if isinstance(target, (list, tuple)) else [target]
    writes, reads = set(), set()
    for item in targets:
        if isinstance(item, np.ndarray):
            writes.add(Resource(ResourceKind.IO, f'array@{id(item):x}'))
        if not is_expression(item):
            continue
        own = resource_of(item)
        if own is not None:
            writes.add(own)
            continue
        inner = reads_of(item)
        writes |= inner
        reads |= inner
    return writes, reads


def effects_of(step: Step, action_info=None) -> frozenset[Effect]:
    """Compute the effects of ``step``.

    Parameters
    ----------
    step : Step
        The step record.
    action_info : ActionInfo, optional
        For ``ACTION`` steps, the declaration of the batch action (its
        ``reads``, ``writes`` and ``use_lock``).

    Returns
    -------
    frozenset of Effect

    Raises
    ------
    ActionSpecError
        For an API step whose action has no registered :class:`~dagflow.core.ActionSpec`.
    """
    if step.kind is StepKind.SUB:
        inner = set()
        for sub in step.target[1]:
            inner |= effects_of(sub, _sub_info(action_info, sub))
        return frozenset(inner | _effects(reads_of(step.target[0]), ()))
    spec = action_spec(step.name) if step.kind is StepKind.API else None
    bound = dict(step.kwargs)
    for position, value in enumerate(step.args):
        bound[position] = value
    reads, writes = set(), set()
    if spec is None:
        target_names = ('save_to',)
    else:
        target_names = tuple(fact.argument for fact in spec.effects if isinstance(fact, Assigns))
        for name in target_names:   # a target given by position: name it so the loop below sees it
            position = spec.position(name)
            if position is not None and position in bound:
                bound[name] = bound.pop(position)
    for key, value in bound.items():
        if key in target_names:
            written, read = writes_of(value)
            writes |= written
            reads |= read
        elif key != 'mode':
            reads |= reads_of(value)
    models = {resource for resource in reads if resource.kind is ResourceKind.MODEL}   # M('name'): a use is a write
    reads, writes = reads - models, writes | models
    if spec is not None:
        writes |= _spec_writes(spec, step)
    if action_info is not None and not isinstance(action_info, dict):
        reads |= {Resource.parse(resource) for resource in action_info.reads or ()}
        writes |= {Resource.parse(resource) for resource in action_info.writes or ()}
        lock = action_info.use_lock
        if lock:
            writes.add(Resource(ResourceKind.LOCK, step.name if lock is True else lock))
    return frozenset(_effects(reads, writes))


def _spec_writes(spec, step: Step) -> set[Resource]:
    """What the facts of an API action's spec say its step always writes."""
    writes = set()
    for fact in spec.effects:
        if isinstance(fact, Writes):
            value = spec.argument(step.args, step.kwargs, fact.argument) if fact.argument else None
            writes.add(fact.resource(value))
        elif isinstance(fact, UsesModel):
            writes.add(fact.resource(spec.argument(step.args, step.kwargs, fact.argument)))
    return writes


def assigned_arguments(step: Step) -> list:
    """The values of ``step``'s arguments that are assignment targets (``update``'s target, a ``save_to``).

    For an API action, the arguments its spec declares with ``Assigns``; for any other step, ``save_to``.

    Examples
    --------
    >>> from dagflow.expr import V
    >>> assigned_arguments(Step('update', StepKind.API, args=(V('n'), 1)))
    [V('n')]
    >>> assigned_arguments(Step('load_model', StepKind.API, args=('m', object), kwargs={'save_to': 1}))
    []
    """
    if step.kind is StepKind.API:
        spec = action_spec(step.name)
        found = [spec.argument(step.args, step.kwargs, fact.argument) for fact in spec.effects
                 if isinstance(fact, Assigns)]
    else:
        found = [step.kwargs.get('save_to')]
    return [value for value in found if value is not None]


def splits_stream(step: Step) -> bool:
    """Whether the engine runs ``step`` by re-cutting the stream of batches (a ``rebatch``).

    Examples
    --------
    >>> splits_stream(Step('rebatch', StepKind.API, args=(4,))), splits_stream(Step('rebatch', StepKind.ACTION))
    (True, False)
    """
    return step.kind is StepKind.API and action_spec(step.name).splits_stream


def defines_model(step: Step) -> bool:
    """Whether ``step`` defines the model it names (``init_model``, ``load_model``, ``import_model``)."""
    return step.kind is StepKind.API and action_spec(step.name).defines_model


def model_resource(name) -> Resource:
    """The resource of the model a step names: ``model:<name>``, or ``model:*`` when computed at run time.

    Examples
    --------
    >>> from dagflow.expr import C
    >>> model_resource('unet'), model_resource(C('model_name'))
    (Resource.parse('model:unet'), Resource.parse('model:*'))
    """
    return UsesModel.resource(name)


def _sub_info(action_info, sub):
    if isinstance(action_info, dict):
        return action_info.get(sub.name)
    return None


def _effects(reads: Iterable[Resource], writes: Iterable[Resource]) -> set[Effect]:
    return {Effect(r, Access.READ) for r in reads} | {Effect(w, Access.WRITE) for w in writes}
