"""Learn, from a batch action's source, which models and variables it touches through its pipeline.

An action reaching shared state through ``self.pipeline`` or ``self.get_model_by_name``
does not say so in its step record; reading its code (:mod:`ast` over
:func:`inspect.getsource`) finds those uses, so the plan can order the step.  A name
that cannot be followed is a wildcard: any resource of that kind.  Not seen: the batch
reached through an alias (``b = self``) or ``super()``, names held in module constants,
and helpers whose source cannot be read (they add nothing).

Examples
--------
>>> class Batch:
...     def train(self, model_name):
...         self.get_model_by_name(model_name).train()
...         self.pipeline.set_variable('steps', 1)
>>> accesses = learn_accesses(Batch.train)
>>> [(a.kind.value, a.access, a.name, a.param) for a in accesses]
[('model', 'write', None, 'model_name'), ('var', 'write', 'steps', None)]
>>> sorted((str(resource), access) for resource, access in resolve_accesses(accesses, Batch.train, ('unet',), {}))
[('model:unet', 'write'), ('var:steps', 'write')]
"""
from __future__ import annotations

import ast
import inspect
import textwrap
import weakref
from dataclasses import dataclass, replace

from ..core import Resource, ResourceKind

__all__ = ['LearnedAccess', 'learn_accesses', 'resolve_accesses']

# get_variable counts as a write: actions usually change the value in place
# (``self.pipeline.get_variable('history').append(...)``).
_MODEL, _VAR, _CONFIG = ResourceKind.MODEL, ResourceKind.VARIABLE, ResourceKind.CONFIG
_PIPELINE_CALLS = {**dict.fromkeys(('get_model_by_name', 'm'), (_MODEL, 'write')),
                   **dict.fromkeys(('has_variable',), (_VAR, 'read')),
                   **dict.fromkeys(('get_variable', 'v', 'set_variable', 'delete_variable', 'del_variable'),
                                   (_VAR, 'write'))}
_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
_BINDER_FIELDS = {ast.arg: 'arg', ast.MatchMapping: 'rest', **dict.fromkeys(
    (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.ExceptHandler, ast.MatchAs, ast.MatchStar), 'name')}
_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # function -> {owner (held weakly): result}


class _NoOwner:
    """The cache key standing for ``owner=None``."""


@dataclass(frozen=True)
class LearnedAccess:
    """One access of a model or variable found in an action's code.

    Parameters
    ----------
    kind : ResourceKind or str
        The kind of resource (``ResourceKind.MODEL``, or its value ``'model'``).
    access : str
        ``'read'`` or ``'write'``.
    name, param : str, optional
        The literal name found in the code, or the action's parameter whose value
        names the resource; neither: a wildcard, any resource of the kind.
    line : int, optional
        The line in the source file, for messages.

    Examples
    --------
    >>> LearnedAccess('var', 'read', name='counter', line=12)  # doctest: +NORMALIZE_WHITESPACE
    LearnedAccess(kind=<ResourceKind.VARIABLE: 'var'>, access='read', name='counter', param=None, line=12)
    """

    kind: ResourceKind
    access: str
    name: str | None = None
    param: str | None = None
    line: int | None = None

    def __post_init__(self):
        object.__setattr__(self, 'kind', ResourceKind(self.kind))


def learn_accesses(function, owner: type | None = None) -> tuple[LearnedAccess, ...] | None:
    """Return the models and variables ``function`` touches through its batch's pipeline.

    Parameters
    ----------
    function : callable
        A batch action or method; its first positional parameter is the batch.
    owner : type, optional
        The batch class: uses of its methods (and properties) written outside dagflow,
        ``self.helper(...)``, are followed; one whose source cannot be read adds nothing.

    Returns
    -------
    tuple of LearnedAccess or None
        Sorted, without repeats, cached per function and owner; None when the source
        cannot be read (unknown), while ``()`` means the code touches nothing.

    Examples
    --------
    >>> def opaque(batch):
    ...     return batch.pipeline
    >>> [(a.kind.value, a.access, a.name) for a in learn_accesses(opaque)]
    [('config', 'write', None), ('model', 'write', None), ('var', 'write', None)]
    >>> learn_accesses(len) is None
    True
    """
    function = getattr(function, '__func__', function)
    key = _NoOwner if owner is None else owner
    try:
        cache = _CACHE.setdefault(function, weakref.WeakKeyDictionary())
        weakref.ref(key)
    except TypeError:  # not weakly referable: not cached
        return _learn(function, owner)
    if key not in cache:
        cache[key] = _learn(function, owner)
    return cache[key]


