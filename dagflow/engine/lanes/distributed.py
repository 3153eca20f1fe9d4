"""A Dask cluster as a lane: every group a Dask task, state groups on a worker inside the driver process."""
from __future__ import annotations

import concurrent.futures as cf
import copy
import hashlib

from ...exceptions import RunArgumentError, WorkerLoadError, WorkersLostError, attach_step_info
from ...runtime.worker import WorkerPipeline
from ..lower import SKIPPED, new_token, run_group
from ..serial import WORKER
from .base import Lane
from .by_value import Shipped, _Raised, ship, ship_payload
from .remote_state import RemoteState
from .shipping import strip_batch
from .state_worker import RUNS, STATE_LANE, STATE_RESOURCE, StateWorker, pure_workers, register, unregister

__all__ = ['DistributedLane', 'announce_dashboard', 'check_client', 'forget_sent']


def _run_on_worker(steps, worker, group, payload, profile=False, number=None, order=()):
    """A pure group on a Dask worker: the run's steps and worker pipeline come once per run, the batch with the task.

    Each comes :class:`~.by_value.Shipped` (the user's code by value), loaded here; ``number``
    is the batch's, for an error in loading it.  With ``profile``, the step records travel back on
    the payload.  An error travels Shipped too (``_Raised``): its class may be the user's.
    """
    try:
        steps, worker, payload = (_load(value, group, number) for value in (steps, worker, payload))
        if payload is not SKIPPED:
            payload.batch._dataset = worker.dataset
        return _run_and_ship(steps, group, worker.run_state(), payload, profile, _dask_worker_name)
    except Exception as exc:
        raise _Raised.of(exc) from None


def _run_state_task(token: str, group, payload, profile=False, number=None, order=()):
    """A state group on the run's state worker, in the driver process: the steps and state are this process's.

    The batch comes and goes as from a pure task (:func:`_run_on_worker`): the next task may be
    on a worker that cannot import the user's code.
    """
    try:
        payload = _load(payload, group, number)
        steps, state = RUNS[token]
        if payload is not SKIPPED:
            payload.batch._dataset = state.dataset
        return _run_and_ship(steps, group, state, payload, profile, lambda: STATE_LANE)
    except Exception as exc:
        raise _Raised.of(exc) from None


def _run_and_ship(steps, group, state, payload, profile: bool, lane):
    """Run ``group`` on ``payload`` with ``state``; the next payload, ready to travel (Shipped)."""
    records = [] if profile else None
    token = WORKER.set(lane() if profile else None)
    try:
        result = run_group(steps, group, state, payload, debug=records)
    finally:
        WORKER.reset(token)
    if result is SKIPPED:
        return result
    where = f'after {group.name!r}'
    if profile:
        result.records = (result.records or []) + records
    result.batch = strip_batch(result.batch, where)
    return ship_payload(result, (), {}, where)


def _cancel_newest_first(client, futures: list) -> None:
    """Cancel ``futures`` (in submission order) one by one, the newest first.

    Cancelling them in one call can reach a finished task that no client wants
    any more but a later task still needs (what a task took from the one
    before it); the scheduler then fails an assertion and drops the client's
    connection.  Cancelled first, the later tasks take such tasks with them.
    """
    for future in reversed(futures):
        if not future.done():
            client.cancel([future])


BRING_AHEAD_BYTES = 256 * 1024
"""Batches at least this large (pickled) go to the state worker ahead of their state task (:func:`_hold`).

A smaller batch crosses the network in about a millisecond, less than the
extra task per batch costs the scheduler (on a 2-worker LocalCluster, a no-op
pipeline's time per batch went from 18.6 to 30.3 ms with it).
"""


def _hold(value):
    """On a worker: ``value``, as the result of a task.

    What a run sends once (recomputable, unlike scattered data), and a large
    batch brought to the state worker before its state task may start.
    """
    return value


