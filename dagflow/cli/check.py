"""``dagflow check``: every problem of a pipeline that shows before any data moves.

:func:`check_command` loads the target, applies the ``--config`` values
and prints what :func:`preflight` finds.  :func:`preflight` gathers, for one
pipeline and the scheduler it will run on, what :mod:`dagflow.plan.check`
finds in the plan (variables and models nothing defines, modes that cannot
apply, config keys that are missing, steps that will not pickle for the
scheduler), the actions its batch class lacks, and what stops the pipeline
from compiling -- each with the user's ``file:line`` of the step.

Examples
--------
>>> from dagflow import Pipeline, V
>>> result = preflight(Pipeline().print(V('never_set')))
>>> for finding in result.problems:
...     print(finding)  # doctest: +ELLIPSIS
<doctest ...>:1: main[0] print: reads V('never_set') but no init_variable or step defines it; add ...
"""
from __future__ import annotations

import multiprocessing
from dataclasses import dataclass, field

from ..core.step import StepKind
from ..engine.schedulers import is_address
from ..exceptions import DagflowError, LoadError, UndefinedModelError, UnknownActionError
from ..pipeline.registry import batch_actions, resolve_action
from ..plan import SECTIONS, compile_plan
from ..plan.check import check_pickling, check_plan
from .output import describe_error, display_path, user_frame
from .run import Session, apply_config, load, print_notes, stored_run_args, unread_config

__all__ = ['Finding', 'Preflight', 'check_command', 'preflight', 'pickle_for']


@dataclass(frozen=True)
class Finding:
    """One line of a check: the user's ``file:line``, the step (``main[2] call``) and what is wrong."""

    source: str | None
    where: str | None
    message: str
    node: tuple | None = field(default=None, compare=False, repr=False)

    def __str__(self):
        return ': '.join(part for part in (self.source, self.where, self.message) if part)


@dataclass
class Preflight:
    """What :func:`preflight` found: ``problems`` (the check fails) and ``notes`` (worth knowing)."""

    problems: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    steps: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def check_command(args, session: Session) -> int:
    """``dagflow check``: print every problem of the target, one per line, and a summary; 0 when there is none, else 1.

    A file that fails to load is the one problem, with its line.  Other
    errors propagate (the caller turns them into a message and an exit code).
    """
    try:
        target = load(args.target, session)
    except LoadError as exc:  # the file itself fails: that is the first problem, with its line
        frame = user_frame(exc.error)
        source = f'{display_path(frame.filename)}:{frame.lineno}' if frame else None
        if args.traceback:
            print('\n'.join(describe_error(exc.error, show_traceback=True)))
        print(Finding(source, None, f'{type(exc.error).__name__}: {exc.error}'))
        print(f'check: {args.target} could not be loaded (1 problem)')
        return 1
    pipeline = target.pipeline
    apply_config(pipeline, args.config, session)
    scheduler = args.scheduler or stored_run_args(pipeline).get('scheduler')
    result = preflight(pipeline, scheduler=scheduler)
    unread = unread_config(pipeline, [key for key, _ in args.config])
    result.problems[:0] = [Finding(None, '--config', message.removeprefix('--config ')) for message in unread]
    print_notes(session)
    for finding in result.notes:
        print(f'note: {finding}')
    for finding in result.problems:
        print(finding)
    where = f'{args.target} ({result.steps} step{"s" if result.steps != 1 else ""}, scheduler {scheduler or "sync"})'
    if result.ok:
        print(f'check: no problems found in {where}')
        return 0
    count = len(result.problems)
    print(f'check: {count} problem{"s" if count != 1 else ""} in {where}')
    return 1


def preflight(pipeline, scheduler=None) -> Preflight:
    """Check ``pipeline`` for running on ``scheduler`` (``'sync'``, ``'threads'``, ``'processes'``, an address).

    Parameters
    ----------
    pipeline : Pipeline
        The pipeline, with its config as it will run.
    scheduler : str, optional
        Where it will run; ``'processes'`` and a cluster address add the
        steps whose records cannot be sent there.

    Returns
    -------
    Preflight
    """
    result = Preflight()
    unknown = _unknown_actions(pipeline)
    result.problems.extend(unknown)
    plan = _compile(pipeline, result, skip_unknown=bool(unknown))
    if plan is None:
        return result
    result.steps = plan.number_of_nodes()
    report = check_plan(plan, defined=set(pipeline.variables.values), models=pipeline.models.names(),
                        config=pipeline.config, dataset=pipeline.dataset)
    result.problems.extend(_from_problem(problem) for problem in report)
    dumps, destination, fatal = pickle_for(scheduler)
    if dumps is not None:
        found = [_from_problem(problem) for problem in check_pickling(plan, dumps, destination)]
        (result.problems if fatal else result.notes).extend(found)
    if is_address(scheduler) and not result.problems:
        result.problems.extend(_probe_cluster(pipeline, plan, scheduler))
    result.problems.sort(key=_order)
    result.notes.sort(key=_order)
    if pipeline.dataset is None:
        result.notes.append(Finding(None, None, 'a template (no dataset): its actions were checked against every '
                                                'Batch class; link a dataset to check them against its own'))
    return result