def resolve_accesses(accesses, function, args: tuple, kwargs: dict, leading: int = 1) -> set[tuple[Resource, str]]:
    """Turn the learnt accesses of one step into ``(resource, access)`` pairs.

    Parameters
    ----------
    accesses : tuple of LearnedAccess or None
        What :func:`learn_accesses` returned for ``function``.
    function : callable
        The action; its signature binds ``args`` and ``kwargs``, the step's arguments,
        after ``leading`` placeholders (the batch, joined batches).

    Returns
    -------
    set of (Resource, str)
        ``(model:<name>, 'write')``, ``(var:<name>, 'read')`` ...; ``model:*`` or
        ``var:*`` where the name is unknown: a parameter whose value (passed, else its
        default) is not a non-empty str, or arguments that do not bind.

    Examples
    --------
    >>> def train(batch, name='unet'):
    ...     return batch
    >>> accesses = [LearnedAccess('model', 'write', param='name')]
    >>> resolve_accesses(accesses, train, (), {}), resolve_accesses(accesses, train, (3,), {})
    ({(Resource.parse('model:unet'), 'write')}, {(Resource.parse('model:*'), 'write')})
    """
    if accesses is None:
        return set()
    try:
        signature = inspect.signature(function)
        parameters, bound = signature.parameters, signature.bind(*([None] * leading), *args, **kwargs).arguments
    except (TypeError, ValueError):
        parameters, bound = {}, {}
    result = set()
    for access in accesses:
        name = access.name
        if access.param is not None:
            value = bound.get(access.param, getattr(parameters.get(access.param), 'default', None))
            name = value if isinstance(value, str) and value else None
        result.add((Resource(access.kind, name or '*'), access.access))
    return result


def _learn(function, owner):
    found = _scan(function, owner, frozenset({function}))
    if found is None:
        return None
    return tuple(sorted(set(found), key=lambda a: (a.kind, a.access, a.name or '', a.param or '', a.line or 0)))


def _parse(function):
    """Return the ``def`` (or lone lambda) node of ``function`` and the offset of its lines, or None."""
    try:
        lines, first = inspect.getsourcelines(function)
    except (OSError, TypeError, IndexError):
        return None
    source = ''.join(lines)
    for text, shift in ((textwrap.dedent(source), 0), ('if 1:\n' + source, 1)):  # a docstring may block dedent
        try:
            body = ast.parse(text).body
        except SyntaxError:
            continue
        body = body[0].body if shift else body
        if body and isinstance(body[0], (ast.FunctionDef, ast.AsyncFunctionDef)):
            return body[0], first - 1 - shift
        lambdas = [node for node in _walk(body) if isinstance(node, ast.Lambda)]
        return (lambdas[0], first - 1 - shift) if len(lambdas) == 1 else None
    return None


def _walk(nodes):
    for root in nodes:
        yield from ast.walk(root)


def _rebound(nodes) -> set[str]:
    """Names the code assigns or binds in nested scopes: a parameter among them is no longer followed."""
    names = set()
    for node in _walk(nodes):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).partition('.')[0])
        else:
            names.add(getattr(node, _BINDER_FIELDS.get(type(node), ''), None))
    return names - {None}


def _scan(function, owner, visited):
    """The accesses of ``function`` and of the helpers it uses (not those in ``visited``), or None."""
    parsed = _parse(function)
    if parsed is None:
        return None
    node, offset = parsed
    positional = [arg.arg for arg in node.args.posonlyargs + node.args.args]
    body = node.body if isinstance(node.body, list) else [node.body]
    params = set(positional[1:] + [arg.arg for arg in node.args.kwonlyargs]) - _rebound(body)
    scanner = _Scanner(owner, visited, positional[0] if positional else None, params, offset)
    parents = {child: parent for parent in _walk(body) for child in ast.iter_child_nodes(parent)}
    for child in _walk(body):
        scanner.visit(child, parents)
    return scanner.found