def _send_once(client, token: str, steps, worker_pipeline, workers) -> list:
    """The run's pure steps and worker pipeline on the cluster: a ``(steps, pipeline)`` pair of futures per worker.

    Sent as tasks that return them, not scattered: scattered data cannot be
    recomputed, and Dask's active memory manager soon keeps a single copy of
    it (``ReduceReplicas``), so the death of the one worker holding it failed
    the run with cancelled tasks.  A task's value lives in the scheduler's
    graph, so Dask computes it again on the workers that are left.  Each of
    ``workers`` (the pure ones) then gets a copy of its own, a task pinned
    there loosely: batch ``k``'s pure tasks take the copies of worker ``k``
    modulo their number, so the batches spread over the workers instead of
    crowding on the one that got the dataset first (all of them did, on the
    engine benchmark's 2-worker cluster), and no batch waits for the
    dataset to travel.  The dashboard shows them as dagflow-plan and
    dagflow-data.

    What the last run on ``client`` sent is sent again only when it changed
    (same pickled bytes: same SHA-1): a rerun, or the next run of a
    benchmark, starts at once instead of moving the dataset again.  It stays
    on the cluster until then (:func:`forget_sent` lets it go).
    """
    held = _SENT.setdefault(client.id, {})
    copies = []
    for name, value in (('dagflow-plan', steps), ('dagflow-data', worker_pipeline)):
        digest = hashlib.sha1(memoryview(value.data)).digest()
        digest_held, future, placed = held.get(name, (None, None, {}))
        if digest != digest_held or future.status not in _ALIVE:   # new, changed or lost
            future, placed = client.submit(_hold, value, key=f'{name}-{token}', pure=False), {}
        for number, worker in enumerate(workers):
            if worker not in placed or placed[worker].status not in _ALIVE:
                placed[worker] = client.submit(_hold, future, key=(f'{name}-{token}', number), pure=False,
                                               workers=[worker], allow_other_workers=True)
        held[name] = digest, future, placed
        copies.append([placed[worker] for worker in workers] or [future])
    for other in [key for key, sent in _SENT.items() if _closed(sent)]:   # clients closed since
        del _SENT[other]
    return list(zip(*copies))


_ALIVE = ('pending', 'finished')
_SENT: dict[str, dict] = {}
"""Client id -> ``{'dagflow-plan' or 'dagflow-data': (SHA-1 of the pickled value, its task's future, copies)}``.

``copies``: worker address -> the future of its copy.
"""


def _closed(sent: dict) -> bool:
    return any(getattr(future.client, 'status', None) in ('closing', 'closed') for _, future, _ in sent.values())


def forget_sent(client) -> None:
    """Let go what dagflow's runs sent once to ``client``'s cluster (the pure steps and the dataset).

    A run on a ``distributed.Client`` sends the pure steps and the dataset
    to the cluster once, and leaves them there for the next run, which sends
    them again only if they changed.  Call this to free that memory before
    the client closes.

    Examples
    --------
    >>> forget_sent(client)  # doctest: +SKIP
    """
    _SENT.pop(getattr(client, 'id', None), None)


def _load(value, group, number):
    """``value`` itself, or the value a :class:`~.by_value.Shipped` holds; a failure names the group and batch."""
    if not isinstance(value, Shipped):
        return value
    try:
        return value.load(f'what the steps {group.name!r} need', _dask_worker_name())
    except WorkerLoadError as exc:
        raise attach_step_info(exc, step=repr(group.name), batch=number) from exc.__cause__


def _dask_worker_name() -> str | None:
    try:
        from distributed import get_worker
        return get_worker().address
    except (ImportError, ValueError):
        return None


