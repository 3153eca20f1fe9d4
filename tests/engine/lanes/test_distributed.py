"""A Dask cluster (a LocalCluster of threads, and one of 2 processes): the serial run's outcome.

State steps run as Dask tasks on the run's state worker (the default), on a driver thread outside Dask, or on a
worker of the cluster that holds the state for the run (``state_worker=``).
"""
import pytest

from dagflow.engine.lanes import DistributedLane
from dagflow.testing import SchedulerConformance

from .test_remote_state import a_worker

pytest.importorskip('distributed')


class TestDistributed(SchedulerConformance):
    prefetch = 2
    repeats = 1     # each run costs a round-trip to the cluster; the threads lanes repeat

    @pytest.fixture(autouse=True)
    def _on_the_cluster(self, client):
        self.scheduler = client


class TestDistributedDriverThread(TestDistributed):
    @pytest.fixture(autouse=True)
    def _on_the_cluster(self, client):
        self.scheduler = DistributedLane(client, state_tasks=False)


class TestDistributedStateWorker(TestDistributed):
    """The state on a worker of the cluster (``state_worker=``): sent there, trained there, fetched back."""

    @pytest.fixture(autouse=True)
    def _on_the_cluster(self, client):
        self.scheduler = DistributedLane(client, state_worker=a_worker(client))
