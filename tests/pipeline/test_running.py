"""Running a pipeline as BatchFlow documents it: run arguments, lazy runs, reset, notifier, after.run, datasets."""
import inspect
import pickle
import sys

import numpy as np
import pytest

from dagflow import B, C, D, Dataset, Pipeline, V
from dagflow.exceptions import EmptyBatchSequence, RunArgumentError
from dagflow.models import BaseModel


@pytest.fixture
def ds():
    return Dataset(10, preloaded=np.arange(10))


def counting(dataset):
    """A pipeline that counts its batches in V('n') and their items in V('items')."""
    return (dataset.p.init_variable('n', 0).init_variable('items', 0)
            .update(V('n'), V('n') + 1).update(V('items'), V('items') + B.size))


class TestRunArguments:
    def test_positional_arguments_in_batchflows_order(self, ds):
        # (batch_size, shuffle, n_iters, n_epochs, drop_last, notifier)
        assert counting(ds).run(4, False, 5).v('n') == 5
        assert counting(ds).run(4, False, None, 2, True).v('n') == 4

    def test_the_names_order_and_defaults_come_from_run_args(self, ds):
        from dataclasses import fields

        from dagflow.pipeline.run_args import DEFAULTS, POSITIONAL, RUN_ARGUMENTS, RunArgs
        names = [item.name for item in fields(RunArgs)]
        assert list(RUN_ARGUMENTS) == names and POSITIONAL == tuple(names[:6])
        assert POSITIONAL == ('batch_size', 'shuffle', 'n_iters', 'n_epochs', 'drop_last', 'notifier')
        parameters = inspect.signature(Pipeline.run).parameters
        assert list(parameters) == ['self', *POSITIONAL, 'lazy', 'bar', *names[6:], 'kwargs']
        assert DEFAULTS['n_epochs'] == RunArgs(1).n_epochs and DEFAULTS['notifier'] is False
        shown = counting(ds).run(batch_size=2, lazy=True).run_args
        assert shown == {'batch_size': 2, **{name: DEFAULTS[name] for name in names[1:] if name != 'reset'},
                         'scheduler': 'sync'}

    @pytest.mark.parametrize('name, close', [('n_epoch', 'n_epochs'), ('epochs', 'n_epochs'),
                                             ('batchsize', 'batch_size'), ('sheduler', 'scheduler')])
    def test_an_unknown_name_is_refused_with_the_close_ones(self, ds, name, close):
        with pytest.raises(RunArgumentError, match=rf"run\(\): unknown run argument '{name}'\. Did you mean "
                                                   rf"'{close}'"):
            counting(ds).run(batch_size=2, **{name: 1})

    def test_too_many_positional_arguments(self, ds):
        with pytest.raises(RunArgumentError, match='at most 6 positional run arguments'):
            counting(ds).gen_batch(2, False, None, 1, False, False, 7)

    def test_an_argument_given_twice(self, ds):
        with pytest.raises(RunArgumentError, match='got batch_size twice'):
            counting(ds).next_batch(2, batch_size=3)

    def test_named_expressions_are_evaluated_when_the_run_starts(self, ds):
        p = (counting(ds) << {'size': 5, 'epochs': 3}).run(C('size'), n_epochs=C('epochs'), lazy=True)
        assert p.run().v('items') == 30
        p.config['epochs'] = 1
        assert p.run(reset='variables').v('n') == 2

    def test_batchflows_target_is_the_scheduler(self, ds):
        p = counting(ds).run(batch_size=5, prefetch=1, target='mpc', lazy=True)
        assert p.run_args['scheduler'] == 'processes'
        assert counting(ds).run(batch_size=5, prefetch=1, target='threads').v('items') == 10
        with pytest.raises(RunArgumentError, match="BatchFlow's target is 'threads' or 'mpc'"):
            counting(ds).run(batch_size=5, target='gpu')

    def test_ignore_exceptions(self, ds):
        assert counting(ds).run(batch_size=5, ignore_exceptions=False).v('n') == 2
        with pytest.raises(RunArgumentError, match='ignore_exceptions=True.*SkipBatchException'):
            counting(ds).run(batch_size=5, ignore_exceptions=True)

    @pytest.mark.parametrize('profile', [1, 2, 'detailed', True])
    def test_batchflows_profile_levels_record_the_steps(self, ds, profile):
        p = counting(ds).run(batch_size=5, profile=profile)
        assert p.profile['step'].tolist() == ['update', 'update'] * 2

    def test_no_batch_size(self, ds):
        with pytest.raises(RunArgumentError, match=r'run\(\) needs a batch_size'):
            counting(ds).run(n_epochs=1)
        with pytest.raises(RunArgumentError, match=r'next_batch\(\) without arguments needs run'):
            counting(ds).next_batch()


