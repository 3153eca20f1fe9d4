import itertools
import pickle
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from dagflow.config import Config
from dagflow.data.batch import Batch
from dagflow.data.dataset import Dataset
from dagflow.data.index import DatasetIndex
from dagflow.exceptions import ComponentError, DatasetIndexError, EmptyBatchSequence, RunArgumentError, UnknownIdError
from dagflow.expr import C


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

    def test_preloaded_extra_keys_are_ignored_with_a_warning(self):
        with pytest.warns(UserWarning, match=r"not components, ignored: \['z'\]"):
            ds = Dataset(3, batch_class=PairBatch, preloaded={'z': np.zeros(3), 'x': np.arange(3)})
        batch = ds.create_batch([2])
        assert batch.x.tolist() == [2] and batch.y is None

    def test_preloaded_tuple_shorter_than_the_components(self):
        ds = Dataset(3, batch_class=PairBatch, preloaded=(np.arange(3),))
        batch = ds.create_batch([1, 0])
        assert batch.x.tolist() == [1, 0] and batch.y is None
        with pytest.raises(ComponentError, match='A tuple of 3 items cannot fill the 2 components'):
            Dataset(3, batch_class=PairBatch, preloaded=(np.arange(3),) * 3)

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

    @pytest.mark.parametrize('ids, shown', [([9], r'\[9\]'), ([-1], r'\[-1\]'), ([1.5], r'\[1.5\]'),
                                            (['a'], r"\['a'\]")])
    def test_an_index_given_by_the_user_is_checked(self, ids, shown):
        # a float id is not truncated to a row, a str id is named (not a numpy type error)
        with pytest.raises(UnknownIdError, match=rf'Unknown ids {shown}'):
            pair_dataset().create_batch(DatasetIndex(ids))

    def test_ids_that_name_rows_exactly_are_accepted(self):
        ds = pair_dataset()
        assert ds.create_batch(DatasetIndex(np.array([2], dtype=np.uint8))).y.tolist() == [20]
        assert ds.create_batch(DatasetIndex([1.0])).y.tolist() == [10]

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
        assert ds.next_batch(2, n_epochs=1).x.tolist() == [0, 1]
        assert ds.next_batch(2, n_epochs=1).x.tolist() == [2]
        with pytest.raises(EmptyBatchSequence):
            ds.next_batch(2, n_epochs=1)
        ds.reset('iter')
        assert ds.next_batch(2).x.tolist() == [0, 1]
        assert ds.next_batch(2).x.tolist() == [2, 0]        # endless by default, as BatchFlow's
        ds.reset('iter')
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


