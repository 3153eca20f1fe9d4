"""Ids of an index: turning what users give into a checked, read-only array, and looking ids up.

Examples
--------
>>> check_ids([3, 1, 2], 'the ids').tolist()
[3, 1, 2]
>>> check_ids([[1, 2]], 'the ids')
Traceback (most recent call last):
...
dagflow.exceptions.IndexShapeError: An index must be 1-dimensional, but got ids of shape (1, 2) from 'the ids'
"""
from __future__ import annotations

from collections import Counter

import numpy as np

from dagflow.exceptions import DatasetIndexError, IndexShapeError

__all__ = ['freeze', 'check_ids', 'check_unique', 'lookup_fails']


def freeze(ids: np.ndarray) -> np.ndarray:
    """Make ``ids`` read-only and return it."""
    ids.flags.writeable = False
    return ids


def check_ids(ids, source) -> np.ndarray:
    """Return ``ids`` as a read-only 1-d array of unique ids, or raise as BatchFlow documents."""
    ids = np.array(ids)
    if ids.ndim == 0:
        ids = ids.reshape(1)
    if ids.ndim != 1:
        raise IndexShapeError(f'An index must be 1-dimensional, but got ids of shape {ids.shape} '
                              f'from {source!r}', value=source)
    if len(ids) == 0:
        raise DatasetIndexError(f'An index cannot be empty, but got {source!r}', value=source)
    check_unique(ids)
    return freeze(ids)


def check_unique(ids: np.ndarray) -> None:
    """Raise a DatasetIndexError that names the ids that repeat, if any do."""
    if len(np.unique(ids)) == len(ids):
        return
    repeated = [item for item, count in Counter(ids.tolist()).items() if count > 1]
    raise DatasetIndexError(f'Index ids must be unique, but these repeat: {repeated[:5]}'
                            + (f' and {len(repeated) - 5} more' if len(repeated) > 5 else ''),
                            duplicates=repeated)


def lookup_fails(positions: dict, item) -> bool:
    """Return whether ``item`` is not a key of ``positions`` (an unhashable item is not)."""
    try:
        return item not in positions
    except TypeError:
        return True
