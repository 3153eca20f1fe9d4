"""The one evaluator of named expressions.

:func:`evaluate` replaces every expression inside a value (lists, tuples,
dicts -- keys included --, sets, slices, :class:`~dagflow.config.Config`) by
what it means in a :class:`~dagflow.expr.Context`.  Its counterpart, the one
assigner, is :func:`dagflow.expr.assignment.assign`.

Examples
--------
>>> from types import SimpleNamespace
>>> from dagflow.expr import B, Context
>>> ctx = Context(batch=SimpleNamespace(images=[5, 6], labels=[0, 1]))
>>> evaluate({'x': B.images[0], B.labels[1]: 'key'}, ctx)
{'x': 5, 1: 'key'}
"""
from __future__ import annotations

import copy
import numbers

import numpy as np

from dagflow.config import Config
from dagflow.exceptions import ComponentError, DatasetAttributeError, ExpressionError, suggestion_text
from dagflow.expr.base import BINARY_OPS, UNARY_OPS, Expression, Node
from dagflow.expr.context import Context, make_context
from dagflow.expr.listwise import L
from dagflow.expr.named import IF, NO_DEFAULT, PP, B, C, D, F, I, Lambda, M, P, V, W
from dagflow.expr.random_draws import R
from dagflow.expr.signatures import signature_fact
from dagflow.frozen import FrozenDict

__all__ = ['evaluate', 'eval_expr', 'draw', 'seeded_generator', 'takes_batch']



def evaluate(obj, context: Context):
    """Return ``obj`` with every named expression inside it replaced by its value.

    Lists, tuples (namedtuples keep their type), dicts (keys too), sets,
    frozensets, slices and configs are walked; containers without
    expressions come back as the very same object.  Any other object is
    returned as is.  An expression whose value is itself an expression (a
    variable holding ``B.images``) is evaluated again, except under ``W``.

    Parameters
    ----------
    obj : object
        A value that may contain expressions.
    context : Context
        The batch, pipeline and run to evaluate against.

    Examples
    --------
    >>> from dagflow.expr import V, Context
    >>> class Pipeline:
    ...     def get_variable(self, name):
    ...         return {'n': 3}[name]
    >>> evaluate([V('n') * 2, (V('n'), 'x'), {V('n')}], Context(pipeline=Pipeline()))
    [6, (3, 'x'), {3}]
    """
    if isinstance(obj, Expression):
        return _evaluate_expression(obj, context)
    kind = type(obj)
    if kind is list or kind is tuple or kind is set or kind is frozenset:
        items = _evaluate_items(obj, context)
        return obj if items is None else kind(items)
    if isinstance(obj, tuple):  # namedtuples and other tuple subclasses
        items = _evaluate_items(obj, context)
        if items is None:
            return obj
        return kind(*items) if hasattr(obj, '_fields') else kind(items)
    if isinstance(obj, (dict, Config)):
        return _evaluate_mapping(obj, context)
    if kind is slice:
        items = _evaluate_items((obj.start, obj.stop, obj.step), context)
        return obj if items is None else slice(*items)
    return obj


def eval_expr(expr, no_eval=None, *, batch=None, pipeline=None, context: Context | None = None):
    """BatchFlow's ``eval_expr``: :func:`evaluate` with a context made from ``batch`` and ``pipeline``.

    Parameters
    ----------
    expr : object
        A value that may contain named expressions.
    no_eval : sequence of str, optional
        When ``expr`` is a dict: the keys whose values stay unevaluated.
    batch, pipeline, context : optional
        What the expressions refer to (as for ``expr.get``).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from dagflow.expr import B
    >>> eval_expr({'n': B.size, 'later': B.size}, no_eval=['later'], batch=SimpleNamespace(size=4))
    {'n': 4, 'later': B.size}
    """
    context = make_context(batch, pipeline, context)
    if not no_eval or not isinstance(expr, (dict, Config)):
        return evaluate(expr, context)
    result = Config() if isinstance(expr, Config) else type(expr)()
    for key, value in expr.items():
        key = evaluate(key, context)
        result[key] = value if key in no_eval else evaluate(value, context)
    return result


