import itertools
import pickle

import numpy as np
import pandas as pd
import pytest

from dagflow.data.batch import Batch
from dagflow.data.dataset import Dataset
from dagflow.data.index import DatasetIndex
from dagflow.exceptions import ComponentError, DatasetIndexError, EmptyBatchSequence, RunArgumentError


class PairBatch(Batch):
    components = 'x', 'y'


def pair_dataset(n=6, **attributes):
    return Dataset(n, batch_class=PairBatch, preloaded={'x': np.arange(n), 'y': np.arange(n) * 10},
                   **attributes)


class TestConstruction:
    def test_properties(self):
        index = DatasetIndex(['a', 'b'])
        ds = Dataset(index, preloaded=np.zeros(2), kind='toy')
        assert ds.index is index and ds.indices.tolist() == ['a', 'b'] and len(ds) == 2
        assert ds.batch_class is Batch and ds.preloaded.shape == (2,)
        assert ds.kind == 'toy' and ds.attributes == {'kind': 'toy'}
        assert ds.data_index is index
        assert repr(ds) == ("Dataset(index=DatasetIndex(['a', 'b']), batch_class=Batch, "
                            "preloaded=ndarray, kind=...)")

    def test_index_from_int_or_ids(self):
        assert Dataset(3).indices.tolist() == [0, 1, 2]
        assert Dataset([5, 7]).indices.tolist() == [5, 7]

    def test_bad_batch_class(self):
        with pytest.raises(TypeError, match='batch_class must be a subclass of Batch, but got <class .*dict'):
            Dataset(3, batch_class=dict)
        with pytest.raises(TypeError, match='but got 5'):
            Dataset(3, batch_class=5)

    def test_preloaded_length_is_checked(self):
        with pytest.raises(DatasetIndexError, match='The preloaded data holds 4 items, but the index has 3'):
            Dataset(3, preloaded=np.zeros(4))
        with pytest.raises(DatasetIndexError, match='different numbers of items'):
            Dataset(3, batch_class=PairBatch, preloaded=(np.zeros(3), np.zeros(2)))

    def test_preloaded_components_are_checked(self):
        with pytest.raises(ComponentError, match="Unknown component 'z'"):
            Dataset(3, batch_class=PairBatch, preloaded={'z': np.zeros(3)})

    @pytest.mark.parametrize('name', ['train', 'split', 'data_index', 'cv0', '_private'])
    def test_attribute_names_taken(self, name):
        with pytest.raises(TypeError, match=f'Cannot set the dataset attribute {name!r}'):
            Dataset(3, **{name: 1})

    def test_pickles(self):
        ds = pair_dataset(4, kind='toy')
        ds.split(0.5)
        restored = pickle.loads(pickle.dumps(ds))
        assert restored.batch_class is PairBatch and restored.kind == 'toy'
        assert restored.train.create_batch([3]).y.tolist() == [30]


