"""Resources and effects: what shared state a step touches, and how.

A resource is a typed pair :class:`Resource` ``(kind, name)``; it prints as
the ``'kind:name'`` spelling users write in ``@action(writes='var:x')`` and
see in plans and messages, but it is never cut apart as a string: code reads
``resource.kind`` and ``resource.name``.

Examples
--------
>>> r = Resource.parse('var:loss')
>>> r.kind, r.name, str(r)
(<ResourceKind.VARIABLE: 'var'>, 'loss', 'var:loss')
>>> sorted([Resource.parse('var:b'), Resource(ResourceKind.MODEL, 'm'), Resource.parse('config:lr')])
[Resource.parse('config:lr'), Resource.parse('model:m'), Resource.parse('var:b')]
>>> sorted(map(str, {Effect(r, Access.WRITE), Effect(r, Access.READ)}))
['read var:loss', 'write var:loss']
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import NamedTuple

from ..exceptions import suggestion_text

__all__ = ['Access', 'Effect', 'Resource', 'ResourceKind', 'WILDCARD']

WILDCARD = '*'
"""The name of "any resource of this kind" (``var:*``: a variable known only at run time)."""


class ResourceKind(enum.Enum):
    """The kinds of shared state a step can touch; the value is the prefix of the ``'kind:name'`` spelling."""

    VARIABLE = 'var'
    MODEL = 'model'
    CONFIG = 'config'
    LOCK = 'lock'
    IO = 'io'              # io:stdout (printing keeps its order), io:array@<id> (an array written in place)
    SOURCE = 'source'      # source:join, source:merge (the iterator of a joined pipeline)
    STREAM = 'stream'      # stream:rebatch (re-cutting the stream of batches)

    def __lt__(self, other):
        if not isinstance(other, ResourceKind):
            return NotImplemented
        return self.value < other.value

    @property
    def declarable(self) -> bool:
        """Whether ``@action(reads=..., writes=...)`` may name this kind (the state a pipeline holds).

        Examples
        --------
        >>> [kind.value for kind in ResourceKind if kind.declarable]
        ['var', 'model', 'config', 'lock']
        """
        return self in _DECLARABLE

    @property
    def what(self) -> str:
        """How a message names a resource of this kind (``'variable'``, ``'config key'`` ...)."""
        return _WHAT.get(self, self.value)


_DECLARABLE = frozenset({ResourceKind.VARIABLE, ResourceKind.MODEL, ResourceKind.CONFIG, ResourceKind.LOCK})
_WHAT = {ResourceKind.VARIABLE: 'variable', ResourceKind.MODEL: 'model', ResourceKind.CONFIG: 'config key'}


class Resource(NamedTuple):
    """One piece of shared state: its :class:`ResourceKind` and its name (``'*'``: any of that kind).

    A named tuple, so it hashes and compares as fast as a tuple (the guard
    checks every access of a running step by set membership); it sorts by
    kind, then name, and prints as ``'kind:name'``.

    Examples
    --------
    >>> Resource(ResourceKind.LOCK, 'train')
    Resource.parse('lock:train')
    >>> Resource.parse('model:*').is_wildcard, Resource.parse('model:m').wildcard
    (True, Resource.parse('model:*'))
    """

    kind: ResourceKind
    name: str

    def __str__(self) -> str:
        return f'{self.kind.value}:{self.name}'

    def __repr__(self) -> str:
        return f'Resource.parse({str(self)!r})'

    @property
    def is_wildcard(self) -> bool:
        """Whether this stands for any resource of its kind."""
        return self.name == WILDCARD

    @property
    def wildcard(self) -> Resource:
        """The resource that stands for any resource of this one's kind."""
        return Resource(self.kind, WILDCARD)

    @classmethod
    def parse(cls, text: str) -> Resource:
        """The resource ``text`` spells (``'var:x'``, ``' Var: x '``); a clear ``ValueError`` when it spells none.

        Examples
        --------
        >>> Resource.parse(' Config: model/lr ')
        Resource.parse('config:model/lr')
        >>> Resource.parse('varr:x')  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: bad resource 'varr:x': expected 'kind:name' with kind one of 'var', 'model', ... Did you mean 'var'?
        """
        if isinstance(text, Resource):
            return text
        kind, sep, name = text.partition(':') if isinstance(text, str) else ('', '', '')
        kind, name = kind.strip().lower(), name.strip()
        known = [k.value for k in ResourceKind]
        if sep and name and kind in known:
            return cls(ResourceKind(kind), name)
        raise ValueError(f"bad resource {text!r}: expected 'kind:name' with kind one of "
                         f"{', '.join(map(repr, known))}." + (suggestion_text(kind, known) if kind else ''))


class Access(enum.Enum):
    """Whether a step reads or writes a resource."""

    READ = 'read'
    WRITE = 'write'

    def __lt__(self, other):
        return self.value < other.value


@dataclass(frozen=True, order=True)
class Effect:
    """One access of one resource by a step.

    ``resource`` may be given as its spelling (``'var:n'``); it is kept as a :class:`Resource`.

    Examples
    --------
    >>> Effect('var:n', Access.READ) == Effect(Resource(ResourceKind.VARIABLE, 'n'), Access.READ)
    True
    >>> str(Effect('var:n', Access.READ))
    'read var:n'
    """

    resource: Resource
    access: Access

    def __post_init__(self):
        if not isinstance(self.resource, Resource):
            object.__setattr__(self, 'resource', Resource.parse(self.resource))

    def __str__(self):
        return f'{self.access.value} {self.resource}'
