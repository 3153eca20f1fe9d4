"""The leaves of expression trees: BatchFlow's named expressions.

=======  ==========================================  ========================
kind     evaluates to                                assignable
=======  ==========================================  ========================
``B``    a component or attribute of the batch       yes
``V``    a pipeline variable                         yes
``C``    a pipeline config option (``'a/b'`` paths)  yes
``D``    a dataset attribute                         no
``F``    ``fn(batch)``, or ``fn()`` for a callable   no
         that takes no argument
``L``    a component's objects item by item          yes
         (:mod:`.listwise`); ``L(fn)`` is ``fn()``,
         never given the batch (:class:`Lambda`)
``R``    a random draw (in :mod:`.random_draws`)     no
``M``    a model of the pipeline                     no
``IF``   one of two values, by a condition           the chosen branch
``W``    the wrapped expression, unevaluated         no
``I``    the iteration number, total or ratio        no
``P``    one value per batch item                    no
``PP``   the inner expression evaluated per item     no
=======  ==========================================  ========================

Leaves hold data only; :mod:`dagflow.expr.evaluate` gives them meaning.
Every leaf has a ``kind`` and a ``name`` (``''`` when it names nothing, as in
``B()``); names are plain strings so that the planner can read them.

Examples
--------
>>> B.images, B('my-comp'), V('sizes', mode='append'), C('model/lr')
(B.images, B('my-comp'), V('sizes', mode='a'), C('model/lr'))
"""
from __future__ import annotations

import keyword

from dagflow.exceptions import ExpressionError, suggestion_text
from dagflow.expr.base import AttributeForm, Expression, format_arguments
from dagflow.expr.modes import normalize_mode
from dagflow.expr.random_draws import R
from dagflow.sentinel import Sentinel

__all__ = ['B', 'V', 'C', 'D', 'F', 'Lambda', 'M', 'IF', 'W', 'I', 'P', 'PP', 'NO_DEFAULT']


#: Marks a ``C`` without a default: a missing key raises ``KeyError``.
NO_DEFAULT = Sentinel('NO_DEFAULT', __name__)


def _check_name(kind, name, *, required=False):
    if name is None and not required:   # BatchFlow's default: B(None) is B()
        return ''
    if not isinstance(name, str):
        raise ExpressionError(f'{kind}(...) expects a name as a str, but got {name!r} '
                              f'({type(name).__name__}) instead', name=name)
    if required and not name:
        raise ExpressionError(f"{kind}(...) needs a non-empty name, e.g. {kind}('x')", name=name)
    return name


def _written_as_attribute(cls, name):
    return (name.isidentifier() and not keyword.iskeyword(name) and not name.startswith('_')
            and name not in dir(cls))


def _refuse_other_pipeline(kind, name, pipeline):
    """BatchFlow's ``V('x', pipeline=other)``: reading another pipeline's state, which no plan orders."""
    if pipeline is not None:
        raise ExpressionError(
            f'{kind}({name!r}, pipeline=...) is not supported: a step reads the state of the pipeline that runs '
            f'it, in the order its plan gives; another pipeline\'s state is not ordered with this run. Pass the '
            f'value itself when you build the pipeline (other.v({name!r}), other.config[{name!r}]), or copy it '
            f'in before the run (pipeline.set_variable(...)).', name=name)


def _mode_suffix(mode):
    return '' if mode == 'w' else f', mode={mode!r}'


class B(Expression, metaclass=AttributeForm):
    """A component or attribute of the current batch; ``B()`` is the batch itself.

    Parameters
    ----------
    name : str
        The component or attribute name; ``''`` (or None) for the batch.
    mode : str
        The default assignment mode when it is a ``save_to`` target (see
        :func:`~dagflow.expr.apply_mode`).
    copy : bool
        Evaluate to a copy, so the action cannot change the batch through it:
        ``B(copy=True)`` is a copy of the batch (its data copied deeply; the
        pipeline, dataset and run context shared, as ``Batch.copy`` does in
        BatchFlow), ``B('images', copy=True)`` a deep copy of the component.

    Notes
    -----
    ``B.name`` is ``B('name')`` for any public name except the expression API
    itself (``get``, ``set``, ``assign``, ``append``, ``extend``, ``update``,
    ``str``, ``format``, ``name``, ``mode``, ``kind``): write ``B('get')`` for
    a component called ``get``.
    Likewise ``B.images.name`` is the attribute form only for names outside
    that API; ``B.images.shape`` works.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> batch = SimpleNamespace(images=[[1, 2], [3, 4]])
    >>> B.images[1].get(batch=batch)
    [3, 4]
    >>> B('images'), B(), B('images', copy=True)
    (B.images, B(), B('images', copy=True))
    >>> original = SimpleNamespace(images=[1, 2])
    >>> B('images', copy=True).get(batch=original) is original.images
    False
    """

    # The flag's slot is private so that ``B.images.copy()`` still calls the component's own copy().
    __slots__ = ('name', 'mode', '_copy')
    kind = 'B'
    resource_kind = None
    _fields = ('name', 'mode', '_copy')

    def __init__(self, name: str = '', mode: str = 'w', copy: bool = False):
        self._init(name=_check_name('B', name), mode=normalize_mode(mode), _copy=bool(copy))

    def __repr__(self):
        copy = ', copy=True' if self._copy else ''
        if not self.name:
            if self.mode == 'w':
                return 'B(copy=True)' if copy else 'B()'
            return f"B(''{_mode_suffix(self.mode)}{copy})"
        if self.mode == 'w' and not copy and _written_as_attribute(type(self), self.name):
            return f'B.{self.name}'
        return f'B({self.name!r}{_mode_suffix(self.mode)}{copy})'


