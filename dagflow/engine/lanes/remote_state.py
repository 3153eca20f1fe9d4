"""The state of a cluster run on a worker of the user's choice: ``run(..., state_worker=ADDRESS)``.

By default a run on a ``distributed.Client`` keeps its variables and models
in the driver process (:mod:`~dagflow.engine.lanes.state_worker`).  With
``state_worker=ADDRESS`` (an address or a name of one of the cluster's
workers, e.g. the one with the GPU) the run's state moves there instead:

* when the run starts, its steps and its :class:`~dagflow.runtime.RunState`
  (variables, models, config, the dataset the state steps read, and the
  pipeline the steps see as theirs) go to that worker by value, in one task
  pinned to it (:func:`_install`), and are registered there under the run's
  token (:data:`~dagflow.engine.lanes.state_worker.RUNS`; locks do not
  pickle: the worker makes its own of the same names);
* every state group is a Dask task pinned to it (``workers=[address]``,
  ``allow_other_workers=False``): the state steps run where the state is;
  pure groups go to the other workers when there are any;
* when the run ends -- normally, stopped, failed or interrupted -- the
  variables, the models and the config come back into the driver's state
  (:func:`_withdraw`, then :func:`restore`), and the worker forgets the run.
  So ``pipeline.v(...)``/``pipeline.m(...)`` show the values of the serial
  run afterwards, and the ``after`` steps see them.  *During* the run the
  driver's copy is stale (a progress bar's monitors show the values of the
  run's start).

The scheduler tells the driver when the worker leaves (an event on the
worker's topic): the run then fails at once with
:class:`~dagflow.exceptions.StateWorkerLost`, naming the last batch whose
state steps finished, and its tasks are cancelled -- tasks pinned to a worker
that is gone would otherwise wait forever.

Examples
--------
>>> resolve_worker({'tcp://10.0.0.5:4001': {'name': 0}, 'tcp://10.0.0.6:4001': {'name': 'gpu'}}, 'gpu')
'tcp://10.0.0.6:4001'
>>> resolve_worker({'tcp://10.0.0.5:4001': {'name': 0}}, 'tcp://10.0.0.9:4001')  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
dagflow.exceptions.RunArgumentError: state_worker='tcp://10.0.0.9:4001' is not a worker of this cluster...
"""
from __future__ import annotations

import concurrent.futures as cf
import itertools
import threading
import weakref

from ...exceptions import BatchPickleError, RunArgumentError, StateWorkerLost
from .by_value import Shipped, _arrived, references, user_modules_of
from .state_worker import RUNS, register, unregister

__all__ = ['RemoteState', 'resolve_worker', 'restore']


def resolve_worker(workers: dict, wanted) -> str:
    """The address of the worker ``wanted`` (its address, or its name) among ``workers`` (the scheduler's info).

    Raises
    ------
    RunArgumentError
        When no worker has that address or name: the message lists the workers there are.
    """
    if isinstance(wanted, str) and wanted in workers:
        return wanted
    named = [address for address, info in workers.items() if info.get('name') == wanted]
    if len(named) == 1:
        return named[0]
    listing = ', '.join(f"{address} (name {info.get('name')!r})" for address, info in sorted(workers.items())) \
        or 'none'
    raise RunArgumentError(f'state_worker={wanted!r} is not a worker of this cluster: its workers are {listing}. '
                           f'Give the address (or the name) of one of them, e.g. the one with the GPU, or leave '
                           f'state_worker out to keep the state in this process.', name='state_worker', value=wanted)


_RUNNING: dict[str, int] = {}   # token -> state tasks of the run running in this process
_IDLE = threading.Condition()


def _install(token: str, shipped: Shipped) -> None:
    """On the state worker: load the run's steps and state (a copy of its own, even in the driver's process)."""
    fresh = _arrived(shipped.data, shipped.buffers, shipped.uses)   # never the driver's objects themselves
    steps, state = fresh.load("the run's steps and state", _worker_address())
    register(token, steps, state)


def _counted(function, token: str, *args):
    """On the state worker: ``function(token, *args)`` (a state group), counted, so :func:`_withdraw` waits for it."""
    with _IDLE:
        _RUNNING[token] = _RUNNING.get(token, 0) + 1
    try:
        return function(token, *args)
    finally:
        with _IDLE:
            _RUNNING[token] -= 1
            if not _RUNNING[token]:
                del _RUNNING[token]
            _IDLE.notify_all()


