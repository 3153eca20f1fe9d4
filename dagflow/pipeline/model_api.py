"""The model actions of a pipeline: init, train, predict, load, save, import.

Each run-time function has the ``(ctx, *args, **kwargs)`` form of the other
API actions (:mod:`dagflow.pipeline.api`).  :func:`prepare_model_step` runs
when such a step is *recorded*: it puts the arguments in their canonical
order, checks them, and declares ``init_model`` models (a static one is
created right there).
"""
from __future__ import annotations

from collections.abc import Mapping

from ..core import ActionSpec, Assigns, UsesModel, register_action
from ..exceptions import ExpressionError, ModelError
from ..expr import NO_DEFAULT, Context, evaluate, is_expression, normalize_mode, walk
from ..expr.signatures import signature_fact
from ..models import BaseModel, Models, ModelSpec, store
from ..models.store import create_model, default_model_name, model_class_of, model_from_source, parse_model_args
from .saving import save_results

__all__ = ['MODEL_ACTIONS', 'prepare_model_step', 'model_from_source', 'load_model_into']


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
    given = _one_spelling(kwargs, label)
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


def _one_spelling(kwargs, label: str, name=None) -> list:
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


def prepare_model_step(pipeline, name: str, args: tuple, kwargs: dict, where: str = '',
                       source: str | None = None) -> tuple[tuple, dict]:
    """Check a model step's arguments when it is recorded; return them in canonical form.

    ``init_model`` is declared here (a static model is created now, its config
    evaluated against ``pipeline``).
    """
    if name in ('init_model', 'load_model'):
        given = {k: kwargs[k] for k in ('name', 'model_class', 'mode', 'config') if k in kwargs}
        rest = {k: v for k, v in kwargs.items() if k not in given}
        imported = rest.pop('source', None) if name == 'init_model' else None
        try:
            model_name, model_class, mode, config = parse_model_args(name, args, given,
                                                                     class_required=imported is None)
            model_name = model_name or default_model_name(model_class, name)
        except ModelError as exc:
            raise type(exc)(f'{exc}{where}', **exc.data) from None
        if name == 'load_model':
            return (model_name, model_class, mode), ({'config': config} if config is not None else {}) | rest
        if rest:
            raise ModelError(f'init_model({model_name!r}){where}: unexpected arguments {sorted(rest)}; '
                             f"put model options into config={{...}}.", name=model_name)
        if imported is not None:
            return _declare_import(pipeline, model_name, model_class, mode, config, imported, where, source)
        if mode == 'static' and is_expression(model_class):  # created now: the class is fixed now
            model_class = _static_class(pipeline, model_name, model_class, where)
        _declare(pipeline, ModelSpec(model_name, model_class, mode, config, source), where)
        return (model_name, model_class, mode), ({'config': config} if config is not None else {})
    model_name = args[0] if args else kwargs.get('name')
    if not (isinstance(model_name, str) and model_name) and not is_expression(model_name):
        raise ModelError(f'{name}{where}: the first argument must be a model name (a str), got {model_name!r}.',
                         value=model_name)
    label = f'{name}({model_name!r}){where}'
    if name in ('train_model', 'predict_model'):
        _check_call_step(label, model_name, args, kwargs)
    elif name == 'import_model':
        imported = args[1] if len(args) > 1 else kwargs.get('source')
        if isinstance(getattr(imported, 'models', None), Models):
            _check_source(model_name, imported, label)
    return args, kwargs


def _loads_model(pipeline, name) -> bool:
    """Whether ``pipeline`` has a load_model/import_model step that will define ``name`` when it runs."""
    return any(step.name in ('load_model', 'import_model') and (step.args[:1] or (None,))[0] == name
               for section in ('before', 'main', 'after') for step in pipeline.steps(section))


def _check_call_step(label, model_name, args, kwargs):
    _one_spelling(kwargs, label, model_name)
    extra = [*args[1:], *(k for k in kwargs if k not in ('name', 'make_data', 'save_to', 'mode', 'use_lock'))]
    if kwargs.get('make_data') is not None and extra:
        raise ModelError(f'{label}: give either make_data or arguments for the model, not both '
                         f'(make_data(batch, model) returns all the arguments).', name=model_name)
    try:
        normalize_mode(kwargs.get('mode', 'w'))
    except ExpressionError as exc:
        raise ModelError(f'{label}: {exc}', name=model_name, value=kwargs.get('mode')) from None


def _declare(pipeline, spec: ModelSpec, where: str):
    try:
        pipeline.models.declare(spec, _context(pipeline))
    except ModelError as exc:
        raise type(exc)(f'init_model({spec.name!r}){where}: {exc}', **{**exc.data, 'name': spec.name}) from None


def _context(pipeline) -> Context:
    return Context(pipeline=pipeline, dataset=pipeline.dataset)


def _static_class(pipeline, name, model_class, where: str) -> type:
    """The class a static model's class expression gives now, against the pipeline's config and variables.

    A config key it reads must be in the config already: the model is created
    when ``init_model`` is recorded, so the error says to give the config first
    (not "before the run", which is too late).
    """
    try:
        return model_class_of(ModelSpec(name, model_class, 'static'), _context(pipeline))
    except ModelError as exc:
        config = pipeline.config if pipeline.config is not None else {}
        missing = [leaf.name for leaf in walk(model_class) if getattr(leaf, 'kind', None) == 'C' and leaf.name
                   and leaf.default is NO_DEFAULT and leaf.name not in config]
        if not isinstance(exc.__cause__, KeyError) or not missing:
            raise ModelError(f'init_model({name!r}){where}: {exc}', name=name) from None
        key = missing[0]
        raise ModelError(f"init_model({name!r}){where}: static model {name!r} takes its class from {model_class!r}, "
                         f'but the config has no {key!r} yet. A static model is created when init_model is recorded, '
                         f'so its class is read then: give the config first (Pipeline(config={{{key!r}: MyModel}}) '
                         f'or (pipeline << {{{key!r}: MyModel}}) before init_model), give a default '
                         f"(C({key!r}, default=MyModel)), or use mode='dynamic' to read the class when the model is "
                         f'first used.', name=name) from None


def _declare_import(pipeline, name, model_class, mode, config, imported, where, source):
    """``init_model(name, source=...)``: the model is imported (a static one now) instead of created."""
    if model_class is not None or config is not None:
        given = 'a model class' if model_class is not None else 'a config'
        raise ModelError(f'init_model({name!r}){where}: give either source= (import an existing model) or '
                         f'{given} (create one), not both.', name=name)
    if not is_expression(imported):
        _check_source(name, imported, f'init_model({name!r}){where}')
    _declare(pipeline, ModelSpec(name, None, mode, None, source, imported=imported), where)
    return (name, None, mode), {'source': imported}


def _check_source(model_name, source, label: str):
    """A source pipeline must have (or load) the model; anything else must look like a model object."""
    models = store.source_models(model_name, source, label)
    if models is not None and isinstance(model_name, str) and not models.has(model_name) \
            and not _loads_model(source, model_name):
        raise models.unknown(model_name, where=f' in the source pipeline of {label}')
