"""The bodies of ``Batch.load`` and ``Batch.dump``: in-memory sources and table files read with pandas.

Examples
--------
>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / 'items.csv'
>>> write_table({'labels': np.array([1, 2])}, path, 'csv', index=False)
>>> read_table(path, 'csv')['labels'].tolist()
[1, 2]
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from dagflow.data.components import as_components, normalize_components
from dagflow.data.preloaded import check_preloaded, select
from dagflow.exceptions import suggestion_text

__all__ = ['TABLE_FORMATS', 'read_table', 'write_table', 'load_targets', 'items_of', 'preloaded_of', 'dump_data']

TABLE_FORMATS = ('csv', 'feather', 'hdf5')


def _check_format(fmt) -> None:
    if fmt not in TABLE_FORMATS:
        hint = suggestion_text(fmt, TABLE_FORMATS) if isinstance(fmt, str) else ''
        raise ValueError(f'Unknown format {fmt!r}: Batch.load/dump read in-memory data (fmt=None) and the table '
                         f'formats {TABLE_FORMATS}.{hint} Override load/dump in your Batch class for others')


def read_table(src, fmt: str, **kwargs) -> pd.DataFrame:
    """Return the table in the file ``src`` (``**kwargs`` go to pandas' reader, e.g. ``index_col=0``).

    Raises
    ------
    ValueError
        For a format other than ``'csv'``, ``'feather'`` and ``'hdf5'``.
    """
    _check_format(fmt)
    if fmt == 'csv':
        return pd.read_csv(src, **kwargs)
    if fmt == 'feather':
        return pd.read_feather(src, **kwargs)
    return pd.read_hdf(src, **kwargs)


def write_table(data: dict, dst, fmt: str, **kwargs) -> None:
    """Write ``{name: values}`` as a table; a 2-d array becomes the columns ``name0``, ``name1`` ...

    Raises
    ------
    ValueError
        For a format other than ``'csv'``, ``'feather'`` and ``'hdf5'``.
    """
    _check_format(fmt)
    columns = {}
    for name, values in data.items():
        if isinstance(values, pd.DataFrame):
            columns.update(values.to_dict('series'))
        elif isinstance(values, np.ndarray) and values.ndim > 1:
            flat = values.reshape(len(values), -1)
            columns.update({f'{name}{i}': flat[:, i] for i in range(flat.shape[1])})
        else:
            columns[name] = values
    frame = pd.DataFrame(columns)
    if fmt == 'csv':
        frame.to_csv(dst, **kwargs)
    elif fmt == 'feather':
        frame.to_feather(dst, **kwargs)
    else:
        frame.to_hdf(dst, **kwargs)


def load_targets(batch, components, dst) -> tuple[tuple[str, ...], bool]:
    """Return the components ``load`` fills (adding those the batch lacks) and whether one was named as a str."""
    if components is not None and dst is not None and \
            normalize_components(components) != normalize_components(dst):
        raise TypeError(f'load: give components= or dst=, not both (got {components!r} and {dst!r})')
    given = components if components is not None else dst
    if given is None:
        return batch.components, False
    names = normalize_components(given, type(batch).__name__)
    new = [name for name in names if name not in batch.components]
    if new:
        batch.add_components(new)
    return names, isinstance(given, str)


def items_of(batch, src, names: tuple[str, ...], whole: bool):
    """Return the batch's items of ``src``, aligned with the batch's dataset (or with the batch)."""
    dataset = batch.dataset
    align = dataset.data_index if dataset is not None else batch.index
    data = as_components((src,) if whole else src, names)
    check_preloaded(data, batch.indices, components=bool(names), size=len(align), what='load(src=...)')
    positions = dataset.data_positions(batch.indices) if dataset is not None else align.get_pos(batch.indices)
    return select(data, batch.indices, positions, components=bool(names))


def preloaded_of(batch, names: tuple[str, ...]):
    """Return the batch's items of its dataset's preloaded data (only ``names`` with components)."""
    if batch.dataset is None or batch.dataset.preloaded is None:
        raise ValueError('load() without src reads the preloaded data of the batch\'s dataset, '
                         'but this batch has no dataset with preloaded data; pass src=')
    data = batch.dataset.preloaded_items(batch.indices)
    return {name: data.get(name) for name in names} if names else data


def dump_data(batch, dst, fmt: str | None, components: str | Sequence[str] | None, **kwargs) -> None:
    """Write the batch's components into ``dst[batch.indices]`` (one component) or a table file."""
    names = batch.components if components is None else normalize_components(components)
    if fmt is not None:
        write_table({name: batch.get(component=name) for name in names}, dst, fmt, **kwargs)
        return
    if len(names) > 1:
        raise ValueError(f'dump without fmt writes one component into an array, but got {names}; '
                         'give components=')
    dst[batch.indices] = batch.get(component=names[0]) if names else batch.data
