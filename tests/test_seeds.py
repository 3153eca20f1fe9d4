"""make_rng, make_seed_sequence, spawn_seed_sequence: BatchFlow's seed spellings, and seeds per batch."""
import numpy as np
import pytest

from dagflow import Batch, Dataset, action, make_rng, make_seed_sequence, spawn_seed_sequence


def draws(rng, n=4):
    return rng.random(n).tolist()


class TestMakeRng:
    def test_false_gives_no_generator(self):
        assert make_rng(False) is None

    @pytest.mark.parametrize('seed', [None, True])
    def test_none_or_true_give_a_fresh_sfc64_generator(self, seed):
        first, second = make_rng(seed), make_rng(seed)
        assert isinstance(first, np.random.Generator) and isinstance(first.bit_generator, np.random.SFC64)
        assert draws(first) != draws(second)

    @pytest.mark.parametrize('seed', [42, np.int64(42)])
    def test_an_int_seeds_a_new_sfc64_generator(self, seed):
        rng = make_rng(seed)
        assert draws(rng) == draws(np.random.Generator(np.random.SFC64(42)))
        assert draws(make_rng(seed)) == draws(make_rng(42)) and make_rng(seed) is not make_rng(seed)

    def test_a_seed_sequence_seeds_a_new_sfc64_generator(self):
        sequence = np.random.SeedSequence(7)
        assert draws(make_rng(sequence)) == draws(np.random.Generator(np.random.SFC64(np.random.SeedSequence(7))))

    @pytest.mark.parametrize('rng', [np.random.default_rng(0), np.random.RandomState(0)])
    def test_a_generator_or_random_state_is_returned_as_it_is(self, rng):
        assert make_rng(rng) is rng

    def test_a_bit_generator_gets_a_new_generator_over_it(self):
        bit_generator = np.random.PCG64(3)
        rng = make_rng(bit_generator)
        assert isinstance(rng, np.random.Generator) and rng.bit_generator is bit_generator

    @pytest.mark.parametrize('seed', [1.5, 'seed', [1, 2]])
    def test_another_seed_is_refused(self, seed):
        # BatchFlow warns and returns None: the caller would go on unseeded
        with pytest.raises(TypeError, match=r'make_rng: a seed must be False, None, True, a non-negative int.*but '
                                            r'got'):
            make_rng(seed)


class TestMakeSeedSequence:
    @pytest.mark.parametrize('shuffle', [False, True, None])
    def test_a_bool_or_none_gives_fresh_entropy(self, shuffle):
        first, second = make_seed_sequence(shuffle), make_seed_sequence(shuffle)
        assert isinstance(first, np.random.SeedSequence) and first.entropy != second.entropy

    def test_the_default_is_fresh_entropy(self):
        assert make_seed_sequence().entropy != make_seed_sequence().entropy

    @pytest.mark.parametrize('shuffle', [11, -11, np.int32(11)])
    def test_an_int_is_the_entropy_a_negative_one_its_absolute_value(self, shuffle):
        sequence = make_seed_sequence(shuffle)
        assert sequence.entropy == 11 and sequence.spawn_key == ()

    def test_an_object_holding_a_seed_sequence_gives_it(self):
        class Holder:
            random_seed = np.random.SeedSequence(5)
        assert make_seed_sequence(Holder()) is Holder.random_seed
        assert make_seed_sequence(Holder.random_seed) is Holder.random_seed

    @pytest.mark.parametrize('shuffle', [0.5, 'yes'])
    def test_another_value_is_refused(self, shuffle):
        with pytest.raises(TypeError, match='make_seed_sequence: shuffle must be a bool, None, an int'):
            make_seed_sequence(shuffle)


class TestSpawnSeedSequence:
    def test_each_call_spawns_the_next_child(self):
        parent = np.random.SeedSequence(7)
        children = [spawn_seed_sequence(parent) for _ in range(3)]
        assert [c.spawn_key for c in children] == [(0,), (1,), (2,)]
        assert [c.entropy for c in children] == [7, 7, 7]
        assert children[0].generate_state(2).tolist() == np.random.SeedSequence(7, spawn_key=(0,)).generate_state(
            2).tolist()

    def test_an_object_holding_a_seed_sequence_spawns_from_it(self):
        class Holder:
            random_seed = np.random.SeedSequence(9)
        assert spawn_seed_sequence(Holder()).spawn_key == (0,) and Holder.random_seed.n_children_spawned == 1

    def test_a_pipeline_is_refused_with_the_alternative(self):
        with pytest.raises(ValueError, match=r'A dagflow pipeline holds no seed sequence.*spawn_seed_sequence\(batch'):
            spawn_seed_sequence(Dataset(4).p)

    @pytest.mark.parametrize('source', [7, None, np.random.default_rng(0)])
    def test_another_source_is_refused(self, source):
        with pytest.raises(ValueError, match='source must be a SeedSequence or a batch'):
            spawn_seed_sequence(source)


class Seeding(Batch):
    components = ('x',)

    @action
    def seed_child(self):
        """A pure step: a child sequence of the batch's own, drawn from."""
        self.x = np.full(len(self), make_rng(spawn_seed_sequence(self)).random())
        return self

    @action(writes='var:n')
    def seed_child_here(self):
        """A state step (it runs where the state lives): the next child of the batch's sequence."""
        self.x = self.x + 10 * make_rng(spawn_seed_sequence(self)).random()
        return self


def child_draws(**run_args):
    p = Dataset(24, batch_class=Seeding, preloaded={'x': np.zeros(24)}).p.init_variable('n', 0)
    p = p.seed_child().seed_child_here()     # a worker process spawns the first child, the driver the second
    return [float(batch.x[0]) for batch in p.gen_batch(4, n_epochs=1, **run_args)]


class TestSeedsOfABatch:
    def test_a_batch_spawns_from_the_sequence_its_generator_came_from(self):
        seen = []

        class Spy(Batch):
            components = ('x',)

            @action
            def look(self):
                seen.append((make_seed_sequence(self), spawn_seed_sequence(self)))
                return self
        Dataset(8, batch_class=Spy, preloaded={'x': np.zeros(8)}).p.look().run(4, n_epochs=1, seed=5)
        (first, child), (second, _) = seen
        assert (first.entropy, first.spawn_key, second.spawn_key) == (5, (0, 0, 0), (0, 0, 1))   # the run seed, k
        assert child.spawn_key == (0, 0, 0, 0)

    @pytest.mark.parametrize('run_args', [{'prefetch': 2, 'scheduler': 'threads'},
                                          {'prefetch': 2, 'scheduler': 'processes'}])
    def test_its_children_are_the_same_in_every_run_and_on_every_scheduler(self, run_args):
        reference = child_draws(seed=3)
        assert len(set(reference)) == 6                          # a different child for every batch
        assert child_draws(seed=3) == reference and child_draws(seed=4) != reference
        assert child_draws(seed=3, **run_args) == reference
