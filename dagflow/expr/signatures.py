"""Facts read from a callable's signature, cached while the callable lives.

``F(fn)`` asks whether ``fn`` takes the batch on every evaluation, and a
model step asks which keyword names ``model.train`` takes on every batch;
reading a signature costs microseconds, so both facts are cached here, in
one cache that holds the callables weakly: a user's lambdas and closures
(and the models their methods belong to) are freed when the user drops them.

Examples
--------
>>> def keywords(signature):
...     return None if signature is None else tuple(signature.parameters)
>>> signature_fact(lambda batch, size=2: batch, keywords)
('batch', 'size')
"""
from __future__ import annotations

import inspect
import weakref
from collections.abc import Callable
from typing import Any

__all__ = ['signature_fact']

_FACTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
"""function -> {(fact, bound): value}; a bound method is cached under its function (methods are made per access)."""


def _signature(fn) -> inspect.Signature | None:
    try:
        return inspect.signature(fn)
    except (TypeError, ValueError):   # a builtin Python cannot read, or not a callable
        return None


def signature_fact(fn: Callable, fact: Callable[[inspect.Signature | None], Any]) -> Any:
    """``fact(signature of fn)``, computed once per ``fn`` and ``fact`` while ``fn`` lives.

    ``fact`` gets None when Python cannot read the signature (``max``).  A
    bound method is cached under its function, so that ``model.train`` read
    on every batch is read once; a callable that cannot be held weakly or
    hashed (``len``) is read every time.

    Examples
    --------
    >>> class Model:
    ...     def train(self, x, fetches=None): ...
    >>> def names(signature):
    ...     return frozenset(signature.parameters)
    >>> sorted(signature_fact(Model().train, names)), sorted(signature_fact(Model.train, names))
    (['fetches', 'x'], ['fetches', 'self', 'x'])
    """
    bound = inspect.ismethod(fn)
    function = fn.__func__ if bound else fn
    try:
        facts = _FACTS.get(function)
    except TypeError:   # not weakly referable, or unhashable: not cached
        return fact(_signature(fn))
    key = (fact, bound)
    if facts is not None and key in facts:
        return facts[key]
    value = fact(_signature(fn))
    _FACTS.setdefault(function, {})[key] = value
    return value