class DistributedLane(Lane):
    """Every group of a run a Dask task: pure groups on the cluster, state groups on the state worker.

    The pure steps and the dataset are sent to the workers once, as tasks
    (Dask computes them again when their workers die).  Consecutive
    pure groups of a batch pass it from task to task on the cluster.  State
    groups run as Dask tasks too, on a worker started inside this process for
    the run (:mod:`~dagflow.engine.lanes.state_worker`), so the variables and
    models never leave it and the dashboard shows the whole job.  Task keys
    are ``('<actions>-<token>', k)``, so the dashboard shows the pipeline's actions.

    Parameters
    ----------
    client : distributed.Client
        The cluster's client.
    state_tasks : bool
        ``True`` (the default): state groups run as Dask tasks on the run's
        state worker, so the dashboard's task stream and ``performance_report``
        show the training.  ``False``: on a thread of this process, outside
        Dask (one scheduler round trip less per state group).
    state_worker : str or object, optional
        The address (or name) of the worker that holds the run's state --
        variables, models, config -- instead of this process, e.g. the one
        with the GPU (:mod:`~dagflow.engine.lanes.remote_state`): it gets them
        when the run starts, runs every state step, and gives them back when
        the run ends.  During the run ``pipeline.v(...)`` in this process shows
        the values of the run's start.

    Examples
    --------
    >>> from dagflow import Dataset, V, B
    >>> p = Dataset(8).p.init_variable('n', 0).update(V('n'), V('n') + B.size)
    >>> gpu = next(iter(client.scheduler_info()['workers']))  # doctest: +SKIP
    >>> p.run(4, prefetch=1, scheduler=DistributedLane(client, state_worker=gpu)).v('n')  # doctest: +SKIP
    8
    """

    def __init__(self, client, *, state_tasks: bool = True, state_worker=None):
        self.client, self.state_tasks, self.state_at = client, state_tasks, state_worker
        self.state_worker = self.driver = self.remote_state = None   # made by start, for one run

    def start(self, steps, state, prefetch: int) -> DistributedLane:
        super().start(steps, state, prefetch)
        client = self.client
        check_client(client)
        remote_state = RemoteState(client, self.state_at) if self.state_at is not None else None   # checked first
        announce_dashboard(client)
        token = new_token()
        worker_pipeline = WorkerPipeline.of(state, steps.plan)
        self.definitions: dict = {}   # the user's classes and functions, pickled once for the run
        steps, worker_pipeline, self.modules, self.uses = ship(self.steps.pure(), worker_pipeline, self.definitions,
                                                               "the cluster's workers")
        self.token = token
        others = pure_workers(client, remote_state.address if remote_state is not None else None)
        # where pure tasks go: away from the state worker (it has not joined yet; a chosen one is known)
        self.placement = {'workers': others, 'allow_other_workers': True} if self.chains and others else {}
        self.sent = _send_once(client, token, steps, worker_pipeline, others or [])   # per pure worker
        if remote_state is not None:   # the state on the worker the user chose
            self.remote_state = remote_state.open(token, self.steps, state, self.definitions)
            for future in {future for pair in self.sent for future in pair}:   # cancelled too if it is lost
                remote_state.track_remote(future)
        elif self.state_tasks:
            register(token, self.steps, state)
            self.state_worker = StateWorker(client, f'dagflow-state-{token}')
        self.driver = cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix='dagflow-state')
        self.remote: dict = {}   # the tasks not finished yet, in submission order (a finished one is released)
        self.debug: list = []   # the run's profile records, when it keeps them
        self.bring_ahead = None   # whether batches go to the state worker ahead: known from the first one
        self.failed = False   # whether a task failed or was cancelled
        return self

    @property
    def chains(self) -> bool:
        """Whether the scheduler starts a task once its dependencies are done (state groups as Dask tasks)."""
        return self.state_tasks or self.state_at is not None

    def submit(self, group, payload, debug=None, key=None, after=()) -> cf.Future:
        remote_state = self.remote_state
        if remote_state is not None:
            remote_state.check()   # the state worker was lost: the run fails now
        elif not group.pure and not self.state_tasks:
            return self.driver.submit(self._run_here, group, payload, debug)
        number = getattr(payload, 'number', None)
        if isinstance(payload, _TaskFuture):   # the batch's task before, not done yet: Dask waits for it
            argument = payload.remote
        elif _is_remote(payload) or payload is SKIPPED:
            argument = payload
        else:   # pickled once, here, the user's code by value; a batch that does not pickle is explained
            argument = copy.copy(payload)
            where = f'before {group.name!r}'
            argument.batch = strip_batch(payload.batch, where)
            argument = ship_payload(argument, self.modules, self.uses, where, self.definitions)
        if debug is not None:
            self.debug = debug
        order = tuple(future.remote for future in after)   # tasks of the batch before, to follow
        if group.pure:
            plan, pipeline = self.sent[(number or 0) % len(self.sent)]   # where the batch's copies are
            remote = self.client.submit(_run_on_worker, plan, pipeline, group, argument, debug is not None, number,
                                        order, key=key, pure=False, **self.placement)
        elif remote_state is not None:
            remote = remote_state.submit_group(_run_state_task, self.token, group, argument, debug is not None,
                                               number, order, key=key, number=number, group=group)
        else:
            if isinstance(payload, _TaskFuture) and payload.pure and self.bring_ahead:   # while the one before runs
                argument = self.client.submit(_hold, argument, key=(f'dagflow-to-state-{self.token}', number),
                                              pure=False, workers=[self.state_worker.address],
                                              allow_other_workers=False)
            remote = self.client.submit(_run_state_task, self.token, group, argument, debug is not None, number,
                                        order, key=key, pure=False, resources={STATE_RESOURCE: 1})
        self.remote[remote] = None
        outer = _TaskFuture(remote, number, group.pure)
        outer.set_running_or_notify_cancel()
        remote.add_done_callback(lambda done: (self.remote.pop(done, None), self._note(done),
                                               _settle(done, outer, group, number)))
        if remote_state is not None:
            remote_state.track_remote(remote)
            remote_state.track(outer)
        return outer

    def _note(self, done) -> None:
        if done.status != 'finished':   # the run fails (or was cancelled): it keeps nothing on the cluster
            self.failed = True

    def _run_here(self, group, payload, debug):
        return run_group(self.steps, group, self.state, self.fetch(payload), debug=debug)

    def fetch(self, payload):
        """The payload in the driver: a remote one is gathered and gets its dataset back.

        One the state worker in this process holds is taken from its memory:
        no round trip through the network, no pickling.
        """
        if not _is_remote(payload):
            return payload
        result = self._held_here(payload)
        if result is None:
            result = payload.result() if self.remote_state is None else self.remote_state.wait(payload)
        if isinstance(result, Shipped):
            if self.bring_ahead is None:   # the first batch tells whether batches are worth moving ahead
                self.bring_ahead = memoryview(result.data).nbytes >= BRING_AHEAD_BYTES
            result = result.load('a batch a worker sent back')
        if result is not SKIPPED:
            result.batch._dataset = self.state.dataset
            if result.records:
                self.debug.extend(result.records)
                result.records = None
        return result

    def _held_here(self, future):
        """The value of the finished task ``future`` when the state worker in this process holds it (else None)."""
        worker = getattr(self.state_worker, 'worker', None)
        if worker is None or future.status != 'finished':
            return None
        try:
            return worker.data[future.key]
        except KeyError:   # on another worker
            return None

    def _leave(self) -> None:
        """Let the run's state worker go (its state back here, when it is a chosen one)."""
        remote_state, self.remote_state = self.remote_state, None
        if remote_state is not None:   # the variables and models come back here
            remote_state.close(self.state)
        if self.state_worker is not None:
            unregister(self.token)
            self.state_worker.close()
            self.state_worker = None

    def close(self):
        if self.driver is None:   # not started, or closed already
            return
        self.driver.shutdown(wait=True, cancel_futures=True)
        self.driver = None
        if self.remote or self.failed:   # a run that failed or stopped early: what it sent goes too
            forget_sent(self.client)
        _cancel_newest_first(self.client, list(self.remote))
        self.remote.clear()
        self.sent = None   # released on the cluster, unless kept for the next run
        self._leave()


