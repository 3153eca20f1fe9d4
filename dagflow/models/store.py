"""A pipeline's models: how each is made (static or dynamic), and the instances.

A *static* model is created when ``init_model`` is recorded, from a config
evaluated against the pipeline (``C``, ``V``, ``F`` without a batch).  A
*dynamic* model is created by the first step that uses it, from a config
evaluated against that step's batch.  The model class may be a named
expression too (``C('model_class')``), evaluated when the model is created,
and a model may be imported instead of created (``init_model('m',
source=train_pipeline)``).  Imported and loaded models are instances put
into the store directly.

Examples
--------
>>> from dagflow.models import BaseModel
>>> from dagflow.expr import Context
>>> class Tiny(BaseModel):
...     pass
>>> models = Models()
>>> models.declare(ModelSpec('m', Tiny, 'dynamic', {'size': 3}), Context())
>>> models.created('m')
False
>>> models.get('m', Context()).config['size']
3
"""
from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..exceptions import ModelError, UnknownModelError, did_you_mean, suggestion_text
from ..expr import evaluate, is_expression, walk

__all__ = ['MODES', 'ModelSpec', 'Models', 'parse_model_args', 'check_mode', 'create_model',
           'default_model_name', 'model_class_of', 'model_from_source', 'source_models']

MODES = ('static', 'dynamic')
"""The ways a model can be defined in a pipeline."""

_ARG_NAMES = ('name', 'model_class', 'mode', 'config')


@dataclass(frozen=True)
class ModelSpec:
    """How a pipeline makes one model.

    Parameters
    ----------
    name : str
        The model's name in the pipeline.
    model_class : type or named expression
        Constructed as ``model_class(config)``; an expression (``C('model_class')``)
        is evaluated when the model is created.  None for an imported model.
    mode : {'static', 'dynamic'}
        When the model is created (see the module docstring).
    config : mapping, optional
        The config as written (named expressions unevaluated for a dynamic model).
    source : str, optional
        Where the user declared the model (``file:line``).
    imported : object, optional
        What the model is imported from instead of being created: a pipeline
        that has a model of this name, a model object, or a named expression
        that gives one (``init_model('m', source=...)``).
    """

    name: str
    model_class: Any
    mode: str = 'dynamic'
    config: Any = None
    source: str | None = None
    imported: Any = None

    @property
    def deferred(self) -> tuple:
        """What is evaluated when the model is created: the class, the config and the import source.

        The step that creates a dynamic model reads what these read (``C``, ``V``).
        """
        return self.model_class, self.config, self.imported

    def describe(self) -> str:
        """A one-line summary: ``m (dynamic MyModel)``, ``m (dynamic C('model_class'))``."""
        if self.imported is not None:
            what = f'imported from {_short(self.imported)}'
        else:
            what = getattr(self.model_class, '__name__', None) or repr(self.model_class)
        return f'{self.name} ({self.mode} {what})'


def _short(value) -> str:
    return repr(value) if is_expression(value) else type(value).__name__


def check_mode(mode, action: str, name=None) -> str:
    """Return ``mode`` if it is ``'static'`` or ``'dynamic'``; else raise :class:`ModelError`.

    Examples
    --------
    >>> check_mode('statc', 'init_model', 'm')  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dagflow.exceptions.ModelError: init_model('m'): unknown mode 'statc'; use 'static' or 'dynamic'. Did you mean...
    """
    if isinstance(mode, str) and mode in MODES:
        return mode
    label = f'{action}({name!r})' if name is not None else action
    hint = suggestion_text(mode, MODES) if isinstance(mode, str) else ''
    raise ModelError(f"{label}: unknown mode {mode!r}; use 'static' or 'dynamic'.{hint}", name=name, value=mode)