class TestPreloadedByIdAsBatchFlowReadsIt:
    def test_dict_component_keyed_by_item_id(self):
        ds = Dataset(['x', 'y', 'z'], batch_class=PairBatch,
                     preloaded={'x': {'z': 3, 'x': 1, 'y': 2, 'extra': 9}, 'y': np.array([10, 20, 30])})
        batch = ds.create_batch(['z', 'x'])
        assert batch.x.tolist() == [3, 1] and batch.y.tolist() == [30, 10]

    def test_dict_component_of_arrays_is_stacked(self):
        ds = Dataset(['a', 'b'], batch_class=PairBatch, preloaded={'x': {'a': np.zeros(2), 'b': np.ones(2)}})
        assert ds.create_batch(['b', 'a']).x.tolist() == [[1, 1], [0, 0]]
        ragged = Dataset(['a', 'b'], batch_class=PairBatch, preloaded={'x': {'a': [1], 'b': [1, 2]}})
        assert ragged.create_batch(['a', 'b']).x.dtype == object

    def test_dict_component_missing_ids(self):
        with pytest.raises(UnknownIdError, match=r"no item for the ids \['b'\] in 'x'"):
            Dataset(['a', 'b'], batch_class=PairBatch, preloaded={'x': {'a': 1}})

    def test_raw_dict_keyed_by_item_id(self):
        ds = Dataset(['p', 'q'], preloaded={'q': 'Q', 'p': 'P'})
        assert ds.create_batch(['q']).data == {'q': 'Q'}

    def test_frame_indexed_by_the_ids_is_read_by_label(self):
        frame = pd.DataFrame({'x': [1, 2, 3], 'y': [4, 5, 6]}, index=['c', 'a', 'b'])
        ds = Dataset(['a', 'b', 'c'], batch_class=PairBatch, preloaded=frame)
        batch = ds.create_batch(['a', 'c'])
        assert batch.x.tolist() == [2, 1] and batch.y.tolist() == [5, 4]
        assert isinstance(batch.x, np.ndarray)

    def test_frame_by_label_must_hold_the_ids_once(self):
        frame = pd.DataFrame({'x': [1, 2]}, index=['a', 'b'])
        with pytest.raises(UnknownIdError, match=r"no item for the ids \['c'\]"):
            Dataset(['a', 'c'], batch_class=PairBatch, preloaded=frame)
        with pytest.raises(DatasetIndexError, match="labels of 'x' repeat"):
            Dataset(['a'], batch_class=PairBatch, preloaded=pd.DataFrame({'x': [1, 2]}, index=['a', 'a']))

    def test_ids_that_are_rows_in_another_order(self):
        # BatchFlow reads preloaded[id]: with ids 0..n-1 in any order, id i is row i
        ds = Dataset(DatasetIndex([2, 0, 1]), batch_class=PairBatch, preloaded=(np.array([10, 11, 12]),))
        assert ds.create_batch([2, 0]).x.tolist() == [12, 10]
        assert ds.create_batch([2]).load(src=(np.array([5, 6, 7]),)).x.tolist() == [7]

    def test_other_ids_are_aligned_by_position(self):
        ds = Dataset(['b', 'a'], preloaded=np.array([1, 2]))
        assert ds.create_batch(['a']).data.tolist() == [2]

    def test_longer_preloaded_array_is_refused_deliberately(self):
        # BatchFlow indexes a longer array by id and silently ignores the rest; dagflow cannot tell
        # which rows belong to which ids, so it refuses
        with pytest.raises(DatasetIndexError, match='The preloaded data holds 5 items, but the index has 3'):
            Dataset(3, preloaded=np.arange(5))

    def test_cast_to_array_false_keeps_dicts_and_series(self):
        ds = Dataset(['a', 'b'], batch_class=PairBatch, cast_to_array=False,
                     preloaded={'x': {'a': 1, 'b': 2}, 'y': pd.Series([3, 4], index=['a', 'b'])})
        batch = ds.create_batch(['b'])
        assert batch.x == {'b': 2} and isinstance(batch.y, pd.Series)

    def test_copy_gives_each_batch_its_own_items(self):
        items = [[1], [2]]
        shared = Dataset(2, preloaded=items).create_batch([0])
        shared.data[0].append(9)
        assert items[0] == [1, 9]
        own = Dataset(2, preloaded=items, copy=True).create_batch([1])
        own.data[0].append(9)
        assert items[1] == [2]

    def test_data_and_component_attributes(self):
        preloaded = {'x': np.arange(4), 'y': np.arange(4) * 10}
        ds = Dataset(4, batch_class=PairBatch, preloaded=preloaded)
        assert ds.x is preloaded['x'] and ds.data.y is preloaded['y'] and set(ds.data) == {'x', 'y'}
        ds.split(0.5)
        assert ds.train.y.tolist() == [20, 30] and ds.test.x.tolist() == [0, 1]
        assert Dataset(2).data is None
        raw = Dataset(2, preloaded=np.array([5, 6]))
        assert raw.data.tolist() == [5, 6]
        with pytest.raises(AttributeError, match="no attribute 'z'"):
            _ = ds.z