def pickle_for(scheduler) -> tuple:
    """``(dumps, destination, fatal)``: how ``scheduler`` sends steps to other processes, if it does.

    With ``'processes'`` the engine forks its workers where the platform
    can, and forked workers inherit the plan: nothing is pickled, so a step
    that will not pickle is only a note (it would fail where workers are
    spawned).  Where they are spawned, the plan goes to them with
    :func:`pickle.dumps`.  A cluster gets the plan through Dask's pickle
    (cloudpickle: lambdas and local functions travel, locks and open files
    do not).  Other schedulers send nothing: ``(None, None, False)``.

    Examples
    --------
    >>> pickle_for('threads')
    (None, None, False)
    >>> import pickle
    >>> pickle_for('processes')[0] is pickle.dumps
    True
    """
    if scheduler == 'processes':
        import pickle
        forked = 'fork' in multiprocessing.get_all_start_methods()
        destination = ('worker processes where they are spawned (here they are forked, and it works)' if forked
                       else 'worker processes')
        return pickle.dumps, destination, not forked
    if isinstance(scheduler, str) and scheduler not in ('sync', 'threads'):
        return _dask_dumps, 'the cluster', True
    return None, None, False


def _probe_cluster(pipeline, plan, address: str) -> list[Finding]:
    """What a worker of the cluster at ``address`` cannot load of a run of ``plan``, step by step."""
    from ..engine.lanes.probe import connect, probe_workers
    from ..runtime import RunState
    try:
        client = connect(address)
    except DagflowError as exc:
        return [Finding(None, '--scheduler', str(exc))]
    dataset = pipeline.dataset
    try:
        batch = dataset.create_batch(dataset.indices[:1]) if len(getattr(dataset, 'indices', ())) else None
    except Exception:  # noqa: BLE001 - a dataset that makes its batches otherwise: the steps are still checked
        batch = None
    with client:
        failures = probe_workers(client, plan, RunState.of(pipeline, dataset), batch)
    found = []
    for node, message in failures:
        step = plan.nodes[node]['step'] if node is not None else None
        where = f'{node[0]}[{node[1]}] {step.name}' if node is not None else None
        found.append(Finding(getattr(step, 'source', None), where, message, node))
    return found


def _dask_dumps(value) -> bytes:
    """Dask's pickle, without the error it logs for each value that fails (the check reports it)."""
    import logging

    from distributed.protocol.pickle import dumps
    logger = logging.getLogger('distributed.protocol.pickle')
    disabled, logger.disabled = logger.disabled, True
    try:
        return dumps(value)
    finally:
        logger.disabled = disabled


def _compile(pipeline, result: Preflight, *, skip_unknown: bool):
    """The pipeline's plan; when it does not compile, the reason as a problem and a plan of its steps as written."""
    try:
        return pipeline.compile()
    except DagflowError as exc:
        covered = (isinstance(exc, UnknownActionError) and skip_unknown   # listed by _unknown_actions
                   or isinstance(exc, UndefinedModelError))                  # check_plan lists them all
        if not covered:
            result.problems.append(Finding(exc.source, None, f'{type(exc).__name__}: {exc}'))
    try:
        return compile_plan({section: pipeline.steps(section) for section in SECTIONS},
                            variables=dict(pipeline.variables.specs), actions=batch_actions(pipeline.batch_class),
                            owner=pipeline.batch_class, models=dict(pipeline.models.specs))
    except Exception as exc:  # noqa: BLE001 - reported; the plan checks need a plan
        result.problems.append(Finding(None, None, f'the plan could not be built ({type(exc).__name__}: {exc}); '
                                                   f'fix the problems above and check again'))
        return None


def _unknown_actions(pipeline) -> list[Finding]:
    """A finding for every step whose action the pipeline's batch class does not have."""
    batch_class = pipeline.batch_class
    if batch_class is None:
        return []
    actions = batch_class.actions()
    found = []
    for section in SECTIONS:
        for position, top in enumerate(pipeline.steps(section)):
            for step in _flatten(top):
                if step.kind is not StepKind.ACTION or step.name in actions:
                    continue
                try:
                    resolve_action(step.name, batch_class=batch_class, namespaces=pipeline.namespaces,
                                   dataset=pipeline.dataset)
                except UnknownActionError as exc:
                    found.append(Finding(step.source, f'{section}[{position}] {step.name}', str(exc),
                                         (section, position)))
    return found


def _flatten(step):
    if step.kind is StepKind.SUB:
        for sub in step.target[1]:
            yield from _flatten(sub)
    else:
        yield step


def _from_problem(problem) -> Finding:
    return Finding(problem.source, f'{problem.node[0]}[{problem.node[1]}] {problem.action}', problem.message,
                   problem.node)


def _order(finding: Finding) -> tuple:
    """Problems of the whole pipeline first, then step by step in the order the steps run."""
    if finding.node is None:
        return (0, 0, 0)
    return (1, SECTIONS.index(finding.node[0]), finding.node[1])
