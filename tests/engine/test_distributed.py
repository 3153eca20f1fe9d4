"""A Dask cluster: action names in the dashboard, errors, stops, config, profiles.

That a cluster gives the serial run's outcome is checked by ``lanes/test_distributed.py``; the ``client``
fixture (``tests/engine/conftest.py``) is shared with it.
"""
import threading

import numpy as np
import pytest

from dagflow import Dataset, V
from dagflow.engine.lanes import DistributedLane
from dagflow.testing import assert_same, conformance_dataset, outcome

from .test_parallel import AugmentBatch, full_pipeline

distributed = pytest.importorskip('distributed')


@pytest.fixture
def dataset():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 2))
    return Dataset(96, batch_class=AugmentBatch, preloaded={'x': x, 'y': x @ np.array([1.0, -2.0])})


def test_the_dashboard_shows_every_step_state_steps_on_the_state_worker_in_this_process(client, dataset):
    before = set(client.scheduler_info()['workers'])
    with distributed.get_task_stream(client) as stream:
        p = full_pipeline(dataset).run(8, n_epochs=1, prefetch=2, scheduler=client, seed=0)
    prefixes = set(client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.task_prefixes)))
    assert {'jitter+shift', 'jitter'} <= prefixes            # pure groups ran on the cluster
    assert {'dagflow-plan', 'dagflow-data'} <= prefixes      # what is sent once is named too
    state = {'update', 'train_model', 'train_in_batch', 'predict_model'}
    assert state <= prefixes                                 # so did the state steps: the task stream shows them
    ran_on = {record['key'][0].rsplit('-', 1)[0]: record['worker'] for record in stream.data}
    assert all(ran_on[name] not in before for name in state)                  # on the run's own worker...
    assert all(ran_on[name] in before for name in ('jitter+shift', 'jitter'))  # ...and the rest on the cluster
    assert len({ran_on[name] for name in state}) == 1
    assert set(client.scheduler_info()['workers']) == before                   # which left with the run
    assert p.v('n') == 12 and len(p.v('predictions')) == 96                    # the state stayed here


def test_an_error_on_a_worker_surfaces_with_its_type_step_and_batch(client, dataset):
    p = dataset.p.init_variable('n', 0).jitter(0.1).fail_at(4).update(V('n'), V('n') + 1)
    with pytest.raises(ValueError, match='batch 4 is broken') as info:
        p.run(8, n_epochs=1, prefetch=2, scheduler=client)
    assert info.value.dagflow_batch == 4 and "'fail_at'" in info.value.dagflow_step
    assert p.v('n') == 4                       # batches 0-3 counted, as in the serial run
    p.set_variable('n', 0)
    dataset.p.jitter(0.1).run(8, n_epochs=1, prefetch=2, scheduler=client)   # the client is still usable


@pytest.mark.parametrize('where', ['first', 'middle', 'state', 'end'])
def test_a_stop_on_the_cluster_ends_where_the_serial_run_ends(client, where):
    from .test_stop import StopBatch, collect, stopping_pipeline
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 2))
    dataset = Dataset(96, batch_class=StopBatch, preloaded={'x': x, 'y': x @ np.array([1.0, -2.0])})
    reference = collect(stopping_pipeline(dataset, where))
    assert_same(collect(stopping_pipeline(dataset, where), prefetch=2, scheduler=client), reference)


def test_a_stop_around_a_rebatch_on_the_cluster(client):
    from .test_stop import StopBatch, rebatched
    x = np.random.default_rng(0).normal(size=(96, 2))
    dataset = Dataset(96, batch_class=StopBatch, preloaded={'x': x, 'y': x @ np.array([1.0, -2.0])})
    for where in ('before', 'after'):
        assert rebatched(dataset, where, prefetch=2, scheduler=client) == rebatched(dataset, where)


def test_a_scheduler_address(client):
    def run(**run_args):
        p = conformance_dataset().p.init_variable('n', 0).jitter(0.1).update(V('n'), V('n') + 1).shift(V('n'))
        return outcome(p, p.gen_batch(8, n_epochs=1, seed=1, **run_args), variables=['n'])
    assert_same(run(prefetch=1, scheduler=client.scheduler.address), run())

