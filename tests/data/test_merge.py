"""Batch.merge through the pipeline: the merge step and rebatch, as BatchFlow documents them."""
import numpy as np

from dagflow.data.batch import Batch
from dagflow.data.dataset import Dataset
from dagflow.expr import B, V


class ValuesBatch(Batch):
    components = 'values'


def values_dataset(ids):
    return Dataset(ids, batch_class=ValuesBatch, preloaded=np.arange(len(ids)) * 10)


def test_the_merge_step_gives_an_arange_index():
    other = values_dataset(['a', 'b', 'c']).p.run(batch_size=2, lazy=True)
    pipeline = values_dataset([5, 6, 7]).p.merge(other)
    batch = pipeline.next_batch(2)
    assert batch.indices.tolist() == [0, 1, 2, 3]
    assert batch.values.tolist() == [0, 10, 0, 10]


def test_rebatch_gives_arange_indices():
    pipeline = (values_dataset([7, 8, 9, 10, 11]).p
                .init_variable('ids', [])
                .rebatch(2)
                .update(V('ids', mode='a'), B.indices.tolist()))
    done = pipeline.run(batch_size=3)
    assert done.v('ids') == [[0, 1], [0, 1], [0]]
