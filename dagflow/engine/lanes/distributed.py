"""A Dask cluster as a lane: every group a Dask task, state groups on a worker inside the driver process."""
from __future__ import annotations

import concurrent.futures as cf
import copy

from ...runtime.worker import WorkerPipeline
from ..lower import SKIPPED, new_token, run_group
from ..serial import WORKER
from .base import Lane
from .shipping import dask_dumps, send_check, strip_batch
from .state_worker import STATE_RESOURCE, StateWorker, pure_workers, register, run_state_task, unregister

__all__ = ['DistributedLane', 'announce_dashboard']


def _run_on_worker(steps, worker: WorkerPipeline, group, payload, profile=False):
    """A pure group on a Dask worker: the run's steps and worker pipeline come scattered, the batch with the task.

    With ``profile``, the step records travel back on the payload.
    """
    if payload is not SKIPPED:
        payload.batch._dataset = worker.dataset
    records = [] if profile else None
    token = WORKER.set(_dask_worker_name() if profile else None)
    try:
        result = run_group(steps, group, worker.run_state(), payload, debug=records)
    finally:
        WORKER.reset(token)
    if result is not SKIPPED:
        result.batch = strip_batch(result.batch, f'after {group.name!r}', dumps=dask_dumps)
        if profile:
            result.records = (result.records or []) + records
    return result


def _dask_worker_name() -> str | None:
    try:
        from distributed import get_worker
        return get_worker().address
    except (ImportError, ValueError):
        return None


class DistributedLane(Lane):
    """Every group of a run a Dask task: pure groups on the cluster, state groups on the state worker.

    The plan and the dataset are scattered to the workers once.  Consecutive
    pure groups of a batch pass it from task to task on the cluster.  State
    groups run as Dask tasks too, on a worker started inside this process for
    the run (:mod:`~dagflow.engine.lanes.state_worker`), so the variables and
    models never leave it and the dashboard shows the whole job.  Task keys
    are ``('<actions>-<token>', k)``, so the dashboard shows the pipeline's actions.

    Parameters
    ----------
    client : distributed.Client
        The cluster's client.
    state_tasks : bool
        ``False``: state groups run on a thread of this process, outside Dask
        (and so outside the dashboard's task stream).
    """

    def __init__(self, client, *, state_tasks: bool = True):
        self.client, self.state_tasks = client, state_tasks
        self.state_worker = None

    def start(self, steps, state, prefetch: int) -> DistributedLane:
        super().start(steps, state, prefetch)
        client = self.client
        announce_dashboard(client)
        token = new_token()   # the dashboard names what was sent once: dagflow-plan-<token>, dagflow-data-<token>
        self.remote_plan = client.scatter({f'dagflow-plan-{token}': self.steps},   # it travels as the plan
                                          broadcast=True)[f'dagflow-plan-{token}']
        worker_pipeline = WorkerPipeline.of(state, steps.plan)
        send_check(worker_pipeline, dask_dumps, "the cluster's workers")
        self.remote_pipeline = client.scatter({f'dagflow-data-{token}': worker_pipeline},
                                              broadcast=True)[f'dagflow-data-{token}']
        self.token, self.pure_workers = token, None
        if self.state_tasks:
            register(token, steps, state)
            self.state_worker = StateWorker(client, f'dagflow-state-{token}')
            self.pure_workers = pure_workers(client, self.state_worker.address)
        self.driver = cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix='dagflow-state')
        self.remote: list = []
        self.debug: list = []   # the run's profile records, when it keeps them
        return self

    def submit(self, group, payload, debug=None, key=None) -> cf.Future:
        if not group.pure and not self.state_tasks:
            return self.driver.submit(self._run_here, group, payload, debug)
        if _is_remote(payload):
            argument = payload
        elif payload is SKIPPED:
            argument = payload
        else:
            argument = copy.copy(payload)
            argument.batch = strip_batch(payload.batch, f'before {group.name!r}', dumps=dask_dumps)
        if debug is not None:
            self.debug = debug
        if group.pure:
            where = {'workers': self.pure_workers, 'allow_other_workers': True} if self.pure_workers else {}
            remote = self.client.submit(_run_on_worker, self.remote_plan, self.remote_pipeline, group, argument,
                                        debug is not None, key=key, pure=False, **where)
        else:
            remote = self.client.submit(run_state_task, self.token, group, argument, debug is not None, key=key,
                                        pure=False, resources={STATE_RESOURCE: 1})
        self.remote.append(remote)
        outer: cf.Future = cf.Future()
        outer.set_running_or_notify_cancel()
        remote.add_done_callback(lambda done: _settle(done, outer))
        return outer

    def _run_here(self, group, payload, debug):
        return run_group(self.steps, group, self.state, self.fetch(payload), debug=debug)

    def fetch(self, payload):
        """The payload in the driver: a remote one is gathered and gets its dataset back."""
        if not _is_remote(payload):
            return payload
        result = payload.result()
        if result is not SKIPPED:
            result.batch._dataset = self.state.dataset
            if result.records:
                self.debug.extend(result.records)
                result.records = None
        return result

    def close(self):
        self.driver.shutdown(wait=True, cancel_futures=True)
        self.client.cancel([f for f in self.remote if not f.done()])
        self.remote.clear()
        if self.state_worker is not None:
            unregister(self.token)
            self.state_worker.close()
            self.state_worker = None


_ANNOUNCED: set = set()   # the clients whose dashboard link was printed


def _serves_dashboard(dask_scheduler) -> bool:
    """On the scheduler: whether its HTTP server has the dashboard (a Bokeh application), not only its API."""
    applications = getattr(getattr(dask_scheduler, 'http_application', None), 'applications', ())
    return any('Bokeh' in type(application).__name__ for application in applications)


def announce_dashboard(client) -> str | None:
    """Print the Dask dashboard's link of ``client``, once per client; return it (None without a dashboard).

    The scheduler lists an HTTP service even when its dashboard is off
    (``dashboard_address=None``, or no bokeh): the link is printed only when
    the scheduler serves the dashboard pages.
    """
    try:
        services = client.scheduler_info().get('services', {})
        served = 'dashboard' in services and client.run_on_scheduler(_serves_dashboard)
        link = client.dashboard_link if served else None
    except Exception:   # noqa: BLE001 - a client without the information: nothing to show
        return None
    key = getattr(client, 'id', id(client))
    if link and key not in _ANNOUNCED:
        _ANNOUNCED.add(key)
        print(f'dagflow: watch this run in the Dask dashboard at {link}', flush=True)
    return link


def _is_remote(payload) -> bool:
    return hasattr(payload, 'key') and hasattr(payload, 'client') and callable(getattr(payload, 'result', None))


def _settle(done, outer: cf.Future):
    if done.status == 'error':
        outer.set_exception(done.exception())
    elif done.status == 'cancelled':
        outer.set_exception(cf.CancelledError(f'task {done.key} was cancelled'))
    else:
        outer.set_result(done)
