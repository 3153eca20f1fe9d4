"""A Dask ``LocalCluster`` started for a run: ``run(..., scheduler='local-cluster')``."""
from __future__ import annotations

import contextlib
import os
import socket

from .distributed import DistributedLane

__all__ = ['LocalClusterLane', 'machine_cores']

#: Where the dashboard of a cluster dagflow starts listens: this machine only (never all interfaces).
DASHBOARD_HOST, DASHBOARD_PORT = '127.0.0.1', 8787


def dashboard_address() -> str:
    """``127.0.0.1:8787`` when that port is free, else a free port of 127.0.0.1 (the run prints the link)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((DASHBOARD_HOST, DASHBOARD_PORT))
        except OSError:
            return f'{DASHBOARD_HOST}:0'
    return f'{DASHBOARD_HOST}:{DASHBOARD_PORT}'


def machine_cores() -> int:
    """The CPU cores this process may use (its affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:   # macOS, Windows
        return os.cpu_count() or 1


@contextlib.contextmanager
def worker_environment(trim_memory: bool):
    """Worker processes started in the block get no ``MALLOC_TRIM_THRESHOLD_`` (unless ``trim_memory``).

    Dask sets it for them from ``distributed.nanny.pre-spawn-environ``, and a
    nanny also writes it into this process's ``os.environ``, which later
    workers inherit: both are left out for the block, then put back.

    Examples
    --------
    >>> import dask
    >>> with worker_environment(trim_memory=False):
    ...     dask.config.get('distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_', None)
    """
    if trim_memory:
        yield
        return
    import dask
    saved = os.environ.pop('MALLOC_TRIM_THRESHOLD_', None)
    try:
        with dask.config.set({'distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_': None}):
            yield
    finally:
        if saved is not None:
            os.environ['MALLOC_TRIM_THRESHOLD_'] = saved


class LocalClusterLane(DistributedLane):
    """Pure groups on a Dask ``LocalCluster`` that the lane starts itself, sized to the machine.

    ``scheduler='local-cluster'`` (``--scheduler local-cluster`` on the
    command line) is this lane with its defaults: one single-threaded worker
    process per core, the scheduler and the dashboard on ``127.0.0.1`` only
    (the dashboard at ``http://127.0.0.1:8787``, or on another port of
    127.0.0.1 when that one is taken: the run prints the link), and the
    cluster closed when the run ends.  Give
    the lane itself to keep the cluster for later runs.

    Parameters
    ----------
    n_workers : int, optional
        Worker processes; default: the cores this process may use.
    keep : bool
        Keep the cluster after each run (the next run with this lane reuses
        it); close it with :meth:`shutdown` or by leaving a ``with`` block.
    state_tasks : bool, optional
        Whether state steps run as Dask tasks on a state worker in this
        process, so that the dashboard shows the training: as
        :class:`~.distributed.DistributedLane`'s argument (its default when
        not given).
    state_worker : int or str, optional
        The worker (its name, ``0`` to ``n_workers - 1``, or its address)
        that holds the run's state instead of this process
        (:class:`~dagflow.engine.lanes.DistributedLane`'s ``state_worker``).
    trim_memory : bool
        Whether the workers start with Dask's ``MALLOC_TRIM_THRESHOLD_=65536``
        (``distributed.nanny.pre-spawn-environ``), which gives freed memory
        back to the OS at once.  Off by default: setting it also turns off
        glibc's dynamic mmap threshold, so every batch-sized array is mapped
        and faulted in anew, and numpy preprocessing ran 2.5 times slower on
        such a worker here (an FFT and matmul low-pass of 64 images: 100-120 ms
        against 38-41 ms without it).  Workers then keep freed memory for
        reuse, so their RSS stays nearer its peak.
    **cluster_options
        More ``distributed.LocalCluster`` arguments (``memory_limit``,
        ``dashboard_address=None`` for no dashboard, ...).

    Attributes
    ----------
    client : distributed.Client or None
        The client of the running cluster (None when none runs), e.g. for
        ``client.dashboard_link`` or a ``performance_report``.

    Examples
    --------
    >>> from dagflow import Dataset, V, B
    >>> ds = Dataset(8)
    >>> p = ds.p.init_variable('n', 0).update(V('n'), V('n') + B.size)
    >>> with LocalClusterLane(n_workers=1, keep=True, dashboard_address=None) as lane:  # doctest: +SKIP
    ...     p.run(batch_size=4, prefetch=1, scheduler=lane)
    ...     p.run(batch_size=4, prefetch=1, scheduler=lane)  # the same cluster
    >>> p.v('n')  # doctest: +SKIP
    16
    """

    def __init__(self, n_workers: int | None = None, *, keep: bool = False, state_tasks: bool | None = None,
                 state_worker=None, trim_memory: bool = False, **cluster_options):
        super().__init__(None, state_worker=state_worker,
                         **({} if state_tasks is None else {'state_tasks': state_tasks}))
        self.n_workers, self.keep, self.cluster_options = n_workers, keep, cluster_options
        self.trim_memory = trim_memory
        self.cluster = None

    def open(self):
        """Start the cluster unless it runs; return its client."""
        if self.client is None:
            from distributed import Client, LocalCluster
            options = {'n_workers': self.n_workers or machine_cores(), 'threads_per_worker': 1, 'processes': True,
                       'host': DASHBOARD_HOST, 'dashboard_address': dashboard_address(), **self.cluster_options}
            with worker_environment(self.trim_memory):
                self.cluster = LocalCluster(**options)
            self.client = Client(self.cluster, set_as_default=False)   # dask.compute elsewhere stays local
            from .worker_priority import PureWorkerPriority
            self.client.register_plugin(PureWorkerPriority())   # before a run starts its state worker here
        return self.client

    def start(self, steps, state, prefetch: int) -> LocalClusterLane:
        self.open()
        try:
            super().start(steps, state, prefetch)
        except BaseException:
            if not self.keep:
                self.shutdown()
            raise
        return self

    def close(self) -> None:
        try:
            super().close()   # a run started: settle its tasks
        finally:
            if not self.keep:
                self.shutdown()

    def shutdown(self) -> None:
        """Close the client and the cluster (a kept cluster too)."""
        client, cluster, self.client, self.cluster = self.client, self.cluster, None, None
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()

    def __enter__(self) -> LocalClusterLane:
        return self

    def __exit__(self, *exc_info) -> None:
        self.shutdown()

    def __repr__(self):
        state = 'running' if self.client is not None else 'not running'
        return f'<LocalClusterLane {state}, {self.n_workers or machine_cores()} workers, keep={self.keep}>'