class V(Expression, metaclass=AttributeForm):
    """A pipeline variable, read with ``pipeline.get_variable(name)``.

    Parameters
    ----------
    name : str
        The variable name.
    mode : {'w', 'a', 'e', 'u', 'write', 'append', 'extend', 'update'}
        How a value is stored when the variable is a ``save_to`` target.

    Raises
    ------
    ExpressionError
        If the mode is unknown.

    Examples
    --------
    >>> V('loss'), V.loss, V('history', mode='append')
    (V('loss'), V('loss'), V('history', mode='a'))
    """

    __slots__ = ('name', 'mode')
    kind = 'V'
    resource_kind = 'var'
    _fields = ('name', 'mode')

    def __init__(self, name: str, mode: str = 'w', pipeline=None):
        _refuse_other_pipeline('V', name, pipeline)
        self._init(name=_check_name('V', name, required=True), mode=normalize_mode(mode))

    def __repr__(self):
        return f'V({self.name!r}{_mode_suffix(self.mode)})'


class C(Expression, metaclass=AttributeForm):
    """A pipeline config option addressed by a ``'/'`` path; ``C()`` is the whole config.

    Parameters
    ----------
    name : str
        The key, e.g. ``'model/lr'``; ``''`` for the config itself.
    default : object, optional
        Returned when the key is missing; without it a missing key raises ``KeyError``.
    mode : str
        The default assignment mode when it is a ``save_to`` target.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from dagflow.config import Config
    >>> pipeline = SimpleNamespace(config=Config({'model': {'lr': 0.1}}))
    >>> C('model/lr').get(pipeline=pipeline), C('epochs', default=3).get(pipeline=pipeline)
    (0.1, 3)
    """

    __slots__ = ('name', 'default', 'mode')
    kind = 'C'
    resource_kind = 'config'
    _fields = ('name', 'default', 'mode')

    def __init__(self, name: str = '', default=NO_DEFAULT, mode: str = 'w', pipeline=None):
        _refuse_other_pipeline('C', name, pipeline)
        self._init(name=_check_name('C', name), default=default, mode=normalize_mode(mode))

    def __repr__(self):
        if not self.name:
            return 'C()'
        default = '' if self.default is NO_DEFAULT else f', default={self.default!r}'
        return f'C({self.name!r}{default}{_mode_suffix(self.mode)})'


class D(Expression, metaclass=AttributeForm):
    """An attribute of the dataset; ``D()`` is the dataset itself.

    The dataset is the context's, else the pipeline's, else the batch's.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> D('classes').get(pipeline=SimpleNamespace(dataset=SimpleNamespace(classes=3)))
    3
    """

    __slots__ = ('name',)
    kind = 'D'
    resource_kind = None
    _fields = ('name',)

    def __init__(self, name: str = ''):
        self._init(name=_check_name('D', name))

    def __repr__(self):
        return f'D({self.name!r})' if self.name else 'D()'


class _Function(Expression):
    __slots__ = ('fn', 'args', 'kwargs')
    _fields = ('fn', 'args', 'kwargs')
    _written = ''   # how the class is written in code, when it differs from its kind
    resource_kind = None

    def __init__(self, fn, *args, **kwargs):
        if not callable(fn):
            raise ExpressionError(f'{self._written or self.kind}(...) expects a callable, but got {fn!r} '
                                  f'({type(fn).__name__}) instead', fn=fn)
        self._init(fn=fn, args=args, kwargs=kwargs)

    @property
    def name(self) -> str:
        """The callable's qualified name (``MyBatch.pack``), or its plain name if defined in a function."""
        qualname = getattr(self.fn, '__qualname__', None)
        if qualname and '<locals>' not in qualname:
            return qualname
        return getattr(self.fn, '__name__', None) or repr(self.fn)

    def __repr__(self):
        arguments = format_arguments(self.args, self.kwargs)
        return f'{self._written or self.kind}({self.name}{", " + arguments if arguments else ""})'


