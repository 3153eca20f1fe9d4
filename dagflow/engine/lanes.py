"""Lanes: where the tasks of a run execute.

A lane takes ``(group, payload)`` and returns a :class:`concurrent.futures.Future`
of the next payload.  Pure groups may go to another process; state groups
always run in the driver, where the variables and models live, so the state
is never shipped back and forth.

* ``threads``: pure groups on a pool of ``prefetch + 1`` threads, at most one
  more than the CPU cores (more threads only fight for the cores and each
  keeps its own malloc arena), at a lower priority than the state groups,
  which run on a pool of their own (:class:`ThreadLanes`).
* ``processes``: pure groups on a pool of worker processes (the plan and the
  dataset are sent once per worker, batches travel without them), state
  groups on one driver thread.
* a ``distributed.Client``: pure groups on the cluster, state groups on one
  driver thread (:class:`DistributedLanes`).
"""
from __future__ import annotations

import concurrent.futures as cf
import copy
import multiprocessing
import os
import pickle
import sys
import threading

from ..exceptions import BatchPickleError
from ..runtime.worker import WorkerPipeline
from .lower import SKIPPED, new_token, run_group
from .serial import WORKER, StepTable, run_dataset, step_table

__all__ = ['ThreadLanes', 'ProcessLanes', 'DistributedLanes', 'BatchPickleError', 'strip_batch', 'announce_dashboard']


PURE_NICENESS = 10
"""How much lower the priority of the threads running pure groups is (Linux only, see :class:`ThreadLanes`)."""


class ThreadLanes:
    """State groups on one thread pool, pure groups on another whose threads yield the CPU to it.

    The state steps of successive batches form a serial chain: the run can go
    no faster than that chain, so its steps should never wait for a core
    behind preprocessing of later batches.  On Linux the threads of the pure
    pool lower their own scheduling priority (``nice`` +10 for that thread
    only), so when the cores are busy the kernel gives the state chain its
    core first and preprocessing takes the rest.  Each batch has at most one
    task running, so within a segment the two pools run at most
    ``prefetch + 1`` tasks (each ``rebatch`` segment has a window of its own).

    A thread or process started from a pure step inherits the lower
    priority (Linux), and so does a process-wide pool that a pure step
    happens to start first (OpenMP, OpenCV): start such pools before the run
    if that matters.
    """

    def __init__(self, plan, pipeline, prefetch: int, dataset=None):
        self.plan, self.pipeline, self.dataset = plan, pipeline, run_dataset(pipeline, dataset)
        self.steps = StepTable(plan)
        workers = min(prefetch + 1, (os.cpu_count() or 1) + 1)  # more threads than cores only fight
        self.pure = cf.ThreadPoolExecutor(max_workers=workers, thread_name_prefix='dagflow',
                                          initializer=lower_thread_priority)
        self.state = cf.ThreadPoolExecutor(max_workers=workers, thread_name_prefix='dagflow-state')

    def submit(self, group, payload, debug=None, key=None) -> cf.Future:
        pool = self.pure if group.pure else self.state
        return pool.submit(run_group, self.steps, group, self.pipeline, payload, debug=debug, dataset=self.dataset)

    def fetch(self, payload):
        return payload

    def close(self):
        self.pure.shutdown(wait=True, cancel_futures=True)
        self.state.shutdown(wait=True, cancel_futures=True)


def lower_thread_priority(niceness: int = PURE_NICENESS) -> bool:
    """Lower the scheduling priority of the calling thread only; return whether it was done.

    Linux applies ``setpriority(PRIO_PROCESS, tid)`` to one thread; elsewhere
    the id would name a process, so nothing is done.
    """
    if not sys.platform.startswith('linux'):
        return False
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + niceness))
    except OSError:   # a sandbox that forbids it: run at the normal priority
        return False
    return True


_WORKER: dict = {}  # in a worker process: what the driver sent once (the run's steps, worker pipeline)


def _init_worker(steps, pipeline):
    _WORKER['steps'], _WORKER['pipeline'] = step_table(steps), pipeline
    WORKER.set(f'process {os.getpid()}')


def _send_check(worker_pipeline, dumps, where: str):
    """Raise a clear error when the dataset or config the workers need cannot be pickled."""
    try:
        dumps(worker_pipeline)
    except Exception as exc:
        raise BatchPickleError(
            f'The dataset or the config values that pure steps read cannot be sent to {where}: '
            f'{type(exc).__name__}: {exc}. Keep data that pickles in the dataset and in the config keys those '
            f"steps read, or use scheduler='threads'.", where=where) from exc


