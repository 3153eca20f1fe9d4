"""Random generators and seed sequences from BatchFlow's seed spellings: ``make_rng`` and its kin.

BatchFlow accepts a seed in many forms (``True``, an int, a ``SeedSequence``,
a ``Generator``, a bit generator, a legacy ``RandomState``); these functions
turn them into what numpy needs, with BatchFlow's rules.  dagflow uses
:func:`make_rng` for ``shuffle`` (:mod:`dagflow.data.iteration`), and a
batch's generator is derived from the run seed by a ``SeedSequence``
(:func:`dagflow.engine.batch_random`): :func:`spawn_seed_sequence` of a batch
spawns from that sequence, so what it gives is the same on every scheduler.

Examples
--------
>>> import numpy as np
>>> bool(make_rng(42).random() == make_rng(42).random())
True
>>> make_seed_sequence(7).entropy, make_seed_sequence(-7).entropy
(7, 7)
>>> child = spawn_seed_sequence(np.random.SeedSequence(7))
>>> child.entropy, child.spawn_key
(7, (0,))
"""
from __future__ import annotations

import numbers

import numpy as np

__all__ = ['make_rng', 'make_seed_sequence', 'spawn_seed_sequence']

_SEED_TYPES = ('False, None, True, a non-negative int, a numpy SeedSequence, Generator, BitGenerator or '
               'RandomState')


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def make_rng(seed=None) -> np.random.Generator | np.random.RandomState | None:
    """A random number generator made from any of BatchFlow's seed spellings.

    Parameters
    ----------
    seed : bool, None, int, SeedSequence, Generator, BitGenerator or RandomState
        - ``False``: no generator, ``None`` is returned;
        - ``None`` or ``True``: a new ``SFC64`` generator with fresh entropy;
        - an int or a ``SeedSequence``: a new ``SFC64`` generator seeded with it
          (two calls with one int give the same draws);
        - a ``Generator`` or a ``RandomState``: returned as it is;
        - a ``BitGenerator``: a new ``Generator`` over it.

    Returns
    -------
    numpy.random.Generator, numpy.random.RandomState or None

    Raises
    ------
    TypeError
        For any other seed (BatchFlow warns and returns ``None``, which would
        leave the caller unseeded without noticing).

    Examples
    --------
    >>> import numpy as np
    >>> rng = make_rng(42)
    >>> type(rng.bit_generator).__name__, bool(make_rng(42).integers(100) == make_rng(42).integers(100))
    ('SFC64', True)
    >>> make_rng(rng) is rng, make_rng(False)
    (True, None)
    >>> make_rng(1.5)
    Traceback (most recent call last):
    ...
    TypeError: make_rng: a seed must be False, None, True, a non-negative int, a numpy SeedSequence, Generator, \
BitGenerator or RandomState, but got 1.5 (float)
    """
    if seed is False or seed is np.False_:
        return None
    if seed is None or seed is True or seed is np.True_:
        return np.random.default_rng(np.random.SFC64())
    if _is_int(seed):
        return np.random.default_rng(np.random.SFC64(int(seed)))
    if isinstance(seed, np.random.SeedSequence):
        return np.random.default_rng(np.random.SFC64(seed))
    if isinstance(seed, (np.random.Generator, np.random.RandomState)):
        return seed
    if isinstance(seed, np.random.BitGenerator):
        return np.random.default_rng(seed)
    raise TypeError(f'make_rng: a seed must be {_SEED_TYPES}, but got {seed!r} ({type(seed).__name__})')


def make_seed_sequence(shuffle=False) -> np.random.SeedSequence:
    """A seed sequence for random number generation, from BatchFlow's ``shuffle`` spellings.

    Parameters
    ----------
    shuffle : bool, None, int, SeedSequence or an object that holds a seed sequence
        - ``False``, ``True`` or ``None``: a new sequence with fresh entropy;
        - an int: a new sequence with that entropy (a negative int, BatchFlow's
          "do not shuffle but seed the rest", gives the sequence of its absolute value);
        - a ``SeedSequence``: returned as it is;
        - an object with a ``random_seed`` sequence (BatchFlow's batches and
          pipelines), or a dagflow batch: its sequence (the one its generator
          was derived from).

    Returns
    -------
    numpy.random.SeedSequence

    Raises
    ------
    TypeError
        For any other value, as BatchFlow's.

    Examples
    --------
    >>> make_seed_sequence(5).entropy, make_seed_sequence(-5).entropy
    (5, 5)
    >>> make_seed_sequence(True).entropy != make_seed_sequence(True).entropy
    True
    """
    held = _held_sequence(shuffle)
    if held is not None:
        return held
    if shuffle is None or isinstance(shuffle, (bool, np.bool_)):
        return np.random.SeedSequence()
    if _is_int(shuffle):
        return np.random.SeedSequence(abs(int(shuffle)))
    raise TypeError(f'make_seed_sequence: shuffle must be a bool, None, an int, a SeedSequence or an object that '
                    f'holds one (a batch), but got {shuffle!r} ({type(shuffle).__name__})')


def spawn_seed_sequence(source) -> np.random.SeedSequence:
    """A new seed sequence spawned from ``source``: each call gives the next child, independent of the others.

    Parameters
    ----------
    source : SeedSequence, Batch or an object with a ``random_seed`` sequence
        A dagflow batch spawns from the sequence its generator was derived
        from (the run seed and the batch's position), so inside an action
        ``spawn_seed_sequence(self)`` gives the same sequences in every run
        with that seed, on every scheduler.

    Returns
    -------
    numpy.random.SeedSequence

    Raises
    ------
    ValueError
        For any other source, as BatchFlow's; a dagflow ``Pipeline`` holds no
        seed sequence (its randomness is per batch), so it is refused too.

    Examples
    --------
    >>> import numpy as np
    >>> parent = np.random.SeedSequence(7)
    >>> [spawn_seed_sequence(parent).spawn_key for _ in range(2)]
    [(0,), (1,)]
    """
    held = _held_sequence(source)
    if held is None:
        hint = (' A dagflow pipeline holds no seed sequence: its randomness is per batch, so spawn from the batch '
                '(spawn_seed_sequence(batch)) or from np.random.SeedSequence(pipeline.run_seed).'
                if hasattr(source, 'run_seed') else '')
        raise ValueError(f'spawn_seed_sequence: source must be a SeedSequence or a batch, but got '
                         f'{type(source).__name__}.{hint}')
    return held.spawn(1)[0]


def _held_sequence(source) -> np.random.SeedSequence | None:
    """The seed sequence ``source`` is or holds: itself, its ``random_seed``, or its generator's; else None."""
    if isinstance(source, np.random.SeedSequence):
        return source
    held = getattr(source, 'random_seed', None)
    if isinstance(held, np.random.SeedSequence):
        return held
    if hasattr(source, 'run_seed') or not hasattr(source, 'indices'):   # a pipeline, or not a batch
        return None
    generator = getattr(source, 'random', None)
    held = getattr(getattr(generator, 'bit_generator', None), 'seed_seq', None)
    return held if isinstance(held, np.random.SeedSequence) else None
