"""The run-time bodies of the model actions: init, train, predict, load, save, import.

Each has the ``(ctx, *args, **kwargs)`` form of the other API actions
(:mod:`dagflow.runtime.api`) and is registered as an
:class:`~dagflow.core.ActionSpec` with its effects.  What happens when such a
step is *recorded* (canonical arguments, checks, declaring ``init_model``
models) is :func:`dagflow.pipeline.model_steps.prepare_model_step`.
"""
from __future__ import annotations

from collections.abc import Mapping

from ..core import ActionSpec, Assigns, UsesModel, register_action
from ..exceptions import ModelError
from ..expr import evaluate
from ..expr.signatures import signature_fact
from ..models import BaseModel, Models, ModelSpec
from ..models.store import create_model, model_class_of, model_from_source
from .saving import save_results

__all__ = ['MODEL_ACTIONS', 'load_model_into', 'model_from_source', 'outputs_spelling', 'one_spelling']


def init_model(ctx, name, model_class=None, mode='dynamic', config=None, source=None):
    """Declare a model (done when the step is recorded; nothing is left to do at run time).

    A static model was created (or imported from ``source``) when
    ``init_model`` was recorded; a dynamic one is created (or imported) by the
    first step that uses it.
    """
    return ctx.batch


def train_model(ctx, name, *args, make_data=None, save_to=None, mode='w', use_lock=True, **kwargs):
    """Call ``model.train`` with evaluated arguments (or ``make_data(batch, model)``); keep the output."""
    return _call_model(ctx, 'train', name, args, kwargs, make_data, save_to, mode)


def predict_model(ctx, name, *args, make_data=None, save_to=None, mode='w', use_lock=True, **kwargs):
    """Call ``model.predict`` with evaluated arguments (or ``make_data(batch, model)``); keep the output."""
    return _call_model(ctx, 'predict', name, args, kwargs, make_data, save_to, mode)


def _call_model(ctx, method, name, args, kwargs, make_data, save_to, mode):
    name = evaluate(name, ctx)
    label = f'{method}_model({name!r})'
    model = ctx.pipeline.models.get(name, ctx, where=f' (used by {label})')
    call = getattr(model, method)
    if make_data is not None:
        data = evaluate(make_data, ctx)(ctx.batch, model)
        if not isinstance(data, Mapping):
            raise ModelError(f'{label}: make_data must return a dict of arguments for model.{method}(...), '
                             f'got {type(data).__name__}: {data!r:.80}.', name=name)
        result = call(**outputs_spelling(call, dict(data), label))
    else:
        result = call(*evaluate(args, ctx), **outputs_spelling(call, evaluate(kwargs, ctx), label))
    save_results(result, save_to, mode, ctx, step=label)
    return ctx.batch


#: The two spellings of "what the model should return": the guide's ``fetches``, BatchFlow 0.10.1's ``outputs``.
OUTPUTS_SPELLINGS = ('fetches', 'outputs')


def outputs_spelling(call, kwargs: dict, label: str) -> dict:
    """``kwargs`` with ``fetches=``/``outputs=`` renamed to the spelling ``call`` takes.

    BatchFlow's guide writes ``fetches=`` and its 0.10.1 TorchModel takes
    ``outputs=``; a model that takes only one of them gets the other renamed.
    Both at once is an error.

    Examples
    --------
    >>> def train(x, fetches='loss'):
    ...     return fetches
    >>> outputs_spelling(train, {'outputs': 'labels'}, 'train_model')
    {'fetches': 'labels'}
    """
    given = one_spelling(kwargs, label)
    if not given:
        return kwargs
    taken = _parameters(call)
    if taken is None or given[0] in taken:
        return kwargs
    other = OUTPUTS_SPELLINGS[1 - OUTPUTS_SPELLINGS.index(given[0])]
    if other in taken:
        kwargs = dict(kwargs)
        kwargs[other] = kwargs.pop(given[0])
    return kwargs


def one_spelling(kwargs, label: str, name=None) -> list:
    """Which of ``fetches``/``outputs`` ``kwargs`` has; both is a :class:`ModelError` naming both."""
    given = [key for key in OUTPUTS_SPELLINGS if key in kwargs]
    if len(given) > 1:
        raise ModelError(f"{label}: give either fetches= or outputs= (two spellings of the same argument), not "
                         f"both: fetches={kwargs['fetches']!r}, outputs={kwargs['outputs']!r}.", name=name)
    return given


def _parameters(call) -> frozenset | None:
    """The keyword names ``call`` takes (None: any, it has ``**kwargs`` or no signature)."""
    return signature_fact(call, _keyword_names)


def _keyword_names(signature) -> frozenset | None:
    if signature is None:
        return None
    parameters = signature.parameters.values()
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        return None
    return frozenset(p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))


def load_model(ctx, name, model_class, mode='dynamic', config=None, **kwargs):
    """Create the model ``name`` by loading it: ``model.load(**kwargs)`` with evaluated ``kwargs``.

    A model class given as a named expression (``C('model_class')``) is evaluated here.
    """
    load_model_into(ctx.pipeline.models, name, model_class, mode, evaluate(kwargs, ctx), ctx,
                    config=evaluate(config, ctx))
    return ctx.batch


def save_model(ctx, name, *args, **kwargs):
    """Call ``model.save`` with evaluated arguments."""
    name = evaluate(name, ctx)
    model = ctx.pipeline.models.get(name, ctx, where=f' (used by save_model({name!r}))')
    model.save(*evaluate(args, ctx), **evaluate(kwargs, ctx))
    return ctx.batch


def import_model(ctx, name, source):
    """Put the model ``name`` of ``source`` (a pipeline, or a model object) into this pipeline."""
    name = evaluate(name, ctx)
    ctx.pipeline.models.put(name, model_from_source(name, evaluate(source, ctx)))
    return ctx.batch


_SAVES, _USES = Assigns('save_to'), UsesModel('name')
MODEL_ACTIONS = {spec.name: register_action(spec).body for spec in (
    ActionSpec('init_model', init_model, effects=(_USES,), defines_model=True, sections=('before',)),
    ActionSpec('train_model', train_model, effects=(_SAVES, _USES)),
    ActionSpec('predict_model', predict_model, effects=(_SAVES, _USES)),
    ActionSpec('load_model', load_model, effects=(_USES,), defines_model=True),
    ActionSpec('save_model', save_model, effects=(_USES,)),
    ActionSpec('import_model', import_model, effects=(_USES,), defines_model=True),
)}
"""Name -> body of the model actions, registered as :class:`~dagflow.core.ActionSpec` s."""


def load_model_into(models: Models, name, model_class, mode, kwargs: dict, context, config=None):
    """Create ``model_class`` for ``name`` by loading it with ``kwargs``; store and return it.

    A :class:`BaseModel` gets ``{'build': False, **config, 'load': kwargs}`` as
    its config (so its constructor loads it; ``config`` may set ``build``);
    any other class is constructed with that config and then
    ``model.load(**kwargs)`` is called.  A class given as a named expression
    is evaluated in ``context``.
    """
    model_class = model_class_of(ModelSpec(name, model_class, mode), context)
    spec = ModelSpec(name, model_class, mode, {'build': False, **dict(config or {}), 'load': dict(kwargs)})
    model = create_model(spec, context, config=spec.config)
    if not isinstance(model, BaseModel):
        model.load(**kwargs)
    models.put(name, model, spec)
    return model
