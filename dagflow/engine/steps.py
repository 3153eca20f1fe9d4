"""Execute one step on one batch.  Every scheduler runs steps through :func:`run_step`."""
from __future__ import annotations

from dataclasses import replace

from ..core import Step, StepKind
from ..exceptions import StepArgumentError, UnknownActionError, suggestion_text
from ..expr import Context, evaluate
from ..runtime.api import API_ACTIONS, Joined, save_results

__all__ = ['run_step', 'with_batch']

_CALL_OPTIONS = ('save_to', 'mode')


def with_batch(ctx: Context, batch) -> Context:
    """The context for ``batch``; the batch keeps it (without itself) so its actions can reach the pipeline.

    The batch holds the context *detached* (``batch=None``): a batch pointing at a
    context pointing back at the batch is a reference cycle, which would keep every
    processed batch in memory until the garbage collector's next full pass.
    """
    if batch is not None and batch is not ctx.batch:
        ctx = replace(ctx, batch=batch)
    if batch is not None:
        own = getattr(batch, 'context', None)
        if own is None or own.pipeline is not ctx.pipeline or own.random is not ctx.random \
                or own.iteration is not ctx.iteration or own.dataset is not ctx.dataset:
            batch.context = replace(ctx, batch=None)
    return ctx


def run_step(step: Step, ctx: Context, joined: tuple = ()):
    """Run ``step`` in ``ctx``; return the batch that flows on, or a :class:`Joined`."""
    kind = step.kind
    if kind is StepKind.API:
        return API_ACTIONS[step.name](ctx, *step.args, **step.kwargs)
    if kind is StepKind.ACTION:
        return _run_action(step, ctx, joined)
    if kind is StepKind.SUB:
        probability, steps = step.target
        if ctx.random.random() < evaluate(probability, ctx):
            for sub in steps:
                result = run_step(sub, ctx)
                ctx = with_batch(ctx, result)
        return ctx.batch
    fn = step.target if kind is StepKind.FUNCTION else _dataset_method(step, ctx)
    kwargs = {k: v for k, v in step.kwargs.items() if k not in _CALL_OPTIONS}
    result = fn(*joined, *evaluate(step.args, ctx), **evaluate(kwargs, ctx))
    save_results(result, step.kwargs.get('save_to'), step.kwargs.get('mode', 'w'), ctx, step=step.name)
    return ctx.batch


def _run_action(step: Step, ctx: Context, joined: tuple):
    batch = ctx.batch
    method = getattr(type(batch), step.name, None)
    if method is None:
        raise UnknownActionError(
            f'{type(batch).__name__} has no action {step.name!r}.'
            + suggestion_text(step.name, type(batch).actions()), name=step.name)
    result = method(batch, *joined, *evaluate(step.args, ctx), **evaluate(step.kwargs, ctx))
    if result is None or isinstance(result, Joined) or not hasattr(result, 'indices'):
        raise StepArgumentError(
            f'Action {step.name!r} returned {type(result).__name__} instead of a batch; '
            f'end it with `return self` (or return a new batch).', step=step.name)
    return result


def _dataset_method(step: Step, ctx: Context):
    dataset = ctx.dataset if ctx.dataset is not None else getattr(ctx.pipeline, 'dataset', None)
    fn = getattr(dataset, step.name, None)
    if fn is None:
        raise UnknownActionError(f'The dataset has no method {step.name!r}.', name=step.name)
    return fn
