"""Choosing where a run's tasks go: the scheduler argument of ``run``/``gen_batch``."""
from __future__ import annotations

import numbers
import re
from collections.abc import Iterable, Iterator

from ..exceptions import RunArgumentError, suggestion_text
from .parallel import execute_parallel
from .serial import execute_plan

__all__ = ['SCHEDULERS', 'check_scheduler', 'execute', 'is_address', 'is_client']

SCHEDULERS = ('sync', 'threads', 'processes')
"""Scheduler names ``run(..., scheduler=...)`` accepts."""


def check_scheduler(prefetch, scheduler) -> tuple[int, object]:
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
    if isinstance(scheduler, str) and scheduler in SCHEDULERS or is_client(scheduler) or is_address(scheduler):
        return int(prefetch), scheduler
    hint = suggestion_text(scheduler, SCHEDULERS) if isinstance(scheduler, str) else ''
    raise RunArgumentError(f'Unknown scheduler {scheduler!r}: use one of ' + ', '.join(map(repr, SCHEDULERS))
                           + ', a distributed.Client or a scheduler address (tcp://host:8786)'
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


def execute(plan, pipeline, batches: Iterable, *, seed: int, total: int | None = None, debug: list | None = None,
            prefetch: int = 0, scheduler='sync', dataset=None) -> Iterator:
    """Run ``plan`` over ``batches`` on ``scheduler``; yield the finished batches in order.

    ``dataset`` is the run's, resolved by the caller when the run starts (default: ``pipeline.dataset``).
    """
    if scheduler == 'sync':
        return execute_plan(plan, pipeline, batches, seed=seed, total=total, debug=debug, dataset=dataset)
    if is_address(scheduler):
        return _with_client(scheduler, plan, pipeline, batches, seed=seed, prefetch=prefetch, total=total,
                            debug=debug, dataset=dataset)
    return execute_parallel(plan, pipeline, batches, seed=seed, prefetch=prefetch, total=total, debug=debug,
                            scheduler=scheduler, dataset=dataset)


def _with_client(address: str, plan, pipeline, batches, **kwargs) -> Iterator:
    """Connect to the scheduler at ``address`` for the run, and disconnect after it."""
    from distributed import Client
    with Client(address) as client:
        yield from execute_parallel(plan, pipeline, batches, scheduler=client, **kwargs)