def parse_model_args(action: str, args: tuple, kwargs: dict, class_required: bool = True) \
        -> tuple[str | None, Any, str, Any]:
    """Sort ``init_model``/``load_model`` arguments given in any unambiguous order.

    The canonical order is ``(name, model_class, mode='dynamic', config=None)``;
    BatchFlow's ``(mode, model_class, name, config)`` and the guide's
    ``(name, mode, model_class)`` are accepted too: the class is the class, a
    ``'static'``/``'dynamic'`` string is the mode, another string is the name
    and a mapping is the config.  A named expression is the model class
    (``C('model_class')``; a second one is the config).  Without a class, the
    config's ``'model_class'`` entry is the class (taken out of the config),
    as BatchFlow documents.

    Parameters
    ----------
    action : str
        The action, for messages.
    args, kwargs : tuple, dict
        What the user gave (``kwargs`` only ``name``, ``model_class``, ``mode``, ``config``).
    class_required : bool
        False when the model is imported (``init_model(name, source=...)``): no class then.

    Returns
    -------
    name, model_class, mode, config
        ``name`` is None when not given (the caller uses :func:`default_model_name`).

    Examples
    --------
    >>> from dagflow.expr import C
    >>> class M: pass
    >>> parse_model_args('init_model', ('static', M, 'my_model'), {})[::2]
    ('my_model', 'static')
    >>> parse_model_args('init_model', ('m', 'static', M), {'config': {'a': 1}})[::2]
    ('m', 'static')
    >>> parse_model_args('init_model', ('m', C('model_class', default=M)), {})[1]
    C('model_class', default=<class 'dagflow.models.store.M'>)
    >>> parse_model_args('init_model', ('m',), {'config': {'model_class': M, 'size': 2}})[1::2]
    (<class 'dagflow.models.store.M'>, {'size': 2})
    """
    found = {key: kwargs[key] for key in _ARG_NAMES if key in kwargs}
    for value in args:
        slot = _slot_of(value)
        if slot == 'expression':
            slot = 'config' if 'model_class' in found else 'model_class'
        if slot == 'name' and 'name' in found and did_you_mean(value, MODES):
            slot = 'mode'  # a misspelt mode, not a second name
        if slot is None:
            if 'model_class' in found:
                raise ModelError(f'{action}: cannot tell what {value!r} is; pass the model class (a class), the '
                                 f"mode ('static' or 'dynamic'), a name (str) and a config (dict).", value=value)
            slot = 'model_class'  # refused below with a message about classes
        if slot == 'name' and 'name' in found and not any(isinstance(v, type) for v in args):
            raise ModelError(f'{action}({found["name"]!r}): the model class must be a class, got the string '
                             f'{value!r}; pass the class itself (import it), not its name.', value=value)
        if slot in found:
            raise ModelError(f'{action}: two values for {slot}: {found[slot]!r} and {value!r}. The canonical form '
                             f"is {action}(name, model_class, mode='dynamic', config=None).", value=value)
        found[slot] = value
    name = found.get('name')
    config = found.get('config')
    if config is not None and not isinstance(config, Mapping) and not is_expression(config):
        raise ModelError(f'{action}({name!r}): config must be a dict or a Config, got {config!r}.',
                         name=name, value=config)
    model_class = found.get('model_class')
    if model_class is None and isinstance(config, Mapping) and 'model_class' in config:
        config = dict(config)
        model_class = config.pop('model_class')
    if model_class is None and class_required:
        raise ModelError(f'{action}({name!r}): a model class is required, e.g. '
                         f"{action}({name or 'model'!r}, MyModel, 'dynamic') (or config={{'model_class': MyModel}}).",
                         name=name)
    if model_class is not None and not isinstance(model_class, type) and not is_expression(model_class):
        raise ModelError(f'{action}({name!r}): the model class must be a class, got {model_class!r} '
                         f'({type(model_class).__name__}). To use an existing model object, use '
                         f'import_model({name or "name"!r}, model) or init_model({name or "name"!r}, source=model).',
                         name=name, value=model_class)
    if name is not None and not (isinstance(name, str) and name):
        raise ModelError(f'{action}: a model name must be a non-empty str, got {name!r}.', value=name)
    mode = check_mode(found.get('mode', 'dynamic'), action, name)
    return name, model_class, mode, config


def default_model_name(model_class, action: str = 'init_model') -> str:
    """The name a model gets when none is given: ``model_class.default_name``, else the class name.

    A class given as a named expression has no name before it is evaluated:
    then the name must be given.

    Examples
    --------
    >>> class Net: pass
    >>> default_model_name(Net)
    'Net'
    >>> from dagflow.expr import C
    >>> default_model_name(C('model_class'))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dagflow.exceptions.ModelError: init_model: the model class is the named expression C('model_class'), ...
    """
    if is_expression(model_class):
        raise ModelError(f'{action}: the model class is the named expression {model_class!r}, which has no name '
                         f"until it is evaluated; name the model: {action}('my_model', {model_class!r}, ...).",
                         value=model_class)
    default = getattr(model_class, 'default_name', None)
    return default if isinstance(default, str) else model_class.__name__


