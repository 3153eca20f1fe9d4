"""Data: indices, datasets, batches and the ``@action`` decorator.

Examples
--------
>>> import numpy as np
>>> from dagflow.data import Batch, Dataset, action
>>> class MyBatch(Batch):
...     components = 'images'
...     @action
...     def double(self):
...         self.images = self.images * 2
...         return self
>>> ds = Dataset(4, batch_class=MyBatch, preloaded=np.arange(4))
>>> [b.double().images.tolist() for b in ds.gen_batch(2)]
[[0, 2], [4, 6]]
"""
from dagflow.data.action import RESOURCE_KINDS, ActionInfo, action, actions_of, normalize_resources
from dagflow.data.batch import Batch, BatchItem
from dagflow.data.dataset import Dataset
from dagflow.data.files import FilesIndex
from dagflow.data.index import DatasetIndex
from dagflow.data.iteration import DEFAULT_EPOCHS, check_iteration, iteration_count, resolve_length
from dagflow.data.split import split_sizes

__all__ = [
    'ActionInfo', 'Batch', 'BatchItem', 'DEFAULT_EPOCHS', 'Dataset', 'DatasetIndex', 'FilesIndex',
    'RESOURCE_KINDS', 'action', 'actions_of', 'check_iteration', 'iteration_count', 'normalize_resources',
    'resolve_length', 'split_sizes',
]
