"""The ``@action`` decorator and the registry of a batch class's actions.

An action is a batch method that a pipeline may call by name.  ``@action`` only
marks the function with an :class:`ActionInfo`; the function is returned as it
is, so it stays callable directly and pickles by reference.

Examples
--------
>>> class Counter:
...     @action
...     def double(self):
...         return self
...     @action(reads='var:total', writes=['var:total'])
...     def count(self):
...         return self
>>> sorted(actions_of(Counter))
['count', 'double']
>>> Counter.count.action_info
ActionInfo(name='count', use_lock=None, reads=('var:total',), writes=('var:total',))
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from dagflow.exceptions import suggestion_text

__all__ = ['ActionInfo', 'RESOURCE_KINDS', 'action', 'actions_of', 'normalize_resources']

RESOURCE_KINDS = ('var', 'model', 'config', 'lock')
"""Kinds of state an action may declare it reads or writes: ``'var:<name>'``, ``'model:<name>'`` ..."""


@dataclass(frozen=True, slots=True)
class ActionInfo:
    """What ``@action`` records about a batch method.

    Parameters
    ----------
    name : str
        The method's name.
    use_lock : None, bool or str
        BatchFlow's lock request: ``True`` for a lock of this action, a str for a named lock.
    reads, writes : tuple of str
        Normalised resources (``'var:counter'``, ``'model:m'``) the action touches
        beyond its arguments, e.g. through ``self.pipeline``.

    Examples
    --------
    >>> ActionInfo('resize')
    ActionInfo(name='resize', use_lock=None, reads=(), writes=())
    """

    name: str
    use_lock: bool | str | None = None
    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()


def normalize_resources(resources: str | Iterable[str], argument: str = 'reads') -> tuple[str, ...]:
    """Return resources as a tuple of ``'kind:name'`` strings, without repeats.

    Raises
    ------
    ValueError
        When a resource is not ``'kind:name'`` with a known kind.

    Examples
    --------
    >>> normalize_resources(' Var: counter ')
    ('var:counter',)
    >>> normalize_resources(['varr:x'])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: reads: bad resource 'varr:x': expected 'kind:name' with kind one of ... Did you mean 'var'?
    """
    items = [resources] if isinstance(resources, str) else list(resources)
    result = []
    for item in items:
        resource = _normalize_resource(item, argument)
        if resource not in result:
            result.append(resource)
    return tuple(result)


def _normalize_resource(item, argument: str) -> str:
    kind, sep, name = item.partition(':') if isinstance(item, str) else ('', '', '')
    kind, name = kind.strip().lower(), name.strip()
    if sep and name and kind in RESOURCE_KINDS:
        return f'{kind}:{name}'
    raise ValueError(f"{argument}: bad resource {item!r}: expected 'kind:name' with kind one of "
                     f'{RESOURCE_KINDS}.' + (suggestion_text(kind, RESOURCE_KINDS) if kind else ''))


def _check_lock(use_lock) -> None:
    if use_lock is None or isinstance(use_lock, bool) or (isinstance(use_lock, str) and use_lock):
        return
    raise ValueError(f'use_lock must be None, a bool or a lock name, but got {use_lock!r}')


def action(func: Callable | None = None, *, use_lock: bool | str | None = None,
           reads: str | Iterable[str] = (), writes: str | Iterable[str] = ()):
    """Mark a batch method as an action; use as ``@action`` or ``@action(...)``.

    Parameters
    ----------
    func : callable
        The method (given when used as bare ``@action``).
    use_lock : None, bool or str
        Kept for BatchFlow compatibility; dagflow orders stateful steps itself.
    reads, writes : str or iterable of str
        Resources (``'var:name'``, ``'model:name'``, ``'config:key'``, ``'lock:name'``)
        the method touches outside its arguments, so the plan can order it.

    Returns
    -------
    The same function with an ``action_info`` attribute, or a decorator.

    Raises
    ------
    ValueError
        At decoration, when a resource or ``use_lock`` is malformed.
    TypeError
        When what is decorated is not a function.

    Examples
    --------
    >>> @action(use_lock='train', writes='model:m')
    ... def train(batch):
    ...     return batch
    >>> train.action_info.writes, train('b')
    (('model:m',), 'b')
    """
    _check_lock(use_lock)
    info = {'use_lock': use_lock, 'reads': normalize_resources(reads, 'reads'),
            'writes': normalize_resources(writes, 'writes')}

    def mark(function: Callable) -> Callable:
        if not callable(function) or not hasattr(function, '__name__') \
                or isinstance(function, (staticmethod, classmethod)):
            raise TypeError(f'@action decorates a batch method, but got {function!r}')
        function.action_info = ActionInfo(function.__name__, **info)
        return function

    return mark if func is None else mark(func)


def actions_of(cls: type) -> dict[str, Callable]:
    """Return ``{name: function}`` of the actions a class has, its bases' included.

    A subclass that redefines an action without ``@action`` turns it back into a
    plain method.

    Examples
    --------
    >>> class Base:
    ...     @action
    ...     def load(self):
    ...         return self
    >>> class Child(Base):
    ...     def load(self):
    ...         return self
    >>> list(actions_of(Base)), list(actions_of(Child))
    (['load'], [])
    """
    found: dict[str, Callable] = {}
    for klass in reversed(cls.__mro__):
        for name, value in vars(klass).items():
            if isinstance(getattr(value, 'action_info', None), ActionInfo):
                found[name] = value
            else:
                found.pop(name, None)
    return found