def test_a_cluster_profile_names_the_workers(client, dataset):
    p = dataset.p.init_variable('n', 0).jitter(0.1).update(V('n'), V('n') + 1).jitter(0.1)
    p.run(8, n_epochs=1, prefetch=2, scheduler=client, profile=True)
    profile = p.profile
    assert len(profile) == 3 * 12 and (profile['end'] >= profile['start']).all()
    addresses = set(client.scheduler_info()['workers'])
    assert set(profile.loc[profile['step'] == 'jitter', 'worker']) <= addresses
    assert set(profile.loc[profile['step'] == 'update', 'worker']) == {'dagflow-state_0'}


def test_the_dashboard_link_is_printed_once_per_client(client, dataset, capsys, monkeypatch):
    from dagflow.engine.lanes import distributed as lane
    monkeypatch.setattr(lane, '_ANNOUNCED', set())
    for _ in range(2):
        dataset.p.jitter(0.1).run(8, n_epochs=1, prefetch=1, scheduler=client)
    printed = capsys.readouterr().out
    assert printed.count('Dask dashboard') == 1 and client.dashboard_link in printed


def test_no_link_is_printed_for_a_cluster_without_a_dashboard(dataset, capsys):
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        dataset.p.jitter(0.1).run(8, n_epochs=1, prefetch=1, scheduler=client)
    assert 'Dask dashboard' not in capsys.readouterr().out     # its link would answer 404


def test_a_performance_report_covers_a_run(client, dataset, tmp_path):
    report = tmp_path / 'report.html'
    with client.as_current(), distributed.performance_report(filename=str(report)):
        full_pipeline(dataset).run(8, n_epochs=1, prefetch=2, scheduler=client, seed=0)
    text = report.read_text()
    assert 'jitter+shift' in text         # the task stream names the pipeline's actions


def test_a_step_reading_the_config_runs_on_the_cluster(client, dataset):
    from dagflow import B, C
    p = dataset.p.init_variable('total', 0.0).shift(C('offset')).update(V('total'), V('total') + B.x.sum())
    p.config['offset'] = 2.0
    reference = p.run(8, n_epochs=1).v('total')
    p.set_variable('total', 0.0)
    assert p.run(8, n_epochs=1, prefetch=2, scheduler=client).v('total') == reference


def test_only_the_config_values_pure_steps_read_go_to_the_workers(client, dataset):
    import threading

    from dagflow import C
    from dagflow.engine.lanes import BatchPickleError
    p = dataset.p.jitter(0.1).shift(C('offset', default=0.0))
    p.config['lock'] = threading.Lock()                  # no step reads it: it stays here
    p.run(8, n_epochs=1, prefetch=1, scheduler=client)
    p.config['offset'] = threading.Lock()                # a pure step reads it: it cannot travel
    with pytest.raises(BatchPickleError, match=r"config values that pure steps read cannot be sent.*'threads'"):
        p.run(8, n_epochs=1, prefetch=1, scheduler=client)


def test_a_loop_that_breaks_and_a_reset_between_batches_leave_the_serial_state(client, dataset):
    from .test_pace import reset_between, stop_after
    reference, _ = stop_after(dataset, 3)
    taken, closed = stop_after(dataset, 3, prefetch=2, scheduler=client)
    assert_same(taken, reference)
    assert_same(closed, reference)
    for state, expected in zip(reset_between(dataset, prefetch=2, scheduler=client), reset_between(dataset)):
        assert_same(state, expected)


@pytest.fixture
def remote(client):
    """The ``client`` whose workers are other processes (a module here is not there)."""
    if client.cluster.processes is False:
        pytest.skip('the workers of this cluster share this process')
    return client


def test_the_users_code_reaches_workers_that_cannot_import_it(remote, user_module):
    module = user_module(remote)
    reference = module.pipeline().run(4, n_epochs=1).v('sums')
    p = module.pipeline()
    assert p.run(4, n_epochs=1, prefetch=2, scheduler=remote).v('sums') == reference == [18.0, 66.0, 114.0]
    assert module.Numbers.triple.__module__ == module.__name__     # the driver's classes stay its own


def test_a_users_error_on_a_worker_keeps_its_class_step_and_batch(remote, user_module):
    module = user_module(remote)
    with pytest.raises(module.Boom, match='item 5 is bad') as info:
        module.pipeline(fail_at=5).run(4, n_epochs=1, prefetch=2, scheduler=remote)
    assert info.value.dagflow_batch == 1 and "'explode'" in info.value.dagflow_step


