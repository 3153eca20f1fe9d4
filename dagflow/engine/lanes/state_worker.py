"""The state worker of a cluster run: a Dask worker inside the driver process that runs the state steps.

On a ``distributed.Client`` every step of a run is a Dask task, so the
dashboard's task stream and ``performance_report`` show the whole job.  The
state steps (those that touch variables, models or locks) run on one worker
that lives in this process: it is started for the run with a resource that
only dagflow's state tasks ask for (:data:`STATE_RESOURCE`), and it reaches
the run's state through :data:`RUNS` (the task is
``dagflow.engine.lanes.distributed._run_state_task``), so variables and models never leave
the driver and ``pipeline.v(...)``/``pipeline.m(...)`` work as with any other
scheduler.  Pure tasks are steered away from it (they name the other workers,
loosely: when those are gone, Dask may still use it).
"""
from __future__ import annotations

import threading

__all__ = ['RUNS', 'STATE_LANE', 'STATE_RESOURCE', 'StateWorker', 'in_process_address', 'pure_workers', 'register',
           'scheduler_here', 'unregister']

STATE_RESOURCE = 'dagflow-state'
"""The Dask resource the state worker has and every state task asks for."""

RUNS: dict[str, tuple] = {}
"""Run token -> ``(steps, state)`` of the runs whose state tasks this process runs."""

STATE_LANE = 'dagflow-state_0'
"""What a profile calls the lane of the state steps (the ``worker`` column), as the driver thread of other lanes."""


class StateWorker:
    """A Dask worker started in this process for one run, with the state resource and two threads.

    State tasks ask for the resource, of which it has one: they run one at a
    time.  The second thread takes a batch over from the cluster as soon as
    its pure steps are done (a task that returns it,
    :func:`~dagflow.engine.lanes.distributed._hold`), while the state task
    before it still runs, so the state chain does not wait for the transfer.

    Parameters
    ----------
    client : distributed.Client
        The run's client; the worker joins its scheduler and runs on its event loop.
    name : str
        The worker's name (the dashboard shows it).
    """

    def __init__(self, client, name: str):
        from distributed import Worker
        from distributed.comm import parse_address
        from distributed.comm.addressing import get_address_host
        from distributed.utils import sync

        address = client.scheduler.address
        here = scheduler_here(address)
        listen = {}   # others reach it as they reach the scheduler; it reaches the scheduler in memory when it can
        if here is not None and not address.startswith('inproc://'):
            listen = {'protocol': parse_address(address)[0], 'host': get_address_host(address)}
            address = sync(here.loop, in_process_address, here)

        async def start():
            worker = Worker(address, nthreads=2, name=name, resources={STATE_RESOURCE: 1}, memory_limit=0,
                            dashboard=False, validate=False, **listen)
            await worker
            return worker

        self.client, self._sync = client, sync
        self.worker = sync(client.loop, start)
        self.address = self.worker.address
        self.in_memory = here is not None   # whether it talks to the scheduler without the network

    def close(self) -> None:
        """Leave the cluster: the run is over (its batches were fetched).

        A result still held on it (a future someone keeps) is first moved to
        another worker by retiring it through the scheduler, instead of being
        computed again there (a state task must never run twice).  It returns once the worker has
        finished closing: the scheduler's order to close it runs on the
        client's event loop, and a client closed before that ends (as the
        client of a scheduler address is, right after the run) stops the loop
        with the worker's thread still alive.
        """
        worker, self.worker = self.worker, None
        if worker is None:
            return
        if not self._sync(self.client.loop, _drained, worker, DRAIN_TIMEOUT):
            try:   # a result someone still holds: moved, not computed again
                self.client.retire_workers(workers=[self.address], close_workers=True)
            except Exception:   # noqa: BLE001 - a scheduler already gone: close it here
                pass

        async def closed():
            await worker.close(reason='dagflow-run-ended')   # waits for a close already under way
            await worker.finished()

        self._sync(self.client.loop, closed)

    def __repr__(self):
        return f'<StateWorker {self.address}>'


def scheduler_here(address: str):
    """The running Dask scheduler at ``address`` when it lives in this process (a ``LocalCluster``'s), else None."""
    try:
        from distributed import Scheduler
        from distributed.core import Status
    except ImportError:
        return None
    for scheduler in list(getattr(Scheduler, '_instances', ())):
        if scheduler.status == Status.running and address in {listener.contact_address
                                                               for listener in scheduler.listeners}:
            return scheduler
    return None


async def in_process_address(scheduler) -> str:
    """An ``inproc://`` address of ``scheduler`` (listening there from now on, when it was not yet).

    A worker in the scheduler's process that joins through it exchanges its
    messages with the scheduler as Python objects, without the network and
    pickling: for the state worker of a ``LocalCluster`` run, whose messages
    share this process's interpreter with the scheduler's, that halves the
    time per batch of a no-op pipeline (20 ms to 13 ms on a 2-worker cluster).
    """
    for listener in scheduler.listeners:
        if listener.contact_address.startswith('inproc://'):
            return listener.contact_address
    await scheduler.listen('inproc://')
    return scheduler.listeners[-1].contact_address


DRAIN_TIMEOUT = 2.0
"""Seconds the state worker waits, at the end of a run, for the results it holds to be released."""


async def _drained(worker, timeout: float) -> bool:
    """Wait until ``worker`` holds no result (True), or ``timeout`` seconds (False).

    The run has dropped its futures when it ends, but their release reaches the
    worker a moment later (client -> scheduler -> worker): retiring it before
    would copy results nobody wants to the other workers, and close it while
    they are still reading them (a ``Worker stream died`` error in their logs).
    """
    import asyncio
    deadline = asyncio.get_running_loop().time() + timeout
    while worker.data and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.005)
    return not worker.data


_LOCK = threading.Lock()


def register(token: str, steps, state) -> None:
    """Make the run ``token``'s steps and state reachable by its state tasks."""
    with _LOCK:
        RUNS[token] = (steps, state)


def unregister(token: str) -> None:
    with _LOCK:
        RUNS.pop(token, None)


def pure_workers(client, state_address: str | None = None) -> list | None:
    """The workers pure tasks go to: all but state workers (None: no other worker, any will do).

    State workers are the one at ``state_address`` and those of dagflow's runs in this process
    (named ``dagflow-state-...``).
    """
    workers = client.scheduler_info()['workers']
    others = sorted(address for address, info in workers.items()
                    if address != state_address and not str(info.get('name', '')).startswith('dagflow-state-'))
    return others or None
