"""The parallel engine: lowering, the thread scheduler, streaming, faults, the Dask graph.

That every scheduler gives the serial run's outcome is checked by :class:`dagflow.testing.SchedulerConformance`,
which each lane's test file in ``lanes/`` inherits.
"""
import itertools
import os
import sys
import threading

import dask
import numpy as np
import pytest
from dask.utils import key_split

from dagflow import B, C, Dataset, R, V, action
from dagflow.engine import fuse_groups, to_dask_graph
from dagflow.engine.lower import Group, batch_tasks
from dagflow.exceptions import RunArgumentError
from dagflow.runtime import RunState
from dagflow.testing import ConformanceBatch, SchedulerConformance

from ..models.conftest import LinearModel, ModelBatch


class AugmentBatch(ConformanceBatch, ModelBatch):
    """The conformance suite's actions (jitter, shift, fail_at, ...) and the model tests' ones."""


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 2))
    return {'x': x, 'y': x @ np.array([1.0, -2.0])}


@pytest.fixture
def dataset(data):
    return Dataset(96, batch_class=AugmentBatch, preloaded=data)


def full_pipeline(dataset):
    """Augmentation with R, a counter, loss history, a model trained two ways, predictions into a list."""
    return (dataset.p
            .init_model('lin', LinearModel, 'dynamic', config={'size': 2})
            .init_variables({'n': 0, 'loss': [], 'predictions': []})
            .jitter(R('uniform', 0, 0.1))
            .shift(R('normal', 0, 0.01))
            .update(V('n'), V('n') + 1)
            .train_model('lin', B.x, B.y, save_to=V('loss'), mode='a')
            .jitter(0.01)
            .train_in_batch('lin')
            .predict_model('lin', B.x, save_to=V('predictions'), mode='e'))


# ---------------------------------------------------------------- run() with prefetch
def test_run_with_prefetch_equals_the_serial_run(dataset):
    serial = full_pipeline(dataset).run(8, n_epochs=2, shuffle=True, seed=3)
    threaded = full_pipeline(dataset).run(8, n_epochs=2, shuffle=True, seed=3, prefetch=3)
    assert threaded.v('loss') == serial.v('loss')
    np.testing.assert_array_equal(threaded.m('lin').w, serial.m('lin').w)


# ---------------------------------------------------------------- streaming and the window
class CountingDataset(Dataset):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.created = 0

    def create_batch(self, index, *args, **kwargs):
        self.created += 1
        return super().create_batch(index, *args, **kwargs)


@pytest.mark.parametrize('prefetch', [1, 3])
def test_an_endless_run_streams_and_keeps_the_window(data, prefetch):
    dataset = CountingDataset(96, batch_class=AugmentBatch, preloaded=data)
    stream = dataset.p.jitter(0.1).gen_batch(8, n_epochs=None, prefetch=prefetch)
    for consumed, _ in enumerate(itertools.islice(stream, 30), start=1):
        assert dataset.created <= consumed + prefetch + 1
    stream.close()
    assert not [t for t in threading.enumerate() if t.name.startswith('dagflow')]


def test_next_batch_with_prefetch(dataset):
    p = dataset.p.init_variable('n', 0).update(V('n'), V('n') + 1)
    first = p.next_batch(8, n_epochs=1, prefetch=2)
    second = p.next_batch(8, n_epochs=1, prefetch=2)
    assert first.indices[0] == 0 and second.indices[0] == 8
    assert p.v('n') >= 2
    p.reset('iter')                     # closes the lazy run: its threads stop
    assert not [t for t in threading.enumerate() if t.name.startswith('dagflow')]


# ---------------------------------------------------------------- faults
def test_an_error_surfaces_with_its_type_step_and_batch_and_the_pool_is_gone(dataset):
    p = full_pipeline(dataset).fail_at(5)
    with pytest.raises(ValueError, match='batch 5 is broken') as info:
        p.run(8, n_epochs=2, prefetch=3)
    assert info.value.dagflow_batch == 5 and "'fail_at'" in info.value.dagflow_step
    assert not [t for t in threading.enumerate() if t.name.startswith('dagflow')]
    assert p.v('n') == 6                       # batches 0-5 counted, as in the serial run, and no later one
    p.reset('variables', 'models')
    assert p.v('n') == 0


def test_a_failed_run_can_be_run_again(dataset):
    p = dataset.p.init_variable('n', 0).update(V('n'), V('n') + 1).fail_at(V('bad'))
    p.init_variable('bad', 2)
    with pytest.raises(ValueError):
        p.run(8, n_epochs=1, prefetch=2)
    p.set_variable('bad', -1).set_variable('n', 0)
    p.run(8, n_epochs=1, prefetch=2)
    assert p.v('n') == 12


