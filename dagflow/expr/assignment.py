"""The one assigner of named expressions: storing a value where an expression points.

:func:`assign` stores a value at the location a ``B``, ``V``, ``C`` or ``L``
expression (or an item or attribute of one) names, or into a numpy array.

Examples
--------
>>> from types import SimpleNamespace
>>> from dagflow.expr import B, Context
>>> ctx = Context(batch=SimpleNamespace(labels=[0, 1]))
>>> assign(B.labels, 2, ctx, mode='a')
>>> ctx.batch.labels
[0, 1, 2]
"""
from __future__ import annotations

import numpy as np

from dagflow.exceptions import ExpressionError
from dagflow.expr.base import Expression, Node
from dagflow.expr.context import Context
from dagflow.expr.evaluate import _follow, _listwise_objects, _need, _pipeline, evaluate
from dagflow.expr.listwise import L
from dagflow.expr.modes import apply_mode, normalize_mode
from dagflow.expr.named import IF, B, C, V

__all__ = ['assign', 'ASSIGNABLE']

#: The kinds of leaves that name a location a value can be stored at.
ASSIGNABLE = ('B', 'V', 'C', 'L')


def assign(target, value, context: Context, mode: str | None = None) -> None:
    """Store ``value`` at the location ``target`` names, combining it with ``mode``.

    ``target`` is a ``B``, ``V`` or ``C`` leaf, or an item or attribute chain
    over one (``B.images[0]``, ``V('stats')['loss']``); an ``L`` chain
    (``L('objs').label``: one value per object); or a numpy array, which the
    value is written into in place (mode ``'w'`` only).  The mode is
    ``mode`` if given, else the leaf's own mode (``V('x', mode='a')``; an item
    or attribute node has none), else ``'w'``; the new value is computed by
    :func:`~dagflow.expr.apply_mode` and always stored back, through
    ``setattr(batch, ...)``, ``pipeline.set_variable(...)``,
    ``pipeline.config[...] = ...`` or ``obj[key] = ...``.  Storing into an item
    or attribute of a variable (``V('stats')['loss']``) also calls
    ``set_variable`` with the changed variable, so the pipeline sees every
    write to a variable.  ``value`` itself is stored as given, not evaluated.

    Raises
    ------
    ExpressionError
        If ``target`` cannot be assigned (a constant, ``F``, ``R``, a list of
        targets, ``B()``, ``C()``), or the context lacks the batch or pipeline.

    Examples
    --------
    >>> from dagflow.expr import V, Context
    >>> class Pipeline:
    ...     def __init__(self):
    ...         self.variables = {}
    ...     def has_variable(self, name):
    ...         return name in self.variables
    ...     def get_variable(self, name):
    ...         return self.variables[name]
    ...     def set_variable(self, name, value):
    ...         self.variables[name] = value
    >>> ctx = Context(pipeline=Pipeline())
    >>> assign(V('history', mode='a'), 0.5, ctx)
    >>> assign(V('history'), [0.25, 0.125], ctx, mode='extend')
    >>> ctx.pipeline.variables
    {'history': [0.5, 0.25, 0.125]}
    """
    if isinstance(target, IF):
        branch = target.true if evaluate(target.condition, context) else target.false
        assign(branch, value, context, mode)
        return
    if isinstance(target, L):
        _assign_listwise(target, value, context, mode)
        return
    if isinstance(target, np.ndarray):
        _write_into(target, value, mode)
        return
    root = _assignable_root(target)
    if isinstance(target, Node):
        _assign_into(target, root, value, context, normalize_mode(mode or 'w'))
        return
    mode = normalize_mode(mode or getattr(root, 'mode', 'w'))
    if root.kind == 'B':
        batch = _need(context, 'batch', target, 'there is no batch to store the value in.')
        current = getattr(batch, target.name, None) if mode != 'w' else None
        setattr(batch, target.name, apply_mode(current, value, mode))
    elif root.kind == 'V':
        pipeline = _pipeline(target, context)
        current = None
        if mode != 'w' and pipeline.has_variable(target.name):
            current = pipeline.get_variable(target.name)
        pipeline.set_variable(target.name, apply_mode(current, value, mode))
    else:
        config = _pipeline(target, context).config
        current = config.get(target.name) if mode != 'w' else None
        config[target.name] = apply_mode(current, value, mode)


