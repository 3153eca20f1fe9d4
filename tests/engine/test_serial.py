"""The serial executor: order, randomness, errors, skipping, debug info."""
import numpy as np
import pytest

from dagflow import B, I, Pipeline, R, V
from dagflow.exceptions import EmptyBatchSequence, RunArgumentError, StepArgumentError, UndefinedVariableError


def test_issue_example(images_dataset):
    images_dataset.split([.8, .2], shuffle=42)
    pipeline = (images_dataset.train.p
                .init_variable('sizes', init_on_each_run=list)
                .normalize()
                .update(V('sizes', mode='a'), B.size)
                .run(batch_size=4, n_epochs=2, shuffle=True, drop_last=True, bar=False, lazy=True))
    batches = list(pipeline.gen_batch())
    assert len(batches) == 8
    assert pipeline.v('sizes') == [4] * 8
    assert all(abs(b.images.mean()) < 1e-6 for b in batches)


def test_batches_in_order_and_processed(ranges_dataset):
    p = ranges_dataset.p.add(100).run(batch_size=3, lazy=True)
    firsts = [b.images[0, 0, 0] for b in p.gen_batch()]
    assert firsts == [100, 103, 106, 109]


def test_next_batch_then_empty(ranges_dataset):
    p = ranges_dataset.p.run(batch_size=6, lazy=True)
    assert len(p.next_batch()) == 6 and len(p.next_batch()) == 4
    with pytest.raises(EmptyBatchSequence):
        p.next_batch()
    p.reset('iter')
    assert len(p.next_batch()) == 6


def test_iteration_info(ranges_dataset):
    p = ranges_dataset.p.init_variable('it', []).update(V('it', mode='a'), (I('current'), I('max')))
    assert p.run(batch_size=4).v('it') == [(1, 3), (2, 3), (3, 3)]   # BatchFlow counts from 1


def test_seeded_runs_are_identical_and_seeds_differ(ranges_dataset):
    def draws(seed):
        p = ranges_dataset.p.init_variable('r', []).update(V('r', mode='a'), R('normal', 0, 1))
        return p.run(batch_size=2, shuffle=True, seed=seed).v('r')
    assert draws(1) == draws(1)
    assert draws(1) != draws(2)


def test_shuffle_true_follows_seed(ranges_dataset):
    def order(seed):
        p = ranges_dataset.p.run(batch_size=10, shuffle=True, seed=seed, lazy=True)
        return p.next_batch().indices.tolist()
    assert order(5) == order(5) and sorted(order(5)) == list(range(10))


def test_run_seed_is_recorded(ranges_dataset):
    p = ranges_dataset.p.run(batch_size=5)
    assert isinstance(p.run_seed, int)


def test_exception_keeps_type_and_names_step_and_batch(ranges_dataset):
    p = ranges_dataset.p.init_variable('n', 0).update(V('n'), V('n') + 1).fail_on(7)
    with pytest.raises(ValueError, match='bad item 7') as info:
        p.run(batch_size=3)
    assert info.value.dagflow_step == "main[1] 'fail_on'"
    assert info.value.dagflow_batch == 2
    assert any('batch 2' in note for note in info.value.__notes__)
    assert p.v('n') == 3  # nothing done before the failure is lost
    p.reset('all')
    assert p.v('n') == 0
    ok = ranges_dataset.p.init_variable('n', 0).update(V('n'), V('n') + 1).run(batch_size=3)
    assert ok.v('n') == 4


def test_missing_variable_at_run_time_names_step(ranges_dataset):
    p = ranges_dataset.p.normalize().add(V('never_defined'))
    with pytest.raises(UndefinedVariableError, match='never_defined') as info:
        p.run(batch_size=5)
    assert "'add'" in info.value.dagflow_step


def test_skip_batch(ranges_dataset):
    p = ranges_dataset.p.skip_if_contains(4).run(batch_size=3, lazy=True)
    assert [b.indices.tolist() for b in p.gen_batch()] == [[0, 1, 2], [6, 7, 8], [9]]


def test_action_must_return_batch(ranges_dataset):
    with pytest.raises(StepArgumentError, match=r"'forget_return' returned NoneType.*return self"):
        ranges_dataset.p.forget_return().run(batch_size=5)


def test_custom_action_reaches_pipeline(ranges_dataset):
    p = ranges_dataset.p.init_variable('counter', 0).count_in_pipeline().run(batch_size=2)
    assert p.v('counter') == 5


def test_execute_for(ranges_dataset):
    p = ranges_dataset.p.add(1)
    batch = p.execute_for(ranges_dataset.create_batch(ranges_dataset.indices[:2]))
    assert batch.images[:, 0, 0].tolist() == [1, 2]


def test_debug_info(ranges_dataset):
    p = ranges_dataset.p.normalize().add(1).run(batch_size=5, debug=True)
    info = p.debug_info
    assert list(info.columns) == ['batch', 'section', 'position', 'action', 'start', 'duration']
    assert info['action'].tolist() == ['normalize', 'add'] * 2
    assert (info['duration'] >= 0).all()


@pytest.mark.parametrize('kwargs, match', [
    ({'batch_size': 0}, 'batch_size'),
    ({'batch_size': -3}, 'batch_size'),
    ({'batch_size': 2.5}, 'batch_size'),
    ({'batch_size': 2, 'n_iters': 3, 'n_epochs': 2}, 'n_iters'),
])
def test_bad_run_arguments(ranges_dataset, kwargs, match):
    with pytest.raises(RunArgumentError, match=match):
        ranges_dataset.p.run(**kwargs)


def test_unknown_run_argument(ranges_dataset):
    with pytest.raises(RunArgumentError, match='batchsize'):
        ranges_dataset.p.run(batch_size=2, batchsize=3)


def test_n_iters_and_infinite(ranges_dataset):
    p = ranges_dataset.p.init_variable('n', 0).update(V('n'), V('n') + 1)
    assert p.run(batch_size=4, n_iters=7).v('n') == 7
    gen = p.gen_batch(batch_size=4, n_epochs=None)
    batches = [next(gen) for _ in range(12)]
    assert len(batches) == 12


def test_run_later_and_run_now(ranges_dataset):
    p = ranges_dataset.p.init_variable('n', 0).update(V('n'), V('n') + 1).run_later(5)
    assert p.v('n') == 0
    p.run()
    assert p.v('n') == 2
    p.run_now(batch_size=10)
    assert p.v('n') == 3


def test_bar(ranges_dataset, capsys):
    ranges_dataset.p.run(batch_size=5, bar=True)
    assert '2/2' in capsys.readouterr().err


def test_locks_released(ranges_dataset):
    p = ranges_dataset.p.init_lock('L').acquire_lock('L').add(1).release_lock('L').run(batch_size=5)
    assert p.locks.names() == ['L']
    with pytest.raises(StepArgumentError, match="lock 'M': it is not held"):
        ranges_dataset.p.release_lock('M').run(batch_size=5)


def test_rng_per_batch_independent_of_consumption(ranges_dataset):
    a = ranges_dataset.p.init_variable('r', []).update(V('r', mode='a'), R('uniform', size=2))
    b = ranges_dataset.p.init_variable('r', []).update(V('r', mode='a'), R('uniform', size=2))
    ra = a.run(batch_size=5, seed=9).v('r')
    rb = b.run(batch_size=5, seed=9).v('r')
    assert all(np.array_equal(x, y) for x, y in zip(ra, rb))


def test_template_run_through_link(ranges_dataset):
    template = Pipeline().init_variable('n', 0).update(V('n'), V('n') + B.size)
    assert (template << ranges_dataset).run(batch_size=4).v('n') == 10
