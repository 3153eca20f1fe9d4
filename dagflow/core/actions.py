"""What dagflow knows about each pipeline API action, declared once: :class:`ActionSpec` and its registry.

An API action (``update``, ``print``, ``train_model``, ``rebatch`` ...) is
registered with :func:`register_action` next to its body.  Its spec says
everything the other stages ask about it: which arguments are assignment
targets and which name a model (every other argument is read), what it
always writes, whether it defines a model or splits the stream, which
sections allow it, and its defaults (from the body's signature).  The plan's
effects, the checks and the engine read the spec; nothing keeps a table of
action names of its own.

**Effects must be declared.** A spec without ``effects=`` fails when it is
made, naming the action: a forgotten fact would otherwise make a state step
look pure, and it would run unordered under ``prefetch``.  An action that
touches no shared state says so with ``effects=()``.

Examples
--------
>>> def bump(ctx, name, value=1):
...     return ctx.batch
>>> spec = ActionSpec('bump', bump, effects=(Writes(ResourceKind.VARIABLE, argument='name'),))
>>> dict(spec.defaults), spec.position('name')
({'value': 1}, 0)
>>> ActionSpec('bump', bump)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
dagflow.exceptions.ActionSpecError: API action 'bump' does not declare its effects: ...
"""
from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from ..exceptions import ActionSpecError
from ..sentinel import Sentinel
from .resource import Resource, ResourceKind

__all__ = ['ActionSpec', 'Assigns', 'UsesModel', 'Writes', 'API_SPECS', 'SECTIONS', 'action_spec',
           'register_action']

SECTIONS = ('before', 'main', 'after')
"""The sections of a pipeline, in the order they run."""

UNDECLARED = Sentinel('UNDECLARED', __name__, '<undeclared>')


@dataclass(frozen=True, slots=True)
class Assigns:
    """Effect fact: the argument ``argument`` is an assignment target (a ``V``/``C``/``B`` written, not read).

    Examples
    --------
    >>> Assigns('save_to')
    Assigns(argument='save_to')
    """

    argument: str


@dataclass(frozen=True, slots=True)
class Writes:
    """Effect fact: the action always writes a resource of ``kind``, called ``name`` or given by ``argument``.

    Examples
    --------
    >>> Writes(ResourceKind.IO, 'stdout').resource(None)
    Resource.parse('io:stdout')
    >>> Writes(ResourceKind.LOCK, argument='name').resource('train')
    Resource.parse('lock:train')
    """

    kind: ResourceKind
    name: str | None = None
    argument: str | None = None

    def __post_init__(self):
        if (self.name is None) == (self.argument is None):
            raise ActionSpecError(f'Writes({self.kind}) needs exactly one of name= (a fixed resource) and '
                                  f'argument= (the argument naming it).')

    def resource(self, value) -> Resource:
        """The resource written, given the value of the argument (a name known only at run time: any)."""
        if self.argument is None:
            return Resource(self.kind, self.name)
        return Resource(self.kind, value if isinstance(value, str) else '*')


@dataclass(frozen=True, slots=True)
class UsesModel:
    """Effect fact: the argument ``argument`` names a model the action uses (a write: see ``docs/architecture.md``).

    Training changes a model, loading and importing replace it, and predicting or
    saving may create a dynamic one (and predicting switches a network's mode),
    so every use is a write and two uses of one model never overlap.

    Examples
    --------
    >>> UsesModel().resource('unet'), UsesModel().resource(None)
    (Resource.parse('model:unet'), Resource.parse('model:*'))
    """

    argument: str = 'name'

    @staticmethod
    def resource(value) -> Resource:
        """``model:<value>``, or ``model:*`` when the name is computed at run time."""
        return Resource(ResourceKind.MODEL, value if isinstance(value, str) else '*')


EffectFact = Assigns | Writes | UsesModel


