"""Connected regions of equal values, in pure numpy (a vectorised union-find).

Two positions are connected when they are neighbours along one of the given
axes (face neighbours: 4-connectivity in 2-D, 6 in 3-D, as
``scipy.ndimage.label``'s default) and hold the same value.  Leaving the first
axis out of ``axes`` labels every item of a batch separately.

Examples
--------
>>> import numpy as np
>>> mask = np.array([[1, 1, 0, 1],
...                  [0, 1, 0, 1],
...                  [1, 0, 0, 0]])
>>> labels, count = label_regions(mask, background=0)
>>> labels
array([[1, 1, 0, 2],
       [0, 1, 0, 2],
       [3, 0, 0, 0]])
>>> count
3
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ['label_regions']


def label_regions(values, axes: Sequence[int] | None = None, background=None) -> tuple[np.ndarray, int]:
    """Label the connected regions of equal values of ``values``.

    Parameters
    ----------
    values : array-like
        Any integer (or boolean) array.
    axes : sequence of int, optional
        The axes along which neighbours connect (default: all of them).
    background : int, optional
        A value whose positions belong to no region (label 0).

    Returns
    -------
    labels : numpy.ndarray
        The shape of ``values``: 1..count for the regions, numbered in the
        order of their first position (C order), 0 for the background.
    count : int
        The number of regions.

    Examples
    --------
    >>> import numpy as np
    >>> batch = np.array([[[1, 1], [0, 1]], [[1, 0], [0, 1]]])
    >>> label_regions(batch, axes=(1, 2), background=0)[0]   # the two images are labelled apart
    array([[[1, 1],
            [0, 1]],
    <BLANKLINE>
           [[2, 0],
            [0, 3]]])
    """
    values = np.asarray(values)
    axes = range(values.ndim) if axes is None else [axis % values.ndim for axis in axes]
    position = np.arange(values.size, dtype=np.intp).reshape(values.shape)
    sources, targets = [], []
    for axis in axes:
        head = [slice(None)] * values.ndim
        tail = [slice(None)] * values.ndim
        head[axis], tail[axis] = slice(None, -1), slice(1, None)
        same = values[tuple(head)] == values[tuple(tail)]
        if background is not None:
            same &= values[tuple(head)] != background
        sources.append(position[tuple(head)][same])
        targets.append(position[tuple(tail)][same])
    parent = _union(np.arange(values.size, dtype=np.intp), np.concatenate(sources) if sources else [],
                    np.concatenate(targets) if targets else [])
    is_root = parent == np.arange(values.size)
    if background is not None:
        is_root &= values.ravel() != background
    number = np.cumsum(is_root)
    labels = np.where(is_root[parent], number[parent], 0)
    return labels.reshape(values.shape), int(number[-1]) if values.size else 0


def _union(parent: np.ndarray, sources, targets) -> np.ndarray:
    """Join the positions of every edge ``(sources[i], targets[i])``; return each position's root (its smallest).

    Each round hooks the larger root of every edge whose ends differ onto the
    smallest root it meets, then compresses paths until every position points
    at its root.  Roots only ever point to smaller positions, so there are no
    cycles, and every round joins at least one pair of regions.
    """
    sources, targets = np.asarray(sources, dtype=np.intp), np.asarray(targets, dtype=np.intp)
    while sources.size:
        a, b = parent[sources], parent[targets]
        differ = a != b
        if not differ.any():
            break
        a, b = a[differ], b[differ]
        np.minimum.at(parent, np.maximum(a, b), np.minimum(a, b))
        while True:
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand
        sources, targets = sources[differ], targets[differ]
    return parent
