"""scheduler='local-cluster': a Dask LocalCluster started for the run, sized to the machine, dashboard on 127.0.0.1."""
import functools
import sys

import numpy as np
import pytest

from dagflow import B, Dataset, V
from dagflow.engine import SCHEDULERS, check_scheduler
from dagflow.engine.lanes import LANES, LocalClusterLane
from dagflow.engine.lanes.local_cluster import machine_cores

pytest.importorskip('distributed')


@pytest.fixture
def pipeline():
    dataset = Dataset(12, preloaded=np.arange(12.0))
    return dataset.p.init_variable('total', 0.0).update(V('total'), V('total') + B.data.sum())


class Recorded(LocalClusterLane):
    """The lane, remembering each instance and what its cluster was when a run started."""

    made: list = []

    def start(self, steps, state, prefetch):
        lane = super().start(steps, state, prefetch)
        info = self.client.scheduler_info()
        state = self.state_worker.address if self.state_worker is not None else None
        Recorded.made.append((self, info['address'], len([w for w in info['workers'] if w != state])))
        return lane


def test_it_is_a_scheduler_name():
    assert 'local-cluster' in SCHEDULERS and LANES['local-cluster'] is LocalClusterLane
    assert check_scheduler(2, 'local-cluster') == (2, 'local-cluster')


def test_by_default_one_worker_process_per_core():
    assert repr(LocalClusterLane()) == f'<LocalClusterLane not running, {machine_cores()} workers, keep=False>'


def test_a_run_starts_a_cluster_on_this_machine_and_closes_it_at_its_end(pipeline, monkeypatch):
    monkeypatch.setattr(Recorded, 'made', [])
    monkeypatch.setitem(LANES, 'local-cluster', functools.partial(Recorded, n_workers=1, dashboard_address=None))
    pipeline.run(batch_size=4, n_epochs=1, prefetch=1, scheduler='local-cluster')
    assert pipeline.v('total') == sum(range(12))
    [(lane, address, workers)] = Recorded.made
    assert address.startswith('tcp://127.0.0.1:') and workers == 1
    assert lane.client is None and lane.cluster is None


def test_a_kept_cluster_serves_the_next_run_and_closes_with_its_block(pipeline):
    with LocalClusterLane(n_workers=1, keep=True, dashboard_address=None) as lane:
        pipeline.run(batch_size=4, n_epochs=1, prefetch=1, scheduler=lane)
        client = lane.client
        pipeline.run(batch_size=4, n_epochs=1, prefetch=1, scheduler=lane)
        assert lane.client is client and client.status == 'running'
    assert lane.client is None and client.status == 'closed'
    assert pipeline.v('total') == 2 * sum(range(12))


@pytest.mark.parametrize('state_tasks', [True, False])
def test_state_tasks_is_the_lanes_choice_not_a_cluster_option(pipeline, state_tasks):
    import distributed
    with LocalClusterLane(n_workers=1, keep=True, state_tasks=state_tasks, dashboard_address=None) as lane:
        assert lane.state_tasks is state_tasks and 'state_tasks' not in lane.cluster_options
        with distributed.get_task_stream(lane.open()) as stream:
            pipeline.run(batch_size=4, n_epochs=1, prefetch=1, scheduler=lane)
    assert pipeline.v('total') == sum(range(12))
    shown = {record['key'][0].rsplit('-', 1)[0] for record in stream.data}
    assert ('update' in shown) is state_tasks     # the dashboard shows the state steps when they are tasks


@pytest.mark.parametrize('trim_memory', [False, True])
def test_its_workers_start_without_dasks_malloc_trim_unless_asked(pipeline, trim_memory):
    import os

    import dask

    def trim():   # on a worker process
        return os.environ.get('MALLOC_TRIM_THRESHOLD_')
    with LocalClusterLane(n_workers=1, keep=True, trim_memory=trim_memory, dashboard_address=None) as lane:
        assert set(lane.open().run(trim).values()) == ({'65536'} if trim_memory else {None})
        pipeline.run(batch_size=4, n_epochs=1, prefetch=1, scheduler=lane)
    assert pipeline.v('total') == sum(range(12))
    assert dask.config.get('distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_') == 65536   # ours untouched


@pytest.mark.skipif(not sys.platform.startswith('linux'), reason='a priority per thread is Linux only')
def test_its_workers_yield_the_cpu_to_the_state_chain(pipeline):
    import os
    import threading

    def niceness():   # on a worker process: the thread that runs tasks, and the one it runs them from
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    here = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    with LocalClusterLane(n_workers=1, keep=True, dashboard_address=None) as lane:
        client = lane.open()
        assert set(client.run(niceness).values()) == {min(19, here + 10)}
        assert client.submit(niceness, pure=False).result() == min(19, here + 10)
        pipeline.run(batch_size=4, n_epochs=1, prefetch=1, scheduler=lane)
    assert pipeline.v('total') == sum(range(12))
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == here   # this process keeps its own


def test_its_dashboard_listens_on_this_machine_only():
    pytest.importorskip('bokeh')
    with LocalClusterLane(n_workers=1, keep=True) as lane:
        link = lane.open().dashboard_link
    assert link.startswith('http://127.0.0.1:') and lane.client is None


def test_a_taken_dashboard_port_moves_the_dashboard_to_a_free_one(monkeypatch):
    import socket

    from dagflow.engine.lanes import local_cluster
    with socket.socket() as taken:
        taken.bind(('127.0.0.1', 0))
        taken.listen()
        monkeypatch.setattr(local_cluster, 'DASHBOARD_PORT', taken.getsockname()[1])
        assert local_cluster.dashboard_address() == '127.0.0.1:0'
    assert local_cluster.dashboard_address() == f'127.0.0.1:{local_cluster.DASHBOARD_PORT}'


def test_its_client_does_not_become_dasks_default_scheduler():
    import dask
    with LocalClusterLane(n_workers=1, keep=True, dashboard_address=None) as lane:
        lane.open()
        assert dask.base.get_scheduler() is None     # dask.compute elsewhere keeps its local scheduler


def test_a_run_that_cannot_start_closes_the_cluster_it_started(pipeline, monkeypatch):
    from dagflow.engine.lanes.distributed import DistributedLane

    def broken(self, *args):
        raise RuntimeError('no start')
    monkeypatch.setattr(DistributedLane, 'start', broken)
    lane = LocalClusterLane(n_workers=1, dashboard_address=None)
    with pytest.raises(RuntimeError, match='no start'):
        pipeline.run(batch_size=4, n_epochs=1, prefetch=1, scheduler=lane)
    assert lane.client is None and lane.cluster is None
