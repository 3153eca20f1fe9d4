import copy
import itertools
import pickle

import numpy as np
import pytest

from dagflow.data.index import DatasetIndex
from dagflow.data.split import split_sizes
from dagflow.exceptions import (
    DatasetIndexError,
    EmptyBatchSequence,
    IndexShapeError,
    RunArgumentError,
    UnknownIdError,
)


def ids_of(batches):
    return [b.indices.tolist() for b in batches]


class TestConstruction:
    def test_from_int(self):
        index = DatasetIndex(5)
        assert index.indices.tolist() == [0, 1, 2, 3, 4]
        assert len(index) == index.size == 5
        assert list(index) == [0, 1, 2, 3, 4]

    def test_from_ids_and_copy(self):
        index = DatasetIndex(['b', 'a'])
        copied = DatasetIndex(index)
        assert copied == index and copied is not index
        assert 'a' in index and 'z' not in index

    def test_ids_are_read_only_and_not_shared_with_the_input(self):
        source = np.array([3, 1, 2])
        index = DatasetIndex(source)
        source[0] = 9
        assert index.indices.tolist() == [3, 1, 2]
        with pytest.raises(ValueError, match='read-only'):
            index.indices[0] = 5

    def test_duplicates_are_named_up_to_five(self):
        with pytest.raises(DatasetIndexError, match=r'these repeat: \[1, 2, 3, 4, 5\] and 1 more') as info:
            DatasetIndex([1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7])
        assert info.value.duplicates == [1, 2, 3, 4, 5, 6]

    def test_not_one_dimensional_is_a_type_error(self):
        with pytest.raises(IndexShapeError, match=r'must be 1-dimensional, but got ids of shape \(2, 2\)'):
            DatasetIndex(np.zeros((2, 2)))
        with pytest.raises(TypeError):
            DatasetIndex([[1, 2]])

    @pytest.mark.parametrize('ids', [0, [], np.array([])])
    def test_empty_is_a_value_error(self, ids):
        with pytest.raises(DatasetIndexError, match='cannot be empty') as info:
            DatasetIndex(ids)
        assert isinstance(info.value, ValueError)

    def test_a_scalar_is_one_id(self):
        assert DatasetIndex('abc').indices.tolist() == ['abc']
        assert DatasetIndex(np.array(5)).indices.tolist() == [5]

    def test_from_a_callable(self):
        assert DatasetIndex(lambda: ['x', 'y']).indices.tolist() == ['x', 'y']
        assert DatasetIndex(lambda: 3).indices.tolist() == [0, 1, 2]
        with pytest.raises(DatasetIndexError, match='cannot be empty'):
            DatasetIndex(list)

    def test_index_is_the_ids(self):
        index = DatasetIndex(['b', 'a'])
        assert index.index is index.indices and index.index.tolist() == ['b', 'a']

    def test_from_index_and_build_index(self):
        assert DatasetIndex.from_index(['a']) == DatasetIndex(['a'])
        assert DatasetIndex.build_index(3).tolist() == [0, 1, 2]

    def test_add_joins_unique_ids(self):
        assert (DatasetIndex([1, 2]) + DatasetIndex([3])).indices.tolist() == [1, 2, 3]
        assert (DatasetIndex([1, 2]) + [5]).indices.tolist() == [1, 2, 5]
        with pytest.raises(DatasetIndexError, match=r'these repeat: \[2\]'):
            _ = DatasetIndex([1, 2]) + [2]

    def test_negative_size(self):
        with pytest.raises(DatasetIndexError, match='non-negative, but got -1'):
            DatasetIndex(-1)

    def test_equality_and_repr(self):
        assert DatasetIndex(3) == DatasetIndex([0, 1, 2])
        assert DatasetIndex(3) != DatasetIndex([0, 2, 1])
        assert repr(DatasetIndex(['x'])) == "DatasetIndex(['x'])"
        assert repr(DatasetIndex(100)) == 'DatasetIndex([0, 1, 2, ..., 97, 98, 99], size=100)'

    def test_pickles_with_its_splits(self):
        index = DatasetIndex(['a', 'b', 'c', 'd'])
        index.split(0.5)
        index.cv_split(2)
        restored = pickle.loads(pickle.dumps(index))
        assert restored == index
        assert restored.test == index.test and restored.cv1.test == index.cv1.test
        assert restored.get_pos('c') == 2
        assert copy.copy(index) == index


