"""Effects: which shared state a step reads and writes.

This module is the one place where effects are computed.  A resource is a
string ``'<kind>:<name>'`` — ``var:loss``, ``config:lr``, ``lock:train``,
``model:unet``, ``io:stdout`` (printing keeps its order), ``source:<n>`` (the
iterator of a joined pipeline), ``stream:rebatch`` (re-batching).

Examples
--------
>>> from dagflow.expr import B, V
>>> from dagflow.pipeline.step import Step, StepKind
>>> sorted(effects_of(Step('update', StepKind.API, args=(V('n'), V('n') + 1))))
[Effect(resource='var:n', access=<Access.READ: 'read'>), Effect(resource='var:n', access=<Access.WRITE: 'write'>)]
"""
from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from ..expr import is_expression, walk
from ..pipeline.step import Step, StepKind

__all__ = ['Access', 'Effect', 'effects_of', 'reads_of', 'writes_of', 'resource_of', 'model_resource']


class Access(enum.Enum):
    """Whether a step reads or writes a resource."""

    READ = 'read'
    WRITE = 'write'

    def __lt__(self, other):
        return self.value < other.value


@dataclass(frozen=True, order=True)
class Effect:
    """One access of one resource by a step."""

    resource: str
    access: Access

    def __str__(self):
        return f'{self.access.value} {self.resource}'


_KIND_PREFIX = {'V': 'var', 'C': 'config', 'M': 'model'}


def resource_of(expr) -> str | None:
    """The resource a named expression leaf stands for (``V('x')`` -> ``'var:x'``), or None."""
    prefix = _KIND_PREFIX.get(getattr(expr, 'kind', None))
    if prefix is None:
        return None
    name = expr.name or '*'
    return f'{prefix}:{name}'


def reads_of(value) -> set[str]:
    """Resources read by evaluating ``value`` (every ``V``/``C`` inside it)."""
    return {res for node in walk(value) if (res := resource_of(node)) is not None}


def writes_of(target) -> tuple[set[str], set[str]]:
    """Resources written, and read, by assigning to ``target`` (one location or a sequence).

    A bare ``V('x')`` is written; ``V('x')[0]`` is read and written.  A numpy
    array (written in place) is ``io:array@<id>``, so the step runs where the
    array lives, in serial order.
    """
    targets = target if isinstance(target, (list, tuple)) else [target]
    writes, reads = set(), set()
    for item in targets:
        if isinstance(item, np.ndarray):
            writes.add(f'io:array@{id(item):x}')
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


# Per API action: (names of arguments that are assignment targets, resources it always writes).
_API_TARGETS = {
    'update': ('target',),
    'save_to': ('target',),
    'call': ('save_to',),
    'print': (),
    'init_lock': (),
    'acquire_lock': (),
    'release_lock': (),
    'join': (),
    'merge': (),
    'rebatch': (),
    'update_variable': (),
    'train_model': ('save_to',),
    'predict_model': ('save_to',),
}

# Model actions: how each touches the model it names.  All are writes:
# training changes it, loading and importing replace it, and predicting or
# saving may create a dynamic model (and predicting switches a network's mode).
_MODEL_ACCESS = {'init_model': Access.WRITE, 'train_model': Access.WRITE, 'predict_model': Access.WRITE,
                 'load_model': Access.WRITE, 'import_model': Access.WRITE, 'save_model': Access.WRITE}


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
    """
    if step.kind is StepKind.SUB:
        inner = set()
        for sub in step.target[1]:
            inner |= effects_of(sub, _sub_info(action_info, sub))
        return frozenset(inner | _effects(reads_of(step.target[0]), ()))
    bound = dict(step.kwargs)
    for position, value in enumerate(step.args):
        bound[position] = value
    reads, writes = set(), set()
    target_names = _API_TARGETS.get(step.name, ()) if step.kind is StepKind.API else ('save_to',)
    if step.kind is StepKind.API:
        _api_positional_targets(step, bound)
    for key, value in bound.items():
        if key in target_names:
            written, read = writes_of(value)
            writes |= written
            reads |= read
        elif key != 'mode':
            reads |= reads_of(value)
    models = {resource for resource in reads if resource.startswith('model:')}   # M('name'): a use is a write
    reads, writes = reads - models, writes | models
    writes |= _fixed_writes(step, action_info)
    reads |= set(getattr(action_info, 'reads', ()) or ())
    if step.kind is StepKind.API and step.name in _MODEL_ACCESS:
        model = model_resource(step.args[0] if step.args else step.kwargs.get('name'))
        (writes if _MODEL_ACCESS[step.name] is Access.WRITE else reads).add(model)
    return frozenset(_effects(reads, writes))


def model_resource(name) -> str:
    """The resource of the model a step names: ``'model:<name>'``, or ``'model:*'`` when computed at run time.

    Examples
    --------
    >>> from dagflow.expr import C
    >>> model_resource('unet'), model_resource(C('model_name'))
    ('model:unet', 'model:*')
    """
    return f'model:{name}' if isinstance(name, str) else 'model:*'


def _sub_info(action_info, sub):
    if isinstance(action_info, dict):
        return action_info.get(sub.name)
    return None


def _api_positional_targets(step: Step, bound: dict):
    """Name the positional target of ``update``/``save_to`` so the loop above sees it."""
    if step.name in ('update', 'save_to') and 0 in bound:
        bound['target'] = bound.pop(0)


def _fixed_writes(step: Step, action_info) -> set[str]:
    writes = set()
    if step.kind is StepKind.API:
        if step.name in ('init_lock', 'acquire_lock', 'release_lock'):
            name = step.args[0] if step.args else step.kwargs.get('name')
            writes.add(f'lock:{name}')
        elif step.name == 'update_variable':
            name = step.args[0] if step.args else step.kwargs.get('name')
            writes.add(f'var:{name}')
        elif step.name == 'print':
            writes.add('io:stdout')
        elif step.name in ('join', 'merge'):
            writes.add(f'source:{step.name}')
        elif step.name == 'rebatch':
            writes.add('stream:rebatch')
    if action_info is not None and not isinstance(action_info, dict):
        writes |= set(action_info.writes or ())
        lock = action_info.use_lock
        if lock:
            writes.add(f'lock:{step.name if lock is True else lock}')
    return writes


def _effects(reads: Iterable[str], writes: Iterable[str]) -> set[Effect]:
    return {Effect(r, Access.READ) for r in reads} | {Effect(w, Access.WRITE) for w in writes}
