"""Choosing where a run's tasks go: the scheduler argument of ``run``/``gen_batch``, checked."""
from __future__ import annotations

import numbers
import re

from ..exceptions import RunArgumentError, suggestion_text
from .lanes import DistributedLane, Lane

__all__ = ['SCHEDULERS', 'check_scheduler', 'check_state_worker', 'is_address', 'is_client']

SCHEDULERS = ('sync', 'threads', 'processes', 'local-cluster')
"""Scheduler names ``run(..., scheduler=...)`` accepts."""


def check_scheduler(prefetch, scheduler) -> tuple[int, object]:
    """Validate ``prefetch`` and ``scheduler``; return them with the default scheduler filled in.

    A scheduler is a name of :data:`SCHEDULERS`, a ``distributed.Client``, a
    scheduler address or a :class:`~dagflow.engine.lanes.Lane` object.

    Examples
    --------
    >>> check_scheduler(0, None), check_scheduler(2, None)
    ((0, 'sync'), (2, 'threads'))
    >>> check_scheduler(1, 'thread')  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dagflow.exceptions.RunArgumentError: Unknown scheduler 'thread': use one of 'sync', 'threads', 'processes'...
    """
    if not isinstance(prefetch, numbers.Integral) or isinstance(prefetch, bool) or prefetch < 0:
        raise RunArgumentError(f'prefetch must be a non-negative integer (batches processed ahead), '
                               f'got {prefetch!r}.', name='prefetch', value=prefetch)
    if scheduler is None:
        return int(prefetch), 'sync' if prefetch == 0 else 'threads'
    if isinstance(scheduler, str) and scheduler in SCHEDULERS or is_client(scheduler) or is_address(scheduler) \
            or isinstance(scheduler, Lane):
        return int(prefetch), scheduler
    hint = suggestion_text(scheduler, SCHEDULERS) if isinstance(scheduler, str) else ''
    raise RunArgumentError(f'Unknown scheduler {scheduler!r}: use one of ' + ', '.join(map(repr, SCHEDULERS))
                           + ', a distributed.Client, a scheduler address (tcp://host:8786) or a '
                           + 'dagflow.engine.Lane'
                           + f'.{hint}', name='scheduler', value=scheduler)


def check_state_worker(scheduler, state_worker) -> None:
    """Raise :class:`~dagflow.exceptions.RunArgumentError` when ``state_worker`` cannot go with ``scheduler``.

    ``state_worker`` (a worker's address or name: where the run's state
    lives) needs a cluster: a ``distributed.Client``, a scheduler address or
    ``'local-cluster'``; a :class:`~dagflow.engine.lanes.DistributedLane`
    object takes it as its own argument.  Whether the cluster has that
    worker is checked when the run starts.

    Examples
    --------
    >>> check_state_worker('tcp://10.0.0.5:8786', 'tcp://10.0.0.7:40123')
    >>> check_state_worker('threads', 'tcp://10.0.0.7:40123')  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dagflow.exceptions.RunArgumentError: state_worker='tcp://10.0.0.7:40123' needs a Dask cluster as the scheduler...
    """
    if state_worker is None:
        return
    if isinstance(state_worker, bool) or not isinstance(state_worker, (str, numbers.Integral)):
        raise RunArgumentError(f'state_worker must be the address (or the name) of a worker of the cluster, such '
                               f"as 'tcp://10.0.0.7:40123', got {state_worker!r}.", name='state_worker',
                               value=state_worker)
    if isinstance(scheduler, DistributedLane):
        if scheduler.state_at is not None and scheduler.state_at == state_worker:
            return
        raise RunArgumentError(f'state_worker={state_worker!r} goes to the lane when the scheduler is a '
                               f'{type(scheduler).__name__} object: give {type(scheduler).__name__}(..., '
                               f'state_worker={state_worker!r}) and leave it out of run().', name='state_worker',
                               value=state_worker)
    if isinstance(scheduler, str) and scheduler == 'local-cluster' or is_client(scheduler) or is_address(scheduler):
        return
    raise RunArgumentError(f'state_worker={state_worker!r} needs a Dask cluster as the scheduler (a '
                           f"distributed.Client, a scheduler address or 'local-cluster'), got scheduler="
                           f'{scheduler!r}: the state can only move to a worker of a cluster. Give the cluster as '
                           f'scheduler=, or leave state_worker out.', name='state_worker', value=state_worker)


def is_client(scheduler) -> bool:
    """Whether ``scheduler`` is a ``distributed.Client`` (duck-typed: submit, scatter, gather)."""
    return all(callable(getattr(scheduler, name, None)) for name in ('submit', 'scatter', 'gather'))


def is_address(scheduler) -> bool:
    """Whether ``scheduler`` is a Dask scheduler address such as ``'tcp://10.0.0.5:8786'`` or ``'host:8786'``.

    Examples
    --------
    >>> is_address('tcp://127.0.0.1:8786'), is_address('localhost:8786'), is_address('threads')
    (True, True, False)
    """
    return isinstance(scheduler, str) and (
        '://' in scheduler or re.fullmatch(r'[\w.\-]+:\d+', scheduler) is not None)