class TestPositionsAndSubsets:
    def test_get_pos(self):
        index = DatasetIndex([10, 20, 30])
        assert index.get_pos(20) == 1
        assert index.get_pos(np.int64(30)) == 2
        assert index.get_pos([30, 10]).tolist() == [2, 0]
        assert index.get_pos(DatasetIndex([20])).tolist() == [1]

    def test_get_pos_names_unknown_ids(self):
        with pytest.raises(UnknownIdError, match=r"Unknown ids \['x'\]") as info:
            DatasetIndex([10, 20]).get_pos([10, 'x'])
        assert info.value.ids == ['x']
        assert isinstance(info.value, KeyError) and isinstance(info.value, DatasetIndexError)

    def test_get_pos_of_a_slice_of_ids(self):
        index = DatasetIndex(['a', 'b', 'c', 'd'])
        assert index.get_pos(slice('b', 'd')) == slice(1, 3, None)
        assert index.get_pos(slice(None, 'c', 2)) == slice(None, 2, 2)

    def test_build_pos_and_subset_by_pos(self):
        index = DatasetIndex(['x', 'y', 'z'])
        assert index.build_pos() == {'x': 0, 'y': 1, 'z': 2}
        assert index.subset_by_pos([2, 0]).tolist() == ['z', 'x']
        assert index.subset_by_pos(slice(1, None)).tolist() == ['y', 'z']

    def test_create_batch_takes_positions_by_default(self):
        index = DatasetIndex([5, 6, 7])
        batch = index.create_batch([2, 0])
        assert type(batch) is DatasetIndex and batch.indices.tolist() == [7, 5]
        assert index.create_batch(np.array([1])).indices.tolist() == [6]
        assert index.create_batch(1).indices.tolist() == [6]

    def test_create_batch_of_ids(self):
        index = DatasetIndex([5, 6, 7])
        assert index.create_batch([7, 5], pos=False).indices.tolist() == [7, 5]
        assert index.create_batch(DatasetIndex([6]), pos=False).indices.tolist() == [6]
        with pytest.raises(UnknownIdError, match=r'Unknown ids \[9\]'):
            index.create_batch([9], pos=False)

    def test_create_batch_as_array(self):
        ids = DatasetIndex(['a', 'b', 'c']).create_batch(slice(0, 2), as_array=True)
        assert isinstance(ids, np.ndarray) and ids.tolist() == ['a', 'b']

    def test_shuffle_gives_an_order_of_positions(self):
        index = DatasetIndex(['a', 'b', 'c', 'd', 'e', 'f'])
        assert index.shuffle(False).tolist() == [0, 1, 2, 3, 4, 5]
        # the order BatchFlow 0.10.1 gives for the same seed
        assert index.shuffle(11).tolist() == [1, 5, 3, 0, 4, 2]
        assert index.shuffle(lambda ids: ids[::-1]).tolist() == [5, 4, 3, 2, 1, 0]
        assert sorted(index.shuffle(True).tolist()) == [0, 1, 2, 3, 4, 5]

    def test_create_subset(self):
        subset = DatasetIndex(['a', 'b', 'c']).create_subset(['c', 'a'])
        assert subset.indices.tolist() == ['c', 'a']
        assert subset.get_pos('a') == 1

    def test_create_subset_checks_ids(self):
        with pytest.raises(DatasetIndexError, match=r'Unknown ids \[7\]'):
            DatasetIndex(3).create_subset([1, 7])
        with pytest.raises(DatasetIndexError, match='repeat'):
            DatasetIndex(3).create_subset([1, 1])