class TestLazyRuns:
    def test_later_arguments_override_the_lazy_ones(self, ds):
        p = counting(ds).run(batch_size=5, n_epochs=5, lazy=True)
        assert p.run(n_epochs=2).v('n') == 4          # 2 epochs of 2 batches, not the lazy 5
        assert p.run(reset='variables').v('n') == 10  # the lazy run itself is unchanged
        assert p.run(batch_size=2, reset='vars').v('n') == 25

    def test_n_iters_and_n_epochs_replace_each_other(self, ds):
        p = counting(ds).run(batch_size=5, n_epochs=5, lazy=True)
        assert p.run(n_iters=3).v('n') == 3
        q = counting(ds).run(batch_size=5, n_iters=7, lazy=True)
        assert q.run(n_epochs=1).v('n') == 2

    def test_gen_batch_and_next_batch_merge_over_the_lazy_run(self, ds):
        p = counting(ds).run(batch_size=5, n_epochs=3, shuffle=False, lazy=True)
        assert [len(batch) for batch in p.gen_batch(batch_size=4, n_epochs=1)] == [4, 4, 2]
        assert len(p.next_batch(batch_size=3)) == 3

    def test_an_unknown_name_after_a_lazy_run_is_refused(self, ds):
        p = counting(ds).run(batch_size=5, lazy=True)
        with pytest.raises(RunArgumentError, match="unknown run argument 'bogus_arg'"):
            p.run(bogus_arg=1)
        with pytest.raises(RunArgumentError, match="unknown run argument 'n_epoch'"):
            p.gen_batch(n_epoch=1)
        assert p.v('n') == 0

    def test_a_lazy_run_is_checked_at_once(self, ds):
        with pytest.raises(RunArgumentError, match='batch_size must be a positive int'):
            counting(ds).run(batch_size=0, lazy=True)
        with pytest.raises(RunArgumentError, match="unknown run argument 'n_epoch'"):
            counting(ds).run_later(4, n_epoch=2)
        with pytest.raises(RunArgumentError, match="reset: unknown target 'varibles'"):
            counting(ds).run(batch_size=2, reset='varibles', lazy=True)

    def test_a_pipeline_made_from_a_lazy_one_keeps_its_arguments(self, ds):
        p = counting(ds).run(batch_size=5, n_epochs=3, lazy=True)
        assert (p << {'lr': 0.1}).run().v('n') == 6
        template = Pipeline().update(V('n'), V('n') + 1).run(batch_size=2, lazy=True)
        assert (template << ds).init_variable('n', 0).run().v('n') == 5

    def test_run_args_shows_the_lazy_run(self, ds):
        p = counting(ds).run_later(4, True, n_epochs=None, bar=False)
        assert p.run_args['batch_size'] == 4 and p.run_args['shuffle'] is True
        assert p.run_args['n_epochs'] is None and p.run_args['notifier'] is False
        assert counting(ds).run_args is None


