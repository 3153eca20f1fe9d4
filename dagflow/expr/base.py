"""The expression tree: the :class:`Expression` base class and the operator :class:`Node`.

Like micrograd's ``Value``, an expression only records what was done to it:
``V('n') + 1`` is ``Node('add', (V('n'), 1))``, ``B.images[0]`` is
``Node('getitem', (B('images'), 0))``.  Nothing is computed until
:func:`dagflow.expr.evaluate` walks the tree with a context.

Expressions are immutable values: they print as the code that builds them,
pickle, and hash by identity so they can be dict keys.  ``==`` builds a
comparison node, so compare two expressions with
:func:`dagflow.expr.structural_key` instead.

Examples
--------
>>> from dagflow.expr import V
>>> expr = (V('n') + 1) * 2
>>> expr
((V('n') + 1) * 2)
>>> expr.op, expr.args[1]
('mul', 2)
"""
from __future__ import annotations

import operator
from typing import ClassVar

from dagflow.exceptions import ExpressionError

__all__ = ['Expression', 'Node', 'AttributeForm', 'is_expression', 'format_arguments', 'format_key',
           'BINARY_OPS', 'UNARY_OPS', 'OTHER_OPS']

#: Binary operators: op name -> (symbol in repr, function).
BINARY_OPS = {
    'add': ('+', operator.add), 'sub': ('-', operator.sub), 'mul': ('*', operator.mul),
    'truediv': ('/', operator.truediv), 'floordiv': ('//', operator.floordiv),
    'mod': ('%', operator.mod), 'pow': ('**', operator.pow), 'matmul': ('@', operator.matmul),
    'and': ('&', operator.and_), 'or': ('|', operator.or_), 'xor': ('^', operator.xor),
    'lshift': ('<<', operator.lshift), 'rshift': ('>>', operator.rshift),
    'eq': ('==', operator.eq), 'ne': ('!=', operator.ne), 'lt': ('<', operator.lt),
    'le': ('<=', operator.le), 'gt': ('>', operator.gt), 'ge': ('>=', operator.ge),
}

#: Unary operators: op name -> (symbol in repr, function).
UNARY_OPS = {
    'neg': ('-', operator.neg), 'pos': ('+', operator.pos), 'invert': ('~', operator.invert),
    'abs': ('abs', operator.abs),
}

#: The other node kinds and the layout of their ``args``.
OTHER_OPS = {
    'getitem': '(obj, key)',
    'getattr': '(obj, name)',
    'call': '(fn, args_tuple, kwargs_dict)',
    'str': '(obj,)',
    'format': '(obj, template, args_tuple, kwargs_dict)',
}


def _binary(op):
    def method(self, other):
        return Node(op, (self, other))
    method.__name__ = f'__{op}__'
    return method


def _reflected(op):
    def method(self, other):
        return Node(op, (other, self))
    method.__name__ = f'__r{op}__'
    return method


def _unary(op):
    def method(self):
        return Node(op, (self,))
    method.__name__ = f'__{op}__'
    return method