class TestSplit:
    def test_float_share(self):
        index = DatasetIndex(10)
        assert not index.is_split
        index.split(0.7)
        # as in BatchFlow: validation first, then test, then train, in the order of the items
        assert index.test.indices.tolist() == [0, 1, 2]
        assert index.train.indices.tolist() == list(range(3, 10))
        assert index.validation is None and index.is_split

    def test_layout_of_three_subsets(self):
        index = DatasetIndex(10)
        index.split([0.5, 0.3, 0.2])
        assert index.validation.indices.tolist() == [0, 1]
        assert index.test.indices.tolist() == [2, 3, 4]
        assert index.train.indices.tolist() == [5, 6, 7, 8, 9]

    def test_seeded_split_equals_batchflows(self):
        index = DatasetIndex(10)
        index.split(0.8, shuffle=3)
        # the subsets BatchFlow 0.10.1 makes with shuffle=3
        assert index.train.indices.tolist() == [2, 7, 0, 8, 1, 4, 6, 5]
        assert index.test.indices.tolist() == [3, 9]

    def test_calc_split(self):
        assert DatasetIndex(10).calc_split() == (8, 2, 0)
        assert DatasetIndex(10).calc_split([0.6, 0.3]) == (6, 3, 1)
        assert DatasetIndex(10).calc_split([0.5, 0.3, 0.2]) == (5, 3, 2)

    def test_two_shares_leave_the_rest_to_validation(self):
        index = DatasetIndex(10)
        index.split([0.6, 0.3])
        assert [len(index.train), len(index.test), len(index.validation)] == [6, 3, 1]

    def test_shuffled_split_is_disjoint_and_covering(self):
        index = DatasetIndex(20)
        index.split([0.5, 0.25, 0.25], shuffle=5)
        parts = [index.train.indices, index.test.indices, index.validation.indices]
        joined = np.concatenate(parts)
        assert sorted(joined.tolist()) == list(range(20))
        assert joined.tolist() != list(range(20))
        other = DatasetIndex(20)
        other.split([0.5, 0.25, 0.25], shuffle=5)
        assert other.train == index.train

    def test_callable_shuffle(self):
        index = DatasetIndex(4)
        index.split(0.5, shuffle=lambda ids: ids[::-1])
        assert index.test.indices.tolist() == [3, 2] and index.train.indices.tolist() == [1, 0]

    @pytest.mark.parametrize('shares', [1.5, [0.8, 0.4], [-0.1, 0.5], [0.2, 0.2, 0.2, 0.2], 'half'])
    def test_bad_shares_are_named(self, shares):
        with pytest.raises(DatasetIndexError, match='but got ' + repr(shares).replace('[', r'\[')):
            DatasetIndex(10).split(shares)

    def test_too_small_to_split(self):
        with pytest.raises(DatasetIndexError, match='2 items cannot be split into 3 subsets'):
            DatasetIndex(2).split([0.4, 0.4])

    def test_sizes(self):
        assert split_sizes(10, 1.0) == (10, 0, 0)
        assert split_sizes(10, [0.5, 0.3, 0.2]) == (5, 3, 2)
        assert split_sizes(2, [0.1, 0.9]) == (1, 1, 0)
        assert sum(split_sizes(7, [0.33, 0.33, 0.34])) == 7

    @pytest.mark.parametrize(('size', 'shares', 'sizes'), [
        (3, [0.0, 0.5], (0, 1, 2)), (7, [0.0, 0.5], (0, 3, 4)), (10, [0.0, 0.3, 0.7], (0, 3, 7)),
        (10, [0.5, 0.0], (5, 0, 5)), (3, 0.1, (1, 2, 0))])
    def test_zero_shares_get_nothing_and_positive_shares_something(self, size, shares, sizes):
        assert split_sizes(size, shares) == sizes


class TestCrossValidation:
    def test_folds_cover_the_index(self):
        index = DatasetIndex(10)
        index.cv_split(3)
        tests = [index.cv0.test, index.cv1.test, index.cv2.test]
        assert [t.indices.tolist() for t in tests] == [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]
        for fold in (index.cv0, index.cv1, index.cv2):
            assert not set(fold.train.indices.tolist()) & set(fold.test.indices.tolist())
            assert len(fold.train) + len(fold.test) == 10
            assert fold == index

    def test_shuffled_folds(self):
        index = DatasetIndex(9)
        index.cv_split(3, shuffle=1)
        joined = np.concatenate([index.cv0.test.indices, index.cv1.test.indices, index.cv2.test.indices])
        assert sorted(joined.tolist()) == list(range(9)) and joined.tolist() != list(range(9))

    @pytest.mark.parametrize('n_splits', [1, 11, 2.0])
    def test_bad_n_splits(self, n_splits):
        with pytest.raises(DatasetIndexError, match=f'from 2 to the index size 10, but got {n_splits!r}'):
            DatasetIndex(10).cv_split(n_splits)

    def test_missing_fold(self):
        index = DatasetIndex(4)
        with pytest.raises(AttributeError, match=r'cv0.*call cv_split\(\) first'):
            _ = index.cv0
        index.cv_split(2)
        with pytest.raises(AttributeError, match='made 2 folds, cv0 to cv1'):
            _ = index.cv2
        with pytest.raises(AttributeError, match="no attribute 'nothing'"):
            _ = index.nothing