def _slot_of(value):
    if isinstance(value, type):
        return 'model_class'
    if is_expression(value):
        return 'expression'
    if isinstance(value, str):
        return 'mode' if value in MODES else 'name'
    if isinstance(value, Mapping):
        return 'config'
    if value is None:
        return 'config'
    return None


def create_model(spec: ModelSpec, context, config=None):
    """Construct the model of ``spec``, evaluating its class and config in ``context`` (or import it).

    ``config``, when given, is used instead of ``spec.config`` (already evaluated).

    Raises
    ------
    ModelError
        When the config reads the batch (``B(...)``) but there is none, or the
        class expression does not give a class.
    """
    if spec.imported is not None:
        return model_from_source(spec.name, _evaluated(spec, spec.imported, context, 'import source'))
    if config is None:
        uses_batch = [expr for expr in walk(spec.deferred) if getattr(expr, 'kind', None) == 'B']
        if uses_batch and getattr(context, 'batch', None) is None:
            when = ('a static model is created when init_model is recorded, before any batch exists; use '
                    "mode='dynamic' to create it from the first batch" if spec.mode == 'static' else
                    'it was first used where there is no batch (in a before/after section or outside a run); '
                    'use it in the main section first')
            raise ModelError(f'Model {spec.name!r}: its config reads the batch ({uses_batch[0]!r}), but {when}.',
                             name=spec.name)
        config = _evaluated(spec, spec.config, context, 'config') if spec.config is not None else None
    model_class = model_class_of(spec, context)
    try:
        return model_class(dict(config) if config is not None else None)
    except Exception as exc:
        exc.add_note(f'(while creating model {spec.name!r} of class {model_class.__name__})')
        raise


def model_class_of(spec: ModelSpec, context) -> type:
    """The class of ``spec``: evaluated in ``context`` when it is a named expression.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from dagflow.expr import C, Context
    >>> class Net: pass
    >>> pipeline = SimpleNamespace(config={})
    >>> model_class_of(ModelSpec('m', C('model_class', default=Net)), Context(pipeline=pipeline)).__name__
    'Net'
    """
    if not is_expression(spec.model_class):
        return spec.model_class
    value = _evaluated(spec, spec.model_class, context, 'class')
    if not isinstance(value, type):
        raise ModelError(f'Model {spec.name!r}: its class {spec.model_class!r} gave {value!r} '
                         f'({type(value).__name__}), not a model class. Put the class itself there '
                         f"(e.g. pipeline << {{'model_class': MyModel}}).", name=spec.name, value=value)
    return value


def _evaluated(spec: ModelSpec, value, context, what: str):
    try:
        return evaluate(value, context)
    except Exception as exc:
        hint = (' (in a static config, F(fn) calls fn() with no batch; use a dynamic model for fn(batch))'
                if spec.mode == 'static' and isinstance(exc, TypeError) else '')
        raise ModelError(f'Model {spec.name!r}: its {what} could not be evaluated: '
                         f'{type(exc).__name__}: {exc}{hint}', name=spec.name) from exc


def model_from_source(name: str, source, action: str = 'import_model'):
    """The model ``name`` of the pipeline ``source``, or ``source`` itself when it is a model object.

    Raises
    ------
    ModelError
        When the source pipeline has no model ``name`` (an :class:`UnknownModelError`),
        has not created it yet, or ``source`` is neither a pipeline nor a model.

    Examples
    --------
    >>> class Net:
    ...     def train(self, x): return 0.0
    >>> net = Net()
    >>> model_from_source('m', net) is net
    True
    """
    models = source_models(name, source, f'{action}({name!r})')
    if models is None:
        return source
    if not models.has(name):
        raise models.unknown(name, where=f' in the source pipeline of {action}({name!r})')
    if not models.created(name):
        raise ModelError(f'{action}({name!r}): the source pipeline has not created model {name!r} yet '
                         f'(a dynamic model is created by the first batch that uses it); run the source '
                         f'pipeline before the one that imports from it.', name=name)
    return models.instances[name]


def source_models(name: str, source, label: str) -> Models | None:
    """The models of ``source`` when it is a pipeline; None when it is a model object.

    Raises
    ------
    ModelError
        When ``source`` is neither: a model object has a ``train`` or ``predict`` method.

    Examples
    --------
    >>> source_models('m', 42, "import_model('m')")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dagflow.exceptions.ModelError: import_model('m'): the source must be a pipeline that has model 'm', or a model...
    """
    models = getattr(source, 'models', None)
    if isinstance(models, Models):
        return models
    if hasattr(source, 'compile') or not any(callable(getattr(source, method, None))
                                             for method in ('train', 'predict')):
        raise ModelError(f'{label}: the source must be a pipeline that has model {name!r}, or a '
                         f'model object (with train/predict methods); got {source!r:.80}.', name=name)
    return None