class Expression:
    """Base class of every named expression and operator node.

    Subclasses list the slots that hold their data in ``_fields``; pickling,
    :func:`~dagflow.expr.walk` and :func:`~dagflow.expr.structural_key` read
    them from there.

    Examples
    --------
    >>> from dagflow.expr import B
    >>> B.images.shape[0]
    B.images.shape[0]
    >>> bool(B.images)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: The truth value of B.images is unknown when the pipeline is built: ...
    """

    __slots__ = ()
    kind: str = ''
    # The kind of shared state the class reads, as the value of a ``dagflow.core.ResourceKind`` ('var',
    # 'config', 'model') or None.  Every subclass must say (or inherit) it: no default here, so a new leaf
    # class cannot silently read state the plan does not order (``__init_subclass__`` checks it).
    resource_kind: ClassVar[str | None]
    _fields: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not hasattr(cls, 'resource_kind'):
            raise TypeError(f'{cls.__qualname__} must declare resource_kind: the kind of shared state its '
                            f"expressions read ('var', 'config', 'model'), or None when they read none, so "
                            f'that the plan orders the steps that use them.')
    # numpy must not broadcast over an expression: ``array + V('x')`` goes to ``V.__radd__``.
    __array_ufunc__ = None

    def _init(self, **fields):
        for name, value in fields.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name, value):
        raise AttributeError(f'{type(self).__name__} expressions are immutable: build a new one '
                             f'instead of setting {name!r}')

    def __delattr__(self, name):
        raise AttributeError(f'{type(self).__name__} expressions are immutable: cannot delete {name!r}')

    def __reduce__(self):
        return (_restore, (type(self), tuple(getattr(self, name) for name in self._fields)))

    def __copy__(self):
        return self

    # ---- building the tree ------------------------------------------------------------------
    __add__, __radd__ = _binary('add'), _reflected('add')
    __sub__, __rsub__ = _binary('sub'), _reflected('sub')
    __mul__, __rmul__ = _binary('mul'), _reflected('mul')
    __truediv__, __rtruediv__ = _binary('truediv'), _reflected('truediv')
    __floordiv__, __rfloordiv__ = _binary('floordiv'), _reflected('floordiv')
    __mod__, __rmod__ = _binary('mod'), _reflected('mod')
    __pow__, __rpow__ = _binary('pow'), _reflected('pow')
    __matmul__, __rmatmul__ = _binary('matmul'), _reflected('matmul')
    __and__, __rand__ = _binary('and'), _reflected('and')
    __or__, __ror__ = _binary('or'), _reflected('or')
    __xor__, __rxor__ = _binary('xor'), _reflected('xor')
    # No reflected shifts: ``pipeline << expr`` and ``dataset >> expr`` belong to Pipeline and Dataset.
    __lshift__, __rshift__ = _binary('lshift'), _binary('rshift')
    __eq__, __ne__ = _binary('eq'), _binary('ne')
    __lt__, __le__, __gt__, __ge__ = _binary('lt'), _binary('le'), _binary('gt'), _binary('ge')
    __neg__, __pos__, __invert__, __abs__ = _unary('neg'), _unary('pos'), _unary('invert'), _unary('abs')
    __hash__ = object.__hash__

    def __getattr__(self, name):
        if name.startswith('_'):
            raise AttributeError(name)
        return Node('getattr', (self, name))

    def __getitem__(self, key):
        return Node('getitem', (self, key))

    def __call__(self, *args, **kwargs):
        return Node('call', (self, args, kwargs))

    def str(self) -> Node:
        """Return an expression for ``str(value)``.

        Examples
        --------
        >>> from dagflow.expr import V
        >>> 'Loss: ' + V('loss').str()
        ('Loss: ' + V('loss').str())
        """
        return Node('str', (self,))

    def format(self, template: str, *args, **kwargs) -> Node:
        """Return an expression for ``template.format(value, *args, **kwargs)``.

        As in BatchFlow, the value fills the template (not the other way
        round); further arguments may be expressions too.

        Examples
        --------
        >>> from types import SimpleNamespace
        >>> from dagflow.expr import B
        >>> B.loss.format('Loss is {:.2f}').get(batch=SimpleNamespace(loss=0.12345))
        'Loss is 0.12'
        """
        return Node('format', (self, template, args, kwargs))

    # ---- refusals -----------------------------------------------------------------------------
    def __bool__(self):
        raise TypeError(
            f'The truth value of {self!r} is unknown when the pipeline is built: named expressions '
            f'are evaluated later, for each batch. Use the value inside an action '
            f'(expr.get(batch=self)), or pass the expression to an action that evaluates it.')

    def __iter__(self):
        raise TypeError(
            f'{self!r} is not iterable: a named expression has no items until it is evaluated. '
            f'Index it (expr[0]) to build an expression, or iterate over expr.get(...) inside an action.')

    # ---- use inside actions -------------------------------------------------------------------
    def get(self, batch=None, pipeline=None, context=None):
        """Evaluate the expression now.

        Parameters
        ----------
        batch, pipeline : object, optional
            Used to build the context (see :func:`~dagflow.expr.make_context`).
        context : Context, optional
            A ready context; ``batch``/``pipeline`` override its own.

        Examples
        --------
        >>> from types import SimpleNamespace
        >>> from dagflow.expr import B
        >>> (B.size * 2).get(batch=SimpleNamespace(size=3))
        6
        """
        from dagflow.expr.context import make_context
        from dagflow.expr.evaluate import evaluate
        return evaluate(self, make_context(batch, pipeline, context))

    def set(self, value, batch=None, pipeline=None, mode: str | None = None, context=None,
            eval: bool = True) -> None:
        """Evaluate ``value`` and store it at this expression's location with ``mode``.

        ``mode`` defaults to the expression's own mode (``V('x', mode='a')``)
        and then to ``'w'``; see :func:`~dagflow.expr.assign`.  With
        ``eval=False`` the value is stored as given, expressions in it included.

        Examples
        --------
        >>> from types import SimpleNamespace
        >>> from dagflow.expr import B
        >>> batch = SimpleNamespace(sizes=[1])
        >>> B.sizes.set(2, batch=batch, mode='a')
        >>> batch.sizes
        [1, 2]
        """
        from dagflow.expr.assignment import assign
        from dagflow.expr.context import make_context
        from dagflow.expr.evaluate import evaluate
        context = make_context(batch, pipeline, context)
        assign(self, evaluate(value, context) if eval else value, context, mode=mode)

    def assign(self, value, batch=None, pipeline=None, context=None) -> None:
        """Store ``value`` here, replacing what was there (``set`` with mode ``'w'``).

        Examples
        --------
        >>> from types import SimpleNamespace
        >>> from dagflow.expr import B
        >>> batch = SimpleNamespace(images=[0, 0])
        >>> B.images[1].assign(7, batch=batch)
        >>> batch.images
        [0, 7]
        """
        self.set(value, batch=batch, pipeline=pipeline, mode='w', context=context)

    def append(self, value, batch=None, pipeline=None, context=None) -> None:
        """``set`` with mode ``'a'``: append ``value`` (for a set or a dict: update with it).

        Examples
        --------
        >>> from types import SimpleNamespace
        >>> from dagflow.expr import B
        >>> batch = SimpleNamespace(seen=None)
        >>> B.seen.append(1, batch=batch); B.seen.extend([2, 3], batch=batch)
        >>> batch.seen
        [1, 2, 3]
        """
        self.set(value, batch=batch, pipeline=pipeline, mode='a', context=context)

    def extend(self, value, batch=None, pipeline=None, context=None) -> None:
        """``set`` with mode ``'e'``: extend with the items of ``value``."""
        self.set(value, batch=batch, pipeline=pipeline, mode='e', context=context)

    def update(self, value, batch=None, pipeline=None, context=None) -> None:
        """``set`` with mode ``'u'``: update a dict or a set with ``value``."""
        self.set(value, batch=batch, pipeline=pipeline, mode='u', context=context)