_ANNOUNCED: set = set()   # the clients whose dashboard link was printed


def _serves_dashboard(dask_scheduler) -> bool:
    """On the scheduler: whether its HTTP server has the dashboard (a Bokeh application), not only its API."""
    applications = getattr(getattr(dask_scheduler, 'http_application', None), 'applications', ())
    return any('Bokeh' in type(application).__name__ for application in applications)


def announce_dashboard(client) -> str | None:
    """Print the Dask dashboard's link of ``client``, once per client; return it (None without a dashboard).

    The scheduler lists an HTTP service even when its dashboard is off
    (``dashboard_address=None``, or no bokeh): the link is printed only when
    the scheduler serves the dashboard pages.
    """
    try:
        services = client.scheduler_info().get('services', {})
        served = 'dashboard' in services and client.run_on_scheduler(_serves_dashboard)
        link = client.dashboard_link if served else None
    except Exception:   # noqa: BLE001 - a client without the information: nothing to show
        return None
    key = getattr(client, 'id', id(client))
    if link and key not in _ANNOUNCED:
        _ANNOUNCED.add(key)
        print(f'dagflow: watch this run in the Dask dashboard at {link}', flush=True)
    return link


def _is_remote(payload) -> bool:
    return hasattr(payload, 'key') and hasattr(payload, 'client') and callable(getattr(payload, 'result', None))