def _write_into(array, value, mode):
    """``save_to=array``: the value is written into the array, in place (BatchFlow's ``array[:] = value``)."""
    if normalize_mode(mode or 'w') != 'w':
        raise ExpressionError(f'Cannot store with mode {mode!r} into a numpy array: an array is written in '
                              f"place, so only mode 'w' applies. Use V('name', mode={mode!r}) to collect values.",
                              target=array)
    try:
        array[...] = value
    except (ValueError, TypeError) as exc:
        shape = getattr(value, 'shape', None)
        got = f'a value of shape {shape}' if shape is not None else f'a {type(value).__name__}'
        raise ExpressionError(f'Cannot write {got} into the save_to array of shape {array.shape}: {exc}',
                              target=array) from exc


def _assignable_root(target):
    node = target
    while isinstance(node, Node) and node.op in ('getitem', 'getattr'):
        node = node.args[0]
    if isinstance(node, (B, V, C)) and node.name:
        return node
    what = f'{target!r}' if isinstance(target, Expression) else f'{target!r} ({type(target).__name__})'
    if isinstance(node, (B, C)) and not node.name:
        reason = f'{node!r} is the whole {"batch" if node.kind == "B" else "config"}; name a part of it'
    else:
        reason = 'it does not name a location'
    raise ExpressionError(
        f"Cannot assign to {what}: {reason}. Only B('component'), V('variable'), C('key') and items or "
        f"attributes of them (e.g. B.images[0], V('stats')['loss']) can be assigned.", target=target)


def _assign_into(target, root, value, context, mode):
    """Store into an item or attribute; a variable at the root is written back with ``set_variable``."""
    root_value = evaluate(root, context)
    obj = _resolve(target.args[0], root, root_value, context)
    key = evaluate(target.args[1], context)
    try:
        if target.op == 'getattr':
            current = getattr(obj, key, None) if mode != 'w' else None
            setattr(obj, key, apply_mode(current, value, mode))
        else:
            try:
                current = obj[key] if mode != 'w' else None
            except LookupError:
                current = None
            obj[key] = apply_mode(current, value, mode)
    except (TypeError, AttributeError) as exc:
        raise ExpressionError(f'Cannot assign to {target!r}: {exc}', target=target) from exc
    if root.kind == 'V':
        _pipeline(root, context).set_variable(root.name, root_value)


def _resolve(node, root, root_value, context):
    """Evaluate an item/attribute chain, reading its root only once (as ``root_value``)."""
    if node is root:
        return root_value
    obj = _resolve(node.args[0], root, root_value, context)
    if node.op == 'getattr':
        return getattr(obj, node.args[1])
    return obj[evaluate(node.args[1], context)]

def _assign_listwise(target, value, context, mode):
    """Store ``value`` (one entry per object) at ``L('objs').attr`` / ``L('objs')[key]``; ``L('objs')`` as ``B``."""
    if not target.chain:
        if not isinstance(target.source, str) or not target.source:
            raise ExpressionError(f'Cannot assign to {target!r}: it does not name a batch component; use '
                                  f"L('component') or an attribute or item of its objects.", target=target)
        assign(B(target.source, mode=target.mode), value, context, mode=mode)
        return
    *links, last = evaluate(target.chain, context)
    if last[0] == 'call':
        raise ExpressionError(f'Cannot assign to {target!r}: it ends with a call; assign to an attribute or '
                              f'an item of the objects instead.', target=target)
    owners = [_follow(obj, links) for obj in _listwise_objects(target, context)]
    try:
        values = list(value)
    except TypeError:
        values = None
    if values is None or len(values) != len(owners):
        got = f'len={len(values)}' if values is not None else f'a {type(value).__name__}'
        raise ExpressionError(f'Assigning to {target!r} needs one value per object ({len(owners)}), but got '
                              f'{got}.', target=target)
    mode = normalize_mode(mode or target.mode)
    for owner, item in zip(owners, values):
        if last[0] == 'getattr':
            current = getattr(owner, last[1], None) if mode != 'w' else None
            setattr(owner, last[1], apply_mode(current, item, mode))
        else:
            current = owner[last[1]] if mode != 'w' else None
            owner[last[1]] = apply_mode(current, item, mode)