class TestIterationLength:
    def test_one_epoch_when_neither_is_given(self, ds):
        assert counting(ds).run(batch_size=4).v('n') == 3

    def test_n_iters_alone_is_not_cut_at_an_epoch(self, ds):
        assert counting(ds).run(batch_size=4, n_iters=7).v('items') == 28

    def test_an_endless_gen_batch_stops_when_the_user_breaks(self, ds):
        p = counting(ds)
        for number, _ in enumerate(p.gen_batch(batch_size=4, n_epochs=None), 1):
            if number == 12:
                break
        assert p.v('n') == 12

    def test_next_batch_is_endless_unless_told_otherwise(self, ds):
        p = counting(ds)
        assert [len(p.next_batch(4)) for _ in range(6)] == [4] * 6
        q = counting(ds).run(batch_size=4, n_epochs=None, lazy=True)
        assert [len(q.next_batch()) for _ in range(6)] == [4] * 6

    def test_next_batch_after_a_lazy_run_takes_its_length(self, ds):
        p = counting(ds).run(batch_size=4, lazy=True)
        assert [len(p.next_batch()) for _ in range(3)] == [4, 4, 2]
        with pytest.raises(EmptyBatchSequence):
            p.next_batch()

    def test_next_batch_raises_after_the_last_batch_until_reset(self, ds):
        p = counting(ds)
        assert [len(p.next_batch(4, n_epochs=1)) for _ in range(3)] == [4, 4, 2]
        for _ in range(2):
            with pytest.raises(EmptyBatchSequence, match=r'reset\("iter"\)'):
                p.next_batch(4, n_epochs=1)
        assert len(p.reset('iter').next_batch(4, n_epochs=1)) == 4
        assert len(p.next_batch(4, n_epochs=1, reset='iter')) == 4

    def test_an_endless_run_warns_and_ends_when_a_step_raises(self, ds):
        class Enough(Exception):
            pass

        def stop_after(n):
            if n == 20:
                raise Enough

        p = counting(ds).call(stop_after, V('n'))
        with pytest.warns(RuntimeWarning, match='run\\(\\) will never stop: n_epochs=None'), pytest.raises(Enough):
            p.run(batch_size=3, n_epochs=None)
        assert p.v('n') == 20


class TinyModel(BaseModel):
    def _build(self):
        self.steps = 0

    def train(self, x):
        self.steps += 1

    def save(self, log):
        log.append(self.steps)

    def reset(self):
        self.steps = 0


class TestReset:
    def test_reset_variables_before_the_run(self, ds):
        p = counting(ds).run(batch_size=5)
        assert p.run(batch_size=5).v('n') == 4
        assert p.run(batch_size=5, reset='variables').v('n') == 2
        assert p.run(batch_size=5, reset=['vars']).v('n') == 2

    def test_every_run_is_a_new_pass_whatever_reset_says(self, ds):
        # BatchFlow's reset='variables' (without 'iter') resumes an exhausted iteration: no batch at all
        p = counting(ds).run(batch_size=5, n_iters=3)
        assert p.run(batch_size=5, n_iters=3, reset='variables').v('n') == 3
        assert p.run(batch_size=5, n_iters=3, reset=None).v('n') == 6

    @pytest.mark.parametrize('mode', ['dynamic', 'static'])
    def test_reset_models_before_the_run(self, ds, mode):
        p = ds.p.init_model('m', TinyModel, mode).train_model('m', B.data).run(batch_size=5)
        first = p.m('m')
        assert first.steps == 2
        p.run(batch_size=5, reset='models')
        assert p.m('m').steps == 2 and (p.m('m') is first) == (mode == 'static')
        second = p.m('m')
        p.run(batch_size=5, reset='all')
        assert p.m('m').steps == 2 and (p.m('m') is second) == (mode == 'static')

    def test_gen_batch_resets_when_it_starts(self, ds):
        p = counting(ds).run(batch_size=5)
        batches = p.gen_batch(batch_size=5, reset='variables')
        assert p.v('n') == 2
        next(batches)
        assert p.v('n') == 1

    @pytest.mark.parametrize('what, n', [((['iter', 'vars'],), 0), (('variables', 'iter'), 0), ((True,), 2),
                                         ((None,), 2), (('all',), 0)])
    def test_reset_takes_batchflows_forms(self, ds, what, n):
        assert counting(ds).run(batch_size=5).reset(*what).v('n') == n

    def test_bad_targets(self, ds):
        with pytest.raises(RunArgumentError, match="unknown target 'modles'. Did you mean 'models'"):
            counting(ds).reset('modles')
        with pytest.raises(RunArgumentError, match=r'run\(\.\.\., seed=\.\.\., profile=True\)'):
            counting(ds).reset('iter', seed=3)
        with pytest.raises(RunArgumentError, match='reset=3'):
            counting(ds).run(batch_size=5, reset=3)


class FakeBar:
    """A tqdm-like bar that records what it was given."""

    made = []

    def __init__(self, iterable, total=None, **kwargs):
        self.iterable, self.total, self.kwargs, self.postfixes = iterable, total, kwargs, []
        FakeBar.made.append(self)

    def __iter__(self):
        yield from self.iterable

    def set_postfix_str(self, text):
        self.postfixes.append(text)