def _run_in_worker(group, payload, profile=False):
    pipeline = _WORKER['pipeline']
    if payload is not SKIPPED:
        payload.batch._dataset = pipeline.dataset
    records = [] if profile else None
    result = run_group(_WORKER['steps'], group, pipeline, payload, debug=records)
    if result is not SKIPPED:
        result.batch = strip_batch(result.batch, f"after {group.name!r}", dumps=_stdlib_dumps)
    return result, records


def strip_batch(batch, where: str = '', dumps=None):
    """A copy of ``batch`` without its dataset and run context; with ``dumps``, checked to pickle.

    Raises
    ------
    BatchPickleError
        Naming the component that cannot be pickled and ``where`` in the pipeline it was.
    """
    light = copy.copy(batch)
    light._dataset, light.context = None, None
    if dumps is not None:
        try:
            dumps(light)
        except Exception as exc:
            raise _pickle_error(light, where, exc, dumps) from exc
    return light


def _stdlib_dumps(obj) -> bytes:
    return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)


def _dask_dumps(obj) -> bytes:
    from distributed.protocol.pickle import dumps  # pickles what a user's __main__ defines by value
    return dumps(obj)


def _pickle_error(batch, where, exc, dumps=_stdlib_dumps) -> BatchPickleError:
    for name in getattr(batch, 'components', None) or ():
        try:
            dumps(getattr(batch, name))
        except Exception as inner:
            return BatchPickleError(f'Batch component {name!r} cannot be sent to a worker process ({where}): '
                                    f'{type(inner).__name__}: {inner}. Keep picklable data in batches, or use '
                                    f"scheduler='threads'.", component=name, where=where)
    return BatchPickleError(f'A batch cannot be sent to a worker process ({where}): {type(exc).__name__}: {exc}. '
                            f"Keep picklable data in batches, or use scheduler='threads'.", where=where)


class ProcessLanes:
    """Pure groups on worker processes, state groups on one driver thread."""

    def __init__(self, plan, pipeline, prefetch: int, dataset=None):
        self.plan, self.pipeline, self.steps = plan, pipeline, StepTable(plan)
        self.dataset = run_dataset(pipeline, dataset)
        method = 'fork' if 'fork' in multiprocessing.get_all_start_methods() else 'spawn'
        worker_pipeline = WorkerPipeline.of(pipeline, plan, self.dataset)
        if method != 'fork':   # spawned workers get it pickled; forked ones inherit it
            _send_check(worker_pipeline, _stdlib_dumps, 'worker processes')
        workers = max(1, min(prefetch + 1, os.cpu_count() or 1))
        self.workers = cf.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method),
                                              initializer=_init_worker, initargs=(self.steps, worker_pipeline))
        # Start the workers now, before this run starts threads of its own: a process forked while
        # another thread holds a lock inherits the lock held, forever.
        cf.wait([self.workers.submit(os.getpid) for _ in range(workers)])
        self.driver = cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix='dagflow-state')

    def submit(self, group, payload, debug=None, key=None) -> cf.Future:
        if not group.pure:
            return self.driver.submit(run_group, self.steps, group, self.pipeline, payload, debug=debug,
                                      dataset=self.dataset)
        where = f'before {group.name!r}'
        if payload is not SKIPPED:
            payload = copy.copy(payload)
            payload.batch = strip_batch(payload.batch, where)  # pickled once, by the pool; explained if it fails
        outer: cf.Future = cf.Future()
        outer.set_running_or_notify_cancel()  # it ends when the worker answers; it cannot be cancelled halfway
        inner = self.workers.submit(_run_in_worker, group, payload, debug is not None)
        inner.add_done_callback(lambda done: self._arrived(done, outer, debug, payload, where))
        return outer

    def fetch(self, payload):
        return payload

    def _arrived(self, done: cf.Future, outer: cf.Future, debug, sent, where):
        try:
            result, records = done.result()
        except BaseException as exc:  # noqa: BLE001 - handed to the driver loop
            if sent is not SKIPPED and _failed_to_send(exc):
                exc = _pickle_error(sent.batch, where, exc)
            outer.set_exception(exc)
            return
        if result is not SKIPPED:
            result.batch._dataset = self.dataset
        if debug is not None and records:
            debug.extend(records)
        outer.set_result(result)

    def close(self):
        self.driver.shutdown(wait=True, cancel_futures=True)
        self.workers.shutdown(wait=True, cancel_futures=True)