class AttributeForm(type):
    """Metaclass that makes ``B.images`` mean ``B('images')`` (for names that are not the class's own).

    Examples
    --------
    >>> from dagflow.expr import V
    >>> V.loss
    V('loss')
    """

    def __getattr__(cls, name):
        if name.startswith('_'):
            raise AttributeError(name)
        return cls(name)


def _restore(cls, values):
    obj = cls.__new__(cls)
    obj._init(**dict(zip(cls._fields, values)))
    return obj


class Node(Expression):
    """An operation over expressions: ``op`` names it, ``args`` are its operands.

    Parameters
    ----------
    op : str
        A key of ``BINARY_OPS``, ``UNARY_OPS`` or ``OTHER_OPS``.
    args : tuple
        The operands, laid out as those tables say.

    Examples
    --------
    >>> from dagflow.expr import B, V
    >>> Node('add', (V('n'), 1))
    (V('n') + 1)
    >>> B.images[1:V('k')].args
    (B.images, slice(1, V('k'), None))
    """

    __slots__ = ('op', 'args')
    kind = 'node'
    resource_kind = None
    _fields = ('op', 'args')

    def __init__(self, op: str, args: tuple):
        if op not in BINARY_OPS and op not in UNARY_OPS and op not in OTHER_OPS:
            known = sorted([*BINARY_OPS, *UNARY_OPS, *OTHER_OPS])
            raise ExpressionError(f'Unknown expression operator {op!r}: expected one of {known}', op=op)
        self._init(op=op, args=tuple(args))

    def __repr__(self):
        op, args = self.op, self.args
        if op in BINARY_OPS:
            return f'({args[0]!r} {BINARY_OPS[op][0]} {args[1]!r})'
        if op == 'abs':
            return f'abs({args[0]!r})'
        if op in UNARY_OPS:
            return f'({UNARY_OPS[op][0]}{args[0]!r})'
        if op == 'getitem':
            return f'{args[0]!r}[{format_key(args[1])}]'
        if op == 'getattr':
            return f'{args[0]!r}.{args[1]}'
        if op == 'call':
            return f'{args[0]!r}({format_arguments(args[1], args[2])})'
        if op == 'str':
            return f'{args[0]!r}.str()'
        return f'{args[0]!r}.format({format_arguments((args[1], *args[2]), args[3])})'


def is_expression(obj) -> bool:
    """Return whether ``obj`` is a named expression or an operator node.

    Examples
    --------
    >>> from dagflow.expr import V
    >>> is_expression(V('x') + 1), is_expression(1)
    (True, False)
    """
    return isinstance(obj, Expression)


def format_arguments(args=(), kwargs=None) -> str:
    """Return ``"1, 2, key=3"``: call arguments as they would be written.

    Examples
    --------
    >>> format_arguments((1, 'a'), {'size': 3})
    "1, 'a', size=3"
    """
    parts = [repr(arg) for arg in args]
    parts += [f'{key}={value!r}' for key, value in (kwargs or {}).items()]
    return ', '.join(parts)


def format_key(key) -> str:
    """Return an index as written between brackets: ``0``, ``1:3``, ``0, ::2``, ``...``.

    Examples
    --------
    >>> format_key((0, slice(None, None, 2)))
    '0, ::2'
    """
    if isinstance(key, slice):
        text = ('' if key.start is None else repr(key.start)) + ':'
        text += '' if key.stop is None else repr(key.stop)
        return text + ('' if key.step is None else ':' + repr(key.step))
    if key is Ellipsis:
        return '...'
    if type(key) is tuple:
        if len(key) == 1:
            return format_key(key[0]) + ','
        return ', '.join(format_key(item) for item in key)
    return repr(key)
