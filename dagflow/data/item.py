"""BatchItem: one item of a batch, its components read and assigned as attributes."""
from __future__ import annotations

from dagflow.data.components import take_item
from dagflow.exceptions import ComponentError

__all__ = ['BatchItem']


class BatchItem:
    """One item of a batch: its components read and assigned as attributes.

    Examples
    --------
    >>> import numpy as np
    >>> from dagflow.data.batch import Batch
    >>> class LabelsBatch(Batch):
    ...     components = 'labels'
    >>> batch = LabelsBatch(['a', 'b'], preloaded=np.array([0, 1]))
    >>> item = batch['b']
    >>> item.labels
    np.int64(1)
    >>> item.labels = 7
    >>> batch.labels.tolist(), item
    ([0, 7], BatchItem(LabelsBatch, id='b'))
    """

    __slots__ = ('_batch', '_position')

    def __init__(self, batch, position: int):
        object.__setattr__(self, '_batch', batch)
        object.__setattr__(self, '_position', position)

    def __getattr__(self, name: str):
        if name.startswith('_'):
            raise AttributeError(name)
        return take_item(self._batch._get_component(name), self._position)

    def __setattr__(self, name: str, value) -> None:
        values = self._batch._get_component(name)
        if values is None:
            raise ComponentError(f'Cannot set {name!r} of one item: the component holds no data yet',
                                 name=name)
        values[self._position] = value

    def __repr__(self) -> str:
        item_id = self._batch.indices[self._position].item()
        return f'BatchItem({type(self._batch).__name__}, id={item_id!r})'