def _run_on_worker(steps, pipeline, group, payload, profile=False):
    """A pure group on a Dask worker: the run's steps and worker pipeline come scattered, the batch with the task.

    With ``profile``, the step records travel back on the payload.
    """
    if payload is not SKIPPED:
        payload.batch._dataset = pipeline.dataset
    records = [] if profile else None
    token = WORKER.set(_dask_worker_name() if profile else None)
    try:
        result = run_group(steps, group, pipeline, payload, debug=records)
    finally:
        WORKER.reset(token)
    if result is not SKIPPED:
        result.batch = strip_batch(result.batch, f'after {group.name!r}', dumps=_dask_dumps)
        if profile:
            result.records = (result.records or []) + records
    return result


def _dask_worker_name() -> str | None:
    try:
        from distributed import get_worker
        return get_worker().address
    except (ImportError, ValueError):
        return None


def _failed_to_send(exc) -> bool:
    """Whether ``exc`` is the pool failing to pickle a task (not an error raised by a step)."""
    if hasattr(exc, 'dagflow_step') or isinstance(exc, BatchPickleError):
        return False
    return isinstance(exc, pickle.PicklingError) or (
        isinstance(exc, (TypeError, AttributeError)) and 'pickle' in str(exc).lower())


class DistributedLanes:
    """Pure groups on a Dask cluster, state groups on one driver thread.

    The plan and the dataset are scattered to the workers once.  Consecutive
    pure groups of a batch pass it from task to task on the cluster; the batch
    comes back to the driver only for a state step and at the end.  Task keys
    are ``('<actions>-<token>', k)``, so the dashboard shows the pipeline's actions.
    """

    def __init__(self, plan, pipeline, prefetch: int, client, dataset=None):
        self.plan, self.pipeline, self.client, self.steps = plan, pipeline, client, StepTable(plan)
        announce_dashboard(client)
        self.dataset = run_dataset(pipeline, dataset)
        token = new_token()   # the dashboard names what was sent once: dagflow-plan-<token>, dagflow-data-<token>
        self.remote_plan = client.scatter({f'dagflow-plan-{token}': self.steps},   # it travels as the plan
                                          broadcast=True)[f'dagflow-plan-{token}']
        worker_pipeline = WorkerPipeline.of(pipeline, plan, self.dataset)
        _send_check(worker_pipeline, _dask_dumps, "the cluster's workers")
        self.remote_pipeline = client.scatter({f'dagflow-data-{token}': worker_pipeline},
                                              broadcast=True)[f'dagflow-data-{token}']
        self.driver = cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix='dagflow-state')
        self.remote: list = []
        self.debug: list = []   # the run's profile records, when it keeps them

    def submit(self, group, payload, debug=None, key=None) -> cf.Future:
        if not group.pure:
            return self.driver.submit(self._run_here, group, payload, debug)
        if _is_remote(payload):
            argument = payload
        elif payload is SKIPPED:
            argument = payload
        else:
            argument = copy.copy(payload)
            argument.batch = strip_batch(payload.batch, f'before {group.name!r}', dumps=_dask_dumps)
        if debug is not None:
            self.debug = debug
        remote = self.client.submit(_run_on_worker, self.remote_plan, self.remote_pipeline, group, argument,
                                    debug is not None, key=key, pure=False)
        self.remote.append(remote)
        outer: cf.Future = cf.Future()
        outer.set_running_or_notify_cancel()
        remote.add_done_callback(lambda done: _settle(done, outer))
        return outer

    def _run_here(self, group, payload, debug):
        return run_group(self.steps, group, self.pipeline, self.fetch(payload), debug=debug, dataset=self.dataset)

    def fetch(self, payload):
        """The payload in the driver: a remote one is gathered and gets its dataset back."""
        if not _is_remote(payload):
            return payload
        result = payload.result()
        if result is not SKIPPED:
            result.batch._dataset = self.dataset
            if result.records:
                self.debug.extend(result.records)
                result.records = None
        return result

    def close(self):
        self.driver.shutdown(wait=True, cancel_futures=True)
        self.client.cancel([f for f in self.remote if not f.done()])
        self.remote.clear()


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
