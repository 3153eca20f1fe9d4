"""The closed registry the builder resolves action names against.

A name is, in this order: a pipeline API action, an ``@action`` of the batch
class (or, for a template with no dataset yet, of any ``Batch`` subclass), a
callable in one of the pipeline's namespaces (``__main__`` always), or a method
of the dataset.  Anything else fails at once with close matches.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

from ..core.step import StepKind
from ..data.batch import Batch
from ..exceptions import UnknownActionError, did_you_mean, suggestion_text
from ..runtime.api import API_ACTIONS

__all__ = ['Resolved', 'resolve_action', 'batch_actions', 'action_definitions', 'namespace_names']


@dataclass(frozen=True)
class Resolved:
    """What an action name stands for."""

    kind: StepKind
    function: Any
    target: Any = None


def batch_actions(batch_class: type | None) -> dict:
    """``@action`` methods of ``batch_class``, or of every ``Batch`` subclass when None."""
    if batch_class is not None:
        return batch_class.actions()
    found = dict(Batch.actions())
    stack = list(Batch.__subclasses__())
    while stack:
        cls = stack.pop()
        for name, fn in cls.actions().items():
            found.setdefault(name, fn)
        stack.extend(cls.__subclasses__())
    return found


def action_definitions(name: str) -> list:
    """Every distinct ``@action`` called ``name`` among the ``Batch`` subclasses (for a template's steps)."""
    found, stack = [], [Batch]
    while stack:
        cls = stack.pop()
        fn = cls.actions().get(name)
        if fn is not None and fn not in found:
            found.append(fn)
        stack.extend(cls.__subclasses__())
    return found


def _namespace_callables(namespaces) -> dict:
    found = {}
    for namespace in (*namespaces, sys.modules.get('__main__')):
        if namespace is None:
            continue
        for name in dir(namespace):
            if name.startswith('_') or name in found:
                continue
            value = getattr(namespace, name, None)
            if callable(value) and not isinstance(value, type):
                found[name] = value
    return found


def namespace_names(namespaces) -> list[str]:
    """Callable names visible through ``namespaces`` and ``__main__``."""
    return sorted(_namespace_callables(namespaces))


def resolve_action(name: str, *, batch_class: type | None, namespaces=(), dataset=None) -> Resolved:
    """Resolve ``name`` or raise :class:`UnknownActionError` with close matches."""
    if name in API_ACTIONS:
        return Resolved(StepKind.API, API_ACTIONS[name])
    actions = batch_actions(batch_class)
    if name in actions:
        return Resolved(StepKind.ACTION, actions[name])
    functions = _namespace_callables(namespaces)
    if name in functions:
        return Resolved(StepKind.FUNCTION, functions[name], functions[name])
    method = getattr(dataset, name, None) if dataset is not None and not name.startswith('_') else None
    if callable(method):
        return Resolved(StepKind.DATASET, method)
    where = batch_class.__name__ if batch_class is not None else 'any Batch class'
    candidates = [*API_ACTIONS, *actions, *functions]
    raise UnknownActionError(
        f"Unknown action {name!r}: it is not a pipeline action, an @action of {where}, "
        f"or a function in the pipeline's namespaces." + suggestion_text(name, candidates)
        + ' Define it with @action in your Batch class, or register its module with .add_namespace(...).',
        name=name, suggestions=did_you_mean(name, candidates))
