"""Looking into values that hold expressions: :func:`walk` and :func:`structural_key`.

The planner uses :func:`walk` to find what a step reads (every ``V`` in its
arguments) and :func:`structural_key` to compare arguments recorded
separately (``==`` on expressions builds an expression, so it cannot).

Examples
--------
>>> from dagflow.expr import B, V
>>> [expr for expr in walk({'x': V('a') + B.size}) if expr.kind == 'V']
[V('a')]
>>> structural_key(V('a') + 1) == structural_key(V('a') + 1)
True
"""
from __future__ import annotations

from collections.abc import Hashable, Iterator

from dagflow.config import Config
from dagflow.expr.base import Expression

__all__ = ['walk', 'structural_key']


def walk(obj) -> Iterator[Expression]:
    """Yield every expression inside ``obj``, outer ones before the ones they hold.

    Goes through lists, tuples, sets, dicts (keys and values), slices and
    configs, and into expressions: a node's operands, a leaf's arguments (``R``'s
    parameters and size, ``F``'s bound arguments) and wrapped expressions
    (``W``, ``P``, ``PP`` -- a ``W(V('x'))`` handed to an action is likely read there).

    Examples
    --------
    >>> from dagflow.expr import B, V, R, W
    >>> list(walk([R('normal', V('mean'), 1, size=B.size), {V('k'): W(V('w'))}]))
    [R('normal', V('mean'), 1, size=B.size), V('mean'), B.size, V('k'), W(V('w')), V('w')]
    """
    if isinstance(obj, Expression):
        yield obj
        for name in obj._fields:
            yield from walk(getattr(obj, name))
    elif isinstance(obj, (list, tuple, set, frozenset)):
        for item in obj:
            yield from walk(item)
    elif isinstance(obj, (dict, Config)):
        for key, value in obj.items():
            yield from walk(key)
            yield from walk(value)
    elif isinstance(obj, slice):
        yield from walk((obj.start, obj.stop, obj.step))


def structural_key(obj) -> Hashable:
    """Return a hashable key that is equal for values built the same way.

    Two separately built ``V('x') + 1`` give equal keys; ``B('x')`` and
    ``B('y')``, or ``1`` and ``1.0``, do not.  Containers are keyed by their
    contents (dicts and sets regardless of order); an unhashable plain object
    (a numpy array) is keyed by its identity, ``('id', id(obj))``.

    Examples
    --------
    >>> from dagflow.expr import B, V
    >>> structural_key([V('x') + 1]) == structural_key([V('x') + 1])
    True
    >>> structural_key(B('x')) == structural_key(B('y'))
    False
    >>> structural_key(V('x'))
    ('V', 'x', 'w')
    """
    if isinstance(obj, Expression):
        return (obj.kind, *(structural_key(getattr(obj, name)) for name in obj._fields))
    if isinstance(obj, list):
        return ('list', tuple(structural_key(item) for item in obj))
    if isinstance(obj, tuple):
        return ('tuple', type(obj).__qualname__, tuple(structural_key(item) for item in obj))
    if isinstance(obj, (set, frozenset)):
        return (type(obj).__name__, frozenset(structural_key(item) for item in obj))
    if isinstance(obj, (dict, Config)):
        pairs = frozenset((structural_key(key), structural_key(value)) for key, value in obj.items())
        return (type(obj).__name__, pairs)
    if isinstance(obj, slice):
        return ('slice', structural_key(obj.start), structural_key(obj.stop), structural_key(obj.step))
    if isinstance(obj, str):
        return obj
    try:
        hash(obj)
    except TypeError:
        return ('id', id(obj))
    return ('value', type(obj), obj)