def _is_name(node, name) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _called(call, func) -> bool:
    return isinstance(call, ast.Call) and call.func is func


def _target(call):
    """The expression naming the resource in a call: its first positional argument or ``name=``."""
    if call.args:
        return None if isinstance(call.args[0], ast.Starred) else call.args[0]
    return next((keyword.value for keyword in call.keywords if keyword.arg == 'name'), None)


def _user_function(owner, name):
    """The Python function behind ``self.<name>`` (a property's getter), unless dagflow's own."""
    attribute = inspect.getattr_static(owner, name, None) if owner is not None else None
    attribute = attribute.fget if isinstance(attribute, property) else attribute
    module = getattr(attribute, '__module__', None) or ''
    if not inspect.isfunction(attribute) or module == 'dagflow' or module.startswith('dagflow.'):
        return None
    return attribute


def _passed(helper, param, call):
    """What ``call`` gives the helper's ``param``: an expression, its str default, or None when unknown."""
    try:
        parameters = inspect.signature(helper).parameters
    except ValueError:
        return None
    if call is None or param not in parameters:
        return None
    names = [p.name for p in parameters.values() if p.kind in _POSITIONAL][1:]
    position = names.index(param) if param in names else len(call.args)
    starred = next((i for i, arg in enumerate(call.args) if isinstance(arg, ast.Starred)), len(call.args))
    if position < len(call.args):
        return call.args[position] if position < starred else None
    keyword = next((keyword for keyword in call.keywords if keyword.arg == param), None)
    if keyword is not None or starred < len(call.args) or any(other.arg is None for other in call.keywords):
        return keyword.value if keyword is not None else None  # else *args or **kwargs may pass it
    default = parameters[param].default
    return default if isinstance(default, str) and default else None


class _Scanner:
    """Collects the accesses of one function's body; ``me`` is the name of its batch parameter."""

    def __init__(self, owner, visited, me, params, offset):
        self.owner, self.visited, self.me, self.params, self.offset = owner, visited, me, params, offset
        self.found = []

    def classify(self, expr):
        """``(name, param)`` for an expression naming a resource: a str constant, a parameter, else unknown."""
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str) and expr.value:
            return expr.value, None
        return (None, expr.id) if isinstance(expr, ast.Name) and expr.id in self.params else (None, None)

    def add(self, kind, access, node, target=None):
        self.found.append(LearnedAccess(kind, access, *self.classify(target), node.lineno + self.offset))

    def visit(self, node, parents):
        if isinstance(node, ast.Call) and _is_name(node.func, 'getattr') and len(node.args) > 1 \
                and _is_name(node.args[0], self.me):
            attr = node.args[1]
            named = isinstance(attr, ast.Constant) and isinstance(attr.value, str)
            self.attribute(attr.value if named else 'pipeline', node, None)
        elif isinstance(node, ast.Attribute) and _is_name(node.value, self.me):
            parent = parents.get(node)
            if node.attr == 'pipeline' and isinstance(parent, ast.Attribute) and parent.attr in _PIPELINE_CALLS \
                    and _called(parents.get(parent), parent):
                self.add(*_PIPELINE_CALLS[parent.attr], node, _target(parents[parent]))
            else:
                self.attribute(node.attr, node, parent if _called(parent, node) else None)

    def attribute(self, attr, node, call):
        """Account for ``self.<attr>``, called by ``call`` (or not called: None)."""
        if attr == 'pipeline':  # or getattr(self, <not a constant>): anything of the pipeline may change
            self.add(_MODEL, 'write', node)
            self.add(_VAR, 'write', node)
            self.add(_CONFIG, 'write', node)
        elif attr == 'get_model_by_name':
            self.add(_MODEL, 'write', node, _target(call) if call is not None else None)
        elif (helper := _user_function(self.owner, attr)) is not None and helper not in self.visited:
            for access in _scan(helper, self.owner, self.visited | {helper}) or ():
                if access.param is not None:
                    passed = _passed(helper, access.param, call)
                    name, param = (passed, None) if isinstance(passed, str) else self.classify(passed)
                    access = replace(access, name=name, param=param)
                self.found.append(access)
