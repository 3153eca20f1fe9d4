"""``R``: random draws, from the batch's generator or from a seed of their own.

Examples
--------
>>> R('normal', 0, 1, size=3), R(['a', 'b'], p=[0.5, 0.5], seed=7)
(R('normal', 0, 1, size=3), R('choice', ['a', 'b'], p=[0.5, 0.5], seed=7))
"""
from __future__ import annotations

import numbers

import numpy as np

from dagflow.exceptions import ExpressionError, suggestion_text
from dagflow.expr.base import AttributeForm, Expression, format_arguments

__all__ = ['R']

_DISTRIBUTIONS = sorted(name for name in dir(np.random.Generator) if not name.startswith('_'))


#: RandomState spellings BatchFlow's docs use, and the Generator method that does the same.
_DISTRIBUTION_ALIASES = {'randint': 'integers'}


def _seed_entropy(seed, name):
    """An ``R(seed=...)`` as plain data: an int, or a tuple of ints drawn from a generator given as the seed."""
    if seed is None or (isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and seed >= 0):
        return None if seed is None else int(seed)
    if isinstance(seed, np.random.SeedSequence):
        return tuple(int(word) for word in seed.generate_state(4))
    if isinstance(seed, np.random.Generator):
        return tuple(int(word) for word in seed.integers(0, 2 ** 32, size=4))
    if isinstance(seed, np.random.BitGenerator):
        return tuple(int(word) for word in np.random.Generator(seed).integers(0, 2 ** 32, size=4))
    if isinstance(seed, np.random.RandomState):
        return tuple(int(word) for word in seed.randint(0, 2 ** 32, size=4, dtype=np.uint64))
    raise ExpressionError(f'R({name!r}, ..., seed=...) expects a non-negative int, a SeedSequence, a Generator, '
                          f'a BitGenerator or a RandomState, but got {seed!r} ({type(seed).__name__}) instead',
                          name=name)


class R(Expression, metaclass=AttributeForm):
    """A random draw: ``rng.<name>(*args, size=size, **kwargs)``.

    Parameters
    ----------
    name : str or sequence
        A method of :class:`numpy.random.Generator` (``'normal'``,
        ``'uniform'``, ``'integers'``, ``'choice'``, ...; ``'randint'`` is
        ``'integers'``), or a sequence to choose from (``R(['a', 'b'])`` is
        ``R('choice', ['a', 'b'])``).  ``R.uniform`` is ``R('uniform')``.
    *args, **kwargs
        The distribution's arguments; they may hold expressions.
    size : int, tuple or expression, optional
        The shape of the draw; ``P(R(...))`` prepends the batch size to it.
    seed : int, SeedSequence, Generator, BitGenerator or RandomState, optional
        Without it, the draw comes from the batch's generator, derived from the
        run seed.  With it, the draws do not depend on the run seed: batch *k*
        of every run draws from a generator derived from ``(seed, k)``, so a
        seeded ``R`` gives the same values in every run, on every scheduler and
        with any ``prefetch``.  A generator given as the seed is drawn from
        once, here, for the seed's words.

    Notes
    -----
    BatchFlow's seeded ``R`` owns one generator and advances it with every
    draw, so its values depend on the order in which batches happen to be
    processed, and a second run continues the sequence.  dagflow's is a
    function of the seed and the batch's position instead: the same in every
    run, and one ``R`` evaluated twice in one batch repeats its value
    (``PP(R(..., seed=s))`` still makes a different draw per item).

    Raises
    ------
    ExpressionError
        For an unknown distribution or a seed of another type.

    Examples
    --------
    >>> import numpy as np
    >>> from dagflow.expr import B, Context, IterationInfo
    >>> R('normal', 0, 1, size=B.size)
    R('normal', 0, 1, size=B.size)
    >>> R(['a', 'b', 'c']).get(context=Context(random=np.random.default_rng(0))) in 'abc'
    True
    >>> batch_3 = Context(iteration=IterationInfo(number=3))
    >>> bool(R('normal', seed=42).get(context=batch_3) == R('normal', seed=42).get(context=batch_3))
    True
    >>> R('uniform', size=2).get(context=batch_3, size=3).shape   # BatchFlow's get(size=...): a leading shape
    (3, 2)
    """

    __slots__ = ('name', 'args', 'kwargs', 'size', 'seed')
    kind = 'R'
    resource_kind = None
    _fields = ('name', 'args', 'kwargs', 'size', 'seed')

    def __init__(self, name, *args, seed=None, size=None, **kwargs):
        if isinstance(name, (list, tuple, range, np.ndarray)):
            name, args = 'choice', (name, *args)
        name = _DISTRIBUTION_ALIASES.get(name, name) if isinstance(name, str) else name
        if not isinstance(name, str) or name not in _DISTRIBUTIONS:
            hint = suggestion_text(name, _DISTRIBUTIONS) if isinstance(name, str) else ''
            raise ExpressionError(
                f'R(...) expects a numpy.random.Generator method name (e.g. \'normal\', \'uniform\', '
                f'\'integers\') or a sequence to choose from, but got {name!r}.{hint}', name=name)
        for bad in ('state', 'random_state'):
            if bad in kwargs:
                raise ExpressionError(f'R({name!r}, ..., {bad}=...) is not supported: give seed=... to make the '
                                      f'draws independent of the run seed.', name=name)
        if not (size is None or isinstance(size, (numbers.Integral, tuple, list, Expression))):
            raise ExpressionError(f'R(...) expects size to be an int, a tuple or an expression, but got '
                                  f'{size!r} ({type(size).__name__}) instead', name=name)
        self._init(name=name, args=args, kwargs=kwargs, size=size, seed=_seed_entropy(seed, name))

    def get(self, batch=None, pipeline=None, context=None, size=None):
        """Draw now; ``size`` (an int or a tuple), as in BatchFlow, is prepended to the ``R``'s own size.

        Examples
        --------
        >>> R('normal', size=(2, 5)).get(size=3).shape
        (3, 2, 5)
        """
        from dagflow.expr.context import make_context
        from dagflow.expr.evaluate import draw
        return draw(self, make_context(batch, pipeline, context), size=size)

    def __repr__(self):
        kwargs = dict(self.kwargs)
        if self.size is not None:
            kwargs['size'] = self.size
        if self.seed is not None:
            kwargs['seed'] = self.seed
        return f'R({format_arguments((self.name, *self.args), kwargs)})'
