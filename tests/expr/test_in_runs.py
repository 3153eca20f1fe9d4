"""Named expressions in real runs: BatchFlow's documented values, and the serial run's on every scheduler."""
import contextlib
import io
import itertools
from types import SimpleNamespace

import numpy as np
import pytest

from dagflow import PP, B, Batch, D, Dataset, F, I, L, P, R, V, W, action
from dagflow.exceptions import ModelError
from dagflow.expr import IF, M

from ..models.conftest import LinearModel, ModelBatch

SCHEDULERS = [{'prefetch': 2, 'scheduler': 'threads'}, {'prefetch': 2, 'scheduler': 'processes'}]
EVERY_RUN = pytest.mark.parametrize('params', [{}, *SCHEDULERS], ids=['serial', 'threads', 'processes'])


class ExprBatch(Batch):
    components = 'x', 'objs', 'seen'

    @action
    def see(self, value):
        """Keep what the step was given (a pure step: it runs in a worker under processes)."""
        self.seen = value
        return self

    @action
    def describe(self, value):
        self.seen = repr(value)
        return self

    @action
    def scribble(self, batch):
        """Change the batch it is given, which should be a copy."""
        batch.x[:] = -1
        return self


def make_dataset(size=10):
    objs = np.array([SimpleNamespace(tag=i, value=1j * i) for i in range(size)], dtype=object)
    return Dataset(size, batch_class=ExprBatch, preloaded={'x': np.arange(size * 2.0).reshape(size, 2),
                                                           'objs': objs})


def collect(pipeline, **run):
    """The values every batch saw, gathered in a state step (in stream order)."""
    p = pipeline.init_variable('seen', []).update(V('seen', mode='a'), B.seen)
    return p.run(4, seed=11, **run).v('seen')


def same_everywhere(make, **run):
    """The serial run's result, checked against every parallel scheduler."""
    reference = collect(make(), **run)
    for params in SCHEDULERS:
        np.testing.assert_equal(collect(make(), **run, **params), reference)
    return reference


@pytest.fixture
def linear_dataset():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(24, 2))
    return Dataset(24, batch_class=ModelBatch, preloaded={'x': x, 'y': x @ np.array([1.0, -2.0])})


def no_args():
    return 'no batch'


def batch_sum(batch):
    return float(batch.x.sum())


class TestIteration:
    @pytest.mark.parametrize(('run', 'expected'), [
        ({'n_epochs': 1}, [(1, 3, 1 / 3), (2, 3, 2 / 3), (3, 3, 1.0)]),
        ({'n_epochs': 1, 'drop_last': True}, [(1, 2, 0.5), (2, 2, 1.0)]),
        ({'n_iters': 4, 'n_epochs': None}, [(1, 4, 0.25), (2, 4, 0.5), (3, 4, 0.75), (4, 4, 1.0)]),
        ({'n_epochs': 2}, [(k, 5, k / 5) for k in range(1, 6)]),
    ], ids=['n_epochs', 'drop_last', 'n_iters', 'two_epochs'])
    def test_numbered_from_one_with_ratio_current_over_max(self, run, expected):
        def make():
            return make_dataset().p.see((I('current'), I.max, I('ratio')))
        assert same_everywhere(make, **run) == expected

    def test_attribute_and_short_forms(self):
        p = make_dataset().p.see((I.current, I.max, I.ratio, I('c'), I('m'), I('t'), I('r')))
        assert collect(p, n_epochs=1)[-1] == (3, 3, 1.0, 3, 3, 3, 1.0)

    @EVERY_RUN
    def test_endless_run_has_no_max(self, params):
        p = make_dataset().p.see((I.current, I.max))
        batches = list(itertools.islice(p.gen_batch(4, n_epochs=None, **params), 5))
        assert [batch.seen for batch in batches] == [(k, None) for k in range(1, 6)]

    def test_after_rebatch_the_count_is_of_the_new_batches(self):
        def make():
            return make_dataset().p.rebatch(6).see((I.current, I.max, B.size))
        assert same_everywhere(make, n_epochs=1) == [(1, None, 6), (2, None, 4)]

    def test_ratio_of_an_endless_run_fails(self):
        p = make_dataset().p.see(I.ratio)
        with pytest.raises(ValueError, match=r"I\('ratio'\) needs the total number of batches, but this run has "
                                             r"no end"):
            next(p.gen_batch(4, n_epochs=None))

    def test_in_arithmetic_as_in_the_guide(self):
        p = make_dataset().p.see(R('normal', loc=0, scale=I('ratio') * 100, seed=1) * 0 + I('ratio') * 45)
        assert collect(p, n_epochs=1) == pytest.approx([15.0, 30.0, 45.0])


class TestRandom:
    def test_seeded_r_ignores_the_run_seed_and_the_scheduler(self):
        def make():
            return make_dataset().p.see(R('normal', 0, 1, size=2, seed=42))
        reference = same_everywhere(make, n_epochs=1)
        other_seed = make().init_variable('seen', []).update(V('seen', mode='a'), B.seen).run(4, seed=99)
        np.testing.assert_equal(other_seed.v('seen'), reference)
        assert not np.array_equal(reference[0], reference[1])   # a fresh draw per batch

    def test_unseeded_r_follows_the_run_seed(self):
        def make():
            return make_dataset().p.see((R('uniform'), P(R('normal', 0, 1)), PP(R('integers', 0, 100))))
        reference = same_everywhere(make, n_epochs=1)
        assert len(reference[0][1]) == 4 and len(reference[0][2]) == 4

    def test_choice_forms(self):
        def make():
            return make_dataset().p.see((R(['opera', 'ballet', 'musical'], p=[.1, .15, .75], size=15, seed=42),
                                         R('choice', [1, 2, 3]), R('poisson', lam=4, size=(2, 5))))
        reference = same_everywhere(make, n_epochs=1)
        assert reference[0][0].shape == (15,) and reference[0][2].shape == (2, 5)