def _evaluate_items(items, context):
    """Return the evaluated items as a list, or None when none of them changed."""
    changed, result = False, []
    for item in items:
        value = evaluate(item, context)
        changed = changed or value is not item
        result.append(value)
    return result if changed else None


def _evaluate_mapping(obj, context):
    pairs = [(evaluate(key, context), evaluate(value, context)) for key, value in obj.items()]
    if all(new[0] is key and new[1] is obj[key] for new, key in zip(pairs, obj)):
        return obj
    if isinstance(obj, Config):
        return Config(dict(pairs))
    if isinstance(obj, FrozenDict):   # a step's read-only keyword arguments: made whole, not filled in
        return type(obj)(pairs)
    result = type(obj)(obj.default_factory) if hasattr(obj, 'default_factory') else type(obj)()
    result.update(pairs)
    return result


def _evaluate_expression(expr, context):
    if isinstance(expr, Node):
        return _evaluate_node(expr, context)
    value = _LEAVES[expr.kind](expr, context)
    if isinstance(value, Expression) and not isinstance(expr, W):
        return evaluate(value, context)
    return value


def _evaluate_node(node, context):
    op, args = node.op, node.args
    if op == 'call':
        fn = _callee(args[0], context)
        return fn(*evaluate(args[1], context), **evaluate(args[2], context))
    if op in BINARY_OPS:
        return BINARY_OPS[op][1](evaluate(args[0], context), evaluate(args[1], context))
    if op in UNARY_OPS:
        return UNARY_OPS[op][1](evaluate(args[0], context))
    obj = evaluate(args[0], context)
    if op == 'getitem':
        return obj[evaluate(args[1], context)]
    if op == 'getattr':
        return getattr(obj, args[1])
    if op == 'str':
        return str(obj)
    template, fargs, fkwargs = evaluate(args[1:], context)
    return template.format(obj, *fargs, **fkwargs)


def _callee(fn, context):
    """The function a call node calls: ``F(fn)(...)`` calls ``fn`` itself, without the batch."""
    if isinstance(fn, (F, Lambda)):
        bound_args, bound_kwargs = evaluate((fn.args, fn.kwargs), context)
        if not bound_args and not bound_kwargs:
            return fn.fn
        return lambda *args, **kwargs: fn.fn(*bound_args, *args, **{**bound_kwargs, **kwargs})
    return evaluate(fn, context)


# ---- leaves ------------------------------------------------------------------------------------

def _need(context, what, expr, reason):
    value = getattr(context, what)
    if value is None:
        article = 'an' if what[0] in 'aeiou' else 'a'
        raise ExpressionError(f'{expr!r} needs {article} {what}, but there is none here: {reason}', expr=expr)
    return value


def _batch(expr, context):
    batch = _need(context, 'batch', expr,
                  'batch expressions cannot be evaluated before a batch exists (e.g. in a static model '
                  'config or init_variable). Use a dynamic model, or read the value inside an action.')
    if not expr.name:
        return _copy_batch(batch) if expr._copy else batch
    value = _component(batch, expr)
    return copy.deepcopy(value) if expr._copy else value


def _component(batch, expr):
    """``batch.<expr.name>``, or a ComponentError with close matches."""
    try:
        return getattr(batch, expr.name)
    except AttributeError as exc:
        components = getattr(batch, 'components', None) or ()
        candidates = [*components, *(name for name in dir(batch) if not name.startswith('_'))]
        batch_class = type(batch).__name__
        raise ComponentError(
            f'{batch_class} has no component or attribute {expr.name!r} (in {expr!r}).'
            f'{suggestion_text(expr.name, candidates)}',
            name=expr.name, batch_class=batch_class, components=tuple(components)) from exc


def _copy_batch(batch):
    """A copy of the batch for ``B(copy=True)``: its own ``copy()`` if it has one, else a deep copy
    that shares the run context, pipeline and dataset (which hold models, locks and the whole data)."""
    own = getattr(type(batch), 'copy', None)
    if callable(own):
        return batch.copy()
    shared = (getattr(batch, 'context', None), getattr(batch, 'pipeline', None), getattr(batch, 'dataset', None))
    return copy.deepcopy(batch, {id(obj): obj for obj in shared if obj is not None})


