"""dagflow: machine-learning workflows over batches of data.

Write a pipeline once as a fluent chain; dagflow compiles it into a graph that
knows which steps touch shared state, and runs it with the results of the
plain serial loop.

Examples
--------
>>> import numpy as np
>>> from dagflow import Dataset, Batch, action, B, V
>>> class MyBatch(Batch):
...     components = 'images', 'labels'
...     @action
...     def scale(self, factor):
...         self.images = self.images * factor
...         return self
>>> ds = Dataset(8, batch_class=MyBatch, preloaded={'images': np.ones((8, 2)), 'labels': np.zeros(8)})
>>> p = ds.p.init_variable('sums', []).scale(2).update(V('sums', mode='a'), B.images.sum()).run(4)
>>> [float(s) for s in p.v('sums')]
[16.0, 16.0]
"""
from .config import Config
from .data import Batch, Dataset, DatasetIndex, FilesIndex, action
from .exceptions import (
    DagflowError,
    EmptyBatchSequence,
    SkipBatchException,
    StopPipeline,
)
from .expr import PP, B, C, D, F, I, L, M, NamedExpression, P, R, V, W, eval_expr, read_data_from, save_data_to
from .pipeline import Pipeline
from .seeds import make_rng, make_seed_sequence, spawn_seed_sequence

__version__ = '0.1.0'

__all__ = [
    'B', 'Batch', 'C', 'Config', 'D', 'DagflowError', 'Dataset', 'DatasetIndex', 'EmptyBatchSequence', 'F',
    'FilesIndex', 'I', 'L', 'M', 'P', 'PP', 'Pipeline', 'R', 'SkipBatchException', 'StopPipeline', 'V', 'W',
    'action', 'make_rng', 'make_seed_sequence', 'spawn_seed_sequence',
    'NamedExpression', 'eval_expr', 'read_data_from', 'save_data_to',
]