@pytest.mark.parametrize('prefetch, scheduler, match', [
    (-1, None, 'prefetch must be a non-negative integer'),
    (1.5, None, 'prefetch must be a non-negative integer'),
    (2, 'thread', "Unknown scheduler 'thread'.*Did you mean 'threads'"),
])
def test_bad_scheduler_arguments(dataset, prefetch, scheduler, match):
    with pytest.raises(RunArgumentError, match=match):
        dataset.p.run(8, prefetch=prefetch, scheduler=scheduler)


# ---------------------------------------------------------------- lowering
def test_pure_steps_are_fused_and_state_steps_stand_alone(dataset):
    groups = fuse_groups(full_pipeline(dataset).compile())
    assert [(g.name, g.pure) for g in groups] == [
        ('jitter+shift', True), ('update', False), ('train_model', False), ('jitter', True),
        ('train_in_batch', False), ('predict_model', False)]
    # the counter waits for itself; training for the last loss write and the last use of the model
    assert [g.after for g in groups] == [(), (1,), (2, 5), (), (), (5,)]


def test_the_first_state_change_of_a_batch_waits_for_the_whole_previous_batch(dataset):
    groups = fuse_groups(full_pipeline(dataset).compile())
    assert [g.settles for g in groups] == [False, True, False, False, False, False]      # update: the first write
    p = (dataset.p.init_variables({'n': 0, 'offset': 1.0})
         .shift(V('offset')).jitter(0.1).update(V('n'), V('n') + 1).jitter(0.1))
    groups = fuse_groups(p.compile())
    assert [(g.name, g.pure, g.settles) for g in groups] == [
        ('shift', False, False), ('jitter', True, False), ('update', False, True), ('jitter[3]', True, False)]
    deps = {key[0]: keys for key, _, keys in batch_tasks(groups, 1, 'tok', prefetch=None)}
    assert deps['shift-tok'] == [('batch-tok', 1)]               # it only reads: it may run ahead
    assert deps['update-tok'] == [('jitter-tok', 1), ('update-tok', 0), ('jitter[3]-tok', 0)]


def test_the_step_after_a_join_runs_in_the_joins_task():
    from dagflow.testing import conformance_dataset
    p = conformance_dataset().p.jitter(0.1).join(conformance_dataset(seed=1)).with_joined(factor=10.0).jitter(0.1)
    assert [(g.name, g.pure) for g in fuse_groups(p.compile())] == [
        ('jitter', True), ('join+with_joined', False), ('jitter[3]', True)]   # the joined batches live in one task


def test_repeated_names_get_their_position(dataset):
    p = dataset.p.init_variable('n', 0).update(V('n'), 1).update(V('n'), 2)
    assert [g.name for g in fuse_groups(p.compile())] == ['update', 'update[1]']


def test_tasks_of_a_batch_wait_for_the_previous_batch_and_the_window():
    groups = [Group(0, (('main', 0),), True, 'load'), Group(1, (('main', 1),), False, 'train', after=(1,))]
    tasks = batch_tasks(groups, 3, 'tok', prefetch=1)
    assert [(key, deps) for key, _, deps in tasks] == [
        (('load-tok', 3), [('batch-tok', 3), ('train-tok', 1)]),
        (('train-tok', 3), [('load-tok', 3), ('train-tok', 2)])]


def test_the_dask_graph_names_its_tasks_after_the_actions(dataset):
    p = full_pipeline(dataset)
    graph, keys = to_dask_graph(p.compile(), RunState.of(p, dataset), dataset.gen_batch(8, n_epochs=1), seed=2,
                                prefetch=2, total=12)
    assert [key_split(key) for key in keys[:1]] == ['predict_model']
    assert {key_split(key) for key in graph} >= {'jitter+shift', 'train_model', 'train_in_batch', 'batch'}
    assert len(dask.order.order(graph)) == len(graph)
    assert len(dask.get(graph, keys)) == 12      # its outcome is checked by lanes/test_dask_graph.py


def test_to_dask_is_a_lazy_collection(dataset):
    p = full_pipeline(dataset)
    lowered = p.to_dask(8, n_epochs=1, shuffle=True, seed=9, prefetch=2)
    assert p.v('loss') == []                             # nothing ran yet
    batches, = dask.compute(lowered)
    assert len(batches) == 12 and len(p.v('loss')) == 12


def test_to_dask_refuses_endless_runs_and_rebatch(dataset):
    from dagflow.exceptions import PlanError
    with pytest.raises(RunArgumentError, match='finite run'):
        dataset.p.to_dask(8, n_epochs=None)
    with pytest.raises(PlanError, match='cannot lower a pipeline that rebatches'):
        dataset.p.rebatch(4).to_dask(8)