def test_a_package_the_workers_lack_is_named_with_the_step(remote, user_module, tmp_path):
    from dagflow.exceptions import WorkerLoadError
    installed = user_module(remote, folder=tmp_path / 'site-packages')     # installed here, not there
    p = installed.pipeline()
    with pytest.raises(WorkerLoadError, match=rf"cannot import module '{installed.__name__}' \(used here: .*"
                                              rf"{installed.__name__}.Numbers.*Install '{installed.__name__}' on "
                                              rf"the workers") as info:
        p.run(4, n_epochs=1, prefetch=1, scheduler=remote)
    assert info.value.dagflow_batch == 0 and info.value.dagflow_step == "'triple'"


def test_a_closed_client_is_refused(dataset):
    from dagflow.exceptions import RunArgumentError
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        client = distributed.Client(cluster, set_as_default=False)
        client.close()
        with pytest.raises(RunArgumentError, match='Client given as the scheduler is closed: it was closed before'):
            dataset.p.jitter(0.1).run(8, n_epochs=1, prefetch=1, scheduler=client)


def test_an_address_where_nothing_answers_fails_within_seconds(dataset, monkeypatch):
    import time

    from dagflow.engine.lanes import probe
    from dagflow.exceptions import RunArgumentError
    monkeypatch.setattr(probe, 'CONNECT_TIMEOUT', 1)
    monkeypatch.setattr(probe.connect, '__defaults__', (1,))
    started = time.perf_counter()
    with pytest.raises(RunArgumentError, match=r"No Dask scheduler answered at 'tcp://127.0.0.1:9' within 1 s"):
        dataset.p.jitter(0.1).run(8, n_epochs=1, prefetch=1, scheduler='tcp://127.0.0.1:9')
    assert time.perf_counter() - started < 5


def test_workers_that_cannot_load_what_a_run_sends_once_say_so(client, dataset, monkeypatch):
    import os

    from dagflow.engine.lanes import distributed as lane
    from dagflow.exceptions import WorkerLoadError
    if set(client.run(os.getpid).values()) != {os.getpid()}:
        pytest.skip('replaces a function the workers load: they must run in this process')

    def fails(value):   # what Dask reports when a worker fails to unpickle what was sent
        raise Exception("ModuleNotFoundError(\"No module named 'dagflow.engine.lanes.by_value'\")")
    monkeypatch.setattr(lane, '_hold', fails)
    threads = {thread.name for thread in threading.enumerate()}
    with pytest.raises(WorkerLoadError, match=r"failed to run the steps 'jitter' of batch 0: .*by_value.*need the "
                                              r'packages'):
        dataset.p.jitter(0.1).run(8, n_epochs=1, prefetch=1, scheduler=client)
    assert {thread.name for thread in threading.enumerate()} <= threads   # the state worker it started is gone


def test_dasks_bare_exception_becomes_a_worker_load_error_with_the_step_and_batch():
    from dagflow.engine.lanes.distributed import _worker_error
    from dagflow.engine.lower import Group
    from dagflow.exceptions import WorkerLoadError
    error = _worker_error(Exception('ModuleNotFoundError("No module named \'x\'")'), Group(0, (), True, 'jitter'), 3)
    assert isinstance(error, WorkerLoadError) and error.dagflow_batch == 3 and error.dagflow_step == "'jitter'"
    assert str(error).startswith("A Dask worker failed to run the steps 'jitter' of batch 3: ModuleNotFoundError")
    original = ValueError('a step failed')
    assert _worker_error(original, Group(0, (), True, 'jitter'), 3) is original


def test_a_batch_component_that_cannot_travel_is_named_with_the_step(client):
    from dagflow.engine.lanes import BatchPickleError

    from .test_parallel import StatefulLockBatch, UnpicklableBatch
    x = np.random.default_rng(0).normal(size=(96, 2))
    data = {'x': x, 'y': x @ np.array([1.0, -2.0])}
    back = Dataset(96, batch_class=UnpicklableBatch, preloaded=data).p.init_variable('n', 0).jitter(0.1) \
        .attach_lock().update(V('n'), 1)
    with pytest.raises(BatchPickleError, match=r"component 'y' cannot be sent to a worker process \(after "
                                               r"'jitter\+attach_lock'\)"):
        back.run(8, n_epochs=1, prefetch=1, scheduler=client)
    there = Dataset(96, batch_class=StatefulLockBatch, preloaded=data).p.init_variable('n', 0) \
        .attach_lock_in_driver().jitter(0.1)
    # the state step runs as a task on the state worker: the batch leaves it after that step
    with pytest.raises(BatchPickleError, match=r"component 'y' cannot be sent to a worker process \(after "
                                               r"'attach_lock_in_driver'\)"):
        there.run(8, n_epochs=1, prefetch=1, scheduler=client)
    with pytest.raises(BatchPickleError, match=r"component 'y' cannot be sent to a worker process \(before "
                                               r"'jitter'\)"):   # from a driver thread, before the pure task
        there.run(8, n_epochs=1, prefetch=1, scheduler=DistributedLane(client, state_tasks=False))


