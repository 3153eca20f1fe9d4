"""Batch.load/dump bodies: table files, and dump inside a parallel run."""
import numpy as np
import pandas as pd
import pytest

from dagflow.data.batch import Batch
from dagflow.data.dataset import Dataset
from dagflow.data.loading import read_table, write_table


class PairBatch(Batch):
    components = 'x', 'y'


def test_table_round_trip(tmp_path):
    path = tmp_path / 't.csv'
    write_table({'x': np.array([[1, 2], [3, 4]]), 'y': np.array([5, 6])}, path, 'csv', index=False)
    assert read_table(path, 'csv').to_dict('list') == {'x0': [1, 3], 'x1': [2, 4], 'y': [5, 6]}
    with pytest.raises(ValueError, match=r"Unknown format 'cvs'.*Did you mean 'csv'"):
        read_table(path, 'cvs')


def test_csv_rows_by_position_without_an_index_column(tmp_path):
    path = tmp_path / 'items.csv'
    pd.DataFrame({'x': [1, 2, 3], 'y': [4, 5, 6]}).to_csv(path, index=False)
    batch = Dataset(['p', 'q', 'r'], batch_class=PairBatch).create_batch(['r', 'p'])
    batch.load(src=path, fmt='csv')
    assert batch.x.tolist() == [3, 1] and batch.y.tolist() == [6, 4]


@pytest.mark.parametrize('scheduler', ['sync', 'threads'])
def test_dump_in_a_run_writes_the_callers_array(scheduler):
    out = np.zeros(6)
    ds = Dataset(6, batch_class=PairBatch, preloaded={'x': np.arange(6) * 2.0})
    ds.p.dump(out, components='x').run(batch_size=2, prefetch=2, scheduler=scheduler)
    assert out.tolist() == [0, 2, 4, 6, 8, 10]
