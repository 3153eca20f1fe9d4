"""Component data: turn preloaded sources into components, take items, join batches.

A batch class with components keeps its data as ``{component: values}``; a class
without components keeps whatever object it was given.  A source may be

* an ndarray (or any sequence) - one component, or the whole data;
* a tuple - one entry per component, in order;
* a dict - keys are components;
* a pandas DataFrame - columns are components, or the whole frame.

Examples
--------
>>> import numpy as np
>>> data = as_components((np.arange(3), np.zeros(3)), ('images', 'labels'))
>>> sorted(data)
['images', 'labels']
>>> take_items(data, [2, 0])['images'].tolist()
[2, 0]
"""
from __future__ import annotations

import keyword
from collections.abc import Sequence

import numpy as np
import pandas as pd

from dagflow.exceptions import ComponentError, DatasetIndexError, suggestion_text

__all__ = ['normalize_components', 'as_components', 'data_length', 'take_items', 'take_item',
           'concat_items']


def normalize_components(components, owner: str = 'Batch') -> tuple[str, ...]:
    """Return component names as a tuple, checking that each is a plain identifier.

    Examples
    --------
    >>> normalize_components('images')
    ('images',)
    >>> normalize_components(('images', '2d'))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dagflow.exceptions.ComponentError: Batch.components: '2d' is not a valid component name ...
    """
    if components is None:
        return ()
    names = (components,) if isinstance(components, str) else tuple(components)
    for name in names:
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name) \
                or name.startswith('_'):
            raise ComponentError(f"{owner}.components: {name!r} is not a valid component name "
                                 "(use an identifier that does not start with '_')", name=name)
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ComponentError(f'{owner}.components repeats {repeated}', name=repeated[0])
    return names


def as_components(source, components: Sequence[str]):
    """Map a source onto components: return ``{component: values}``, or ``source`` if there are none.

    A dict or a DataFrame may fill only some of the components.

    Raises
    ------
    ComponentError
        When a dict key is not a component, a tuple has the wrong length, a single
        array is given for several components, or a frame has none of the components.

    Examples
    --------
    >>> as_components({'imgaes': [1]}, ('images', 'labels'))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dagflow.exceptions.ComponentError: Unknown component 'imgaes' in the data; ... Did you mean 'images'?
    """
    components = tuple(components)
    if not components or source is None:
        return source
    if isinstance(source, dict):
        return _from_dict(source, components)
    if isinstance(source, pd.DataFrame):
        return _from_frame(source, components)
    if isinstance(source, tuple):
        if len(source) != len(components):
            raise ComponentError(f'A tuple of {len(source)} items cannot fill the {len(components)} '
                                 f'components {components}; give one item per component, in order',
                                 name=components)
        return dict(zip(components, source))
    if len(components) != 1:
        raise ComponentError(f'A single {type(source).__name__} cannot fill the {len(components)} '
                             f'components {components}; give a tuple, a dict or components=',
                             name=components)
    return {components[0]: source}


def _from_dict(source: dict, components: tuple[str, ...]) -> dict:
    for key in source:
        if key not in components:
            raise ComponentError(f'Unknown component {key!r} in the data; components are {components}.'
                                 + suggestion_text(str(key), components), name=key)
    return dict(source)


def _from_frame(frame: pd.DataFrame, components: tuple[str, ...]) -> dict:
    found = {name: frame[name].to_numpy() for name in components if name in frame.columns}
    if not found:
        raise ComponentError(f'The DataFrame has none of the components {components} among its '
                             f'columns {list(frame.columns)}', name=components)
    return found


def data_length(data) -> int | None:
    """Return the number of items in component data (``None`` when it holds nothing).

    Raises
    ------
    DatasetIndexError
        When components (or tuple/dict entries) hold different numbers of items.

    Examples
    --------
    >>> data_length({'a': [1, 2], 'b': None})
    2
    """
    parts = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, tuple) \
        else [('data', data)]
    lengths = {key: len(value) for key, value in parts if value is not None}
    if len(set(lengths.values())) > 1:
        raise DatasetIndexError(f'Data parts hold different numbers of items: {lengths}', lengths=lengths)
    return next(iter(lengths.values()), None)


def take_items(data, positions):
    """Return the items at ``positions`` (dicts and tuples entry by entry).

    Examples
    --------
    >>> take_items({'a': np.arange(5), 'b': None}, [4, 1])
    {'a': array([4, 1]), 'b': None}
    """
    positions = np.asarray(positions, dtype=np.intp)
    if isinstance(data, dict):
        return {key: take_items(value, positions) for key, value in data.items()}
    if isinstance(data, tuple):
        return tuple(take_items(value, positions) for value in data)
    if data is None:
        return None
    if isinstance(data, np.ndarray):
        return data[positions]
    if isinstance(data, (pd.DataFrame, pd.Series)):
        return data.iloc[positions]
    return [data[i] for i in positions.tolist()]


def take_item(data, position: int):
    """Return the item at ``position`` (dicts and tuples entry by entry).

    Examples
    --------
    >>> take_item((np.arange(3), ['a', 'b', 'c']), 1)
    (np.int64(1), 'b')
    """
    if isinstance(data, dict):
        return {key: take_item(value, position) for key, value in data.items()}
    if isinstance(data, tuple):
        return tuple(take_item(value, position) for value in data)
    if data is None:
        return None
    if isinstance(data, (pd.DataFrame, pd.Series)):
        return data.iloc[position]
    return data[position]


def concat_items(parts: list, name: str = 'data'):
    """Join the data of several batches, in order.

    Raises
    ------
    ComponentError
        When ``name`` is empty (None) in some parts but not in others.
    TypeError
        When the data is of a kind that cannot be joined.

    Examples
    --------
    >>> concat_items([np.arange(2), np.arange(3)]).tolist()
    [0, 1, 0, 1, 2]
    """
    empty = [part is None for part in parts]
    if all(empty):
        return None
    if any(empty):
        raise ComponentError(f'Cannot merge {name!r}: it is None in some batches but not in others',
                             name=name)
    first = parts[0]
    if isinstance(first, dict):
        return {key: concat_items([part[key] for part in parts], key) for key in first}
    if isinstance(first, tuple):
        return tuple(concat_items(list(column), name) for column in zip(*parts))
    if isinstance(first, np.ndarray):
        return np.concatenate(parts)
    if isinstance(first, (pd.DataFrame, pd.Series)):
        return pd.concat(parts)
    if isinstance(first, list):
        return [item for part in parts for item in part]
    raise TypeError(f'Cannot merge {name!r} of type {type(first).__name__}; '
                    'merge supports ndarrays, lists, pandas objects, tuples and dicts')