def test_large_batches_go_to_the_state_worker_ahead_of_their_state_task(client):
    from dagflow.engine.lanes.distributed import BRING_AHEAD_BYTES
    size = 2 * BRING_AHEAD_BYTES // (8 * 64)   # rows of 64 float64 columns in a batch: twice the threshold
    rows = 8 * size
    x = np.random.default_rng(0).normal(size=(rows, 64))
    dataset = Dataset(rows, batch_class=AugmentBatch, preloaded={'x': x, 'y': x[:, 0].copy()})

    def run(**run_args):
        p = dataset.p.init_variable('n', 0).jitter(0.1).update(V('n'), V('n') + 1).shift(V('n'))
        return outcome(p, p.gen_batch(size, n_epochs=1, seed=1, **run_args), variables=['n'])
    reference = run()
    with distributed.get_task_stream(client) as stream:
        p = dataset.p.init_variable('n', 0).jitter(0.1).update(V('n'), V('n') + 1)
        p.run(size, n_epochs=1, prefetch=2, scheduler=client, seed=1)
    shown = [record['key'][0].rsplit('-', 1)[0] for record in stream.data]
    assert 'dagflow-to-state' in shown and p.v('n') == 8           # brought ahead, after the first batches
    assert_same(run(prefetch=2, scheduler=client), reference)      # and gen_batch, paced, still the serial run


def test_a_rerun_finds_the_dataset_on_the_cluster_and_a_changed_one_is_sent_again(client):
    from dagflow.engine.lanes import distributed as lane_module
    x = np.random.default_rng(0).normal(size=(96, 2))
    dataset = Dataset(96, batch_class=AugmentBatch, preloaded={'x': x, 'y': x @ np.array([1.0, -2.0])})

    def sent_key():
        return lane_module._SENT[client.id]['dagflow-data'][1].key

    def on_the_cluster():
        p = full_pipeline(dataset)
        return outcome(p, p.gen_batch(8, n_epochs=1, seed=3, prefetch=2, scheduler=client),
                       variables=['n', 'loss', 'predictions'])

    def serial():
        p = full_pipeline(dataset)
        return outcome(p, p.gen_batch(8, n_epochs=1, seed=3), variables=['n', 'loss', 'predictions'])
    first = on_the_cluster()   # (a class sent by value may still change in its first run: lazy attributes)
    assert_same(on_the_cluster(), first)
    key = sent_key()
    assert_same(on_the_cluster(), first)
    assert sent_key() == key                       # the rerun found it there
    x *= 2                                         # changed in place since
    assert_same(on_the_cluster(), serial())        # the changed dataset is the one used
    assert sent_key() != key


def test_the_state_worker_reaches_a_scheduler_in_this_process_without_the_network(client):
    from dagflow.engine.lanes.state_worker import StateWorker, scheduler_here
    worker = StateWorker(client, 'dagflow-state-test')
    try:
        assert worker.in_memory
        assert worker.worker.batched_stream.comm.peer_address.startswith('inproc://')
        # the other workers reach it as they reach the scheduler
        assert worker.address.split('://')[0] == client.scheduler.address.split('://')[0]
    finally:
        worker.close()
    assert scheduler_here('tcp://127.0.0.1:9') is None   # no such scheduler here: it joins by the network


def test_batches_spread_over_the_workers_each_with_a_copy_of_the_dataset(client):
    import collections
    x = np.random.default_rng(0).normal(size=(4096, 64))   # 2 MiB: moving it is not free
    dataset = Dataset(4096, batch_class=AugmentBatch, preloaded={'x': x, 'y': x[:, 0].copy()})
    with distributed.get_task_stream(client) as stream:
        p = dataset.p.init_variable('n', 0).jitter(0.1).update(V('n'), V('n') + 1)
        p.run(256, n_epochs=1, prefetch=2, scheduler=client, seed=0)
    ran = collections.Counter(record['worker'] for record in stream.data
                              if isinstance(record['key'], tuple) and record['key'][0].startswith('jitter-'))
    assert len(ran) == 2 and min(ran.values()) >= 4, ran   # 16 batches: not all where the dataset arrived first
    assert p.v('n') == 16
