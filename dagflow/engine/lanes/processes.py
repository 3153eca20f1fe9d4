"""The ``processes`` lane: pure groups on worker processes, state groups on one driver thread.

The plan and the worker-side state (:class:`~dagflow.runtime.worker.WorkerPipeline`: the
dataset and the config values pure steps read) are sent once per worker; batches travel
without them.
"""
from __future__ import annotations

import concurrent.futures as cf
import copy
import multiprocessing
import os

from ...runtime.worker import WorkerPipeline
from ..lower import SKIPPED, run_group
from ..serial import WORKER, step_table
from .base import Lane
from .shipping import failed_to_send, pickle_error, send_check, stdlib_dumps, strip_batch

__all__ = ['ProcessLane']


_WORKER: dict = {}  # in a worker process: what the driver sent once (the run's steps), and the state there


def _init_worker(steps, worker: WorkerPipeline):
    _WORKER['steps'], _WORKER['state'] = step_table(steps), worker.run_state()
    WORKER.set(f'process {os.getpid()}')


def _run_in_worker(group, payload, profile=False):
    state = _WORKER['state']
    if payload is not SKIPPED:
        payload.batch._dataset = state.dataset
    records = [] if profile else None
    result = run_group(_WORKER['steps'], group, state, payload, debug=records)
    if result is not SKIPPED:
        result.batch = strip_batch(result.batch, f"after {group.name!r}", dumps=stdlib_dumps)
    return result, records


class ProcessLane(Lane):
    """Pure groups on worker processes, state groups on one driver thread."""

    def start(self, steps, state, prefetch: int) -> ProcessLane:
        super().start(steps, state, prefetch)
        method = 'fork' if 'fork' in multiprocessing.get_all_start_methods() else 'spawn'
        worker_pipeline = WorkerPipeline.of(state, steps.plan)
        if method != 'fork':   # spawned workers get it pickled; forked ones inherit it
            send_check(worker_pipeline, stdlib_dumps, 'worker processes')
        workers = max(1, min(prefetch + 1, os.cpu_count() or 1))
        self.workers = cf.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method),
                                              initializer=_init_worker, initargs=(self.steps, worker_pipeline))
        # Start the workers now, before this run starts threads of its own: a process forked while
        # another thread holds a lock inherits the lock held, forever.
        cf.wait([self.workers.submit(os.getpid) for _ in range(workers)])
        self.driver = cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix='dagflow-state')
        return self

    def submit(self, group, payload, debug=None, key=None) -> cf.Future:
        if not group.pure:
            return self.driver.submit(run_group, self.steps, group, self.state, payload, debug=debug)
        where = f'before {group.name!r}'
        if payload is not SKIPPED:
            payload = copy.copy(payload)
            payload.batch = strip_batch(payload.batch, where)  # pickled once, by the pool; explained if it fails
        outer: cf.Future = cf.Future()
        outer.set_running_or_notify_cancel()  # it ends when the worker answers; it cannot be cancelled halfway
        inner = self.workers.submit(_run_in_worker, group, payload, debug is not None)
        inner.add_done_callback(lambda done: self._arrived(done, outer, debug, payload, where))
        return outer

    def _arrived(self, done: cf.Future, outer: cf.Future, debug, sent, where):
        try:
            result, records = done.result()
        except BaseException as exc:  # noqa: BLE001 - handed to the driver loop
            if sent is not SKIPPED and failed_to_send(exc):
                exc = pickle_error(sent.batch, where, exc)
            outer.set_exception(exc)
            return
        if result is not SKIPPED:
            result.batch._dataset = self.state.dataset
        if debug is not None and records:
            debug.extend(records)
        outer.set_result(result)

    def close(self):
        self.driver.shutdown(wait=True, cancel_futures=True)
        self.workers.shutdown(wait=True, cancel_futures=True)
