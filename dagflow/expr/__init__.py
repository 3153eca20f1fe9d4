"""Named expressions: values that exist only when a pipeline runs.

An expression is a tiny tree (:class:`Node` over leaves such as ``B``, ``V``,
``C``) built by operator overloading and given meaning by one evaluator,
:func:`evaluate`, and one assigner, :func:`assign`, against a :class:`Context`.

Examples
--------
>>> from types import SimpleNamespace
>>> from dagflow.expr import B, Context, evaluate
>>> evaluate({'n': B.size * 2}, Context(batch=SimpleNamespace(size=4)))
{'n': 8}
"""
from dagflow.expr.assignment import ASSIGNABLE, assign
from dagflow.expr.base import Expression, Node, is_expression
from dagflow.expr.base import Expression as NamedExpression
from dagflow.expr.context import Context, IterationInfo, make_context
from dagflow.expr.evaluate import eval_expr, evaluate
from dagflow.expr.listwise import L
from dagflow.expr.modes import MODES, apply_mode, normalize_mode
from dagflow.expr.named import IF, NO_DEFAULT, PP, B, C, D, F, I, Lambda, M, P, V, W
from dagflow.expr.random_draws import R
from dagflow.expr.saving import initial_value_of, read_data_from, save_data_to
from dagflow.expr.walk import structural_key, walk

__all__ = [
    'B', 'V', 'C', 'D', 'F', 'L', 'Lambda', 'M', 'IF', 'R', 'W', 'I', 'P', 'PP', 'NO_DEFAULT',
    'Expression', 'NamedExpression', 'Node', 'is_expression', 'eval_expr',
    'Context', 'IterationInfo', 'make_context',
    'evaluate', 'assign', 'ASSIGNABLE', 'save_data_to', 'read_data_from', 'initial_value_of',
    'MODES', 'normalize_mode', 'apply_mode',
    'walk', 'structural_key',
]