def _pipeline(expr, context):
    return _need(context, 'pipeline', expr, 'pass pipeline=... or evaluate it while a pipeline runs.')


def _variable(expr, context):
    return _pipeline(expr, context).get_variable(expr.name)


def _model(expr, context):
    return _pipeline(expr, context).get_model_by_name(expr.name, batch=context.batch)


def _choice(expr, context):
    return evaluate(expr.true if evaluate(expr.condition, context) else expr.false, context)


def _config(expr, context):
    config = _pipeline(expr, context).config
    if config is None:
        config = Config()
    if not expr.name:
        return config
    if not isinstance(config, Config):
        config = Config(config)
    if expr.default is NO_DEFAULT:
        try:
            return config[expr.name]
        except KeyError as exc:
            raise KeyError(f'{exc.args[0]} Set it before the run (pipeline.config[{expr.name!r}] = ..., or '
                           f'--config {expr.name}=... with `dagflow run`), or give a default: '
                           f'C({expr.name!r}, default=...).') from None
    return config.get(expr.name, expr.default)


def _dataset(expr, context):
    dataset = context.get_dataset()
    if dataset is None:
        raise ExpressionError(f'{expr!r} needs a dataset, but neither the context, the pipeline nor the '
                              f'batch has one', expr=expr)
    if not expr.name:
        return dataset
    try:
        return getattr(dataset, expr.name)
    except AttributeError as exc:
        candidates = [name for name in dir(dataset) if not name.startswith('_')]
        raise DatasetAttributeError(f'{type(dataset).__name__} has no attribute {expr.name!r} (in {expr!r}).'
                                    f'{suggestion_text(expr.name, candidates)}', expr=expr) from exc


def _function(expr, context):
    args, kwargs = evaluate((expr.args, expr.kwargs), context)
    if expr.kind != 'F':
        return expr.fn(*args, **kwargs)
    if args or kwargs:   # F(fn, *args, **kwargs): the batch first, when there is one
        return expr.fn(*args, **kwargs) if context.batch is None else expr.fn(context.batch, *args, **kwargs)
    if not takes_batch(expr.fn):
        return expr.fn()
    batch = _need(context, 'batch', expr,
                  f'{expr.name} takes an argument, which F fills with the batch. Use a dynamic model (its config '
                  f'is evaluated with the first batch), a function without arguments, or call it with its '
                  f"arguments: F(fn)(C('shape')).")
    return expr.fn(batch)


def takes_batch(fn) -> bool:
    """Whether ``F(fn)`` gives ``fn`` the batch: when ``fn`` cannot be called without an argument.

    ``F(lambda batch: ...)`` and ``F(MyBatch.get_labels)`` get the batch;
    ``F(my_init_function)``, ``F(list)`` or ``F(lambda batch=None: ...)``,
    which can be called without one, are called without it, as BatchFlow's
    ``F`` always is.  So is a callable whose signature Python cannot read
    (``dict``, ``max``).

    Examples
    --------
    >>> takes_batch(lambda batch: 1), takes_batch(lambda: 1), takes_batch(list), takes_batch(len)
    (True, False, False, True)
    """
    return signature_fact(fn, _takes_batch)


def _takes_batch(signature) -> bool:
    if signature is None:
        return False
    try:
        signature.bind()
    except TypeError:
        pass
    else:
        return False
    try:
        signature.bind(None)
    except TypeError:
        return False   # it fails either way: let the call without the batch say why
    return True


def draw(expr: R, context: Context, size=None, rng: np.random.Generator | None = None):
    """Draw ``expr`` (an ``R``) with ``size`` (an int or a tuple, or None) prepended to its own size.

    The generator is ``rng`` if given, else the seeded ``R``'s (see
    :func:`seeded_generator`), else the context's, else a fresh unseeded one.

    Examples
    --------
    >>> import numpy as np
    >>> draw(R('uniform', size=2), Context(random=np.random.default_rng(0)), size=4).shape
    (4, 2)
    """
    if rng is None:
        rng = seeded_generator(expr.seed, context) if expr.seed is not None else context.random
    if rng is None:
        rng = np.random.default_rng()
    args, kwargs, own = evaluate((expr.args, expr.kwargs, expr.size), context)
    if size is not None:
        own = (*_as_shape(size), *_as_shape(own))
    if own is not None:
        kwargs = {**kwargs, 'size': own}
    return getattr(rng, expr.name)(*args, **kwargs)