class _TaskFuture(cf.Future):
    """The driver's side of a Dask task: its result is the task's future; its error is raised from :meth:`result`.

    The error is loaded there, in the thread that asks, not in the Dask
    callback that settles it: an error from a worker carries its traceback
    (rebuilt by tblib), whose frames keep the frames that loaded it alive for
    as long as the error lives -- a callback's frames hold the task's future,
    and a future kept alive keeps the run's tasks on the cluster.
    """

    def __init__(self, remote, number, pure: bool = True):
        super().__init__()
        self.remote, self.number, self.pure = remote, number, pure   # the Dask future; the batch's number

    def cancel(self) -> bool:
        """Cancel the Dask task (the future itself runs from the start: it is settled by the task)."""
        if not self.done() and self.remote is not None:
            self.remote.cancel()
        return super().cancel()

    def result(self, timeout=None):
        outcome = super().result(timeout)
        if isinstance(outcome, _Failed):
            self.remote = None   # the error's traceback keeps this frame, and so this future
            raise _worker_error(outcome.error, outcome.group, outcome.number)
        return outcome


class _Failed:
    """What a failed task left: its error (as Dask gives it), group and batch number; no future."""

    __slots__ = ('error', 'group', 'number')

    def __init__(self, error, group, number):
        self.error, self.group, self.number = error, group, number


def _settle(done, outer: cf.Future, group, number):
    if done.status != 'finished':
        outer.remote = None   # nothing to pass on: hold no task (an error, kept by the user, keeps its holder)
    try:
        if done.status == 'error':
            outer.set_result(_Failed(done.exception(), group, number))
        elif done.status == 'cancelled':
            outer.set_exception(cf.CancelledError(f'task {done.key} was cancelled'))
        else:
            outer.set_result(done)
    except cf.InvalidStateError:   # failed already: the state worker was lost (remote_state)
        pass


def _worker_error(exc: BaseException, group, number) -> BaseException:
    """The error of a task as raised: a bare ``Exception`` is Dask's report of one it could not load or send."""
    if isinstance(exc, _Raised):
        return exc.original()
    if type(exc).__name__ == 'KilledWorker':   # distributed.scheduler.KilledWorker
        error = WorkersLostError(f'The Dask workers running the steps {group.name!r} of batch {number} died, and '
                                 f'again on retrying ({exc}). Workers dying once cost only recomputation; a task '
                                 f'that keeps killing them may need more memory than a worker has (see the '
                                 f"workers' logs), or a larger worker.", where=f'the steps {group.name!r}')
        return attach_step_info(error, step=repr(group.name), batch=number)
    if type(exc) is not Exception:
        return exc
    error = WorkerLoadError(f'A Dask worker failed to run the steps {group.name!r} of batch {number}: {exc}. The '
                            f'workers need the packages (and versions) this process has; install them there, or '
                            f"run with scheduler='threads'.", where=f'the steps {group.name!r}')
    return attach_step_info(error, step=repr(group.name), batch=number)


def check_client(client) -> None:
    """Raise :class:`~dagflow.exceptions.RunArgumentError` when ``client`` was closed: a run cannot use it."""
    status = getattr(client, 'status', None)
    if status in ('closing', 'closed'):
        raise RunArgumentError(f'The distributed.Client given as the scheduler is {status}: it was closed before '
                               f'the run. Give an open Client (or a scheduler address, connected for the run).',
                               name='scheduler', value=client)