@dataclass(frozen=True)
class ActionSpec:
    """Everything dagflow knows about one pipeline API action.

    Parameters
    ----------
    name : str
        The name a pipeline records it by (``p.update(...)`` -> ``'update'``).
    body : callable
        ``body(ctx, *args, **kwargs)``: runs the step; its signature is the one
        recorded steps are checked against, and gives the defaults.
    effects : tuple of Assigns, Writes, UsesModel
        What the action touches besides reading its arguments.  Required:
        ``()`` says it touches nothing but what its arguments read.
    defines_model : bool
        Whether it defines the model it names (``init_model``, ``load_model``,
        ``import_model``), so later uses of that model are known.
    splits_stream : bool
        Whether the engine runs it by re-cutting the stream of batches (``rebatch``).
    hands_batches : bool
        Whether it hands batches to the step after it as extra leading
        arguments (``join``): the engine runs that step in the same task.
    sections : tuple of str
        The sections that allow it.  An action allowed in ``'before'`` only is a
        declaration: chained anywhere, it is recorded in ``before``.

    Attributes
    ----------
    defaults : mapping
        ``{argument: default}`` of the body's parameters that have one.

    Raises
    ------
    ActionSpecError
        When ``effects`` is not given, a fact names an argument the body does
        not take, or a section is unknown: the error names the action.

    Examples
    --------
    >>> def shout(ctx, *args):
    ...     return ctx.batch
    >>> ActionSpec('shout', shout, effects=(Writes(ResourceKind.IO, 'stdout'),)).sections
    ('before', 'main', 'after')
    """

    name: str
    body: Callable
    effects: tuple = UNDECLARED
    defines_model: bool = False
    splits_stream: bool = False
    hands_batches: bool = False
    sections: tuple = SECTIONS
    defaults: Mapping = field(init=False, repr=False, compare=False)
    _positions: Mapping = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise ActionSpecError(f'An API action needs a name that is an identifier, got {self.name!r}.',
                                  name=self.name)
        if not callable(self.body):
            raise ActionSpecError(f'API action {self.name!r}: body must be callable, got {self.body!r}.',
                                  name=self.name, missing='body')
        if self.effects is UNDECLARED:
            raise ActionSpecError(
                f'API action {self.name!r} does not declare its effects: give effects=(...) with what it '
                f'assigns (Assigns), always writes (Writes) and which model it uses (UsesModel), or effects=() '
                f'when it touches no shared state. Without them its steps would look pure and run unordered '
                f'under prefetch.', name=self.name, missing='effects')
        object.__setattr__(self, 'effects', tuple(self.effects))
        object.__setattr__(self, 'sections', tuple(self.sections))
        parameters = list(inspect.signature(self.body).parameters.values())[1:]   # after ctx
        names = {p.name for p in parameters}
        for fact in self.effects:
            if not isinstance(fact, (Assigns, Writes, UsesModel)):
                raise ActionSpecError(f'API action {self.name!r}: an effect fact must be Assigns, Writes or '
                                      f'UsesModel, got {fact!r}.', name=self.name, missing='effects')
            argument = getattr(fact, 'argument', None)
            if argument is not None and argument not in names:
                raise ActionSpecError(f'API action {self.name!r}: {fact!r} names argument {argument!r}, which '
                                      f'its body does not take (it takes {", ".join(sorted(names))}).',
                                      name=self.name, missing=argument)
        unknown = [s for s in self.sections if s not in SECTIONS]
        if unknown or not self.sections:
            raise ActionSpecError(f'API action {self.name!r}: sections must be some of {SECTIONS}, got '
                                  f'{self.sections!r}.', name=self.name, missing='sections')
        positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        object.__setattr__(self, 'defaults', MappingProxyType(
            {p.name: p.default for p in parameters if p.default is not inspect.Parameter.empty}))
        object.__setattr__(self, '_positions', MappingProxyType(
            {p.name: i for i, p in enumerate(parameters) if p.kind in positional}))

    def position(self, argument: str) -> int | None:
        """Where ``argument`` stands among a step's positional arguments, or None (keyword only)."""
        return self._positions.get(argument)

    def argument(self, args: tuple, kwargs: Mapping, argument: str, default=None):
        """The value a step's ``args``/``kwargs`` give ``argument``.

        Examples
        --------
        >>> spec = API_SPECS['update_variable']
        >>> spec.argument(('n', 1), {}, 'name'), spec.argument((), {'name': 'n'}, 'name')
        ('n', 'n')
        """
        position = self._positions.get(argument)
        if position is not None and position < len(args):
            return args[position]
        return kwargs.get(argument, default)

    @property
    def uses_model(self) -> bool:
        """Whether its steps name a model (a :class:`UsesModel` fact): they are checked as model steps when recorded.

        Examples
        --------
        >>> API_SPECS['train_model'].uses_model, API_SPECS['update'].uses_model
        (True, False)
        """
        return any(isinstance(fact, UsesModel) for fact in self.effects)

    @property
    def declaration(self) -> bool:
        """Whether it is a declaration, recorded in ``before`` wherever it is chained."""
        return self.sections == ('before',)


_REGISTRY: dict[str, ActionSpec] = {}

API_SPECS: Mapping[str, ActionSpec] = MappingProxyType(_REGISTRY)
"""Name -> :class:`ActionSpec` of every registered pipeline API action (read-only; see :func:`register_action`)."""


def register_action(spec: ActionSpec) -> ActionSpec:
    """Add ``spec`` to the registry of API actions and return it.

    Registering another spec under a name already taken raises
    :class:`~dagflow.exceptions.ActionSpecError`, as does a spec without its
    effects (when it is made).

    Examples
    --------
    >>> register_action(API_SPECS['print']) is API_SPECS['print']
    True
    """
    if not isinstance(spec, ActionSpec):
        raise ActionSpecError(f'register_action takes an ActionSpec, got {spec!r}.')
    known = _REGISTRY.get(spec.name)
    if known is not None and known != spec:
        raise ActionSpecError(f'API action {spec.name!r} is already registered (body {known.body!r}).',
                              name=spec.name)
    _REGISTRY[spec.name] = spec
    return spec


def action_spec(name: str) -> ActionSpec:
    """The spec of the API action ``name``; an :class:`~dagflow.exceptions.ActionSpecError` if none is registered.

    Examples
    --------
    >>> action_spec('rebatch').splits_stream
    True
    """
    spec = _REGISTRY.get(name)
    if spec is None:
        raise ActionSpecError(f'No API action {name!r} is registered, so dagflow knows nothing of its effects.',
                              name=name, missing='spec')
    return spec
