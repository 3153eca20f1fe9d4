"""The lanes of a run's timeline: which row of a profile goes where, named for what runs there.

A profile's ``worker`` column says where a step ran, in the engine's words:
``MainThread`` (the driver), ``dagflow-state_0`` (a driver thread running
state steps), ``dagflow_3`` (a thread of the pool running pure steps),
``process 1234`` (a worker process) or a Dask worker's address
(``tcp://127.0.0.1:40123``).  A timeline shows one lane per place where pure
steps ran, named ``pure steps: thread 1``, ``pure steps: process 1234`` or
``pure steps: worker 127.0.0.1:40123``, then the lane of the state steps,
``state steps (driver)``: every driver thread that ran state steps, the
``before`` and ``after`` sections included, is one lane, because state steps
run one at a time in batch order whichever thread picks them up.  No lane is
empty.  Nothing here draws: the functions take a profile and return labels.

Examples
--------
>>> import pandas as pd
>>> profile = pd.DataFrame({'section': ['before', 'main', 'main', 'main'], 'position': [0, 0, 0, 1],
...                         'step': ['print', 'load', 'load', 'train'], 'batch': [None, 0, 1, 0],
...                         'worker': ['MainThread', 'dagflow_1', 'dagflow_0', 'dagflow-state_2'],
...                         'start': [0.0, 0.1, 0.1, 0.5], 'end': [0.1, 0.5, 0.6, 0.9]})
>>> labels, order = lane_labels(profile)
>>> list(labels)
['state steps (driver)', 'pure steps: thread 2', 'pure steps: thread 1', 'state steps (driver)']
>>> order
['pure steps: thread 1', 'pure steps: thread 2', 'state steps (driver)']
"""
from __future__ import annotations

import re

import numpy as np

__all__ = ['DRIVER_LANE', 'lane_labels', 'place_name', 'tracks', 'worker_order']

#: The lane of the state steps run by the driver (and of the ``before`` and ``after`` sections).
DRIVER_LANE = 'state steps (driver)'
_STATE_THREAD = 'dagflow-state'   # the thread-name prefix of the driver's state threads (dagflow.engine.lanes)
_POOL_THREAD = re.compile(r'dagflow_(\d+)$')   # a thread of the threads lane's pure pool


def place_name(worker) -> str:
    """A profile's ``worker`` as a reader names it: ``driver``, ``thread 1``, ``process 1234``, ``worker HOST:PORT``.

    The threads of the pure pool count from 1; a Dask worker's address loses
    its ``tcp://`` (other protocols stay); any other name is kept.

    Examples
    --------
    >>> [place_name(w) for w in ['MainThread', 'dagflow-state_0', 'dagflow_0', 'process 77', 'tcp://10.0.0.2:8786']]
    ['driver', 'driver', 'thread 1', 'process 77', 'worker 10.0.0.2:8786']
    """
    worker = str(worker)
    if worker == 'MainThread' or worker.startswith(_STATE_THREAD):
        return 'driver'
    thread = _POOL_THREAD.match(worker)
    if thread:
        return f'thread {int(thread.group(1)) + 1}'
    if '://' in worker:
        return 'worker ' + worker.removeprefix('tcp://')
    return worker


def lane_labels(profile, plan=None) -> tuple:
    """Each row's lane, and the lanes top to bottom: the pure lanes, then the state lanes.

    A row is a state step when the ``plan`` says so (``plan.nodes[node]['pure']``
    is false), when it belongs to the ``before`` or ``after`` section, or, with
    no plan, when it ran on a driver state thread.  State steps that ran in
    the driver share one lane, :data:`DRIVER_LANE`; a serial run's pure steps
    are ``pure steps (driver)``.  With no plan, a serial run's main steps
    cannot be told apart and are ``steps (driver)``.

    Parameters
    ----------
    profile : pandas.DataFrame
        A profile (``section``, ``position``, ``worker`` are read).
    plan : Plan, optional
        The compiled pipeline, to tell pure from state steps.

    Returns
    -------
    labels : numpy.ndarray
        One lane label per row of ``profile``.
    order : list of str
        The lanes, top to bottom: pure lanes in their natural order
        (:func:`worker_order`), then the state lanes, the driver's first.
    """
    labels, keys = [], {}
    for section, position, worker in zip(profile['section'], profile['position'], profile['worker']):
        place = place_name(worker)
        state = _is_state(section, position, worker, plan)
        if state is None:   # a main step on the main thread, and no plan to say which kind
            label, key = f'steps ({place})', (1, 0, '')
        elif place == 'driver':
            label, key = (DRIVER_LANE, (2, 0, '')) if state else (f'pure steps ({place})', (0, 0, ''))
        else:
            kind = 'state' if state else 'pure'
            label, key = f'{kind} steps: {place}', (2 if state else 0, 1, str(worker))
        labels.append(label)
        keys.setdefault(label, key)
    natural = {worker: i for i, worker in enumerate(worker_order(key[2] for key in keys.values()))}
    order = sorted(keys, key=lambda label: (keys[label][:2], natural[keys[label][2]]))
    return np.array(labels, dtype=object), order


def _is_state(section, position, worker, plan) -> bool | None:
    if section != 'main':
        return True
    if plan is not None and plan.has_node((section, int(position))):
        return not plan.nodes[(section, int(position))]['pure']
    if str(worker).startswith(_STATE_THREAD):
        return True
    return None if str(worker) == 'MainThread' else False


def worker_order(workers) -> list:
    """Worker names without repeats, in their natural order: ``dagflow_2`` before ``dagflow_10``.

    The driver's main thread comes first and its state threads last, so a
    pool's threads read as a block.

    Examples
    --------
    >>> worker_order(['MainThread', 'dagflow-state_0', 'dagflow_0', 'dagflow-state_1', 'dagflow_10', 'dagflow_2'])
    ['MainThread', 'dagflow_0', 'dagflow_2', 'dagflow_10', 'dagflow-state_0', 'dagflow-state_1']
    """
    def key(worker: str):
        group = 0 if worker == 'MainThread' else 2 if worker.startswith(_STATE_THREAD) else 1
        parts = re.split(r'(\d+)', worker)
        return group, [(0, int(part), '') if part.isdigit() else (1, 0, part) for part in parts]
    return sorted(dict.fromkeys(str(worker) for worker in workers), key=key)


def tracks(starts, ends) -> tuple:
    """Share a lane between bars that overlap in time: each bar's track, and how many tracks there are.

    Bars that never overlap (one thread's steps) all get track 0.  Bars
    that do (state steps that only read, running side by side; a Dask
    worker with several threads) go to the first track free at their start.

    Examples
    --------
    >>> tracks([0.0, 1.0, 1.5, 3.0], [1.0, 2.0, 2.5, 4.0])
    ([0, 0, 1, 0], 2)
    """
    track_ends: list = []
    assigned = [0] * len(starts)
    for i in sorted(range(len(starts)), key=lambda i: (starts[i], ends[i])):
        free = next((t for t, end in enumerate(track_ends) if end <= starts[i] + 1e-9), None)
        if free is None:
            free = len(track_ends)
            track_ends.append(ends[i])
        track_ends[free] = ends[i]
        assigned[i] = free
    return assigned, max(len(track_ends), 1)
