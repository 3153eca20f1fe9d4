"""Preloaded data: where the items of a dataset or a batch are in the data a user gave.

BatchFlow reads the item ``id`` of preloaded data as ``preloaded[id]``
(``preloaded[component][id]`` with components).  dagflow keeps that rule where it
is unambiguous and aligns by position where it is not:

* a dict ``{id: value}`` (as a component) is read by id; ids it holds beyond the
  index are ignored;
* a pandas object indexed by labels (anything but the default ``0 .. n-1``) is read
  by label, ``.loc[ids]``;
* anything else (an array, a list, a frame with the default index) holds one item
  per id of the index, in the index's order.  When the ids are the integers
  ``0 .. n-1`` (in any order) the item of id ``i`` is row ``i``, as BatchFlow reads
  it; otherwise it is the row at the id's position in the index.

Data with components is a dict ``{component: value}`` (see
:func:`~dagflow.data.components.as_components`); without components a dict is the
``{id: value}`` of the items and a tuple holds several values, each read as above.
Component values come out as arrays (a pandas Series as its values, a dict as the
stacked values), as BatchFlow's ``cast_to_array`` does.

Examples
--------
>>> data = {'a': {'x': 1, 'y': 2}, 'b': np.array([10, 20])}
>>> check_preloaded(data, np.array(['x', 'y']), components=True)
>>> select(data, np.array(['y']), np.array([1]), components=True)
{'a': array([2]), 'b': array([20])}
"""
from __future__ import annotations

import copy as copy_module
from collections.abc import Mapping

import numpy as np
import pandas as pd

from dagflow.data.components import by_id, labelled, take_items
from dagflow.exceptions import DatasetIndexError, UnknownIdError

__all__ = ['Aligned', 'ids_are_rows', 'check_preloaded', 'check_length', 'select', 'align_to_batch']


class Aligned:
    """Data already aligned with a batch's index (what a dataset hands to the batches it makes).

    Examples
    --------
    >>> Aligned([1, 2]).data
    [1, 2]
    """

    __slots__ = ('data',)

    def __init__(self, data):
        self.data = data

    def __repr__(self) -> str:
        return f'Aligned({self.data!r})'


def ids_are_rows(ids: np.ndarray) -> bool:
    """Return whether the ids are the integers ``0 .. n-1`` in some order, so id ``i`` is row ``i``.

    Examples
    --------
    >>> ids_are_rows(np.array([2, 0, 1])), ids_are_rows(np.array([1, 2, 3])), ids_are_rows(np.array(['a']))
    (True, False, False)
    """
    if not np.issubdtype(ids.dtype, np.integer) or not len(ids):
        return False
    return bool(ids.min() == 0 and ids.max() == len(ids) - 1 and len(np.unique(ids)) == len(ids))


def _leaves(data, components: bool):
    if components and isinstance(data, dict):
        return data.items()
    if isinstance(data, tuple):
        return enumerate(data)
    return [('data', data)]


def check_preloaded(data, ids: np.ndarray, *, components: bool, size: int | None = None,
                    what: str = 'The preloaded data') -> None:
    """Raise unless ``data`` has an item for every id (see the module docs for the rules).

    Parameters
    ----------
    data
        Component data (``components=True``) or the data of a class without components.
    ids : numpy.ndarray
        The ids that what is read by id must hold.
    components : bool
        Whether ``data`` is a dict of components.
    size : int, optional
        The number of items what is aligned by position must hold (``len(ids)`` by default).
    what : str
        How the error messages name the data.

    Raises
    ------
    DatasetIndexError
        When data aligned by position does not hold one item per id, or a pandas
        object's labels repeat.
    UnknownIdError
        When data read by id lacks some ids.

    Examples
    --------
    >>> check_preloaded({'a': {'x': 1}}, np.array(['x', 'y']), components=True)
    Traceback (most recent call last):
    ...
    dagflow.exceptions.UnknownIdError: The preloaded data has no item for the ids ['y'] in 'a'
    """
    lengths = {}
    for key, value in _leaves(data, components):
        if value is None:
            continue
        if not by_id(value):
            lengths[key] = len(value)
            continue
        labels = pd.Index(list(value) if isinstance(value, Mapping) else value.index)
        if not labels.is_unique:
            raise DatasetIndexError(f'{what}: the labels of {key!r} repeat, so items cannot be found by id',
                                    name=key)
        missing = np.asarray(ids)[~pd.Index(ids).isin(labels)].tolist()
        if missing:
            raise UnknownIdError(f'{what} has no item for the ids {missing[:5]} in {key!r}', ids=missing, name=key)
    if len(set(lengths.values())) > 1:
        raise DatasetIndexError(f'Data parts hold different numbers of items: {lengths}', lengths=lengths)
    length = next(iter(lengths.values()), None)
    size = len(ids) if size is None else size
    if length is not None and length != size:
        raise DatasetIndexError(f'{what} holds {length} items, but the index has {size}', lengths=(length, size))