class TestGenBatch:
    def test_batches_are_subsets(self):
        batches = list(DatasetIndex(['a', 'b', 'c']).gen_batch(2))
        assert ids_of(batches) == [['a', 'b'], ['c']]
        assert all(type(b) is DatasetIndex for b in batches)

    def test_n_epochs_and_drop_last(self):
        index = DatasetIndex(4)
        assert ids_of(index.gen_batch(3, n_epochs=2)) == [[0, 1, 2], [3, 0, 1], [2, 3]]
        assert ids_of(index.gen_batch(3, n_epochs=2, drop_last=True)) == [[0, 1, 2], [0, 1, 2]]

    def test_n_iters_spans_epochs(self):
        assert ids_of(DatasetIndex(3).gen_batch(2, n_iters=3)) == [[0, 1], [2, 0], [1, 2]]

    def test_infinite_stream(self):
        stream = DatasetIndex(3).gen_batch(2, n_epochs=None)
        assert ids_of(itertools.islice(stream, 5)) == [[0, 1], [2, 0], [1, 2], [0, 1], [2, 0]]

    def test_seeded_shuffle_is_reproducible_and_reshuffles_each_epoch(self):
        index = DatasetIndex(list('abcdef'))
        first = ids_of(index.gen_batch(6, shuffle=42, n_epochs=4))
        assert first == ids_of(index.gen_batch(6, shuffle=42, n_epochs=4))
        assert all(sorted(epoch) == list('abcdef') for epoch in first)
        assert len({tuple(epoch) for epoch in first}) > 1

    def test_seeded_epochs_equal_batchflows(self):
        # the batches BatchFlow 0.10.1 makes with shuffle=7: each epoch permutes the previous order
        index = DatasetIndex(5)
        assert ids_of(index.gen_batch(5, shuffle=7, n_epochs=3)) == [[1, 0, 2, 4, 3], [0, 1, 2, 3, 4],
                                                                    [1, 0, 2, 4, 3]]
        assert ids_of(index.gen_batch(2, shuffle=7, n_epochs=2)) == [[1, 0], [2, 4], [3, 0], [1, 2], [3, 4]]
        assert ids_of(index.gen_batch(2, shuffle=7, n_epochs=2, drop_last=True)) == [[1, 0], [2, 4], [0, 1],
                                                                                     [2, 3]]

    def test_generator_shuffle_continues_its_state(self):
        generator = np.random.default_rng(0)
        index = DatasetIndex(8)
        first = ids_of(index.gen_batch(8, shuffle=generator))
        second = ids_of(index.gen_batch(8, shuffle=generator))
        assert first != second

    def test_arguments_are_checked_at_once(self):
        with pytest.raises(RunArgumentError, match='batch_size must be a positive int, but got 0'):
            DatasetIndex(3).gen_batch(0)
        with pytest.raises(RunArgumentError, match="shuffle must be .* but got 'random'"):
            DatasetIndex(3).gen_batch(2, shuffle='random')

    def test_spanning_batch_may_repeat_ids(self):
        batch = next(DatasetIndex(2).gen_batch(3, n_iters=1))
        assert batch.indices.tolist() == [0, 1, 0]
        assert batch.get_pos(0) == 0

    def test_bar(self):
        assert ids_of(DatasetIndex(3).gen_batch(2, bar=True)) == [[0, 1], [2]]
        seen = {}

        def bar(iterable, total):
            seen['total'] = total
            return iterable

        assert len(list(DatasetIndex(5).gen_batch(2, n_epochs=2, bar=bar))) == 5
        assert seen == {'total': 5}


