"""The worker processes of the cluster ``scheduler='local-cluster'`` starts yield the CPU to the state chain.

Imported when that cluster starts (it needs ``distributed``), and by its
workers, which run :class:`PureWorkerPriority`.
"""
from __future__ import annotations

from distributed.diagnostics.plugin import WorkerPlugin

from .threads import lower_process_priority

__all__ = ['PureWorkerPriority']


class PureWorkerPriority(WorkerPlugin):
    """A Dask worker plugin: the worker's process runs at a lower priority (Linux: ``nice`` +10 per thread).

    As the threads lane does for its pure threads: the state steps of
    successive batches are the run's serial chain, and on a machine whose
    cores the workers share with this process they should not wait for a
    core behind preprocessing of later batches.  Registered with the
    cluster, it applies to workers a nanny starts again too.

    Examples
    --------
    >>> PureWorkerPriority().name
    'dagflow-pure-worker-priority'
    """

    idempotent = True
    name = 'dagflow-pure-worker-priority'

    def setup(self, worker):
        lower_process_priority()
