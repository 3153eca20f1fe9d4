"""``dagflow run``: load the pipeline, apply the command line's config and run arguments, run, summarise.

The run arguments are those the file gave with ``run(..., lazy=True)``, if
any, overridden by the options given; ``--config KEY=VALUE`` values are set
in the pipeline's config before it runs, so ``C('KEY')`` reads them.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

from ..core import ResourceKind
from ..exceptions import UsageError, suggestion_text

CONFIG = ResourceKind.CONFIG

__all__ = ['UsageError', 'Session', 'run_command', 'load', 'apply_config', 'unread_config', 'stored_run_args',
           'run_kwargs',
           'effective_scheduler', 'CountingBar', 'write_profile', 'print_notes']

_RUN_NAMES = ('batch_size', 'shuffle', 'n_epochs', 'n_iters', 'drop_last', 'notifier', 'seed', 'debug', 'prefetch',
              'scheduler', 'state_worker', 'profile', 'reset')


@dataclass
class Session:
    """What one command loaded, so that its errors can be explained."""

    command: str
    pipeline: object = None
    notes: list = field(default_factory=list)
    finished: int | None = None  # batches a failed run finished


def run_command(args, session: Session) -> int:
    """``dagflow run``: run the target with the options in ``args``, print a summary, return 0.

    Errors propagate (the caller turns them into a message and an exit
    code); ``session`` keeps the pipeline and the batches finished, to explain them.
    """
    from .output import variables_lines
    target = load(args.target, session)
    pipeline = target.pipeline
    apply_config(pipeline, args.config, session)
    unread = unread_config(pipeline, [key for key, _ in args.config])
    if unread:
        raise UsageError('\n  '.join(unread))
    kwargs = run_kwargs(pipeline, args)
    if pipeline.dataset is None:
        raise UsageError(f'{args.target} is a template (a pipeline without a dataset): link one in the file '
                         f'(`template << dataset`), or name a pipeline that has one.')
    if args.profile_out:
        kwargs['profile'] = True
    counter = CountingBar(kwargs.pop('notifier'), pipeline)
    print_notes(session)
    started = time.perf_counter()
    try:
        pipeline.run(**kwargs, notifier=counter)
    except BaseException:
        if args.profile_out:
            write_profile(pipeline, args.profile_out, quiet=True)
        session.finished = counter.count
        raise
    elapsed = time.perf_counter() - started
    prefetch, scheduler = effective_scheduler(kwargs)
    print(f'dagflow run {args.target}: {counter.count} batch{"es" if counter.count != 1 else ""} in '
          f'{elapsed:.2f} s (scheduler {scheduler}, prefetch {prefetch}, seed {pipeline.run_seed})')
    values = dict(pipeline.variables.values)
    if values:
        print('variables:')
        print('\n'.join(variables_lines(values)))
    if args.profile_out:
        write_profile(pipeline, args.profile_out)
    return 0


def load(spec: str, session: Session):
    """:func:`~dagflow.cli.loader.load_target` of ``spec``, remembering the pipeline in ``session``."""
    from .loader import load_target
    target = load_target(spec)
    session.pipeline = target.pipeline
    if getattr(target.pipeline, '_runs_started', 0):
        session.notes.append(f'{spec} ran the pipeline while the file was loaded (its chain calls run(...) without '
                             f'lazy=True), so it has already run once, without this command\'s options; end the '
                             f'chain with run(..., lazy=True) (or no run) to run it only here')
    return target


def apply_config(pipeline, overrides, session: Session) -> None:
    """Set each ``(key, value)`` of ``--config`` in the pipeline's config.

    A static model was created from its config when the file was loaded, so
    an override of a key its config reads cannot reach it: a note says so.

    Examples
    --------
    >>> from dagflow import Pipeline
    >>> pipeline = Pipeline(config={'model': {'lr': 0.1}})
    >>> apply_config(pipeline, [('model/lr', 0.01), ('name', 'run-1')], Session('run'))
    >>> pipeline.config
    Config({'model': {'lr': 0.01}, 'name': 'run-1'})
    """
    from ..plan.effects import reads_of
    for key, value in overrides:
        try:
            pipeline.config[key] = value
        except (TypeError, KeyError) as exc:
            raise UsageError(f'--config {key}=...: {exc}') from None
    keys = [key for key, _ in overrides]
    for name, spec in sorted(pipeline.models.specs.items()):
        if spec.mode != 'static':
            continue
        read = {resource.name for resource in reads_of(spec.config) if resource.kind is CONFIG}
        hit = sorted(key for key in keys if any(_overlaps(key, r) for r in read))
        if hit:
            session.notes.append(f'--config {", ".join(hit)} does not reach static model {name!r}: it was created '
                                 f'with its config when the file was loaded; make it dynamic to create it from the '
                                 f'config at run time')


def unread_config(pipeline, keys) -> list[str]:
    """A message for each ``--config`` key that nothing in ``pipeline`` reads, so its value would be dropped.

    A key is read when a step reads it, or a key above or below it (``C('model')``
    reads ``model/lr``), through ``C(...)`` or an action's declared effects;
    when a model config or the run's arguments (a lazy ``run(C('batch_size'))``,
    a dataset ``pipeline << C('dataset')``) read it.  When some step reads the
    config in a way dagflow cannot follow (``C()``, an action using
    ``self.pipeline``), nothing is reported.  A pipeline that does not compile
    is left to the run, which says why.

    Examples
    --------
    >>> from dagflow import Pipeline, C
    >>> pipeline = Pipeline(config={'lr': 0.1}).print(C('lr'), C('model/depth', default=2))
    >>> unread_config(pipeline, ['lr', 'model/depth', 'model', 'lrr'])  # doctest: +ELLIPSIS
    ["--config lrr=...: no step reads 'lrr'... Did you mean 'lr'?..."]
    """
    from ..plan.effects import reads_of
    try:
        plan = pipeline.compile()
    except Exception:  # noqa: BLE001 - the run reports what is wrong with the pipeline
        return []
    read = {effect.resource.name for _, data in plan.nodes(data=True) for effect in data['effects']
            if effect.resource.kind is CONFIG}
    for spec in pipeline.models.specs.values():
        read |= {resource.name for resource in reads_of(spec.config) if resource.kind is CONFIG}
    from ..pipeline.dataset_expression import DatasetExpression
    dataset = pipeline.dataset
    extra = (dataset.expression if isinstance(dataset, DatasetExpression) else None, pipeline.run_args)
    read |= {resource.name for resource in reads_of(extra) if resource.kind is CONFIG}
    if '*' in read:
        return []
    messages = []
    for key in keys:
        if any(_overlaps(key, other) for other in read):
            continue
        shown = ', '.join(repr(other) for other in sorted(read)) or 'none'
        messages.append(f'--config {key}=...: no step reads {key!r} (as C({key!r})), nor a model config or the run '
                        f'arguments, so the value would be dropped.{suggestion_text(key, read)} The keys the pipeline '
                        f'reads: {shown}. Fix the key, or read it in the pipeline with C({key!r}).')
    return messages


def _overlaps(key: str, read: str) -> bool:
    return read == '*' or key == read or key.startswith(read + '/') or read.startswith(key + '/')


def stored_run_args(pipeline) -> dict:
    """The run arguments the file gave with ``run(..., lazy=True)``, if it did."""
    stored = pipeline.run_args or {}
    return {name: stored[name] for name in _RUN_NAMES if name in stored}


def run_kwargs(pipeline, args) -> dict:
    """The arguments of ``pipeline.run``: the file's lazy ones, overridden by the options given.

    ``--n-epochs`` without ``--n-iters`` drops the file's ``n_iters`` and the
    other way round; a new ``--prefetch`` without ``--scheduler`` lets the
    default scheduler follow it.  The progress bar shows when asked, or when
    stderr is a terminal.

    Raises
    ------
    UsageError
        When neither the options nor the file give a batch size.
    """
    kwargs = stored_run_args(pipeline)
    if kwargs and args.prefetch is not None and args.scheduler is None \
            and kwargs.get('scheduler') == effective_scheduler(kwargs)[1]:
        kwargs['scheduler'] = None  # the file's default scheduler follows the new prefetch
    for name in ('batch_size', 'shuffle', 'drop_last', 'seed', 'prefetch', 'scheduler', 'state_worker'):
        if getattr(args, name, None) is not None:
            kwargs[name] = getattr(args, name)
    if args.n_epochs is not None:
        kwargs['n_epochs'] = args.n_epochs
        if args.n_iters is None:
            kwargs.pop('n_iters', None)
    if args.n_iters is not None:
        kwargs['n_iters'] = args.n_iters
        if args.n_epochs is None:
            kwargs.pop('n_epochs', None)
    if kwargs.get('batch_size') is None:
        raise UsageError(f'{args.target} has no batch size: give --batch-size N (or run(batch_size=..., '
                         f'lazy=True) in the file).')
    if args.bar is not None:
        kwargs['notifier'] = args.bar
    elif not kwargs.get('notifier'):
        kwargs['notifier'] = sys.stderr.isatty()
    return kwargs


def effective_scheduler(kwargs) -> tuple[int, object]:
    """``(prefetch, scheduler)`` a run with ``kwargs`` uses, the default scheduler filled in."""
    from ..engine import check_scheduler
    return check_scheduler(kwargs.get('prefetch') or 0, kwargs.get('scheduler'))


class CountingBar:
    """The ``notifier`` of a run: counts finished batches, showing the progress bar ``show`` asks for.

    ``show`` is ``True`` (a text bar on stderr) or any ``notifier=`` value of
    the file's lazy run (a bar name, a dict of notifier options, a callable).
    """

    def __init__(self, show, pipeline=None):
        self.show = show
        self.pipeline = pipeline
        self.count = 0

    def __call__(self, iterable, total=None):
        if self.show is True:
            from tqdm import tqdm
            iterable = tqdm(iterable, total=total, unit='batch', file=sys.stderr, dynamic_ncols=True)
        elif self.show:
            from ..pipeline.notifier import parse_notifier, progress
            iterable = progress(iterable, parse_notifier(self.show), total, self.pipeline)
        for item in iterable:
            self.count += 1
            yield item


def write_profile(pipeline, path: str, quiet: bool = False) -> None:
    """Write ``pipeline.profile`` to ``path`` as CSV and say so (on stderr when ``quiet``, after a failure)."""
    profile = getattr(pipeline, 'profile', None)
    if profile is None:
        if not quiet:
            print(f'dagflow run: note: the run left no profile; {path} was not written', file=sys.stderr)
        return
    profile.to_csv(path, index=False)
    print(f'profile: {len(profile)} rows written to {path}', file=sys.stderr if quiet else sys.stdout)


def print_notes(session: Session) -> None:
    """Print the notes gathered in ``session`` on stderr."""
    for note in session.notes:
        print(f'dagflow {session.command}: note: {note}', file=sys.stderr)