class TestNotifier:
    @pytest.mark.parametrize('spelling', ['bar', 'notifier'])
    @pytest.mark.parametrize('value', [True, 't', 'a', {'bar': 't'}])
    def test_both_spellings_show_a_bar(self, ds, capsys, spelling, value):
        counting(ds).run(batch_size=5, **{spelling: value})
        assert '2/2' in capsys.readouterr().err

    @pytest.mark.parametrize('value', [False, None, {'disable': True}, {'bar': None}])
    def test_no_bar(self, ds, capsys, value):
        counting(ds).run(batch_size=5, notifier=value)
        assert '2/2' not in capsys.readouterr().err

    def test_options_and_monitors(self, ds):
        FakeBar.made.clear()
        p = (counting(ds).init_variable('history', init_on_each_run=list)
             .update(V('history', mode='a'), V('items') / 4))
        p.run(batch_size=4, notifier={'bar': FakeBar, 'desc': 'train', 'ncols': 50, 'frequency': 1,
                                      'monitors': ['history', {'source': 'n', 'format': 'batch {}'}, V('items')]})
        bar, = FakeBar.made
        assert bar.total == 3 and bar.kwargs == {'desc': 'train', 'ncols': 50}
        assert bar.postfixes == ["history=1.0000;   batch 1;   V('items')=4", 'history=2.0000;   batch 2;   '
                                 "V('items')=8", "history=2.5000;   batch 3;   V('items')=10"]

    def test_a_text_bar_takes_tqdms_keywords(self, ds, capsys):
        counting(ds).run(batch_size=5, notifier={'bar': 't', 'desc': 'epoch', 'file': sys.stdout, 'total': 7})
        out = capsys.readouterr().out
        assert 'epoch' in out and '2/7' in out

    @pytest.mark.parametrize('value, match', [
        ({'graphs': 'loss'}, "'graphs' \\(plots drawn while the run goes\\) is not provided"),
        ({'log_file': 'x.log'}, "'log_file' \\(a text log of the bar\\) is not provided"),
        ('telegram', 'Telegram messages are not provided'),
        ({'monitors': 'cpu'}, "resource monitor 'cpu' is not provided.*profile=True"),
        ({'monitors': [B.size]}, 'a monitor is a variable name or a V/C expression'),
        ({'n_iters': 3}, "'n_iters' is not a notifier option"),
        ('tqdn', "notifier='tqdn' is not a bar.*Did you mean 'tqdm'"),
        (3, 'give True/False, a bar name'),
    ])
    def test_what_dagflow_cannot_do_is_refused_before_the_run(self, ds, value, match):
        p = counting(ds)
        with pytest.raises(RunArgumentError, match=match):
            p.run(batch_size=5, notifier=value)
        assert p.v('n') == 0

    def test_bar_and_notifier_together(self, ds):
        with pytest.raises(RunArgumentError, match='not both'):
            counting(ds).run(batch_size=5, bar=True, notifier=True)


class TestSectionsAlone:
    def pipeline(self, ds):
        p = counting(ds).init_variable('log', init_on_each_run=list)
        p.before.update(V('log', mode='a'), 'start')
        p.after.update(V('log', mode='a'), 'end')
        return p

    def test_after_run_after_a_broken_loop(self, ds):
        p = self.pipeline(ds)
        for _ in p.gen_batch(batch_size=2, n_epochs=None):
            if len(p.v('log')) == 1 and p.v('n') == 3:
                break
        assert p.v('log') == ['start']
        after = p.after
        assert after.run() is after                            # the section, as BatchFlow's returns itself
        assert p.v('log') == ['start', 'end'] and p.v('n') == 3  # the after steps ran once, no main step ran

    def test_before_run_alone(self, ds):
        p = self.pipeline(ds)
        p.before.run()
        assert p.v('log') == ['start'] and p.v('n') == 0

    def test_a_finished_loop_runs_after_itself(self, ds):
        p = self.pipeline(ds)
        assert len(list(p.gen_batch(batch_size=5))) == 2
        assert p.v('log') == ['start', 'end']


def indices_of(batches) -> list:
    return [batch.indices.tolist() for batch in batches]


