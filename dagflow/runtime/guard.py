"""The running step, so state reached outside a step's arguments can be checked against its effects.

The engine sets :data:`RUNNING` around every step.  ``Pipeline.get_variable``,
``set_variable`` and ``get_model_by_name`` ask :func:`check_access` whether the
step may touch the resource: the plan orders a step only against the state it
is known to touch (from its arguments, its ``@action`` declaration and what
dagflow learnt from its code), so anything else would be a silent race under
``prefetch``.  Such an access fails on every scheduler, with the declaration
that fixes it.

Examples
--------
>>> VAR = ResourceKind.VARIABLE
>>> token = RUNNING.set(StepGuard(pipeline='p', label="main[0] 'log'", allowed=frozenset({Resource(VAR, 'n')})))
>>> check_access('p', VAR, 'n') is not None
True
>>> check_access('p', VAR, 'history')  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
dagflow.exceptions.UndeclaredEffectError: main[0] 'log' used variable 'history', which dagflow did not see it use...
>>> RUNNING.reset(token)
"""
from __future__ import annotations

import contextvars
import weakref
from dataclasses import dataclass

from ..core import WILDCARD, Resource, ResourceKind
from ..exceptions import ModelError, UndeclaredEffectError

__all__ = ['StepGuard', 'RUNNING', 'check_access', 'config_guard']


@dataclass(frozen=True)
class StepGuard:
    """The step running in this thread: its pipeline, its label, the resources it may touch, its batch."""

    pipeline: object
    label: str
    allowed: frozenset
    batch: object = None


RUNNING: contextvars.ContextVar[StepGuard | None] = contextvars.ContextVar('dagflow_running_step', default=None)
"""The :class:`StepGuard` of the step running in the current thread, or None outside steps."""

def config_guard(pipeline):
    """The ``Config._on_write`` hook of ``pipeline``: a write to its config is checked like a variable's.

    Examples
    --------
    A write from a step that did not declare the key raises
    :class:`~dagflow.exceptions.UndeclaredEffectError`; outside a run every
    write is free:

    >>> from dagflow import Pipeline
    >>> p = Pipeline(config={'lr': 0.1})            # a pipeline sets the hook on its own config
    >>> p.config['lr'] = 0.2
    >>> p.config['lr']
    0.2
    """
    ref = weakref.ref(pipeline)

    def on_write(key):
        owner = ref()
        if owner is not None:
            check_access(owner, ResourceKind.CONFIG, key)
    return on_write


def check_access(pipeline, kind: ResourceKind, name: str) -> StepGuard | None:
    """Return the running step's guard if it may touch the resource ``kind:name`` of ``pipeline``; raise if not.

    Returns None when no step of ``pipeline`` is running (calls from user code
    between runs are free).  Allowed are the step's resources, the wildcard of
    the kind (``var:*``) and, for the config, the keys below a declared one.
    """
    guard = RUNNING.get()
    if guard is None or guard.pipeline is not pipeline:
        return None
    allowed = guard.allowed
    if (kind, name) in allowed or (kind, WILDCARD) in allowed:   # a Resource is a tuple: a plain one finds it
        return guard
    if kind is ResourceKind.CONFIG and any(other.kind is kind and str(name).startswith(other.name + '/')
                                           for other in allowed):
        return guard   # a write below a declared config key ('config:model' covers 'model/lr')
    resource = Resource(kind, name)
    error = ModelError if kind is ResourceKind.MODEL else UndeclaredEffectError
    alternative = f', or pass V({name!r}) to the step as an argument' if kind is ResourceKind.VARIABLE else ''
    raise error(f'{guard.label} used {kind.what} {name!r}, which dagflow did not see it use, so the '
                f'plan cannot order the step against the other steps that use it. Declare it on the action: '
                f"@action(writes='{resource}'){alternative}.", name=name, resource=str(resource), step=guard.label)