def _stack(items: list):
    try:
        return np.stack(items)
    except ValueError:
        stacked = np.empty(len(items), dtype=object)
        stacked[:] = items
        return stacked


def _select_leaf(value, ids, positions, cast: bool):
    if value is None:
        return None
    if isinstance(value, Mapping):
        keys = ids.tolist()
        return _stack([value[key] for key in keys]) if cast else {key: value[key] for key in keys}
    part = value.loc[ids] if labelled(value) else take_items(value, positions)
    return part.to_numpy() if cast and isinstance(part, pd.Series) else part


def select(data, ids: np.ndarray, positions: np.ndarray, *, components: bool, cast: bool = True,
           copy: bool = False):
    """Return the items ``ids`` of checked data (dicts and tuples entry by entry).

    Parameters
    ----------
    data
        Data checked by :func:`check_preloaded`.
    ids : numpy.ndarray
        The ids wanted, for what is read by id.
    positions : numpy.ndarray
        Their rows, for what is aligned by position.
    components : bool
        Whether ``data`` is a dict of components.
    cast : bool
        Give component values as arrays (a Series's values, a dict's stacked values).
    copy : bool
        Deep-copy the items, so changing them never changes ``data``.

    Examples
    --------
    >>> select((np.arange(3), pd.Series([5, 6, 7], index=['a', 'b', 'c'])), np.array(['c']), [2],
    ...        components=False)
    (array([2]), c    7
    dtype: int64)
    """
    ids = np.asarray(ids)
    cast = cast and components
    if components and isinstance(data, dict):
        items = {key: _select_leaf(value, ids, positions, cast) for key, value in data.items()}
    elif isinstance(data, tuple):
        items = tuple(_select_leaf(value, ids, positions, cast) for value in data)
    else:
        items = _select_leaf(data, ids, positions, cast)
    return copy_module.deepcopy(items) if copy else items


def _align_leaf(value, ids: np.ndarray, cast: bool):
    if value is None or not by_id(value):
        return value.to_numpy() if cast and isinstance(value, pd.Series) else value
    if isinstance(value, Mapping):
        return _select_leaf(value, ids, None, cast)
    if value.index.is_unique and pd.Index(ids).isin(value.index).all():
        part = value if value.index.equals(pd.Index(ids)) else value.loc[ids]
    else:
        part = value                    # labels that do not name the ids: aligned by position
    return part.to_numpy() if cast and isinstance(part, pd.Series) else part


def align_to_batch(data, ids: np.ndarray, *, components: bool):
    """Return a batch's own data with what is read by id put in the order of ``ids``.

    What is aligned by position is kept as it is (it is the batch's already);
    a pandas object whose unique labels hold every id is read by label.

    Examples
    --------
    >>> align_to_batch({'a': {'y': 2, 'x': 1}, 'b': [10, 20]}, np.array(['x', 'y']), components=True)
    {'a': array([1, 2]), 'b': [10, 20]}
    """
    ids = np.asarray(ids)
    if components and isinstance(data, dict):
        return {key: _align_leaf(value, ids, True) for key, value in data.items()}
    if isinstance(data, tuple):
        return tuple(_align_leaf(value, ids, components) for value in data)
    return _align_leaf(data, ids, components)


def check_length(data, size: int, components: bool) -> None:
    """Raise unless a batch's own data aligned by position holds ``size`` items (dicts by id are not counted).

    Examples
    --------
    >>> check_length({'a': [1, 2], 'b': {'x': 1}}, 3, components=True)
    Traceback (most recent call last):
    ...
    dagflow.exceptions.DatasetIndexError: The data holds 2 items in 'a', but the batch index has 3
    """
    for key, value in _leaves(data, components):
        if value is not None and not isinstance(value, Mapping) and len(value) != size:
            raise DatasetIndexError(f'The data holds {len(value)} items in {key!r}, but the batch index has '
                                    f'{size}', lengths=(len(value), size))
