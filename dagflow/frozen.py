"""A read-only dict: the keyword arguments of a recorded step.

:class:`FrozenDict` is a ``dict`` whose methods that would change it raise
``TypeError``.  Being a ``dict``, it works wherever the keyword arguments of a
step are read -- ``**kwargs`` calls (no slower than a plain dict's),
``isinstance(kwargs, dict)``, ``dict(kwargs)`` and ``kwargs.copy()`` (plain,
changeable copies), the evaluator and the walkers of named expressions -- and
it pickles, copies and deep-copies as itself.  Only the container is frozen:
the values in it are the user's, left as they are.

Examples
--------
>>> kwargs = FrozenDict(size=8, mode='a')
>>> kwargs['size'], dict(kwargs) == {'size': 8, 'mode': 'a'}
(8, True)
>>> kwargs['size'] = 16  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
TypeError: A recorded step's arguments are read-only: cannot set 'size'. Record a new step instead, or change a...
>>> kwargs.copy()['size'] = 16   # a copy is a plain dict
"""
from __future__ import annotations

__all__ = ['FrozenDict']


class FrozenDict(dict):
    """A ``dict`` that cannot change once made (see the module docstring).

    Examples
    --------
    >>> import pickle
    >>> kwargs = FrozenDict({'save_to': 'x'})
    >>> pickle.loads(pickle.dumps(kwargs)) == kwargs, type(kwargs.copy()).__name__
    (True, 'dict')
    """

    __slots__ = ()

    def _refuse(self, what: str):
        raise TypeError(f"A recorded step's arguments are read-only: cannot {what}. Record a new step instead, "
                        f'or change a copy: dict(step.kwargs).')

    def __setitem__(self, key, value):
        self._refuse(f'set {key!r}')

    def __delitem__(self, key):
        self._refuse(f'delete {key!r}')

    def __ior__(self, other):
        self._refuse('update them')

    def update(self, *args, **kwargs):
        self._refuse('update them')

    def setdefault(self, key, default=None):
        self._refuse(f'set {key!r}')

    def pop(self, key, *default):
        self._refuse(f'pop {key!r}')

    def popitem(self):
        self._refuse('pop an item')

    def clear(self):
        self._refuse('clear them')

    def __reduce__(self):
        return type(self), (dict(self),)

    def __copy__(self):
        return self

    def __repr__(self):
        return f'{type(self).__name__}({dict.__repr__(self)})'
