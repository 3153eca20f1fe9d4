"""``run(..., state_worker=ADDRESS)``: the run's state on a chosen worker, bad arguments, and that worker's loss.

That such a run gives the serial run's outcome is the conformance suite's ``TestDistributedStateWorker``
(``lanes/test_distributed.py``); the ``client`` fixture is in ``tests/engine/conftest.py``.
"""
import contextlib
import os

import numpy as np
import pytest

from dagflow import B, Batch, Dataset, V
from dagflow.engine.lanes import DistributedLane
from dagflow.exceptions import RunArgumentError, StateWorkerLost
from dagflow.testing import ConformanceModel, assert_same, conformance_dataset

distributed = pytest.importorskip('distributed')


def counting(dataset=None):
    return ((dataset or conformance_dataset()).p
            .init_model('lin', ConformanceModel, 'dynamic', config={'size': 2})
            .init_variables({'n': 0, 'loss': []})
            .jitter(0.1)
            .update(V('n'), V('n') + 1)
            .train_model('lin', B.x, B.y, save_to=V('loss'), mode='a'))


def a_worker(client) -> str:
    """A worker of the test cluster (not the state worker of an earlier run, which may be leaving)."""
    workers = client.scheduler_info()['workers']
    return sorted(address for address, info in workers.items()
                  if not str(info.get('name', '')).startswith('dagflow-state'))[-1]


# ------------------------------------------------------------------------------------------------ where it runs
def test_the_state_steps_run_on_the_chosen_worker_and_the_state_comes_back(client):
    address = a_worker(client)
    reference = counting().run(8, n_epochs=2, seed=1)
    p = counting()
    seen = []
    with distributed.get_task_stream(client) as stream:
        for _ in p.gen_batch(8, n_epochs=2, seed=1, prefetch=2, scheduler=client, state_worker=address):
            seen.append(p.v('n'))                      # this process's copy: stale during the run
    ran_on = {record['key'][0].rsplit('-', 1)[0]: record['worker'] for record in stream.data
              if isinstance(record['key'], tuple)}
    assert ran_on['update'] == ran_on['train_model'] == address
    assert seen == [0] * 12                            # documented: v() shows the run's start until it ends
    assert p.v('n') == 12                              # ...and the serial run's values once it has
    assert_same(p.v('loss'), reference.v('loss'))
    assert_same(p.m('lin').parameters(), reference.m('lin').parameters())
    assert address in client.scheduler_info()['workers']   # the worker stays in the cluster


def test_a_model_the_pipeline_had_is_trained_in_place(client):
    p = counting().init_model('stat', ConformanceModel, 'static', config={'size': 2}).train_in_batch('stat')
    model = p.m('stat')
    p.run(8, n_epochs=1, seed=1, prefetch=1, scheduler=client, state_worker=a_worker(client))
    assert p.m('stat') is model and model.w.any()     # the object the user holds shows the training


def test_a_worker_name_and_a_scheduler_address(client):
    workers = client.scheduler_info()['workers']
    reference = counting().run(8, n_epochs=1, seed=2)
    p = counting().run(8, n_epochs=1, seed=2, prefetch=1, scheduler=client.scheduler.address,
                       state_worker=workers[a_worker(client)]['name'])
    assert p.v('n') == 6
    assert_same(p.m('lin').parameters(), reference.m('lin').parameters())


class Tiny(Batch):
    components = 'images', 'labels'


def test_a_torch_model_trained_on_the_state_worker_is_bit_identical_to_the_serial_run(client):
    torch = pytest.importorskip('torch')
    from dagflow.models.torch import TorchModel

    def make():
        rng = np.random.default_rng(0)
        images = rng.random((32, 1, 8, 8)).astype(np.float32)
        labels = (images[..., :4].mean(axis=(1, 2, 3)) > images[..., 4:].mean(axis=(1, 2, 3))).astype(np.int64)
        config = {'model': {'name': 'mlp', 'width': 8}, 'inputs': (1, 8, 8), 'classes': 2, 'seed': 0,
                  'optimizer': {'name': 'Adam', 'lr': 1e-2}, 'device': 'cpu'}
        return (Dataset(32, batch_class=Tiny, preloaded={'images': images, 'labels': labels}).p
                .init_model('model', TorchModel, 'dynamic', config)
                .init_variable('loss', init_on_each_run=list)
                .train_model('model', B.images, B.labels, fetches='loss', save_to=V('loss', mode='a')))

    threads = torch.get_num_threads()
    torch.set_num_threads(1)   # as a worker process runs it: bit-identical whoever runs the step
    try:
        serial = make().run(8, n_epochs=3, shuffle=True, seed=1)
    finally:
        torch.set_num_threads(threads)
    there = make().run(8, n_epochs=3, shuffle=True, seed=1, prefetch=2, scheduler=client,
                       state_worker=a_worker(client))
    assert there.m('model').iteration == serial.m('model').iteration == 12
    first, second = there.m('model').network.state_dict(), serial.m('model').network.state_dict()
    assert first.keys() == second.keys() and all(torch.equal(first[key], second[key]) for key in first)
    assert_same(there.v('loss'), serial.v('loss'))