class F(_Function):
    """A callable, called with the batch when it takes one: ``fn(batch)`` or ``fn()``.

    ``F(fn)`` gives ``fn`` the batch when ``fn`` cannot be called without an
    argument (``F(lambda batch: ...)`` from the models guide,
    ``F(MyBatch.get_labels)``); a callable that can (``F(my_init_function)``,
    ``F(list)``) is called without it, as BatchFlow's ``F`` always is (see
    :func:`~dagflow.expr.evaluate.takes_batch`).  A callable that needs the
    batch where there is none (a static model config, ``init_variable``)
    fails with an error that says so.

    ``F(fn, *args, **kwargs)`` (bound arguments, as older BatchFlow wrote
    ``F(get_boxes, C('shape'))``) is ``fn(batch, *args, **kwargs)``, or
    ``fn(*args, **kwargs)`` where there is no batch; the arguments are
    evaluated first.

    Calling an ``F`` builds a call expression, ``F(fn)(x, k=y)``, that evaluates to
    ``fn(x, k=y)`` with the evaluated arguments and **without** the batch, as
    in BatchFlow's API; pass ``B()`` to give it the batch:
    ``F(MyBatch.rotate)(B(), angle=30)``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> def first_shape(batch):
    ...     return batch.images.shape[1:]
    >>> import numpy as np
    >>> batch = SimpleNamespace(images=np.zeros((4, 8, 8)), sizes=[3, 7])
    >>> F(first_shape).get(batch=batch), F(lambda: 'no batch').get(batch=batch)
    ((8, 8), 'no batch')
    >>> F(max)(B.sizes).get(batch=batch)
    7
    """

    __slots__ = ()
    kind = 'F'


class Lambda(_Function):
    """``L(fn, *args, **kwargs)``: a callable that never gets the batch, ``fn(*args, **kwargs)``.

    This is the older BatchFlow ``L``, still accepted: ``L(fn)`` with a
    callable makes one (``L('component')`` is the item-wise
    :class:`~dagflow.expr.L`).  ``L(fn)(*args, **kwargs)`` and
    ``L(fn, *args, **kwargs)`` are the same; arguments may hold expressions.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from dagflow.expr import L
    >>> L(sorted)(B.sizes).get(batch=SimpleNamespace(sizes=[3, 1, 2]))
    [1, 2, 3]
    >>> L(dict, a=1), L(dict, a=1).get()
    (L(dict, a=1), {'a': 1})
    """

    __slots__ = ()
    kind = 'lambda'
    _written = 'L'


class M(Expression, metaclass=AttributeForm):
    """A model of the pipeline: ``pipeline.get_model_by_name(name)`` (a dynamic one is created from the batch).

    The step that holds an ``M`` uses the model, so the plan orders it with
    every other step of that model (as it does ``train_model``), and
    ``compile()`` refuses a name that no ``init_model``, ``load_model`` or
    ``import_model`` defines.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> pipeline = SimpleNamespace(get_model_by_name=lambda name, batch=None: f'the {name} model')
    >>> M('unet'), M.unet.get(pipeline=pipeline)
    (M('unet'), 'the unet model')
    """

    __slots__ = ('name',)
    kind = 'M'
    resource_kind = 'model'
    _fields = ('name',)

    def __init__(self, name: str, pipeline=None):
        _refuse_other_pipeline('M', name, pipeline)
        self._init(name=_check_name('M', name, required=True))

    def __repr__(self):
        return f'M({self.name!r})'


class IF(Expression):
    """``true`` when ``condition`` holds, else ``false``: e.g. ``IF(I.ratio > 0.8, 256, 128)``.

    All three may be expressions; only the chosen branch is evaluated.  As a
    ``save_to`` target it stores into the chosen branch.  ``F`` does the same
    with more freedom: ``F(lambda ratio: 256 if ratio > 0.8 else 128)(I.ratio)``.

    Examples
    --------
    >>> from dagflow.expr import Context, IterationInfo
    >>> batch_size = IF(condition=I.ratio > 0.8, true=256, false=128)
    >>> batch_size.get(context=Context(iteration=IterationInfo(number=8, total=10)))
    256
    """

    __slots__ = ('condition', 'true', 'false')
    kind = 'IF'
    resource_kind = None
    _fields = ('condition', 'true', 'false')
    name = ''

    def __init__(self, condition, true, false):
        self._init(condition=condition, true=true, false=false)

    def __repr__(self):
        return f'IF({self.condition!r}, {self.true!r}, {self.false!r})'


