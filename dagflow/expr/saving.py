"""Values in and out of named expressions outside a step: ``save_data_to``, ``read_data_from``, initial values.

Examples
--------
>>> import numpy as np
>>> from types import SimpleNamespace
>>> from dagflow.expr import B
>>> batch, total = SimpleNamespace(loss=None), np.zeros(2)
>>> save_data_to([0.5, [1, 2]], [B('loss'), total], batch=batch)
>>> batch.loss, total
(0.5, array([1., 2.]))
>>> read_data_from([B('loss'), total], batch=batch)
[0.5, array([1., 2.])]
"""
from __future__ import annotations

import copy

import numpy as np

from dagflow.exceptions import ExpressionError
from dagflow.expr.assignment import assign
from dagflow.expr.base import Expression
from dagflow.expr.context import Context, make_context
from dagflow.expr.evaluate import evaluate
from dagflow.expr.walk import walk

__all__ = ['save_data_to', 'read_data_from', 'initial_value_of']


def save_data_to(data, dst, *, batch=None, pipeline=None, context: Context | None = None) -> None:
    """Store ``data`` into ``dst``, as BatchFlow's ``save_data_to`` does.

    Parameters
    ----------
    data : object, list, tuple or dict
        The value; a list or tuple gives one value per location of a list
        ``dst``; a dict gives a value per key of a dict ``dst``.
    dst : named expression, numpy array, list or tuple of them, or dict of them
        Where to store: an expression (``B``, ``V``, ``C``, ``L`` or an item of
        one) is assigned with its own mode, an array is written into in place
        (``array[...] = value``), and any other entry of a list or dict ``dst``
        is replaced by the value.
    batch, pipeline, context : optional
        What the expressions in ``dst`` refer to (as for ``expr.set``).

    Raises
    ------
    KeyError
        A key of a dict ``dst`` that ``data`` lacks.
    ExpressionError
        A list ``dst`` and ``data`` of different lengths, a dict ``data`` with
        a ``dst`` that is not a dict, or a single ``dst`` that names no location.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from dagflow.expr import V
    >>> class Pipeline:
    ...     variables = {}
    ...     def set_variable(self, name, value):
    ...         self.variables[name] = value
    >>> slots = {'loss': V('loss'), 'acc': None}
    >>> save_data_to({'loss': 0.25, 'acc': 0.9}, slots, pipeline=Pipeline())
    >>> Pipeline.variables, slots['acc']
    ({'loss': 0.25}, 0.9)
    """
    context = make_context(batch, pipeline, context)
    if isinstance(data, dict):
        if not isinstance(dst, dict):
            raise ExpressionError(f'save_data_to: data is a dict, so dst must be a dict of locations with the same '
                                  f'keys, but got {type(dst).__name__}', target=dst)
        for key, location in dst.items():
            if key not in data:
                raise KeyError(f'save_data_to: dst has the key {key!r}, which data lacks (data has {sorted(data)})')
            _store(dst, key, location, data[key], context)
        return
    if not isinstance(dst, (list, tuple)):
        if not isinstance(dst, (Expression, np.ndarray)):
            raise ExpressionError(f'save_data_to: dst must be a named expression, a numpy array, or a list or '
                                  f'dict of them, but got {dst!r} ({type(dst).__name__})', target=dst)
        _store(None, None, dst, data, context)
        return
    values = data if isinstance(data, (list, tuple)) else [data]
    if len(values) != len(dst):
        raise ExpressionError(f'save_data_to: {len(values)} value(s) for {len(dst)} location(s); give one value '
                              f'per location', target=dst)
    for position, (location, value) in enumerate(zip(dst, values)):
        _store(dst, position, location, value, context)


def read_data_from(src, *, batch=None, pipeline=None, context: Context | None = None):
    """Read the values at ``src``, as BatchFlow's ``read_data_from`` does (the counterpart of :func:`save_data_to`).

    Parameters
    ----------
    src : named expression, array or any value, or a list or tuple of them
        A named expression is evaluated (``B``, ``V``, ``C``, ``L``, ``F``,
        their items and arithmetic); anything else is returned as it is.  A
        list or tuple gives a list or tuple of the values, element by element
        (an element that is itself a list is returned as it is, as BatchFlow's).
    batch, pipeline, context : optional
        What the expressions refer to (as for ``expr.get``).

    Returns
    -------
    object
        The value, or a list or tuple of values, as ``src`` is.

    Raises
    ------
    ExpressionError, UndefinedVariableError
        As evaluating the expressions does: a ``B`` without a batch, a
        variable that does not exist (a ``KeyError``), ...

    Examples
    --------
    >>> from dagflow.expr import V
    >>> class Pipeline:
    ...     def get_variable(self, name):
    ...         return {'loss': 0.25, 'step': 3}[name]
    >>> read_data_from((V('loss'), V('step') + 1, 'as is'), pipeline=Pipeline())
    (0.25, 4, 'as is')
    >>> read_data_from(V('loss'), pipeline=Pipeline())
    0.25
    """
    context = make_context(batch, pipeline, context)
    if not isinstance(src, (list, tuple)):
        return evaluate(src, context) if isinstance(src, Expression) else src
    return type(src)(evaluate(item, context) if isinstance(item, Expression) else item for item in src)


def _store(container, key, location, value, context):
    if isinstance(location, (Expression, np.ndarray)):
        assign(location, value, context)
    elif isinstance(container, tuple):
        raise ExpressionError(f'save_data_to: entry {key} of the dst tuple is {location!r}, which names no '
                              f'location; use a list to have it replaced, or a named expression', target=container)
    else:
        container[key] = value


def initial_value_of(value, *, per_run: bool = False):
    """The value a pipeline variable starts with, given its ``default`` (or ``init_on_each_run``).

    A value holding named expressions is evaluated, without a batch
    (``F(my_init_function)`` is ``my_init_function()``, a seeded ``R`` draws
    from its seed).  Otherwise, with ``per_run``, a callable is called
    (``init_on_each_run=list``); anything else is deep-copied so that runs
    and pipelines never share it.

    Examples
    --------
    >>> from dagflow.expr import F
    >>> initial_value_of(F(lambda: 'made')), initial_value_of(list, per_run=True), initial_value_of([1])
    ('made', [], [1])
    """
    if next(walk(value), None) is not None:
        return evaluate(value, Context())
    if per_run and callable(value):
        return value()
    return copy.deepcopy(value)