def _withdraw(token: str) -> Shipped | None:
    """On the state worker: forget the run; its variables, models and config, ready to travel (None: not there).

    A state task still running (cancelled when the run was interrupted: a
    thread cannot be stopped) finishes first, so what comes back is whole.
    """
    with _IDLE:
        _IDLE.wait_for(lambda: token not in _RUNNING)
        entry = RUNS.get(token)
        unregister(token)
    if entry is None:
        return None
    state = entry[1]
    variables = state.variables.values if state.variables is not None else None
    models = dict(state.models.instances) if state.models is not None else None
    return Shipped((variables, models, state.config))


def _worker_address() -> str | None:
    try:
        from distributed import get_worker
        return get_worker().address
    except (ImportError, ValueError):
        return None


def restore(state, variables, models, config) -> None:
    """Put what the state worker sends back into the driver's ``state``.

    Variables take the worker's values.  A model the driver had (of the same
    class) is updated in place, so pipelines that share a static model, and
    references the user kept, see it trained; a new one is added, one the
    worker dropped is dropped.  The config is updated in place when it changed.
    """
    if variables is not None and state.variables is not None:
        state.variables.values = variables
    if models is not None and state.models is not None:
        instances = state.models.instances
        for name in [name for name in instances if name not in models]:
            del instances[name]
        for name, model in models.items():
            old = instances.get(name)
            if old is not None and old is not model and type(old) is type(model) and hasattr(old, '__dict__') \
                    and not hasattr(type(old), '__slots__'):
                vars(old).clear()
                vars(old).update(vars(model))
            else:
                instances[name] = model
    if config is not None and state.config is not None and config is not state.config:
        here, there = (getattr(value, 'config', value) for value in (state.config, config))
        if hasattr(here, 'clear') and here != there:
            here.clear()
            here.update(there)


