"""The run-time bodies of the pipeline API actions: the steps a pipeline provides itself.

Each action is a function ``(ctx, *args, **kwargs)`` whose signature is also
the one the builder checks arguments against when the step is recorded.  It
receives its arguments unevaluated and evaluates what it needs with
:func:`dagflow.expr.evaluate`; it returns the batch that flows on (or a
:class:`Joined` wrapper for ``join``).
"""
from __future__ import annotations

import builtins
import inspect
from dataclasses import dataclass
from typing import Any

from ..core import ActionSpec, Assigns, ResourceKind, Writes, register_action
from ..exceptions import StepArgumentError
from ..expr import assign, evaluate, normalize_mode
from .model_actions import MODEL_ACTIONS
from .saving import save_results

__all__ = ['API_ACTIONS', 'Joined', 'save_results', 'bind_arguments']


@dataclass
class Joined:
    """A batch plus the batches ``join`` fetched for the next action."""

    batch: Any
    joined: tuple


def update(ctx, target, value=None, mode='w'):
    """Evaluate ``value`` and assign it to ``target`` (a ``B``, ``V`` or ``C``) with ``mode``."""
    assign(target, evaluate(value, ctx), ctx, mode=normalize_mode(mode) if mode != 'w' else None)
    return ctx.batch


def update_variable(ctx, name, value=None, mode='w'):
    """Evaluate ``value`` and store it in the variable ``name`` with ``mode``."""
    ctx.pipeline.set_variable(name, evaluate(value, ctx), mode=mode)
    return ctx.batch


def print_(ctx, *args, **kwargs):
    """Evaluate the arguments and print them."""
    builtins.print(*evaluate(args, ctx), **evaluate(kwargs, ctx))
    return ctx.batch


def call(ctx, fn, *args, save_to=None, mode='w', **kwargs):
    """Call ``fn(*args, **kwargs)`` with evaluated arguments; store the result in ``save_to``."""
    fn = evaluate(fn, ctx)
    result = fn(*evaluate(args, ctx), **evaluate(kwargs, ctx))
    save_results(result, save_to, mode, ctx, step='call')
    return ctx.batch


def init_lock(ctx, name):
    """Create the lock ``name`` (at run time; usually recorded once in ``before``)."""
    ctx.pipeline.locks.create(name)
    return ctx.batch


def acquire_lock(ctx, name):
    """Acquire the lock ``name`` (creating it when missing)."""
    ctx.pipeline.locks.acquire(name)
    return ctx.batch


def release_lock(ctx, name):
    """Release the lock ``name``."""
    ctx.pipeline.locks.release(name)
    return ctx.batch


def join(ctx, *sources):
    """Fetch one batch from each source and pass them in front of the next action's arguments."""
    return Joined(ctx.batch, tuple(_next_from(source, ctx.batch, 'join') for source in sources))


def merge(ctx, *sources, batch_size=None):
    """Merge the batch with the next batch of each source (``batch_class.merge``)."""
    batches = [ctx.batch, *(_next_from(source, ctx.batch, 'merge') for source in sources)]
    merged, _ = type(ctx.batch).merge(batches, batch_size=batch_size)
    return merged


def rebatch(ctx, batch_size, components=None):
    """Re-cut the stream of batches into batches of ``batch_size`` items.

    The engine implements it (it changes how many batches flow); this function
    only states the signature.
    """
    raise NotImplementedError('rebatch is executed by the engine')  # pragma: no cover


def _next_from(source, batch, step: str):
    """The next batch of a pipeline, or the same items from a dataset (for the ``join``/``merge`` ``step``)."""
    if hasattr(source, 'next_batch') and hasattr(source, 'compile'):
        return source._next_batch_for(step)
    if hasattr(source, 'create_batch'):
        return source.create_batch(batch.index)
    raise StepArgumentError(f'Cannot join or merge {source!r}: expected a Pipeline or a Dataset.',
                            value=source)


_LOCK = Writes(ResourceKind.LOCK, argument='name')
_SPECS = [register_action(spec) for spec in (
    ActionSpec('update', update, effects=(Assigns('target'),)),
    ActionSpec('save_to', update, effects=(Assigns('target'),)),
    ActionSpec('update_variable', update_variable, effects=(Writes(ResourceKind.VARIABLE, argument='name'),)),
    ActionSpec('print', print_, effects=(Writes(ResourceKind.IO, 'stdout'),)),
    ActionSpec('call', call, effects=(Assigns('save_to'),)),
    ActionSpec('init_lock', init_lock, effects=(_LOCK,)),
    ActionSpec('acquire_lock', acquire_lock, effects=(_LOCK,)),
    ActionSpec('release_lock', release_lock, effects=(_LOCK,)),
    ActionSpec('join', join, effects=(Writes(ResourceKind.SOURCE, 'join'),), hands_batches=True),
    ActionSpec('merge', merge, effects=(Writes(ResourceKind.SOURCE, 'merge'),)),
    ActionSpec('rebatch', rebatch, effects=(Writes(ResourceKind.STREAM, 'rebatch'),), splits_stream=True,
               sections=('main',)),
)]

API_ACTIONS = {**{spec.name: spec.body for spec in _SPECS}, **MODEL_ACTIONS}
"""Name -> body of every pipeline API action (the ``body`` of its :class:`~dagflow.core.ActionSpec`)."""

_SIGNATURES = {name: inspect.signature(fn) for name, fn in API_ACTIONS.items()}


def bind_arguments(name: str, fn, args: tuple, kwargs: dict, *, leading: int = 0, where: str = '',
                   joined: int = 0, source: str | None = None):
    """Check that ``fn`` accepts ``args``/``kwargs``; raise :class:`StepArgumentError` naming the step.

    ``leading`` placeholders stand for ``self``/``ctx`` and the ``joined``
    batches (the last ``joined`` of them), which come before ``args``;
    ``source`` (the step's ``file:line``) goes into the error's ``source``.
    """
    try:
        signature = _SIGNATURES.get(name) if fn is API_ACTIONS.get(name) else inspect.signature(fn)
    except (TypeError, ValueError):  # builtins without a signature
        return
    try:
        signature.bind(*([None] * leading), *args, **kwargs)
    except TypeError as exc:
        shown = leading - joined   # the joined batches are the user's parameters: show them
        note = (f' After join, the action gets the {joined} joined batch(es) first, before these arguments: '
                f'give it a parameter for each.' if joined else '')
        raise StepArgumentError(
            f"Action {name!r}{where} cannot take these arguments: {exc}. "
            f"Its signature is {name}{_public_signature(signature, shown)}.{note}", step=name, source=source) from None


def _public_signature(signature, leading):
    params = list(signature.parameters.values())[leading:]
    return str(signature.replace(parameters=params))
