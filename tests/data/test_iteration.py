import itertools
import pickle

import numpy as np
import pytest

from dagflow.data.iteration import (
    DEFAULT_EPOCHS,
    batch_positions,
    check_iteration,
    iteration_count,
    make_order,
    resolve_length,
)
from dagflow.exceptions import RunArgumentError


def runs(*args, **kwargs):
    return [b.tolist() for b in batch_positions(*args, **kwargs)]


class TestBatchPositions:
    def test_one_epoch_by_default(self):
        assert runs(5, 2) == [[0, 1], [2, 3], [4]]

    def test_batches_flow_across_epochs(self):
        assert runs(4, 3, n_epochs=2) == [[0, 1, 2], [3, 0, 1], [2, 3]]

    def test_drop_last_drops_each_epochs_remainder(self):
        assert runs(4, 3, n_epochs=2, drop_last=True) == [[0, 1, 2], [0, 1, 2]]

    def test_n_iters_spans_epochs(self):
        assert runs(5, 2, n_iters=4) == [[0, 1], [2, 3], [4, 0], [1, 2]]

    def test_n_iters_with_drop_last_restarts_each_epoch(self):
        assert runs(5, 2, n_iters=3, drop_last=True) == [[0, 1], [2, 3], [0, 1]]

    def test_batch_larger_than_index_collects_several_epochs(self):
        assert runs(2, 3, n_iters=2) == [[0, 1, 0], [1, 0, 1]]

    def test_zero_epochs_and_zero_iters_make_nothing(self):
        assert runs(5, 2, n_epochs=0) == []
        assert runs(5, 2, n_iters=0) == []

    def test_infinite_stream(self):
        stream = batch_positions(3, 2, n_epochs=None)
        assert [b.tolist() for b in itertools.islice(stream, 4)] == [[0, 1], [2, 0], [1, 2], [0, 1]]

    def test_every_epoch_is_reshuffled_with_the_seed(self):
        first = runs(6, 6, shuffle=11, n_epochs=3)
        assert first == runs(6, 6, shuffle=11, n_epochs=3)
        assert all(sorted(epoch) == list(range(6)) for epoch in first)
        assert len({tuple(epoch) for epoch in first}) > 1

    def test_counts_match_iteration_count(self):
        for size, batch, epochs, drop in itertools.product([1, 5, 7], [1, 2, 3, 8], [1, 2, 3], [False, True]):
            if drop and batch > size:
                continue
            batches = runs(size, batch, n_epochs=epochs, drop_last=drop)
            assert len(batches) == iteration_count(size, batch, n_epochs=epochs, drop_last=drop)
            assert sum(map(len, batches)) == (size // batch * batch if drop else size) * epochs


class TestCheckIteration:
    @pytest.mark.parametrize('batch_size', [0, -3, 2.0, True, '4', None])
    def test_bad_batch_size(self, batch_size):
        message = f'batch_size must be a positive int, but got {batch_size!r}'
        with pytest.raises(RunArgumentError, match=message):
            check_iteration(10, batch_size)

    def test_numpy_int_batch_size(self):
        assert check_iteration(10, np.int64(3)) == (None, 1)

    def test_both_lengths(self):
        with pytest.raises(RunArgumentError, match=r'not both \(got n_iters=3, n_epochs=2\)'):
            check_iteration(10, 2, n_iters=3, n_epochs=2)

    @pytest.mark.parametrize('name', ['n_iters', 'n_epochs'])
    def test_negative_counts(self, name):
        with pytest.raises(RunArgumentError, match=f'{name} must be a non-negative int or None, but got -1'):
            check_iteration(10, 2, **{name: -1})

    def test_drop_last_with_too_large_batch(self):
        with pytest.raises(RunArgumentError, match=r'batch_size=11 is larger than the index \(10 items\)'):
            check_iteration(10, 11, drop_last=True)

    def test_empty_index_cannot_stream(self):
        with pytest.raises(RunArgumentError, match='empty index'):
            check_iteration(0, 2, n_iters=3)

    def test_validation_happens_before_the_first_batch(self):
        with pytest.raises(RunArgumentError, match='batch_size'):
            batch_positions(3, 0)


class TestLengthDefaults:
    def test_resolve(self):
        assert resolve_length(None, DEFAULT_EPOCHS) == (None, 1)
        assert resolve_length(5, DEFAULT_EPOCHS) == (5, None)
        assert resolve_length(None, None) == (None, None)
        assert resolve_length(None, 3) == (None, 3)

    def test_iteration_count(self):
        assert iteration_count(10, 3) == 4
        assert iteration_count(10, 3, drop_last=True) == 3
        assert iteration_count(10, 3, n_iters=9) == 9
        assert iteration_count(10, 3, n_epochs=None) is None

    def test_default_pickles_as_itself(self):
        assert pickle.loads(pickle.dumps(DEFAULT_EPOCHS)) is DEFAULT_EPOCHS
        assert repr(DEFAULT_EPOCHS) == 'DEFAULT_EPOCHS'


class TestMakeOrder:
    ids = np.array([10, 20, 30, 40])

    def test_in_order(self):
        assert make_order(False, self.ids)().tolist() == [0, 1, 2, 3]

    def test_generator_and_random_state_are_used_as_is(self):
        generator = np.random.default_rng(3)
        expected = np.random.default_rng(3).permutation(4).tolist()
        assert make_order(generator, self.ids)().tolist() == expected
        state = np.random.RandomState(3)
        assert make_order(state, self.ids)().tolist() == np.random.RandomState(3).permutation(4).tolist()

    def test_true_is_a_fresh_generator(self):
        assert sorted(make_order(True, self.ids)().tolist()) == [0, 1, 2, 3]

    def test_callable_returns_ids(self):
        pos = {10: 0, 20: 1, 30: 2, 40: 3}
        order = make_order(lambda ids: ids[::-1], self.ids, lambda ids: np.array([pos[i] for i in ids]))
        assert order().tolist() == [3, 2, 1, 0]

    def test_callable_must_permute(self):
        with pytest.raises(RunArgumentError, match='must return a permutation of the ids'):
            make_order(lambda ids: ids[:2], self.ids, None)()

    def test_bad_shuffle(self):
        with pytest.raises(RunArgumentError, match="shuffle must be .* but got 'yes'"):
            make_order('yes', self.ids)