class RemoteState:
    """The state of one run on a chosen worker: sends it there, pins the state tasks to it, brings it back.

    Parameters
    ----------
    client : distributed.Client
        The run's client.
    wanted : str or object
        The worker's address or name (``run(..., state_worker=...)``).
    """

    def __init__(self, client, wanted):
        self.client, self.wanted = client, wanted
        self.address = resolve_worker(client.scheduler_info()['workers'], wanted)
        self.error: StateWorkerLost | None = None
        self.futures = weakref.WeakValueDictionary()   # number -> each Dask future of the run, to cancel on a loss
        self._numbers = itertools.count()
        self.waiting: weakref.WeakSet = weakref.WeakSet()   # the run's futures in the driver not settled yet
        self.last_batch: int | None = None   # the last batch whose state steps all finished
        self.last_node = None                # the last state step of the main section
        self.token = None
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- the run's start and end
    def open(self, token: str, steps, state, definitions: dict) -> RemoteState:
        """Send ``steps`` and ``state`` to the worker, registered there under ``token``; watch the worker.

        ``definitions`` are the user's classes and functions the run pickled
        already (:class:`~.by_value.Shipped`).  On an error nothing is left
        behind (no subscription, no task).
        """
        plan = steps.plan
        state_nodes = [node for node in plan.section_nodes('main') if not plan.nodes[node]['pure']]
        self.last_node = state_nodes[-1] if state_nodes else None
        self.token = token
        self.client.subscribe_topic(self.address, self._on_event)
        try:
            if self.address not in self.client.scheduler_info()['workers']:   # it left before the subscription
                self._lost()
                raise self.error
            uses = references(steps, state)
            try:
                shipped = Shipped((steps, state), user_modules_of(uses), uses, definitions)
            except Exception as exc:
                raise BatchPickleError(
                    f"The run's state cannot be sent to the state worker {self.address}: {type(exc).__name__}: "
                    f'{exc}. With state_worker=, the variables, the models, the config, the dataset and the '
                    f'pipeline must pickle; keep what does not in this process (leave state_worker out).',
                    where=f'the state worker {self.address}') from exc
            self.wait(self.submit(_install, token, shipped, key=f'dagflow-state-install-{token}'))
        except BaseException:
            self.token = None
            self._release()
            raise
        return self

    def close(self, state) -> None:
        """The run is over: the state back into ``state``, forgotten there (nothing, once the worker is lost)."""
        if self.token is None:
            return
        token = self.token
        try:
            if self.error is None:
                shipped = self.wait(self.submit(_withdraw, token, key=f'dagflow-state-withdraw-{token}'))
                if shipped is not None:
                    restore(state, *shipped.load('the state the state worker sent back'))
        finally:
            self.token = None
            self._release()

    def _release(self) -> None:
        """Stop watching the worker; after its loss, cancel what is left of the run."""
        try:
            self.client.unsubscribe_topic(self.address)
        except ValueError:   # not subscribed (any more)
            pass
        if self.error is not None:
            self.cancel()

    # ---------------------------------------------------------------- tasks
    def submit(self, function, *args, key=None):
        """``function(*args)`` as a Dask task on the state worker, and only there."""
        future = self.client.submit(function, *args, key=key, pure=False, workers=[self.address],
                                    allow_other_workers=False)
        self.track_remote(future)
        return future

    def submit_group(self, function, token: str, *args, key=None, number=None, group=None):
        """``function(token, *args)``: a state group's task, pinned to the worker (the last one counts its batch)."""
        future = self.submit(_counted, function, token, *args, key=key)
        if number is None and isinstance(key, tuple):   # a batch still on the cluster: its number is in the key
            number = key[1]
        if group is not None and self.last_node is not None and self.last_node in group.nodes:
            future.add_done_callback(lambda done: done.status == 'finished' and self._finished(number))
        return future

    def track(self, outer: cf.Future) -> cf.Future:
        """``outer`` (a task's future in the driver) fails with the loss of the worker; already failed after it."""
        with self._lock:
            if self.error is None:
                self.waiting.add(outer)
                return outer
        _fail(outer, self.error)
        return outer

    def track_remote(self, future) -> None:
        """Cancel the Dask ``future`` (a pure task's) too when the worker is lost."""
        self.futures[next(self._numbers)] = future

    def wait(self, future):
        """The result of ``future``, or :class:`StateWorkerLost` when the worker leaves while it waits."""
        try:
            return future.result()
        except cf.CancelledError:
            self.check()
            raise

    def check(self) -> None:
        """Raise :class:`StateWorkerLost` when the worker was lost."""
        if self.error is not None:
            raise self.error

    def cancel(self) -> None:
        """Cancel every Dask future of the run still alive (the worker was lost)."""
        try:
            self.client.sync(self._cancel)
        except Exception:   # noqa: BLE001 - a client already closed: nothing is left to cancel
            pass

    async def _cancel(self) -> None:
        """Cancel the run's futures one by one, the newest first.

        The scheduler cancels the tasks that depend on a cancelled one too, and
        fails on one of them that no client wants any more (a finished task the
        run let go of, kept while a later task needs it): cancelled first, the
        later tasks take such tasks with them.
        """
        futures = [future for _, future in sorted(self.futures.items(), key=lambda item: item[0], reverse=True)]
        self.futures = weakref.WeakValueDictionary()
        for future in futures:
            await self.client.cancel([future], asynchronous=True, reason='the state worker was lost')

    # ---------------------------------------------------------------- the watchdog
    def _finished(self, number) -> None:
        with self._lock:
            if number is not None and (self.last_batch is None or number > self.last_batch):
                self.last_batch = number

    async def _on_event(self, event) -> None:
        """On the client's event loop: an event of the worker's topic; its removal fails the run now."""
        _, message = event
        if not isinstance(message, dict) or message.get('action') != 'remove-worker' or self.token is None:
            return
        self._lost()
        await self._cancel()

    def _lost(self) -> None:
        with self._lock:
            if self.error is not None:
                return
            last = 'no batch had finished its state steps' if self.last_batch is None else \
                f'batch {self.last_batch} was the last whose state steps finished'
            self.error = StateWorkerLost(
                f'The state worker {self.address} (state_worker={self.wanted!r}) was lost during the run: its '
                f'process ended or it left the cluster, and the variables and models of the run, which lived '
                f'there, are lost with it ({last}). The pipeline keeps the values it had when the run started. '
                f'Run again with a live worker as state_worker=, or without it to keep the state in this '
                f'process; to resume a long training, save the models from a step every few batches.',
                worker=self.address, last_batch=self.last_batch)
            waiting = list(self.waiting)
            self.waiting = weakref.WeakSet()
        for outer in waiting:
            _fail(outer, self.error)

    def __repr__(self):
        return f'<RemoteState {self.address} token={self.token}>'


def _fail(outer: cf.Future, error: BaseException) -> None:
    """Fail ``outer`` with ``error`` unless it is settled already (a task's own outcome came first)."""
    try:
        outer.set_exception(error)
    except cf.InvalidStateError:
        pass
