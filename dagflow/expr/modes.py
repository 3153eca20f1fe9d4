"""Assignment modes: how a new value is combined with the one already stored.

``'w'`` (write) replaces, ``'a'`` (append) adds one item, ``'e'`` (extend) adds
many, ``'u'`` (update) merges.  Long names (``'write'``, ``'append'``,
``'extend'``, ``'update'``) are accepted and normalised to the letter.

Examples
--------
>>> apply_mode([1], 2, 'append')
[1, 2]
>>> apply_mode(None, (1, 2), 'e')
[1, 2]
"""
from __future__ import annotations

import numpy as np

from dagflow.exceptions import ExpressionError

__all__ = ['MODES', 'normalize_mode', 'apply_mode']

#: Accepted spellings of each mode, mapped to its letter.
MODES = {
    'w': 'w', 'write': 'w',
    'a': 'a', 'append': 'a',
    'e': 'e', 'extend': 'e',
    'u': 'u', 'update': 'u',
}

_LONG = {'w': 'write', 'a': 'append', 'e': 'extend', 'u': 'update'}


def normalize_mode(mode: str) -> str:
    """Return the one-letter form of an assignment mode.

    Raises
    ------
    ExpressionError
        If ``mode`` is not one of ``MODES`` (the error carries ``mode``).

    Examples
    --------
    >>> normalize_mode('append'), normalize_mode('u')
    ('a', 'u')
    """
    if isinstance(mode, str) and mode in MODES:
        return MODES[mode]
    raise ExpressionError(
        f"Unknown assignment mode {mode!r}: expected one of 'w' ('write'), 'a' ('append'), "
        f"'e' ('extend') or 'u' ('update').", mode=mode)


def apply_mode(current, value, mode: str):
    """Return what a location holding ``current`` holds after storing ``value`` with ``mode``.

    Lists, sets, dicts and objects with ``append``/``extend``/``update``
    methods are changed in place and returned; tuples and numpy arrays, which
    cannot grow in place, are returned as new objects.  The caller always
    stores the result back.

    ============  ===========================  =================================  =================
    current       ``'a'`` (append)             ``'e'`` (extend)                   ``'u'`` (update)
    ============  ===========================  =================================  =================
    None          ``[value]``                  ``list(value)``                    ``value``
    list          ``current.append(value)``    ``current.extend(value)``          --
    tuple         ``current + (value,)``       ``current + tuple(value)``         --
    set           ``current.update(value)``    ``current.update(value)``          ``.update``
    dict          ``current.update(value)``    ``current.update(value)``          ``.update``
    ndarray       ``value`` stacked as a new   concatenated along axis 0          --
                  row along axis 0
    other         ``current.append(value)``    ``current.extend(value)``          ``.update``
    ============  ===========================  =================================  =================

    As BatchFlow's model guide says, for sets and dicts ``'a'`` and ``'u'`` do
    the same thing: ``V('seen', mode='a')`` with a set adds the *items* of the value.

    Parameters
    ----------
    current : object
        What the location holds now (None if nothing).
    value : object
        The new value.
    mode : str
        ``'w'``, ``'a'``, ``'e'``, ``'u'`` or their long names.

    Raises
    ------
    ExpressionError
        If the mode cannot combine these types (appending to an int, ...), or
        arrays do not fit together; the error carries ``mode``,
        ``current_type`` and ``value_type``.

    Examples
    --------
    >>> import numpy as np
    >>> apply_mode(np.zeros((1, 2)), [1, 2], 'a')
    array([[0., 0.],
           [1., 2.]])
    >>> apply_mode({'a': 1}, {'b': 2}, 'u')
    {'a': 1, 'b': 2}
    >>> apply_mode(5, 1, 'w')
    1
    """
    mode = normalize_mode(mode)
    if mode == 'w':
        return value
    if current is None:
        return {'a': lambda: [value], 'e': lambda: list(value), 'u': lambda: value}[mode]()
    try:
        result = _COMBINE[mode](current, value)
    except (TypeError, ValueError) as exc:
        raise _mode_error(current, value, mode, str(exc)) from exc
    if result is _IMPOSSIBLE:
        raise _mode_error(current, value, mode)
    return result


_IMPOSSIBLE = object()


def _append(current, value):
    if isinstance(current, (set, dict)):
        current.update(value)
    elif isinstance(current, np.ndarray):
        return np.concatenate([current, np.asarray(value)[np.newaxis]], axis=0)
    elif isinstance(current, tuple):
        return current + (value,)
    elif _has_method(current, 'append'):
        current.append(value)
    else:
        return _IMPOSSIBLE
    return current


def _extend(current, value):
    if isinstance(current, (set, dict)):
        current.update(value)
    elif isinstance(current, np.ndarray):
        return np.concatenate([current, np.asarray(value)], axis=0)
    elif isinstance(current, tuple):
        return current + tuple(value)
    elif _has_method(current, 'extend'):
        current.extend(value)
    else:
        return _IMPOSSIBLE
    return current


def _update(current, value):
    if not _has_method(current, 'update'):
        return _IMPOSSIBLE
    current.update(value)
    return current


_COMBINE = {'a': _append, 'e': _extend, 'u': _update}


def _has_method(obj, name):
    return callable(getattr(type(obj), name, None))


def _mode_error(current, value, mode, detail=''):
    current_type, value_type = type(current).__name__, type(value).__name__
    message = (f"Mode {mode!r} ({_LONG[mode]}) cannot combine a {value_type} value with the current "
               f"value of type {current_type}")
    message += f': {detail}.' if detail else '.'
    message += (" 'a' and 'e' work on lists, tuples, sets, dicts, numpy arrays and None; 'u' on dicts, "
                "sets, objects with an update() method and None. Use mode 'w' to replace the value.")
    return ExpressionError(message, mode=mode, current_type=current_type, value_type=value_type)
