"""Recording the model steps: canonical arguments, checks, and declaring ``init_model`` models.

:func:`prepare_model_step` runs when a model step is *recorded*: it puts the
arguments in their canonical order, checks them, and declares ``init_model``
models (a static one is created right there).  The steps' run-time bodies are
in :mod:`dagflow.runtime.model_actions`.
"""
from __future__ import annotations

from ..exceptions import ExpressionError, ModelError
from ..expr import NO_DEFAULT, Context, is_expression, normalize_mode, walk
from ..models import Models, ModelSpec, store
from ..models.store import default_model_name, model_class_of, parse_model_args
from ..runtime.model_actions import one_spelling

__all__ = ['prepare_model_step']


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
    one_spelling(kwargs, label, model_name)
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
