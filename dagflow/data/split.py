"""Splits of an index: the sizes of train/test/validation subsets and of cross-validation folds.

Free functions over sizes and positions; :class:`~dagflow.data.index.DatasetIndex`
turns them into subsets.  The layout follows BatchFlow: in the order of the
items (shuffled or not) validation comes first, then test, then train; fold
``i`` tests on the ``i``-th of ``n`` consecutive parts, and the first
``size % n`` parts hold one extra item.

Examples
--------
>>> split_sizes(10, [0.6, 0.3])
(6, 3, 1)
>>> [part.tolist() for part in split_parts(np.arange(10), [0.6, 0.3])]
[[4, 5, 6, 7, 8, 9], [1, 2, 3], [0]]
>>> [part.tolist() for part in fold_parts(np.arange(5), 2)]
[[0, 1, 2], [3, 4]]
"""
from __future__ import annotations

import numbers

import numpy as np

from dagflow.exceptions import DatasetIndexError

__all__ = ['split_sizes', 'split_parts', 'fold_parts', 'get_fold']


def _check_shares(shares) -> list[float]:
    values = [shares] if isinstance(shares, numbers.Real) else list(np.ravel(shares))
    ok = (1 <= len(values) <= 3 and all(isinstance(v, numbers.Real) and not isinstance(v, bool)
                                        for v in values))
    if not ok or any(v < 0 for v in values) or sum(values) > 1 + 1e-9:
        raise DatasetIndexError('shares must be a float or 1 to 3 non-negative floats summing to at most 1, '
                                f'but got {shares!r}', shares=shares)
    return [float(v) for v in values]


def split_sizes(size: int, shares) -> tuple[int, int, int]:
    """Return the numbers of train, test and validation items of a split.

    ``shares`` is a float ``f`` (train ``f``, test ``1 - f``) or 1 to 3 floats
    ``[train, test, validation]``; as in BatchFlow, what the train and test shares
    leave becomes the validation share, so every item lands in one subset.  A positive
    share gets at least one item and a zero share none; train takes what rounding
    leaves (or, with a zero train share, the larger of the others).

    Raises
    ------
    DatasetIndexError
        On malformed shares, or fewer items than subsets with a positive share.

    Examples
    --------
    >>> split_sizes(10, 0.8)
    (8, 2, 0)
    >>> split_sizes(10, [0.6, 0.3])
    (6, 3, 1)
    >>> split_sizes(3, [0.9, 0.05, 0.05])
    (1, 1, 1)
    >>> split_sizes(7, [0.0, 0.5])
    (0, 3, 4)
    """
    values = _check_shares(shares)
    train = values[0]
    test = values[1] if len(values) > 1 else 1 - train
    rest = 1 - train - test
    fracs = [train, test, rest if rest > 1e-9 else 0.0]
    wanted = sum(f > 0 for f in fracs)
    if size < wanted:
        raise DatasetIndexError(f'An index of {size} items cannot be split into {wanted} subsets '
                                f'(shares={shares!r})', shares=shares, size=size)
    sizes = [max(1, round(f * size)) if f > 0 else 0 for f in fracs]
    taker = 0 if fracs[0] > 0 else (1 if sizes[1] >= sizes[2] else 2)
    sizes[taker] = 0
    sizes[taker] = size - sum(sizes)
    others = [i for i in range(3) if i != taker]
    while sizes[taker] < (1 if fracs[taker] > 0 else 0):
        largest = max(others, key=lambda i: sizes[i])
        sizes[largest] -= 1
        sizes[taker] += 1
    return sizes[0], sizes[1], sizes[2]


def split_parts(order: np.ndarray, shares) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cut ``order`` into the ``(train, test, validation)`` parts of a split.

    As in BatchFlow, validation takes the first items of the order, test the next
    ones and train the rest.

    Examples
    --------
    >>> [part.tolist() for part in split_parts(np.arange(5), 0.8)]
    [[1, 2, 3, 4], [0], []]
    """
    train, test, validation = split_sizes(len(order), shares)
    return order[validation + test:], order[validation:validation + test], order[:validation]


def fold_parts(order: np.ndarray, n_splits: int) -> list[np.ndarray]:
    """Cut ``order`` into ``n_splits`` consecutive parts, the first ``len % n_splits`` one item longer.

    Raises
    ------
    DatasetIndexError
        When ``n_splits`` is not an int from 2 to ``len(order)``.

    Examples
    --------
    >>> [part.tolist() for part in fold_parts(np.arange(10), 3)]
    [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]
    """
    n_ok = isinstance(n_splits, numbers.Integral) and not isinstance(n_splits, bool)
    if not n_ok or not 2 <= n_splits <= len(order):
        raise DatasetIndexError(f'n_splits must be an int from 2 to the index size {len(order)}, '
                                f'but got {n_splits!r}', n_splits=n_splits, size=len(order))
    return np.array_split(order, n_splits)


def get_fold(owner, folds: tuple, i: int, name: str):
    """Return fold ``i`` of ``owner`` or raise an AttributeError that says how to make it."""
    if i < len(folds):
        return folds[i]
    if not folds:
        hint = 'call cv_split() first'
    else:
        hint = f'cv_split() made {len(folds)} folds, cv0 to cv{len(folds) - 1}'
    raise AttributeError(f'{type(owner).__name__!r} object has no attribute {name!r}: {hint}')
