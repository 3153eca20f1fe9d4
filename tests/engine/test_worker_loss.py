"""A cluster run whose workers die: it costs recomputation only, and what a run sends once is never lost.

Each test has a LocalCluster of its own (2 worker processes, each with a nanny that starts it again): it
kills workers with SIGKILL in the middle of a run, at a point the test chooses (after the consumer got
batch 2, while later batches are in flight), and compares the run with the serial one.
"""
import os
import signal
import threading

import numpy as np
import pytest

from dagflow import B, Dataset, V, action
from dagflow.engine.lanes.distributed import forget_sent
from dagflow.testing import assert_same, outcome

from .test_parallel import AugmentBatch, full_pipeline

distributed = pytest.importorskip('distributed')


@pytest.fixture
def cluster_client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster, set_as_default=False) as client:
        yield client


class DyingBatch(AugmentBatch):
    @action
    def kill_worker_at(self, number, driver_pid):
        """Kill the worker process running batch ``number`` (never the driver, where the state worker lives)."""
        if self.context.iteration.number == number and os.getpid() != driver_pid:
            os._exit(1)
        return self


@pytest.fixture
def dataset():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 2))
    return Dataset(96, batch_class=AugmentBatch, preloaded={'x': x, 'y': x @ np.array([1.0, -2.0])})


def _kill(client, how_many: int) -> list:
    """SIGKILL ``how_many`` of the cluster's worker processes (their nannies start new ones); their addresses."""
    here = os.getpid()   # where the state worker runs: not killed
    pids = {address: pid for address, pid in client.run(os.getpid).items() if pid != here}
    chosen = sorted(pids)[:how_many]
    for address in chosen:
        os.kill(pids[address], signal.SIGKILL)
    return chosen


def _run_killing(dataset, client, how_many: int):
    p = full_pipeline(dataset)
    batches = p.gen_batch(8, n_epochs=1, seed=3, prefetch=3, scheduler=client)

    def killing():
        for number, batch in enumerate(batches):
            if number == 2:
                _kill(client, how_many)
            yield batch
    return outcome(p, killing(), variables=['n', 'loss', 'predictions'])


def _tasks_left(client, timeout: float = 10, kept=()) -> list:
    """The scheduler's tasks once the run's releases reached it (they travel apart from this query), or at timeout.

    Tasks whose key starts with one of ``kept`` are not counted.
    """
    import gc
    import time
    deadline = time.monotonic() + timeout
    while True:
        gc.collect()   # a future in a reference cycle is released when the collector runs
        tasks = client.run_on_scheduler(lambda dask_scheduler: [str(key) for key in dask_scheduler.tasks])
        left = [key for key in tasks if not key.lstrip("('").startswith(kept)]   # kept, and their copies
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.02)


SENT_ONCE = ('dagflow-plan-', 'dagflow-data-')
"""What a finished run leaves on the cluster for the next one (until ``forget_sent``)."""


def _serial(dataset):
    p = full_pipeline(dataset)
    return outcome(p, p.gen_batch(8, n_epochs=1, seed=3), variables=['n', 'loss', 'predictions'])


@pytest.mark.parametrize('how_many', [1, 2], ids=['one worker', 'every worker'])
def test_workers_killed_mid_run_cost_only_recomputation(dataset, cluster_client, how_many):
    assert_same(_run_killing(dataset, cluster_client, how_many), _serial(dataset))
    assert _tasks_left(cluster_client, kept=SENT_ONCE) == []    # nothing of the run is left on the cluster ...
    forget_sent(cluster_client)
    assert _tasks_left(cluster_client) == []   # ... but what it sent once for the next run, until let go


def test_only_what_pure_steps_need_travels_to_the_workers(dataset, cluster_client):
    from tests.models.conftest import LinearModel

    class LockedModel(LinearModel):   # defined here: sent by value, which its lock forbids
        guard = threading.Lock()
    p = (dataset.p.init_model('lin', LockedModel, 'dynamic', config={'size': 2}).init_variable('loss', [])
         .jitter(0.1).train_model('lin', B.x, B.y, save_to=V('loss'), mode='a'))
    p.run(8, n_epochs=1, prefetch=2, scheduler=cluster_client, seed=0)
    assert len(p.v('loss')) == 12 and isinstance(p.m('lin'), LockedModel)


def test_a_failed_run_leaves_nothing_on_the_cluster(dataset, cluster_client):
    p = dataset.p.init_variable('n', 0).jitter(0.1).fail_at(4).update(V('n'), V('n') + 1).jitter(0.1)
    with pytest.raises(ValueError, match='batch 4 is broken'):
        p.run(8, n_epochs=1, prefetch=3, scheduler=cluster_client)
    assert p.v('n') == 4
    left = _tasks_left(cluster_client)
    assert left == [], left


def test_a_task_that_keeps_killing_its_workers_fails_the_run_saying_so():
    import dask

    from dagflow.exceptions import WorkersLostError
    dying = Dataset(96, batch_class=DyingBatch, preloaded={'x': np.zeros((96, 2)), 'y': np.zeros(96)})
    p = dying.p.init_variable('n', 0).jitter(0.1).kill_worker_at(3, os.getpid()).update(V('n'), V('n') + 1)
    with dask.config.set({'distributed.scheduler.allowed-failures': 0}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                     dashboard_address=None) as cluster, \
            distributed.Client(cluster, set_as_default=False) as client, \
            pytest.raises(WorkersLostError, match=r"workers running the steps 'jitter\+kill_worker_at' of batch 3 "
                                                  r'died') as info:
        p.run(8, n_epochs=1, prefetch=2, scheduler=client)
    assert info.value.dagflow_batch == 3 and p.v('n') == 3     # the batches before it counted, as in the serial run
