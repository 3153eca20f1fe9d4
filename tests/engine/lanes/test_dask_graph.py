"""The Dask graph path: ``pipeline.to_dask(...)`` computed by Dask's own schedulers gives the serial outcome.

The whole run is one graph, computed at once: a failed run yields no batch
(``streams = False``) and a pipeline that rebatches cannot be lowered
(``rebatches = False``; ``tests/engine/test_parallel.py`` pins that error).
"""
import dask

from dagflow.testing import SchedulerConformance


class TestDaskGraph(SchedulerConformance):
    get = staticmethod(dask.get)
    prefetch = 2
    streams = False
    rebatches = False
    repeats = 1

    def batches(self, pipeline, batch_size, **run_args):
        (batches,) = dask.compute(pipeline.to_dask(batch_size, prefetch=self.prefetch, **run_args),
                                  scheduler=self.get)
        yield from batches


class TestDaskGraphThreaded(TestDaskGraph):
    get = staticmethod(dask.threaded.get)
    prefetch = None      # no window: every batch's pure tasks may run at once


class TestTheStateStaysInThisProcess:
    """Computed where the state is not (worker processes, a cluster), a lowered run fails instead of losing it."""

    def pipeline(self):
        import numpy as np

        from dagflow import B, Dataset, V
        return Dataset(6, preloaded=np.ones(6)).p.init_variable('n', 0).update(V('n'), V('n') + B.size)

    def test_on_worker_processes_it_says_what_to_do(self):
        import pytest

        from dagflow.exceptions import RunArgumentError
        p = self.pipeline()
        with pytest.raises(RunArgumentError, match=r"keeps its variables.*scheduler='threads'"):
            dask.compute(p.to_dask(batch_size=4, n_epochs=1), scheduler='processes')
        assert p.v('n') == 0

    def test_on_a_default_distributed_client_it_fails_with_the_reason(self):
        import logging

        import pytest
        distributed = pytest.importorskip('distributed')
        from dagflow.exceptions import RunArgumentError
        p = self.pipeline()
        quiet = logging.getLogger('distributed.protocol.pickle')
        disabled, quiet.disabled = quiet.disabled, True   # it logs each value it cannot pickle
        try:
            with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster, \
                    distributed.Client(cluster):
                with pytest.raises(Exception) as failed:
                    dask.compute(p.to_dask(batch_size=4, n_epochs=1))
                (batches,) = dask.compute(p.to_dask(batch_size=4, n_epochs=1), scheduler='threads')
        finally:
            quiet.disabled = disabled
        causes = [failed.value, failed.value.__cause__, failed.value.__context__]
        assert any(isinstance(cause, RunArgumentError) for cause in causes), causes
        assert [len(batch) for batch in batches] == [4, 2] and p.v('n') == 6