class TestNextBatchSize:
    """``next_batch`` may change the batch size between calls, as ``Dataset.next_batch`` may."""

    SIZES = (3, 3, 4, 2, 5, 1, 3, 3, 4)

    @pytest.mark.parametrize('run_args', [{}, {'prefetch': 2}, {'prefetch': 5},
                                          {'prefetch': 2, 'scheduler': 'processes'}],
                             ids=['serial', 'threads-2', 'threads-5', 'processes-2'])
    def test_the_iteration_goes_on_with_the_new_size(self, ds, run_args):
        p = counting(ds).run(shuffle=3, n_epochs=None, lazy=True, **run_args)
        batches, counts = [], []
        for size in self.SIZES:
            batches.append(p.next_batch(size))
            counts.append(p.v('items'))
        expected = [ds.next_batch(size, shuffle=3) for size in self.SIZES]   # across epochs, reshuffled
        assert indices_of(batches) == indices_of(expected)
        assert counts == list(np.cumsum(self.SIZES))
        p.reset('iter')

    def test_a_size_kept_after_the_change(self, ds):
        p = counting(ds)
        first = [p.next_batch(3, n_epochs=1) for _ in range(2)]
        later = [p.next_batch(2, n_epochs=1), p.next_batch(n_epochs=1, batch_size=2)]
        assert indices_of(first + later) == [[0, 1, 2], [3, 4, 5], [6, 7], [8, 9]]
        with pytest.raises(EmptyBatchSequence):
            p.next_batch(4, n_epochs=1)

    def test_another_argument_needs_a_reset(self, ds):
        p = counting(ds)
        p.next_batch(3, n_epochs=1)
        with pytest.raises(RunArgumentError, match=r"next_batch\(\): n_epochs=2 \(was 1\), shuffle=True \(was "
                                                   r"False\) differ .* only batch_size may change between "
                                                   r"calls\. Call reset\('iter'\) first"):
            p.next_batch(3, n_epochs=2, shuffle=True)
        assert p.next_batch(3, n_epochs=1).indices.tolist() == [3, 4, 5]     # the iteration is untouched
        assert p.reset('iter').next_batch(3, n_epochs=2).indices.tolist() == [0, 1, 2]

    def test_a_bad_size_is_refused_at_once(self, ds):
        p = counting(ds)
        p.next_batch(3, drop_last=True)
        with pytest.raises(RunArgumentError, match='11'):
            p.next_batch(11, drop_last=True)

    def test_a_prefetching_run_that_rebatches_keeps_its_size(self, ds):
        p = counting(ds).rebatch(4).run(batch_size=3, lazy=True, prefetch=2)
        p.next_batch()
        with pytest.raises(RunArgumentError, match=r"batch_size=2\): the batch size of a prefetching run that "
                                                   r"rebatches cannot change"):
            p.next_batch(2)
        p.reset('iter')


class TestOneRunAtATime:
    """A new run, ``after.run()`` and ``reset('iter')`` end the runs of the pipeline still open."""

    @pytest.mark.parametrize('prefetch', [0, 2])
    def test_a_new_run_ends_a_generator_still_open(self, ds, prefetch):
        p = counting(ds).run(batch_size=3, n_epochs=1, lazy=True, prefetch=prefetch)
        old = p.gen_batch()
        next(old)
        new = p.gen_batch(reset='variables')
        assert [len(batch) for batch in new] == [3, 3, 3, 1] and p.v('items') == 10
        assert list(old) == [] and p.v('items') == 10

    @pytest.mark.parametrize('prefetch', [0, 2])
    def test_after_run_ends_the_next_batch_iteration(self, ds, prefetch):
        p = counting(ds).init_variable('log', init_on_each_run=list).run(batch_size=2, lazy=True, prefetch=prefetch)
        p.after.update(V('log', mode='a'), V('n'))
        assert [list(p.next_batch().indices) for _ in range(3)] == [[0, 1], [2, 3], [4, 5]]
        p.after.run()
        assert p.v('log') == [3]
        assert list(p.next_batch().indices) == [0, 1]      # a new iteration, not the rest of the old one

    @pytest.mark.parametrize('scheduler', ['threads', 'processes'])
    def test_after_run_sees_the_state_of_the_batches_taken(self, ds, scheduler):
        saved = []
        p = (ds.p.init_model('m', TinyModel, 'static').init_variable('n', 0).init_variable('log', [])
             .update(V('n'), V('n') + 1).train_model('m', B.data)
             .run(batch_size=2, lazy=True, prefetch=4, scheduler=scheduler))
        p.after.save_model('m', saved).update(V('log', mode='a'), V('n'))
        for _ in range(3):
            p.next_batch()
        p.after.run()
        assert saved == [3] and p.v('log') == [3] and p.m('m').steps == 3

    def test_reset_iter_ends_a_generator_still_open(self, ds):
        p = counting(ds)
        generator = p.gen_batch(batch_size=2, prefetch=1)
        next(generator)
        p.reset('iter')
        assert list(generator) == []


