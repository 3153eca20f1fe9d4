"""Choosing where a run's tasks go: the scheduler argument of ``run``/``gen_batch``, checked."""
from __future__ import annotations

import numbers
import re

from ..exceptions import RunArgumentError, suggestion_text
from .lanes import Lane

__all__ = ['SCHEDULERS', 'check_scheduler', 'is_address', 'is_client']

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
