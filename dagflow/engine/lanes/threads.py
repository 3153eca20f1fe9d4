"""The ``threads`` lane: pure groups on a pool of low-priority threads, state groups on a pool of their own."""
from __future__ import annotations

import concurrent.futures as cf
import os
import sys
import threading

from ..lower import run_group
from .base import Lane

__all__ = ['lower_process_priority', 'PURE_NICENESS', 'ThreadLane', 'lower_thread_priority']


PURE_NICENESS = 10
"""How much lower the priority of the threads running pure groups is (Linux only, see :class:`ThreadLane`)."""


class ThreadLane(Lane):
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

    def start(self, steps, state, prefetch: int) -> ThreadLane:
        super().start(steps, state, prefetch)
        workers = min(prefetch + 1, (os.cpu_count() or 1) + 1)  # more threads than cores only fight
        self.pure_pool = cf.ThreadPoolExecutor(max_workers=workers, thread_name_prefix='dagflow',
                                          initializer=lower_thread_priority)
        self.state_pool = cf.ThreadPoolExecutor(max_workers=workers, thread_name_prefix='dagflow-state')
        return self

    def submit(self, group, payload, debug=None, key=None) -> cf.Future:
        pool = self.pure_pool if group.pure else self.state_pool
        return pool.submit(run_group, self.steps, group, self.state, payload, debug=debug)

    def close(self):
        self.pure_pool.shutdown(wait=True, cancel_futures=True)
        self.state_pool.shutdown(wait=True, cancel_futures=True)


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


def lower_process_priority(niceness: int = PURE_NICENESS) -> bool:
    """Lower the scheduling priority of every thread of this process (threads it starts later inherit it).

    Linux keeps a priority per thread, so each thread listed in
    ``/proc/self/task`` is lowered; elsewhere nothing is done.
    """
    if not sys.platform.startswith('linux'):
        return False
    try:
        for tid in map(int, os.listdir('/proc/self/task')):
            os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + niceness))
    except OSError:   # a sandbox that forbids it, or a thread that ended meanwhile: as far as it got
        return False
    return True
