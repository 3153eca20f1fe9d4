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
