"""Component data: turn preloaded sources into components, take items, join batches.

A batch class with components keeps its data as ``{component: values}``; a class
without components keeps whatever object it was given.  A source may be

* an ndarray (or any sequence) - one component, or the whole data;
* a tuple - one entry per component, in order (a shorter tuple leaves the rest None);
* a dict - keys are components (other keys are ignored, with a warning);
* a pandas DataFrame - columns are components, or the whole frame.

Where each item is found in a component's values is the business of
:mod:`dagflow.data.preloaded`.

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
import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from dagflow.exceptions import ComponentError, DatasetIndexError, suggestion_text

__all__ = ['ComponentsView', 'normalize_components', 'as_components', 'by_id', 'labelled', 'data_length',
           'take_items', 'take_item', 'concat_items']


class ComponentsView(Mapping):
    """A read-only view of ``{component: values}``, also readable as attributes (``data.images``).

    Examples
    --------
    >>> view = ComponentsView({'images': [1, 2]})
    >>> view['images'], view.images, list(view)
    ([1, 2], [1, 2], ['images'])
    >>> view.labels
    Traceback (most recent call last):
    ...
    AttributeError: no component 'labels' among ['images']
    """

    __slots__ = ('_data',)

    def __init__(self, data: dict):
        object.__setattr__(self, '_data', data)

    def __getitem__(self, name):
        return self._data[name]

    def __iter__(self):
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __getattr__(self, name: str):
        if name.startswith('_'):
            raise AttributeError(name)
        try:
            return self._data[name]
        except KeyError:
            raise AttributeError(f'no component {name!r} among {list(self._data)}') from None

    def __setattr__(self, name, value):
        raise AttributeError(f'the data view is read-only: assign batch.{name} = ... instead')

    def __repr__(self) -> str:
        return f'ComponentsView({self._data!r})'

    def __reduce__(self):
        return (ComponentsView, (self._data,))


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

    A dict, a DataFrame or a tuple may fill only some of the components (a tuple fills
    the first ones); as in BatchFlow, dict keys that are not components are ignored,
    with a warning that names them.

    Raises
    ------
    ComponentError
        When a tuple is longer than the components, a single array is given for
        several components, or a frame has none of the components.

    Examples
    --------
    >>> as_components(([1], [2]), ('images', 'labels', 'masks'))
    {'images': [1], 'labels': [2], 'masks': None}
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter('always')
    ...     as_components({'imgaes': [1], 'labels': [2]}, ('images', 'labels'))
    {'labels': [2]}
    >>> print(caught[0].message)
    The data has keys that are not components, ignored: ['imgaes']; components are ('images', 'labels'). \
Did you mean 'images'?
    """
    components = tuple(components)
    if not components or source is None:
        return source
    if isinstance(source, dict):
        return _from_dict(source, components)
    if isinstance(source, pd.DataFrame):
        return _from_frame(source, components)
    if isinstance(source, tuple):
        if len(source) > len(components):
            raise ComponentError(f'A tuple of {len(source)} items cannot fill the {len(components)} '
                                 f'components {components}; give at most one item per component, in order',
                                 name=components)
        return dict(zip(components, source + (None,) * (len(components) - len(source))))
    if len(components) != 1:
        raise ComponentError(f'A single {type(source).__name__} cannot fill the {len(components)} '
                             f'components {components}; give a tuple, a dict or components=',
                             name=components)
    return {components[0]: source}


def _from_dict(source: dict, components: tuple[str, ...]) -> dict:
    extra = [key for key in source if key not in components]
    if extra:
        warnings.warn(f'The data has keys that are not components, ignored: {extra[:5]}; components are '
                      f'{components}.' + suggestion_text(str(extra[0]), components), UserWarning, stacklevel=4)
    return {key: value for key, value in source.items() if key in components}


def _from_frame(frame: pd.DataFrame, components: tuple[str, ...]) -> dict:
    found = {name: frame[name] for name in components if name in frame.columns}
    if not found:
        raise ComponentError(f'The DataFrame has none of the components {components} among its '
                             f'columns {list(frame.columns)}', name=components)
    return found


def labelled(value) -> bool:
    """Return whether ``value`` is a pandas object indexed by labels (anything but the default ``0 .. n-1``).

    Examples
    --------
    >>> labelled(pd.Series([1], index=['a'])), labelled(pd.DataFrame({'x': [1]}))
    (True, False)
    """
    if not isinstance(value, (pd.DataFrame, pd.Series)):
        return False
    index = value.index
    return not (isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1)


def by_id(value) -> bool:
    """Return whether ``value`` is read by id (a dict, or a pandas object indexed by labels).

    Examples
    --------
    >>> by_id({'a': 1}), by_id(pd.Series([1], index=['a'])), by_id(pd.Series([1])), by_id(np.zeros(1))
    (True, True, False, False)
    """
    return isinstance(value, Mapping) or labelled(value)


def data_length(data) -> int | None:
    """Return the number of items in component data aligned by position (``None`` when it holds none).

    Values read by id (see :func:`by_id`) are not counted.

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
    lengths = {key: len(value) for key, value in parts if value is not None and not by_id(value)}
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