class Models:
    """The models of one pipeline: specs and instances, guarded by one lock.

    Static models and imported/loaded instances are shared by the pipelines a
    template makes (:meth:`for_child`); each child makes its own dynamic models.
    """

    def __init__(self):
        self.specs: dict[str, ModelSpec] = {}
        self.instances: dict[str, Any] = {}
        self._lock = threading.RLock()

    def __getstate__(self):
        return {'specs': self.specs, 'instances': self.instances}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.RLock()

    def declare(self, spec: ModelSpec, context) -> None:
        """Record ``spec``; a static model is created now, a dynamic one forgotten until used."""
        with self._lock:
            if spec.mode == 'static':
                self.instances[spec.name] = create_model(spec, context)
            else:
                self.instances.pop(spec.name, None)
            self.specs[spec.name] = spec

    def put(self, name: str, model, spec: ModelSpec | None = None) -> None:
        """Store an instance (imported or loaded); with ``spec``, also how to re-make it."""
        with self._lock:
            self.instances[name] = model
            if spec is not None:
                self.specs[name] = spec

    def names(self) -> set[str]:
        """Names of every model the pipeline knows (declared or present)."""
        return set(self.specs) | set(self.instances)

    def has(self, name: str) -> bool:
        return name in self.specs or name in self.instances

    def created(self, name: str) -> bool:
        """Whether an instance of ``name`` exists now."""
        return name in self.instances

    def get(self, name: str, context, where: str = ''):
        """The model ``name``; a dynamic model is created from ``context`` on first use."""
        with self._lock:
            model = self.instances.get(name)
            if model is not None or name in self.instances:
                return model
            spec = self.specs.get(name)
            if spec is None:
                raise self.unknown(name, where)
            model = self.instances[name] = create_model(spec, context)
            return model

    def unknown(self, name, where: str = '') -> ModelError:
        """The error for a model name the pipeline does not know."""
        known = sorted(self.names())
        listing = f' The pipeline has: {", ".join(map(repr, known))}.' if known else ' The pipeline has no models.'
        return UnknownModelError(f'Model {name!r} is not defined{where}.{suggestion_text(str(name), known)}{listing} '
                          f"Add .init_model({name!r}, ModelClass, 'dynamic') or .import_model({name!r}, source) "
                          f'before the steps that use it.', name=name, suggestions=did_you_mean(str(name), known))

    def reset(self) -> None:
        """Dynamic models are dropped (re-created on next use); static ones get ``reset()``.

        A static model imported with ``init_model(name, source=...)`` belongs to
        its source and is left as it is.

        Raises
        ------
        ModelError
            When a static model has no ``reset()`` method (nothing is reset then).
        """
        with self._lock:
            static = {name: self.instances[name] for name, spec in self.specs.items()
                      if spec.mode == 'static' and name in self.instances
                      and spec.imported is None}  # an imported one is its source's
            for name, model in static.items():
                if not callable(getattr(model, 'reset', None)):
                    raise ModelError(f'Resetting the models: static model {name!r} ({type(model).__name__}) has '
                                     f'no reset() method. Define reset() in {type(model).__name__} (re-create what '
                                     f"it learnt), or declare the model with mode='dynamic' so that a reset creates "
                                     f'it anew.', name=name)
            for name, spec in self.specs.items():
                if spec.mode == 'dynamic':
                    self.instances.pop(name, None)
            for model in static.values():
                model.reset()

    def for_child(self) -> Models:
        """The store of a pipeline made from this one: static and imported models shared, dynamic fresh."""
        child = Models()
        with self._lock:
            child.specs = dict(self.specs)
            child.instances = {name: model for name, model in self.instances.items()
                               if self.specs.get(name) is None or self.specs[name].mode == 'static'}
        return child

    def merge(self, other: Models) -> None:
        """Add the models of ``other`` (pipeline concatenation), static ones shared."""
        shared = other.for_child()
        with self._lock:
            self.specs.update(shared.specs)
            self.instances.update(shared.instances)

    def __repr__(self):
        return f'Models({sorted(self.names())})'