class W(Expression):
    """A wrapper: evaluates to the wrapped expression itself, unevaluated.

    Examples
    --------
    >>> W(V('x')).get()
    V('x')
    """

    __slots__ = ('expr',)
    kind = 'W'
    resource_kind = None
    _fields = ('expr',)
    name = ''

    def __init__(self, expr: Expression):
        if not isinstance(expr, Expression):
            raise ExpressionError(f'W(...) wraps a named expression, but got {expr!r} '
                                  f'({type(expr).__name__}) instead', expr=expr)
        self._init(expr=expr)

    def __repr__(self):
        return f'W({self.expr!r})'


_ITERATION_NAMES = ('current', 'max', 'ratio')
_ITERATION_WORDS = (('current', 'current'), ('maximum', 'max'), ('total', 'max'), ('ratio', 'ratio'))


def _iteration_name(name):
    """The counter a (possibly shortened) name means, as BatchFlow reads it: any prefix of a word."""
    if isinstance(name, str):
        for word, meaning in _ITERATION_WORDS:
            if word.startswith(name):
                return meaning
    return None


class I(Expression, metaclass=AttributeForm):  # noqa: E742 -- BatchFlow's name
    """The iteration counter: ``'current'``, ``'max'`` or ``'ratio'``.

    Numbered as in BatchFlow: ``current`` is 1 for the first batch of a run,
    ``max`` is the number of batches the run makes (``n_iters``, or what
    ``n_epochs`` gives with the batch size and ``drop_last``; ``None`` for an
    endless run) and ``ratio`` is ``current / max``, 1 on the last batch.  The
    numbers come from the batch's position in the stream, so every scheduler
    and ``prefetch`` see those of the serial run.  After ``rebatch`` the count
    is that of the re-cut batches, and ``max`` is ``None``.

    Parameters
    ----------
    name : str
        ``'current'`` (the default), ``'max'`` or ``'ratio'``, or any prefix of
        ``'current'``, ``'maximum'``, ``'total'`` and ``'ratio'`` (``'c'``,
        ``'m'``, ``'tot'``, ``'r'``...).  ``I.current``, ``I.max`` and
        ``I.ratio`` are the same expressions.

    Raises
    ------
    ExpressionError
        For any other name; at evaluation, ``'ratio'`` of an endless run.

    Examples
    --------
    >>> from dagflow.expr import Context, IterationInfo
    >>> ctx = Context(iteration=IterationInfo(number=4, total=10))
    >>> I.current.get(context=ctx), I('max').get(context=ctx), I('r').get(context=ctx)
    (5, 10, 0.5)
    """

    __slots__ = ('name',)
    kind = 'I'
    resource_kind = None
    _fields = ('name',)

    def __init__(self, name: str = 'current'):
        meaning = _iteration_name(name)
        if meaning is None:
            raise ExpressionError(
                f"I(...) expects 'current', 'max' or 'ratio', but got {name!r}."
                f"{suggestion_text(name, _ITERATION_NAMES) if isinstance(name, str) else ''}", name=name)
        self._init(name=meaning)

    def __repr__(self):
        return f'I({self.name!r})'


class P(Expression):
    """A per-item value: one value for each item of the batch.

    ``P(R(...))`` draws with ``size=len(batch)`` prepended to the ``R``'s own
    size; ``P('normal', 0, 1)`` is short for ``P(R('normal', 0, 1))``.  Any other
    inner value is evaluated and must have one entry per item.

    Raises
    ------
    ExpressionError
        At evaluation, without a batch or when the length does not match.

    Examples
    --------
    >>> import numpy as np
    >>> from dagflow.expr import Context
    >>> ctx = Context(batch=[10, 20, 30], random=np.random.default_rng(0))
    >>> P(R('uniform', size=2)).get(context=ctx).shape
    (3, 2)
    >>> P([1, 2, 3]).get(batch=[10, 20, 30])
    [1, 2, 3]
    """

    __slots__ = ('expr',)
    kind = 'P'
    resource_kind = None
    _fields = ('expr',)
    name = ''

    def __init__(self, expr, *args, **kwargs):
        if isinstance(expr, str):
            expr = R(expr, *args, **kwargs)
        elif args or kwargs:
            raise ExpressionError(
                f'P(...) takes extra arguments only with a distribution name, as in P(\'normal\', 0, 1); '
                f'got P({format_arguments((expr, *args), kwargs)})', expr=expr)
        self._init(expr=expr)

    def __repr__(self):
        return f'{self.kind}({self.expr!r})'


class PP(P):
    """The inner expression evaluated once per batch item, as a list.

    ``PP(R('normal', 0, 1))`` makes ``len(batch)`` separate draws; prefer
    ``P(R(...))``, which draws once, unless shapes need it.

    Examples
    --------
    >>> PP(Lambda(list)).get(batch='abc')
    [[], [], []]
    """

    __slots__ = ()
    kind = 'PP'

    def __init__(self, expr):
        super().__init__(expr)