class TestConfigAndDataset:
    def test_set_config_merges_in_place(self):
        p = Pipeline(config={'model': {'lr': 0.1}})
        assert p.set_config({'model/depth': 2}) is p
        assert p.config == {'model': {'lr': 0.1, 'depth': 2}}
        assert p.update_config({'model': {'lr': 0.01}}).config['model/lr'] == 0.01
        assert p.set_config({'epochs': 1}, clear=True).config == {'epochs': 1}

    def test_a_dataset_given_as_a_named_expression(self, ds):
        template = Pipeline().init_variable('items', 0).update(V('items'), V('items') + B.size)
        p = template << C('dataset')
        assert p.batch_class is None and repr(p.dataset) == "DatasetExpression(C('dataset'))"
        p = p << {'dataset': ds}
        assert p.run(batch_size=4).v('items') == 10
        p.set_config({'dataset': Dataset(3)})
        assert p.run(batch_size=4, reset='variables').v('items') == 3   # evaluated again by each run
        assert len(p.dataset) == 3 and len(pickle.loads(pickle.dumps(p)).dataset.current) == 3

    def test_a_dataset_from_a_variable_with_prefetch(self, ds):
        p = ((Pipeline().init_variable('items', 0).init_variable('source', ds)
              .update(V('items'), V('items') + B.size)) << V('source'))
        assert p.run(batch_size=3, prefetch=2).v('items') == 10
        assert [len(b) for b in p.gen_batch(batch_size=4)] == [4, 4, 2]

    def test_an_expression_that_is_not_a_dataset(self):
        p = Pipeline().init_variable('n', 0) << C('dataset')
        with pytest.raises(RunArgumentError, match=r"C\('dataset'\), evaluated to int 5, not a dataset"):
            p.set_config({'dataset': 5}).run(batch_size=2)
        with pytest.raises(KeyError, match="'dataset' is not in the config"):
            p.set_config({}, clear=True).run(batch_size=2)

    def test_pipelines_from_one_template_each_run_on_their_own_dataset(self):
        ds = Dataset(6, preloaded=np.arange(6.0))
        ds.cv_split(n_splits=3)
        template = Pipeline().init_variable('ids', init_on_each_run=list).update(V('ids', mode='e'),
                                                                                B.indices.tolist())
        folds = template << ds.CV(C('fold')).test
        runs = [folds << {'fold': i} for i in range(3)]
        generators = [p.gen_batch(2, n_epochs=1) for p in runs]
        for generator in generators:
            list(generator)
        assert [p.v('ids') for p in runs] == [[0, 1], [2, 3], [4, 5]]
        assert [list(p.dataset.indices) for p in runs] == [[0, 1], [2, 3], [4, 5]]
        assert folds.dataset.current is None and runs[0].dataset is not runs[1].dataset

    def test_a_run_keeps_the_dataset_it_started_with(self):
        small, large = Dataset(4, preloaded=np.ones(4)), Dataset(10, preloaded=np.full(10, 100.0))
        template = Pipeline().init_variable('s', 0).update(V('s'), V('s') + B.data.sum()) << C('dataset')
        first, second = template << {'dataset': small}, template << {'dataset': large}
        started = first.gen_batch(2, n_epochs=1)     # the dataset is evaluated here, when gen_batch is called
        second.run(batch_size=5)
        assert len(list(started)) == 2 and first.v('s') == 4.0 and second.v('s') == 1000.0

    def test_the_engine_gets_the_dataset_of_the_runs_start(self, ds):
        p = (Pipeline().init_variable('sizes', init_on_each_run=list)
             .update(V('sizes', mode='a'), D('size'))) << C('dataset')
        p.set_config({'dataset': ds})
        generator = p.gen_batch(5, n_epochs=1)
        batch = next(generator)
        p.set_config({'dataset': Dataset(3)})
        p.execute_for(batch)                # evaluates the expression again: the pipeline now shows the new one
        assert len(p.dataset) == 3
        list(generator)
        assert p.v('sizes') == [10, 3, 10]
