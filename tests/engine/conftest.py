"""A Dask cluster for the engine tests: one per kind, shared by every test module that asks for ``client``."""
import pytest


@pytest.fixture(scope='session', params=[False, True], ids=['in-process', '2-processes'])
def client(request):
    """A ``distributed.Client`` of a 2-worker LocalCluster, with threads in this process or in 2 processes.

    It is not made the default scheduler: ``dask.compute`` in other tests keeps Dask's local one.
    """
    distributed = pytest.importorskip('distributed')
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=request.param,
                                  dashboard_address=':0') as cluster, \
            distributed.Client(cluster, set_as_default=False) as client:
        yield client
