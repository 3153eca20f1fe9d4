"""Merging batches (``Batch.merge``, the pipeline's ``merge`` and ``rebatch``).

As BatchFlow documents, a merged batch's index is ``arange(new_size)``: its items
may come from several batches, pipelines or datasets, so their ids may repeat or
mean nothing together.

Examples
--------
>>> import numpy as np
>>> from dagflow.data.batch import Batch
>>> merged, rest = merge_batches(Batch, [Batch([7, 8], preloaded=np.array([1, 2]))], batch_size=1)
>>> merged.indices.tolist(), merged.data.tolist(), rest.indices.tolist(), rest.data.tolist()
([0], [1], [0], [2])
"""
from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence

import numpy as np

from dagflow.data.components import normalize_components, take_items
from dagflow.data.index import DatasetIndex
from dagflow.data.preloaded import Aligned

__all__ = ['merge_batches']


def merge_batches(cls: type, batches: Sequence, batch_size: int | None = None,
                  components: str | Sequence[str] | None = None, batch_class: type | None = None) -> tuple:
    """Return ``(merged, rest)``: the batches joined, cut after ``batch_size`` items (see ``Batch.merge``).

    Raises
    ------
    ValueError
        With no batches, or a bad ``batch_size``.
    TypeError
        When the batches are of several classes, or hold data that cannot be joined.
    ComponentError
        When a component is empty in some batches but not in others, or is unknown.
    """
    batches = list(batches)
    if not batches:
        raise ValueError('merge needs at least one batch, but got none')
    if batch_size is not None and (not isinstance(batch_size, numbers.Integral)
                                   or isinstance(batch_size, bool) or batch_size <= 0):
        raise ValueError(f'merge: batch_size must be a positive int or None, but got {batch_size!r}')
    kinds = {type(batch) for batch in batches}
    if len(kinds) > 1:
        raise TypeError(f'merge needs batches of one class, but got {sorted(k.__name__ for k in kinds)}')
    first = batches[0]
    names = first.components if components is None else normalize_components(components)
    for name in names:
        first._check_component(name)
    joiner = type(first).merge_component
    if names:
        data = {name: joiner(name, [batch._get_component(name) for batch in batches]) for name in names}
    else:
        if isinstance(first.data, Mapping):
            raise TypeError('merge cannot join batches whose data is a dict {id: value}: the merged index is '
                            'arange(new_size); use components, or override merge')
        data = joiner(None, [batch.data for batch in batches])
    size = sum(len(batch) for batch in batches)
    cut = size if batch_size is None else min(batch_size, size)
    target = batch_class or type(first)
    merged = _make(target, first, data, names, np.arange(cut))
    rest = _make(target, first, data, names, np.arange(cut, size)) if cut < size else None
    return merged, rest


def _make(target: type, first, data, names: tuple[str, ...], positions: np.ndarray):
    part = take_items(data, positions)
    own = target.components
    preloaded = {name: part[name] for name in names if name in own} if names else part
    batch = target(DatasetIndex(len(positions)), preloaded=Aligned(preloaded), dataset=first.dataset)
    if names and tuple(names) != tuple(own):
        # components added to the first batch, or only some of them asked for: as the first batch had them
        object.__setattr__(batch, 'components', tuple(names))
        object.__setattr__(batch, '_data', {name: part[name] for name in names})
    batch.context = first.context
    return batch