# ---------------------------------------------------------------- processes
def test_processes_give_the_serial_results():
    """The model case of the conformance suite, run once (docs/batchflow.md pins this test).

    Every case runs on processes in ``lanes/test_processes.py``.
    """
    class Processes(SchedulerConformance):
        scheduler, prefetch, repeats = 'processes', 2, 1

    Processes().test_static_and_dynamic_models()


class UnpicklableBatch(AugmentBatch):
    @action
    def attach_lock(self):
        self.y = [threading.Lock()] * len(self)
        return self


def test_a_batch_that_cannot_travel_to_a_process_names_the_component_and_step(data):
    from dagflow.engine.lanes import BatchPickleError
    ds = Dataset(96, batch_class=UnpicklableBatch, preloaded=data)
    p = ds.p.init_variable('n', 0).jitter(0.1).attach_lock().update(V('n'), 1).shift(1.0)
    with pytest.raises(BatchPickleError, match=r"component 'y' cannot be sent to a worker process \(after "
                                               r"'jitter\+attach_lock'\).*scheduler='threads'"):
        p.run(8, n_epochs=1, prefetch=1, scheduler='processes')
    assert not [t for t in threading.enumerate() if t.name.startswith('dagflow')]


# An action whose code dagflow cannot read (made by exec, as generated code is): the plan sees no state in it.
exec('def _count_hidden(self):\n    self.pipeline.set_variable("n", self.pipeline.get_variable("n") + 1)\n'
     '    return self\n', globals())


class HiddenStateBatch(AugmentBatch):
    count_hidden = action(_count_hidden)     # noqa: F821 (defined by the exec above)


def test_a_pure_step_that_reaches_for_state_in_a_worker_process_names_the_step(data):
    from dagflow.exceptions import UndeclaredEffectError
    p = Dataset(96, batch_class=HiddenStateBatch, preloaded=data).p.init_variable('n', 0).jitter(0.1).count_hidden()
    assert p.compile().nodes[('main', 1)]['pure']      # its source cannot be read, so nothing says it touches 'n'
    with pytest.raises(UndeclaredEffectError, match=r"main\[1\] 'count_hidden' used pipeline\.set_variable in a "
                                                    r"worker process\..*@action\(reads='var:name'\)") as info:
        p.run(8, n_epochs=1, prefetch=1, scheduler='processes')
    assert info.value.step == "main[1] 'count_hidden'" and info.value.name == 'set_variable'
    assert not [t for t in threading.enumerate() if t.name.startswith('dagflow')]


class InterruptBatch(AugmentBatch):
    @action
    def interrupt_at(self, number):
        if self.context.iteration.number == number:
            raise KeyboardInterrupt
        return self

    @action(use_lock=True)
    def locked_fail_at(self, number):
        if self.context.iteration.number == number:
            raise ValueError('locked step failed')
        return self


@pytest.fixture
def interrupt_dataset(data):
    return Dataset(96, batch_class=InterruptBatch, preloaded=data)


@pytest.mark.parametrize('scheduler', ['threads', 'processes'])
def test_keyboard_interrupt_stops_the_run_and_keeps_the_state(interrupt_dataset, scheduler):
    p = interrupt_dataset.p.init_variable('n', 0).jitter(0.1).interrupt_at(3).update(V('n'), V('n') + 1)
    with pytest.raises(KeyboardInterrupt):
        p.run(8, n_epochs=1, prefetch=2, scheduler=scheduler)
    assert 1 <= p.v('n') <= 3                 # batch 0 was done before batch 3 started; nothing after 3 ran
    assert not [t for t in threading.enumerate() if t.name.startswith('dagflow')]
    p.set_variable('n', 0)
    interrupt_dataset.p.jitter(0.1).run(8, n_epochs=1, prefetch=2, scheduler=scheduler)


def test_a_failing_step_never_leaves_a_lock_held(interrupt_dataset):
    p = (interrupt_dataset.p.init_variable('n', 0).init_variable('bad', 2).acquire_lock('io')
         .locked_fail_at(V('bad')).update(V('n'), V('n') + 1).release_lock('io'))
    with pytest.raises(ValueError, match='locked step failed'):
        p.run(8, n_epochs=1, prefetch=2)
    p.set_variable('bad', -1).set_variable('n', 0)
    p.run(8, n_epochs=1, prefetch=2)          # would wait forever if 'io' or the action's lock were held
    assert p.v('n') == 12


def test_progress_bar_counts_finished_batches(dataset):
    seen = []

    def bar(iterable, total):
        seen.append(total)
        for item in iterable:
            seen.append('batch')
            yield item
    dataset.p.jitter(0.1).run(8, n_epochs=1, prefetch=2, bar=bar)
    assert seen == [12] + ['batch'] * 12


class StatefulLockBatch(AugmentBatch):
    @action(writes='var:n')
    def attach_lock_in_driver(self):
        self.y = [threading.Lock()] * len(self)
        return self


