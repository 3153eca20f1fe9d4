"""Before a cluster run: connecting to a scheduler address, and trying on one worker what the run will send it.

:func:`connect` gives a ``distributed.Client`` of an address, or a
:class:`~dagflow.exceptions.RunArgumentError` within :data:`CONNECT_TIMEOUT`
seconds when nothing answers there.  :func:`probe_workers` sends one worker
what a run sends -- each pure step, the dataset and config those steps read, a
sample batch -- as the run sends them (:func:`~dagflow.engine.lanes.by_value.ship`),
loads them there, and returns what could not be loaded, step by step.
``dagflow check --scheduler ADDRESS`` reports it.
"""
from __future__ import annotations

from ...exceptions import RunArgumentError, WorkerLoadError
from ...runtime.worker import WorkerPipeline
from ..serial import StepTable
from .by_value import Shipped, references, user_modules_of
from .shipping import strip_batch

__all__ = ['CONNECT_TIMEOUT', 'connect', 'probe_workers']

CONNECT_TIMEOUT = 5
"""Seconds a run (or ``dagflow check``) waits for a scheduler address to answer."""


def connect(address: str, timeout: float = CONNECT_TIMEOUT):
    """A ``distributed.Client`` of the scheduler at ``address``.

    Raises
    ------
    RunArgumentError
        When no scheduler answers at ``address`` within ``timeout`` seconds.
    """
    from distributed import Client
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise RunArgumentError(f'No Dask scheduler answered at {address!r} within {timeout:g} s ({type(exc).__name__}: '
                               f'{exc}). Check the address and that the scheduler runs (`dask scheduler`), or use '
                               f"scheduler='threads'.", name='scheduler', value=address) from None


def probe_workers(client, plan, state, batch=None) -> list[tuple]:
    """Load on one worker what a run of ``plan`` sends there; ``[(node or None, message)]`` of what failed.

    ``node`` is the pure step that could not be loaded (None for the dataset,
    config or the sample ``batch``); the message names the module the worker
    lacks and what of it the step uses.
    """
    steps = StepTable(plan)
    pure = [node for node in plan.nodes if plan.nodes[node]['pure'] and node[0] == 'main']
    items = [(node, steps.plan.nodes[node]['step']) for node in pure]
    items.append((None, WorkerPipeline.of(state, plan)))
    if batch is not None:
        items.append(('batch', strip_batch(batch)))
    uses = references(*(value for _, value in items))
    modules, definitions = user_modules_of(uses), {}
    shipped = [(node, Shipped(value, modules, references(value), definitions)) for node, value in items]
    workers = list(client.scheduler_info().get('workers', {}))
    if not workers:
        return [(None, f'the scheduler at {client.scheduler.address} has no workers yet; start some '
                       f'(`dask worker {client.scheduler.address}`) and check again')]
    future = client.submit(_load_all, shipped, [_label(steps, node) for node, _ in shipped], workers=workers[:1],
                           allow_other_workers=False, pure=False)
    try:
        failures = future.result()
    finally:
        future.release()
    return [(node if node != 'batch' else None, message) for node, message in zip([n for n, _ in shipped], failures)
            if message is not None]


def _label(steps, node) -> str:
    if node is None:
        return 'the dataset and the config values the pure steps read'
    if node == 'batch':
        return 'a batch of the dataset'
    return f'step {steps[node][1]}'


def _load_all(shipped, labels) -> list:
    """On a worker: the message of each value that fails to load (None for those that load)."""
    from .distributed import _dask_worker_name
    worker = _dask_worker_name()
    messages = []
    for (_, value), label in zip(shipped, labels):
        try:
            value.load(label, worker)
            messages.append(None)
        except WorkerLoadError as exc:
            messages.append(str(exc))
    return messages
