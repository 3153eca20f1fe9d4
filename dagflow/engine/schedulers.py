"""Choosing where a run's tasks go: the scheduler argument of ``run``/``gen_batch``."""
from __future__ import annotations

import numbers
from collections.abc import Iterable, Iterator

from ..exceptions import RunArgumentError, suggestion_text
from .parallel import execute_parallel
from .serial import execute_plan

__all__ = ['SCHEDULERS', 'check_scheduler', 'execute']

SCHEDULERS = ('sync', 'threads', 'processes')
"""Scheduler names ``run(..., scheduler=...)`` accepts."""


def check_scheduler(prefetch, scheduler) -> tuple[int, str]:
    """Validate ``prefetch`` and ``scheduler``; return them with the default scheduler filled in.

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
    if scheduler in SCHEDULERS:
        return int(prefetch), scheduler
    hint = suggestion_text(scheduler, SCHEDULERS) if isinstance(scheduler, str) else ''
    raise RunArgumentError(f'Unknown scheduler {scheduler!r}: use one of ' + ', '.join(map(repr, SCHEDULERS))
                           + f'.{hint}', name='scheduler', value=scheduler)


def execute(plan, pipeline, batches: Iterable, *, seed: int, total: int | None = None, debug: list | None = None,
            prefetch: int = 0, scheduler: str = 'sync') -> Iterator:
    """Run ``plan`` over ``batches`` on ``scheduler``; yield the finished batches in order."""
    if scheduler == 'sync':
        return execute_plan(plan, pipeline, batches, seed=seed, total=total, debug=debug)
    return execute_parallel(plan, pipeline, batches, seed=seed, prefetch=prefetch, total=total, debug=debug,
                            scheduler=scheduler)
