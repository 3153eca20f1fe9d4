"""The ``processes`` lane: pure groups on worker processes, state groups on one driver thread.

The plan and the worker-side state (:class:`~dagflow.runtime.worker.WorkerPipeline`: the
dataset and the config values pure steps read) are sent once per worker; batches travel
without them.  Forked workers inherit the plan and import what the driver imported;
spawned ones (where the platform cannot fork) get everything :class:`~.by_value.Shipped`,
the user's code by value, as a cluster does.
"""
from __future__ import annotations

import concurrent.futures as cf
import copy
import multiprocessing
import os

from ...exceptions import WorkerLoadError, attach_step_info
from ...runtime.worker import WorkerPipeline
from ..lower import SKIPPED, run_group
from ..serial import WORKER, step_table
from .base import Lane
from .by_value import Shipped, _Raised, ship, ship_payload
from .shipping import failed_to_send, pickle_error, stdlib_dumps, strip_batch

__all__ = ['ProcessLane']


_WORKER: dict = {}  # in a worker process: what the driver sent once (the run's steps), and the state there


def _init_worker(steps, worker):
    """Keep what the driver sent; spawned workers get it :class:`~.by_value.Shipped`, loaded by the first task."""
    _WORKER['sent'] = (steps, worker)
    _WORKER.pop('steps', None)
    WORKER.set(f'process {os.getpid()}')


def _loaded(group, number):
    if 'steps' not in _WORKER:
        steps, worker = (_load(value, group, number) for value in _WORKER['sent'])
        _WORKER['steps'], _WORKER['state'] = step_table(steps), worker.run_state()
    return _WORKER['steps'], _WORKER['state']


def _load(value, group, number):
    if not isinstance(value, Shipped):
        return value
    try:
        return value.load(f'what the steps {group.name!r} need', f'process {os.getpid()}')
    except WorkerLoadError as exc:
        raise attach_step_info(exc, step=repr(group.name), batch=number) from exc.__cause__


def _run_in_worker(group, payload, profile=False, number=None):
    if not isinstance(payload, Shipped):
        return _run_here(group, payload, profile, number, False)
    try:
        return _run_here(group, payload, profile, number, True)
    except Exception as exc:   # its class may be the user's, defined by value here: it travels Shipped too
        raise _Raised.of(exc) from None


def _run_here(group, payload, profile, number, by_value):
    payload = _load(payload, group, number)
    steps, state = _loaded(group, number)
    if payload is not SKIPPED:
        payload.batch._dataset = state.dataset
    records = [] if profile else None
    result = run_group(steps, group, state, payload, debug=records)
    if result is not SKIPPED:
        where = f"after {group.name!r}"
        result.batch = strip_batch(result.batch, where, dumps=None if by_value else stdlib_dumps)
        if by_value:
            result = ship_payload(result, (), {}, where)
    return result, records


class ProcessLane(Lane):
    """Pure groups on worker processes, state groups on one driver thread."""

    def start(self, steps, state, prefetch: int) -> ProcessLane:
        super().start(steps, state, prefetch)
        method = 'fork' if 'fork' in multiprocessing.get_all_start_methods() else 'spawn'
        worker_pipeline = WorkerPipeline.of(state, steps.plan)
        sent, self.modules, self.uses, self.definitions = self.steps, None, {}, {}
        if method != 'fork':   # spawned workers get it pickled, the user's code by value; forked ones inherit it
            sent, worker_pipeline, self.modules, self.uses = ship(sent.pure(), worker_pipeline, self.definitions,
                                                                 'worker processes')
        workers = max(1, min(prefetch + 1, os.cpu_count() or 1))
        self.workers = cf.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method),
                                              initializer=_init_worker, initargs=(sent, worker_pipeline))
        # Start the workers now, before this run starts threads of its own: a process forked while
        # another thread holds a lock inherits the lock held, forever.
        cf.wait([self.workers.submit(os.getpid) for _ in range(workers)])
        self.driver = cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix='dagflow-state')
        return self

    def submit(self, group, payload, debug=None, key=None) -> cf.Future:
        if not group.pure:
            return self.driver.submit(run_group, self.steps, group, self.state, payload, debug=debug)
        where = f'before {group.name!r}'
        number = getattr(payload, 'number', None)
        if payload is not SKIPPED:
            payload = copy.copy(payload)
            payload.batch = strip_batch(payload.batch, where)  # pickled once, by the pool; explained if it fails
            if self.modules is not None:
                payload = ship_payload(payload, self.modules, self.uses, where, self.definitions)
        outer: cf.Future = cf.Future()
        outer.set_running_or_notify_cancel()  # it ends when the worker answers; it cannot be cancelled halfway
        inner = self.workers.submit(_run_in_worker, group, payload, debug is not None, number)
        inner.add_done_callback(lambda done: self._arrived(done, outer, debug, payload, where))
        return outer

    def _arrived(self, done: cf.Future, outer: cf.Future, debug, sent, where):
        try:
            result, records = done.result()
        except BaseException as exc:  # noqa: BLE001 - handed to the driver loop
            if isinstance(exc, _Raised):
                exc = exc.original()
            if sent is not SKIPPED and not isinstance(sent, Shipped) and failed_to_send(exc):
                exc = pickle_error(sent.batch, where, exc)
            outer.set_exception(exc)
            return
        if isinstance(result, Shipped):
            result = result.load('a batch a worker process sent back')
        if result is not SKIPPED:
            result.batch._dataset = self.state.dataset
        if debug is not None and records:
            debug.extend(records)
        outer.set_result(result)

    def close(self):
        self.driver.shutdown(wait=True, cancel_futures=True)
        self.workers.shutdown(wait=True, cancel_futures=True)