class TestBatches:
    def test_create_batch_takes_the_items_rows(self):
        batch = pair_dataset().create_batch([4, 1])
        assert type(batch) is PairBatch
        assert batch.x.tolist() == [4, 1] and batch.y.tolist() == [40, 10]

    def test_create_batch_from_an_index(self):
        ds = Dataset(['a', 'b', 'c'], preloaded=pd.DataFrame({'v': [1, 2, 3]}))
        batch = ds.create_batch(DatasetIndex(['c']))
        assert batch.data['v'].tolist() == [3] and batch.dataset is ds

    def test_create_batch_with_unknown_ids(self):
        with pytest.raises(DatasetIndexError, match=r'Unknown ids \[9\]'):
            pair_dataset().create_batch([9])

    def test_tuple_preloaded(self):
        ds = Dataset(3, batch_class=PairBatch, preloaded=(np.arange(3), np.ones(3)))
        assert ds.create_batch([2]).x.tolist() == [2]

    def test_gen_batch(self):
        batches = list(pair_dataset().gen_batch(4, n_epochs=2, drop_last=True))
        assert [b.x.tolist() for b in batches] == [[0, 1, 2, 3], [0, 1, 2, 3]]
        assert all(b.dataset is not None for b in batches)

    def test_gen_batch_shuffle_and_infinite(self):
        ds = pair_dataset()
        first = [b.x.tolist() for b in itertools.islice(ds.gen_batch(4, shuffle=3, n_epochs=None), 5)]
        again = [b.x.tolist() for b in itertools.islice(ds.gen_batch(4, shuffle=3, n_epochs=None), 5)]
        assert first == again and len(first) == 5

    def test_gen_batch_checks_at_once(self):
        with pytest.raises(RunArgumentError, match='Give n_iters or n_epochs, not both'):
            pair_dataset().gen_batch(2, n_iters=2, n_epochs=1)

    def test_next_batch_and_reset(self):
        ds = pair_dataset(3)
        assert ds.next_batch(2).x.tolist() == [0, 1]
        assert ds.next_batch(2).x.tolist() == [2]
        with pytest.raises(EmptyBatchSequence):
            ds.next_batch(2)
        ds.reset('iter')
        assert ds.next_batch(2).x.tolist() == [0, 1]
        ds.reset_iter()
        assert ds.next_batch(2, n_iters=1).x.tolist() == [0, 1]


class TestSubsets:
    def test_split_shares_everything(self):
        ds = pair_dataset(10, kind='toy')
        ds.split([0.6, 0.3], shuffle=2)
        parts = [ds.train, ds.test, ds.validation]
        assert [len(p) for p in parts] == [6, 3, 1]
        assert sorted(np.concatenate([p.indices for p in parts]).tolist()) == list(range(10))
        for part in parts:
            assert part.batch_class is PairBatch and part.kind == 'toy'
            assert part.preloaded is ds.preloaded and part.data_index is ds.index
            batch = part.create_batch(part.indices)
            assert batch.x.tolist() == part.indices.tolist()

    def test_no_validation_and_no_split(self):
        ds = pair_dataset()
        assert ds.train is None
        ds.split()
        assert ds.validation is None and ds.train.train is None

    def test_cv_split(self):
        ds = pair_dataset(6)
        ds.cv_split(3)
        for i in range(3):
            fold = getattr(ds, f'cv{i}')
            assert fold.test.indices.tolist() == [2 * i, 2 * i + 1]
            assert len(fold.train) == 4 and fold.batch_class is PairBatch
        assert ds.cv2.test.create_batch([5]).y.tolist() == [50]

    def test_missing_folds(self):
        ds = pair_dataset()
        with pytest.raises(AttributeError, match=r'call cv_split\(\) first'):
            _ = ds.cv0
        ds.cv_split(2)
        with pytest.raises(AttributeError, match='made 2 folds, cv0 to cv1'):
            _ = ds.cv5
        with pytest.raises(AttributeError, match="no attribute 'nope'"):
            _ = ds.nope

    def test_bad_n_splits(self):
        with pytest.raises(DatasetIndexError, match='from 2 to the index size 6, but got 7'):
            pair_dataset().cv_split(7)


class TestPipelineHooks:
    def test_rshift_delegates_to_the_pipeline(self):
        class FakePipeline:
            def __lshift__(self, dataset):
                return ('bound', dataset)

        ds = Dataset(2)
        assert ds >> FakePipeline() == ('bound', ds)

    def test_pipeline(self):
        pipeline_module = pytest.importorskip('dagflow.pipeline')
        if not hasattr(pipeline_module, 'Pipeline'):
            pytest.skip('dagflow.pipeline.Pipeline is not written yet')
        ds = Dataset(2)
        assert isinstance(ds.p, pipeline_module.Pipeline)
        assert isinstance(ds.pipeline(), pipeline_module.Pipeline)
