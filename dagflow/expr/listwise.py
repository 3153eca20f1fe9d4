"""``L``: item-by-item access to a batch component that holds a list of objects.

``L('objs').imag`` means ``[obj.imag for obj in batch.objs]``, ``L('objs')[0]``
means ``[obj[0] for obj in batch.objs]`` and ``L('objs').method(x)`` means
``[obj.method(x) for obj in batch.objs]``; any chain of attributes, items and
calls works the same way (``L('objs').shape[0]``).  As a ``save_to`` target,
``L('objs').label`` stores the items of a sequence one per object.  This is
BatchFlow's ``L``; the older ``L(fn, *args)`` (a callable called without the
batch) is still accepted and gives a :class:`~dagflow.expr.named.Lambda`.

Examples
--------
>>> from types import SimpleNamespace
>>> batch = SimpleNamespace(objs=[1 + 2j, 3 - 1j])
>>> L('objs').imag.get(batch=batch), L.objs.conjugate().get(batch=batch)
([2.0, -1.0], [(1-2j), (3+1j)])
"""
from __future__ import annotations

from dagflow.exceptions import ExpressionError
from dagflow.expr.base import AttributeForm, Expression, format_arguments, format_key
from dagflow.expr.modes import normalize_mode
from dagflow.expr.named import Lambda, _mode_suffix

__all__ = ['L']


class L(Expression, metaclass=AttributeForm):
    """A batch component holding a list of objects, read, written and called item by item.

    Parameters
    ----------
    name : str, sequence or expression
        The component (``L('objs')``, or ``L.objs``); or a sequence of
        objects, or an expression that gives one (``L(V('boxes'))``).
        A callable (not a string) gives the older ``L(fn, *args, **kwargs)``:
        ``fn(*args, **kwargs)``, called without the batch.
    mode : str
        The default assignment mode of each item when it is a ``save_to`` target.

    Notes
    -----
    Attributes, items and calls on an ``L`` extend its chain instead of
    building an expression over the whole list, so arithmetic applies to the
    resulting list (``L('objs').imag + 1`` fails as ``[...] + 1`` would).
    ``name``, ``mode``, ``kind``, ``get``, ``set``, ``assign``, ``str`` and
    ``format`` are the expression's own, as for ``B``.  Arguments inside the
    chain (``L('objs')[V('k')]``) are evaluated once for the whole list.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> batch = SimpleNamespace(objs=[[1, 2], [3, 4]])
    >>> L('objs')[1], L('objs')[1].get(batch=batch)
    (L('objs')[1], [2, 4])
    >>> L('objs')[0].set([10, 30], batch=batch)
    >>> batch.objs
    [[10, 2], [30, 4]]
    """

    __slots__ = ('source', 'chain', 'mode')
    kind = 'L'
    resource_kind = None
    _fields = ('source', 'chain', 'mode')

    def __new__(cls, name='', *args, **kwargs):
        if callable(name) and not isinstance(name, (str, Expression)):
            return Lambda(name, *args, **kwargs)
        return super().__new__(cls)

    def __init__(self, name='', mode: str = 'w'):
        if name is None:
            name = ''
        if not isinstance(name, (str, Expression)) and not hasattr(name, '__len__'):
            raise ExpressionError(f'L(...) expects a component name, a sequence of objects, an expression or a '
                                  f'callable, but got {name!r} ({type(name).__name__}) instead', name=name)
        self._init(source=name, chain=(), mode=normalize_mode(mode))

    @property
    def name(self) -> str:
        """The component name (``''`` when ``L`` wraps a sequence or an expression)."""
        return self.source if isinstance(self.source, str) else ''

    def _then(self, link: tuple) -> L:
        obj = object.__new__(L)
        obj._init(source=self.source, chain=(*self.chain, link), mode=self.mode)
        return obj

    def __getattr__(self, name):
        if name.startswith('_'):
            raise AttributeError(name)
        return self._then(('getattr', name))

    def __getitem__(self, key):
        return self._then(('getitem', key))

    def __call__(self, *args, **kwargs):
        return self._then(('call', args, kwargs))

    def __repr__(self):
        text = f'L({self.source!r}{_mode_suffix(self.mode)})'
        for link in self.chain:
            if link[0] == 'getattr':
                text += f'.{link[1]}'
            elif link[0] == 'getitem':
                text += f'[{format_key(link[1])}]'
            else:
                text += f'({format_arguments(link[1], link[2])})'
        return text