@pytest.mark.parametrize('where', ['middle', 'state'])
def test_a_stop_ends_where_the_serial_run_ends_and_after_sees_the_state(client, where):
    from ..test_stop import StopBatch, collect, stopping_pipeline
    x = np.random.default_rng(0).normal(size=(96, 2))
    dataset = Dataset(96, batch_class=StopBatch, preloaded={'x': x, 'y': x @ np.array([1.0, -2.0])})
    reference = collect(stopping_pipeline(dataset, where))
    assert_same(collect(stopping_pipeline(dataset, where), prefetch=2, scheduler=client,
                        state_worker=a_worker(client)), reference)   # 'after' copies the counter: it came back


# ------------------------------------------------------------------------------------------------ bad arguments
@pytest.mark.parametrize('scheduler', ['threads', 'processes', None])
def test_a_state_worker_needs_a_cluster(scheduler):
    with pytest.raises(RunArgumentError, match=r"state_worker='tcp://10.0.0.7:4000' needs a Dask cluster as the "
                                               r"scheduler \(a distributed.Client, a scheduler address or "
                                               r"'local-cluster'\), got scheduler='(threads|processes|sync)'"):
        counting().run(8, n_epochs=1, prefetch=1, scheduler=scheduler, state_worker='tcp://10.0.0.7:4000')


def test_a_state_worker_must_be_an_address_or_a_name():
    with pytest.raises(RunArgumentError, match=r'state_worker must be the address \(or the name\) of a worker of '
                                               r"the cluster, such as 'tcp://10.0.0.7:40123', got \[1, 2\]"):
        counting().run(8, n_epochs=1, scheduler='local-cluster', state_worker=[1, 2])


def test_a_state_worker_not_in_the_cluster_is_named_with_the_workers_there(client):
    p = counting()
    workers = sorted(client.scheduler_info()['workers'])
    before = set(client.futures)   # what earlier tests left for the garbage collector
    with pytest.raises(RunArgumentError, match=r"state_worker='tcp://10.0.0.7:4000' is not a worker of this "
                                               r'cluster: its workers are ') as info:
        p.run(8, n_epochs=1, prefetch=1, scheduler=client, state_worker='tcp://10.0.0.7:4000')
    assert all(address in str(info.value) for address in workers) and 'leave state_worker out' in str(info.value)
    assert info.value.name == 'state_worker' and p.v('n') == 0
    assert set(client.futures) <= before                              # nothing was sent


def test_a_lane_object_takes_the_state_worker_itself(client):
    lane = DistributedLane(client)
    with pytest.raises(RunArgumentError, match=r"give DistributedLane\(..., state_worker='w'\) and leave it out "
                                               r'of run\(\)'):
        counting().run(8, n_epochs=1, prefetch=1, scheduler=lane, state_worker='w')


# ------------------------------------------------------------------------------------------------ its loss
@pytest.fixture
def processes():
    """A cluster of its own (a worker of it is killed): 2 worker processes, each restarted by its nanny."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=':0') as cluster, \
            distributed.Client(cluster, set_as_default=False) as client:
        yield client


def _scheduler_tasks(dask_scheduler) -> list:
    return [str(key) for key in dask_scheduler.tasks]


def test_the_loss_of_the_state_worker_fails_the_run_at_once_and_leaves_nothing_behind(processes):
    client = processes
    address = a_worker(client)
    p = counting()
    taken = []
    with pytest.raises(StateWorkerLost, match=rf'The state worker {address} \(state_worker=.*\) was lost during '
                                              r'the run: .*\(batch 2 was the last whose state steps finished\)\. '
                                              r'The pipeline keeps the values it had when the run started\.'
                       ) as info:
        for batch in p.gen_batch(8, n_epochs=2, seed=1, prefetch=2, scheduler=client, state_worker=address):
            taken.append(batch)
            if len(taken) == 3:   # batch 2 is done, batch 3's state steps wait for the loop to ask for it
                with contextlib.suppress(Exception):   # the worker dies before it answers
                    client.run(os._exit, 1, workers=[address])
    assert len(taken) == 3 and info.value.worker == address and info.value.last_batch == 2
    assert p.v('n') == 0 and p.v('loss') == [] and not p.models.created('lin')   # the state of the run's start
    assert list(client.futures) == []                    # every future of the run was cancelled...
    left = client.run_on_scheduler(_scheduler_tasks)
    for _ in range(200):                                 # ...and the scheduler forgets them (a message away)
        if not left:
            break
        left = client.run_on_scheduler(_scheduler_tasks)
    assert left == []
    assert counting().run(8, n_epochs=1, prefetch=1, scheduler=client).v('n') == 6   # the cluster still works


def test_a_local_cluster_lane_takes_a_worker_by_its_name():
    from dagflow.engine.lanes import LocalClusterLane
    reference = counting().run(8, n_epochs=1, seed=3)
    lane = LocalClusterLane(n_workers=2, state_worker=1, dashboard_address=None)
    p = counting().run(8, n_epochs=1, seed=3, prefetch=1, scheduler=lane)
    assert p.v('n') == 6 and lane.client is None                  # the cluster closed with the run
    assert_same(p.m('lin').parameters(), reference.m('lin').parameters())