def test_a_batch_that_cannot_be_sent_names_the_component_and_step(data):
    from dagflow.engine.lanes import BatchPickleError
    ds = Dataset(96, batch_class=StatefulLockBatch, preloaded=data)
    p = ds.p.init_variable('n', 0).attach_lock_in_driver().jitter(0.1)
    with pytest.raises(BatchPickleError, match=r"component 'y' cannot be sent to a worker process \(before "
                                               r"'jitter'\)"):
        p.run(8, n_epochs=1, prefetch=1, scheduler='processes')


@pytest.mark.parametrize('prefetch', [0, 2])
def test_finished_batches_are_freed_without_the_garbage_collector(dataset, prefetch):
    import gc
    import weakref
    p = full_pipeline(dataset)
    refs = []
    gc.disable()
    try:
        for batch in p.gen_batch(8, n_epochs=1, prefetch=prefetch, seed=0):
            refs.append(weakref.ref(batch))
        del batch
        assert sum(ref() is not None for ref in refs) == 0   # no batch <-> context reference cycles
    finally:
        gc.enable()


@pytest.mark.skipif(not sys.platform.startswith('linux'), reason='per-thread priorities are a Linux feature')
def test_pure_threads_yield_the_cpu_to_the_state_chain(dataset):
    from dagflow.engine.lanes import lower_thread_priority
    seen = {}

    def niced():
        tid = threading.get_native_id()
        before = os.getpriority(os.PRIO_PROCESS, tid)
        seen['done'] = lower_thread_priority(3)
        seen['change'] = os.getpriority(os.PRIO_PROCESS, tid) - before

    thread = threading.Thread(target=niced)
    thread.start()
    thread.join()
    base = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert seen == {'done': True, 'change': min(3, 19 - base)}      # that thread only, capped at nice 19
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == base

    from dagflow.engine.lanes import PURE_NICENESS
    priorities = {}

    class Spy(AugmentBatch):
        @action
        def where_pure(self):
            priorities['pure'] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
            return self

        @action(writes='var:n')
        def where_state(self):
            priorities['state'] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
            return self

    spied = Dataset(16, batch_class=Spy, preloaded={'x': np.zeros((16, 2)), 'y': np.zeros(16)})
    p = spied.p.init_variable('n', 0).where_pure().where_state()
    p.run(8, n_epochs=1, prefetch=2, scheduler='threads')
    assert priorities == {'pure': min(base + PURE_NICENESS, 19), 'state': base}


@pytest.mark.parametrize('scheduler', ['threads', 'processes'])
def test_a_step_reading_the_config_runs_in_the_workers_with_the_run_config(dataset, scheduler):
    p = dataset.p.init_variable('total', 0.0).shift(C('offset')).update(V('total'), V('total') + B.x.sum())
    p.config['offset'] = 2.0
    groups = fuse_groups(p.compile())
    assert [(g.name, g.pure) for g in groups] == [('shift', True), ('update', False)]
    reference = p.run(8, n_epochs=1).v('total')
    p.set_variable('total', 0.0)
    assert p.run(8, n_epochs=1, prefetch=2, scheduler=scheduler).v('total') == reference


class ConfigBatch(AugmentBatch):
    @action
    def bump_offset(self):
        self.pipeline.config['offset'] = self.pipeline.config.get('offset', 0) + 1   # learnt: may write any config
        return self


@pytest.mark.parametrize('scheduler', ['threads', 'processes'])
def test_an_action_writing_the_config_keeps_config_reads_in_order(scheduler):
    x = np.zeros((48, 2))
    dataset = Dataset(48, batch_class=ConfigBatch, preloaded={'x': x, 'y': x[:, 0]})

    def shifted(**run_args):
        p = dataset.p.bump_offset().shift(C('offset'))
        p.config['offset'] = 0
        assert not p.compile().nodes[('main', 1)]['pure']
        return [float(batch.x[0, 0]) for batch in p.gen_batch(8, n_epochs=1, **run_args)]

    assert shifted() == [1, 2, 3, 4, 5, 6]
    for _ in range(3):
        assert shifted(prefetch=2, scheduler=scheduler) == [1, 2, 3, 4, 5, 6]


def test_workers_get_only_the_config_values_pure_steps_read(dataset):
    from dagflow.runtime import WorkerPipeline
    p = dataset.p.shift(C('model/offset', default=0.0)).update(V('n'), C('other'))
    p.init_variable('n', 0)
    p.config.update({'model': {'offset': 2.0, 'lr': 0.1}, 'other': 5, 'unused': object()})
    assert dict(WorkerPipeline.of(RunState.of(p, dataset), p.compile()).config.flatten()) == {'model/offset': 2.0}
    plain = dataset.p.shift(1.0)
    assert WorkerPipeline.of(RunState.of(plain, dataset), plain.compile()).config is None