#: The first word of the spawn key of seeded ``R`` generators (the engine's batches use 0, shuffling 2).
SEEDED_R_KEY = 0x52


def seeded_generator(seed, context: Context) -> np.random.Generator:
    """The generator of an ``R(..., seed=seed)`` for the batch of ``context``: derived from the seed and
    the batch's position (``(seed, number)``), so it is the same in every run and on every scheduler.

    Examples
    --------
    >>> from dagflow.expr import IterationInfo
    >>> first = seeded_generator(7, Context(iteration=IterationInfo(number=0))).random()
    >>> first == seeded_generator(7, Context(iteration=IterationInfo(number=0))).random()
    True
    >>> first == seeded_generator(7, Context(iteration=IterationInfo(number=1))).random()
    False
    """
    key = () if context.iteration is None else (SEEDED_R_KEY, context.iteration.number)
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


def _as_shape(size):
    if size is None:
        return ()
    if isinstance(size, numbers.Integral):
        return (int(size),)
    return tuple(size)


def _iteration(expr, context):
    info = _need(context, 'iteration', expr, 'iteration numbers exist only while a pipeline runs.')
    if expr.name == 'current':
        return info.current
    if expr.name == 'max':
        return info.max
    if info.max is None:
        raise ExpressionError(f"{expr!r} needs the total number of batches, but this run has no end "
                              f"(run with n_iters or n_epochs)", expr=expr)
    return info.ratio


def _batch_length(expr, context):
    batch = _need(context, 'batch', expr, 'per-item values need the batch to know how many items there are.')
    try:
        return len(batch)
    except TypeError:
        return batch.size


def _per_item(expr, context):
    size = _batch_length(expr, context)
    if isinstance(expr.expr, R):
        return draw(expr.expr, context, size=size)
    values = evaluate(expr.expr, context)
    length = len(values) if hasattr(values, '__len__') else None
    if length != size:
        got = f'len={length}' if length is not None else f'a {type(values).__name__} with no length'
        raise ExpressionError(f'{expr!r} must give one value per batch item (len={size}), but got {got}',
                              expr=expr)
    return values


def _listwise_objects(expr, context):
    """The objects an ``L`` goes through: the component's, or the evaluated sequence."""
    if isinstance(expr.source, str):
        batch = _need(context, 'batch', expr, 'L(...) reads a batch component item by item.')
        return _component(batch, expr)
    return evaluate(expr.source, context)


def _follow(obj, links):
    for link in links:
        if link[0] == 'getattr':
            obj = getattr(obj, link[1])
        elif link[0] == 'getitem':
            obj = obj[link[1]]
        else:
            obj = obj(*link[1], **link[2])
    return obj


def _listwise(expr, context):
    objects = _listwise_objects(expr, context)
    if not expr.chain:
        return objects
    links = evaluate(expr.chain, context)
    return [_follow(obj, links) for obj in objects]


def _per_item_repeat(expr, context):
    count = _batch_length(expr, context)
    inner = expr.expr
    if isinstance(inner, R) and inner.seed is not None:   # one seeded generator, a draw per item
        rng = seeded_generator(inner.seed, context)
        return [draw(inner, context, rng=rng) for _ in range(count)]
    return [evaluate(inner, context) for _ in range(count)]


_LEAVES = {
    B.kind: _batch, V.kind: _variable, C.kind: _config, D.kind: _dataset,
    F.kind: _function, Lambda.kind: _function, L.kind: _listwise, R.kind: draw,
    W.kind: lambda expr, context: expr.expr,
    I.kind: _iteration, P.kind: _per_item, PP.kind: _per_item_repeat, M.kind: _model, IF.kind: _choice,
}