class TestNextBatch:
    def test_stateful_iteration_and_reset(self):
        index = DatasetIndex(3)
        assert index.next_batch(2, n_epochs=1).indices.tolist() == [0, 1]
        assert index.next_batch(2, n_epochs=1).indices.tolist() == [2]
        with pytest.raises(EmptyBatchSequence, match='No batches left'):
            index.next_batch(2, n_epochs=1)
        with pytest.raises(EmptyBatchSequence):
            index.next_batch(2, n_epochs=1)
        index.reset('iter')
        assert index.next_batch(2, n_epochs=1).indices.tolist() == [0, 1]
        index.reset_iter()
        assert index.next_batch(2, n_epochs=1).indices.tolist() == [0, 1]

    def test_endless_unless_told_otherwise_as_batchflows(self):
        index = DatasetIndex(3)
        assert [index.next_batch(2).indices.tolist() for _ in range(4)] == [[0, 1], [2, 0], [1, 2], [0, 1]]
        index.reset('iter')
        assert [index.next_batch(2, n_iters=2).indices.tolist() for _ in range(2)] == [[0, 1], [2, 0]]
        with pytest.raises(EmptyBatchSequence):
            index.next_batch(2, n_iters=2)

    def test_empty_batch_sequence_is_a_stop_iteration(self):
        index = DatasetIndex(1)
        index.next_batch(1, n_epochs=1)
        with pytest.raises(StopIteration):
            index.next_batch(1, n_epochs=1)

    def test_changed_arguments(self):
        index = DatasetIndex(3)
        index.next_batch(2)
        with pytest.raises(RunArgumentError, match=r"differs from the running iteration.*reset\('iter'\)"):
            index.next_batch(2, shuffle=True)

    def test_batch_size_may_change_between_calls(self):
        index = DatasetIndex(10)
        sizes = [3, 4, 5]
        batches = [index.next_batch(size, n_epochs=1).indices.tolist() for size in sizes]
        assert batches == [[0, 1, 2], [3, 4, 5, 6], [7, 8, 9]]
        with pytest.raises(EmptyBatchSequence):
            index.next_batch(1, n_epochs=1)
        index.reset('iter')
        batches = [index.next_batch(size).indices.tolist() for size in sizes]
        assert batches == [[0, 1, 2], [3, 4, 5, 6], [7, 8, 9, 0, 1]]

    def test_changed_batch_size_is_still_checked(self):
        index = DatasetIndex(4)
        index.next_batch(2, drop_last=True)
        with pytest.raises(RunArgumentError, match='batch_size=5 is larger than the index'):
            index.next_batch(5, drop_last=True)
        with pytest.raises(RunArgumentError, match='positive int, but got 0'):
            index.next_batch(0, drop_last=True)

    def test_notifier_is_bar(self):
        seen = []

        def bar(iterable, total):
            seen.append(total)
            return iterable

        index = DatasetIndex(4)
        assert ids_of(index.gen_batch(2, notifier=bar)) == [[0, 1], [2, 3]]
        assert index.next_batch(3, n_epochs=1, notifier=bar).indices.tolist() == [0, 1, 2]
        assert seen == [2, 2]
        with pytest.raises(RunArgumentError, match='Give bar= or notifier=, not both'):
            index.gen_batch(2, bar=True, notifier='n')

    def test_unknown_reset(self):
        with pytest.raises(RunArgumentError, match="Cannot reset 'itre'.*Did you mean 'iter'"):
            DatasetIndex(3).reset('itre')

    def test_pickling_drops_the_running_iteration(self):
        index = DatasetIndex(3)
        index.next_batch(2)
        restored = pickle.loads(pickle.dumps(index))
        assert restored.next_batch(2).indices.tolist() == [0, 1]


class TestCustomIndex:
    """A subclass as BatchFlow's index guide writes it: its constructor passes everything on."""

    class EvenIndex(DatasetIndex):
        def __init__(self, index, step, *args, **kwargs):
            self.step = step
            super().__init__(index, step, *args, **kwargs)

        def build_index(self, index, step):
            return np.arange(0, index * step, step)

    def test_build_index_makes_the_ids(self):
        index = self.EvenIndex(4, 2)
        assert index.indices.tolist() == [0, 2, 4, 6] and index.step == 2

    def test_subsets_and_batches_keep_the_kind_and_attributes(self):
        index = self.EvenIndex(4, 3)
        index.split(0.5)
        batch = next(index.gen_batch(2))
        for part in (index.train, batch, index.create_subset([3])):
            assert type(part) is self.EvenIndex and part.step == 3
        assert pickle.loads(pickle.dumps(index.train)).step == 3

    def test_built_ids_are_checked(self):
        with pytest.raises(DatasetIndexError, match='cannot be empty'):
            self.EvenIndex(0, 2)