class TestBatchFlowDatasetAPI:
    def test_build_index(self):
        index = DatasetIndex(2)
        assert Dataset.build_index(index) is index and Dataset.build_index([4]).indices.tolist() == [4]
        assert Dataset(lambda: ['a', 'b']).indices.tolist() == ['a', 'b']

    def test_from_dataset(self):
        ds = pair_dataset(4, kind='toy')
        assert Dataset.from_dataset(ds, ds.index) is ds
        part = Dataset.from_dataset(ds, DatasetIndex([3, 1]), note='new')
        assert part.indices.tolist() == [3, 1] and part.kind == 'toy' and part.note == 'new'
        assert part.create_batch([3]).y.tolist() == [30] and part.data_index is ds.index
        copied = Dataset.from_dataset(ds, ds.index, copy=True)
        assert copied is not ds and copied.index == ds.index and copied.index is not ds.index
        with pytest.raises(UnknownIdError, match=r'Unknown ids \[7\]'):
            Dataset.from_dataset(ds, [7])

    def test_from_dataset_with_another_batch_class(self):
        class OnlyX(Batch):
            components = 'x'

        with pytest.warns(UserWarning, match=r"ignored: \['y'\]"):
            other = Dataset.from_dataset(pair_dataset(4), [2], batch_class=OnlyX)
        assert other.batch_class is OnlyX and other.create_batch([2]).x.tolist() == [2]

    def test_create_subset(self):
        ds = pair_dataset(5)
        subset = ds.create_subset([4, 0])
        assert subset.indices.tolist() == [4, 0] and subset.create_batch([4]).x.tolist() == [4]
        with pytest.raises(IndexError, match=r'Unknown ids \[9\]'):
            ds.create_subset([9])

    def test_copy_size_and_calc_split(self):
        ds = pair_dataset(10, kind='toy')
        assert ds.size == 10 and ds.calc_split([0.6, 0.3]) == (6, 3, 1)
        other = ds.copy()
        assert other is not ds and other.kind == 'toy' and other.get_attrs() == {'kind': 'toy'}
        assert not ds.is_split
        ds.split()
        assert ds.is_split

    def test_create_batch_by_position(self):
        ds = Dataset(['a', 'b', 'c'], preloaded=np.array([1, 2, 3]))
        assert ds.create_batch([2, 0], pos=True).indices.tolist() == ['c', 'a']
        assert ds.create_batch(['b']).data.tolist() == [2]

    def test_next_batch_may_change_its_size(self):
        ds = pair_dataset(6)
        assert [len(ds.next_batch(size)) for size in (1, 2, 3)] == [1, 2, 3]

    def test_gen_batch_notifier(self):
        totals = []

        def bar(iterable, total):
            totals.append(total)
            return iterable

        assert [len(b) for b in pair_dataset(4).gen_batch(3, notifier=bar)] == [3, 1] and totals == [2]


class TestCrossValidationAsBatchFlow:
    def test_train_and_test_hold_the_folds(self):
        ds = pair_dataset(10)
        ds.cv_split(n_splits=3)
        assert ds.n_splits == 3 and ds.train.n_splits == 3
        for i in range(3):
            assert getattr(ds.train, f'cv{i}') is getattr(ds, f'cv{i}').train
            assert getattr(ds.test, f'cv{i}') is getattr(ds, f'cv{i}').test
        assert ds.test.cv1.indices.tolist() == [4, 5, 6]
        assert ds.train.indices.tolist() == list(range(10))

    def test_method_and_positional_n_splits(self):
        ds = pair_dataset(6)
        ds.cv_split('kfold', 2)
        assert ds.cv1.test.indices.tolist() == [3, 4, 5]
        ds.cv_split(3)
        assert ds.n_splits == 3 and ds.cv2.test.indices.tolist() == [4, 5]
        with pytest.raises(DatasetIndexError, match="Unknown cross-validation method 'loo'") as info:
            ds.cv_split('loo', 2)
        assert isinstance(info.value, ValueError)
        with pytest.raises(TypeError, match='give the method first, or n_splits= by keyword'):
            ds.cv_split(2, 3)

    def test_seeded_folds_equal_batchflows(self):
        ds = Dataset(9)
        ds.cv_split(n_splits=3, shuffle=1)
        # the folds BatchFlow 0.10.1 makes with shuffle=1
        assert [ds.cv(i).test.indices.tolist() for i in range(3)] == [[5, 1, 3], [0, 7, 2], [4, 6, 8]]

    def test_cv(self):
        ds = pair_dataset(4)
        with pytest.raises(DatasetIndexError, match='no fold 0: cv_split\\(\\) made no folds'):
            ds.cv(0)
        ds.cv_split(n_splits=2)
        assert ds.cv(0) is ds.cv0
        with pytest.raises(DatasetIndexError, match='no fold 2: cv_split\\(\\) made 2 folds, 0 to 1') as info:
            ds.cv(2)
        assert isinstance(info.value, ValueError)

    def test_CV_is_a_named_expression_of_the_fold(self):  # noqa: N802
        ds = pair_dataset(6)
        ds.cv_split(n_splits=3)
        expr = ds.CV(C('fold')).train
        for fold in range(3):
            pipeline = SimpleNamespace(config=Config({'fold': fold}))
            assert expr.get(pipeline=pipeline) is getattr(ds, f'cv{fold}').train

    def test_n_splits_at_construction(self):
        ds = Dataset(4, n_splits=2, shuffle=False)
        assert ds.cv1.test.indices.tolist() == [2, 3]
        with pytest.raises(TypeError, match='only with n_splits='):
            Dataset(4, shuffle=True)


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