class TestCallables:
    def test_f_with_and_without_the_batch(self):
        def make():
            return make_dataset().p.see((F(no_args), F(batch_sum), F(len)))
        assert same_everywhere(make, n_epochs=1) == [('no batch', 28.0, 4), ('no batch', 92.0, 4),
                                                      ('no batch', 70.0, 2)]

    def test_f_call_form_from_the_guide(self):
        def make():
            return make_dataset().p.see(F(lambda shape: (-1,) + shape)(B.x.shape[1:]))
        assert same_everywhere(make, n_epochs=1) == [(-1, 2)] * 3

    def test_init_variable_with_f_and_init_on_each_run(self):
        calls = []

        def counter():
            calls.append(1)
            return len(calls)

        p = (make_dataset().p.init_variable('once', F(counter))
             .init_variable('each', init_on_each_run=F(counter))
             .init_variable('history', init_on_each_run=list)
             .init_variable('opened', F(dict)(mode='w'))
             .update(V('history', mode='a'), V('each')))
        once = p.v('once')
        assert isinstance(once, int) and p.v('opened') == {'mode': 'w'}
        p = p.run(4, n_epochs=1)
        first = p.v('history')[0]
        assert (p.v('once'), p.v('history')) == (once, [first] * 3)
        p = p.run(4, n_epochs=1)   # evaluated again at the start of each run only
        assert (p.v('once'), p.v('history')) == (once, [first + 1] * 3)


class TestBatchAccess:
    def test_l_reads_item_by_item(self):
        def make():
            return make_dataset().p.see((L('objs').tag, L.objs.value.imag, L('x')[1]))
        reference = same_everywhere(make, n_epochs=1)
        assert reference[0] == ([0, 1, 2, 3], [0.0, 1.0, 2.0, 3.0], [1.0, 3.0, 5.0, 7.0])

    def test_l_writes_item_by_item(self):
        def make():
            return make_dataset().p.update(L('objs').tag, L('x')[0]).see(L('objs').tag)
        assert same_everywhere(make, n_epochs=1)[0] == [0.0, 2.0, 4.0, 6.0]

    def test_b_copy_protects_the_batch(self):
        def make():
            return make_dataset().p.scribble(B(copy=True)).see(B('x', copy=True).sum())
        assert same_everywhere(make, n_epochs=1) == [28.0, 92.0, 70.0]

    def test_w_hands_the_expression_over(self):
        def make():
            return make_dataset().p.describe(W(V('seen') + 1))
        assert same_everywhere(make, n_epochs=1) == ["(V('seen') + 1)"] * 3


class TestDataset:
    def test_d_size_str_format_and_arithmetic(self):
        out = io.StringIO()
        p = (make_dataset().p.print('Dataset contains ' + D('size').str() + ' items')
             .print(D.size.format('{:>4}'), 'Iterations per epoch:', D.size // B.size)
             .see(D('size') - B.size))
        with contextlib.redirect_stdout(out):
            assert collect(p, n_epochs=1) == [6, 6, 8]
        assert out.getvalue().splitlines()[:2] == ['Dataset contains 10 items', '  10 Iterations per epoch: 2']


class TestSaveToArrays:
    @EVERY_RUN
    def test_the_last_batch_lands_in_the_array_in_place(self, params):
        total = np.zeros(2)
        p = make_dataset().p.call(np.sum, B.x, axis=0, save_to=total)
        p.run(4, n_epochs=1, **params)
        np.testing.assert_array_equal(total, [34.0, 36.0])   # the last batch, items 8 and 9: (16, 17) + (18, 19)


class TestModelsAndChoices:
    @staticmethod
    def trained(dataset, **run):
        p = (dataset.p.init_model('lin', LinearModel, 'dynamic', config={'size': 2})
             .init_variable('weights', [])
             .double()
             .train_model('lin', x=B.x, y=B.y)
             .update(V('weights', mode='a'), M('lin').w.copy()))
        return p.run(8, n_epochs=1, seed=3, **run).v('weights')

    def test_m_is_the_model_in_serial_order(self, linear_dataset):
        reference = self.trained(linear_dataset)
        assert len(reference) == 3 and not np.array_equal(reference[0], reference[1])
        for params in SCHEDULERS:
            np.testing.assert_array_equal(self.trained(linear_dataset, **params), reference)

    def test_m_of_an_undefined_model_fails_at_compile(self, linear_dataset):
        with pytest.raises(ModelError, match=r"uses model 'lni', but no init_model.*Did you mean 'lin'"):
            (linear_dataset.p.init_model('lin', LinearModel, 'dynamic')
             .update(V('w'), M('lni').w)).compile()

    def test_if_picks_by_the_iteration(self):
        def make():
            return make_dataset().p.see(IF(I.ratio > 0.5, 'late', B.size))
        assert same_everywhere(make, n_epochs=1) == [4, 'late', 'late']
