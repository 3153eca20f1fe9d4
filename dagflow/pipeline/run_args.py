"""The arguments of a run: names, BatchFlow's spellings, merging over ``run(..., lazy=True)``, validation.

``run``, ``gen_batch``, ``next_batch`` and ``run_later`` take BatchFlow's
arguments, positionally in its order ``(batch_size, shuffle, n_iters,
n_epochs, drop_last, notifier)``.  :func:`given_run_args` keeps only what a
call gave (so that a later call can tell what to take from the lazy run),
:func:`merge_run_args` puts it over the lazy run's, and
:func:`build_run_args` evaluates named expressions, fills the defaults and
validates everything before the run starts.

Examples
--------
>>> lazy = given_run_args((8,), {'n_epochs': 5, 'shuffle': True}, 'run')
>>> merge_run_args(lazy, given_run_args((), {'n_iters': 10}, 'run'))
{'batch_size': 8, 'shuffle': True, 'n_iters': 10}
>>> given_run_args((), {'n_epoch': 2}, 'run')  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
dagflow.exceptions.RunArgumentError: run(): unknown run argument 'n_epoch'. Did you mean 'n_epochs'...
"""
from __future__ import annotations

import inspect
from dataclasses import MISSING, dataclass, field, fields
from typing import Any

from ..data.iteration import DEFAULT_EPOCHS, check_iteration
from ..exceptions import RunArgumentError, suggestion_text
from ..expr import Context, evaluate, is_expression, walk
from ..sentinel import Sentinel
from .notifier import NotifierSpec, parse_notifier

__all__ = ['NOT_GIVEN', 'POSITIONAL', 'RUN_ARGUMENTS', 'DEFAULTS', 'RunArgs', 'given_run_args', 'merge_run_args',
           'build_run_args', 'reset_targets', 'run_signature', 'shown']


#: The default of a run argument that was not given (the lazy run's value or the default applies).
NOT_GIVEN = Sentinel('NOT_GIVEN', __name__, '<not given>')

_TARGETS = {'threads': 'threads', 't': 'threads', 'mpc': 'processes', 'm': 'processes'}
_RESETS = ('iter', 'variables', 'vars', 'models', 'all')


def _argument(default=MISSING, *, given=MISSING, positional: bool = False):
    """A field of :class:`RunArgs`: ``given`` is the default a call gives when it differs from the evaluated one."""
    metadata = {'positional': positional, **({} if given is MISSING else {'given': given})}
    return field(default=default, metadata=metadata)


@dataclass(frozen=True)
class RunArgs:
    """The arguments of one run, evaluated, validated and with the defaults filled in.

    The one place that lists the run arguments: their names, BatchFlow's
    positional order, and their defaults (:data:`RUN_ARGUMENTS`,
    :data:`POSITIONAL`, :data:`DEFAULTS` and the signature of ``run`` are
    derived from it).
    """

    batch_size: int = _argument(positional=True)
    shuffle: Any = _argument(False, positional=True)
    n_iters: int | None = _argument(None, positional=True)
    n_epochs: Any = _argument(DEFAULT_EPOCHS, positional=True)
    drop_last: bool = _argument(False, positional=True)
    notifier: NotifierSpec = _argument(NotifierSpec(), given=False, positional=True)
    reset: frozenset = _argument(frozenset(), given=None)
    seed: int | None = _argument(None)
    debug: bool = _argument(False)
    prefetch: int = _argument(0)
    scheduler: Any = _argument(None)
    profile: bool = _argument(False)
    state_worker: Any = _argument(None)


RUN_ARGUMENTS = tuple(item.name for item in fields(RunArgs))
"""Every run argument (``bar`` is ``notifier``; ``lazy`` is not stored)."""
POSITIONAL = tuple(item.name for item in fields(RunArgs) if item.metadata['positional'])
"""Run arguments that may be given by position, in BatchFlow's order."""
DEFAULTS = {item.name: item.metadata.get('given', item.default) for item in fields(RunArgs)
            if item.default is not MISSING}
"""The value of a run argument a call does not give (and the lazy run does not either)."""


def run_signature() -> inspect.Signature:
    """The signature of ``Pipeline.run``: the positional run arguments, then ``lazy``, ``bar`` and the others.

    Examples
    --------
    >>> str(run_signature()).startswith('(self, batch_size=<not given>, shuffle=<not given>, n_iters=')
    True
    """
    kind = inspect.Parameter
    parameters = [kind('self', kind.POSITIONAL_OR_KEYWORD),
                  *(kind(name, kind.POSITIONAL_OR_KEYWORD, default=NOT_GIVEN) for name in POSITIONAL),
                  kind('lazy', kind.KEYWORD_ONLY, default=False), kind('bar', kind.KEYWORD_ONLY, default=NOT_GIVEN),
                  *(kind(name, kind.KEYWORD_ONLY, default=NOT_GIVEN) for name in RUN_ARGUMENTS
                    if name not in POSITIONAL),
                  kind('kwargs', kind.VAR_KEYWORD)]
    return inspect.Signature(parameters)


def given_run_args(args: tuple, kwargs: dict, where: str) -> dict:
    """The run arguments a call gave, by name (BatchFlow's spellings turned into dagflow's).

    ``bar`` is ``notifier``; ``target='threads'``/``'mpc'`` is
    ``scheduler='threads'``/``'processes'``; ``ignore_exceptions=False`` is
    what dagflow always does.  Values equal to :data:`NOT_GIVEN` are left out.

    Raises
    ------
    RunArgumentError
        For an unknown name (with the close valid names), too many positional
        arguments, an argument given twice, or both ``bar`` and ``notifier``.
    """
    if len(args) > len(POSITIONAL):
        raise RunArgumentError(f'{where}() takes at most {len(POSITIONAL)} positional run arguments '
                               f'({", ".join(POSITIONAL)}), got {len(args)}: {args!r}.', value=args)
    given = dict(zip(POSITIONAL, args))
    for name, value in kwargs.items():
        if value is NOT_GIVEN:
            continue
        if name in given:
            raise RunArgumentError(f'{where}() got {name} twice (by position and by name).', name=name)
        given[name] = value
    if 'bar' in given:
        if 'notifier' in given:
            raise RunArgumentError(f'{where}(): give the progress bar once, as notifier= (BatchFlow\'s code) or '
                                   f'bar= (its guide), not both.', name='bar')
        given['notifier'] = given.pop('bar')
    if 'target' in given:
        given['scheduler'] = _scheduler_of_target(given.pop('target'), given.get('scheduler', NOT_GIVEN), where)
    if 'ignore_exceptions' in given:
        if given.pop('ignore_exceptions'):
            raise RunArgumentError(f'{where}(ignore_exceptions=True) is not provided: an exception in a step stops '
                                   f'the run. To drop a bad batch and go on, raise SkipBatchException in the '
                                   f'action.', name='ignore_exceptions')
    unknown = [name for name in given if name not in RUN_ARGUMENTS]
    if unknown:
        name = unknown[0]
        raise RunArgumentError(f'{where}(): unknown run argument {name!r}.'
                               f'{suggestion_text(name, (*RUN_ARGUMENTS, "bar", "lazy"))} The run arguments are '
                               f'{", ".join(RUN_ARGUMENTS)}, bar and lazy.', name=name,
                               suggestions=[*RUN_ARGUMENTS])
    return given


def _scheduler_of_target(target, scheduler, where: str):
    if scheduler is not NOT_GIVEN:
        raise RunArgumentError(f'{where}(): give scheduler= or BatchFlow\'s target=, not both.', name='target')
    if isinstance(target, str) and target in _TARGETS:
        return _TARGETS[target]
    raise RunArgumentError(f'{where}(target={target!r}): BatchFlow\'s target is \'threads\' or \'mpc\'; dagflow\'s '
                           f'scheduler= also takes \'processes\', a distributed.Client or an address.',
                           name='target', value=target)


def merge_run_args(lazy: dict | None, given: dict) -> dict:
    """``given`` over the lazy run's arguments; a given ``n_iters``/``n_epochs`` replaces the lazy run's length.

    Examples
    --------
    >>> merge_run_args({'batch_size': 4, 'n_iters': 100}, {'n_epochs': 2})
    {'batch_size': 4, 'n_epochs': 2}
    """
    merged = dict(lazy or {})
    if given.get('n_iters') is not None:
        merged.pop('n_epochs', None)
    if 'n_epochs' in given:
        merged.pop('n_iters', None)
    merged.update(given)
    return merged


def reset_targets(value) -> frozenset:
    """What ``reset=`` names: a target, a list of them, ``True`` (``'iter'``) or ``None``/``False`` (nothing).

    Examples
    --------
    >>> sorted(reset_targets(['vars', 'models'])), reset_targets(True), reset_targets(None)
    (['models', 'vars'], frozenset({'iter'}), frozenset())
    """
    if value is None or value is False:
        return frozenset()
    if value is True:
        return frozenset({'iter'})
    targets = [value] if isinstance(value, str) else value
    if not isinstance(targets, (list, tuple, set, frozenset)) or not all(isinstance(t, str) for t in targets):
        raise RunArgumentError(f'reset={value!r}: give one of {list(_RESETS)}, a list of them, True or None.',
                               name='reset', value=value)
    unknown = [target for target in targets if target not in _RESETS]
    if unknown:
        raise RunArgumentError(f'reset: unknown target {unknown[0]!r}.{suggestion_text(unknown[0], _RESETS)} '
                               f'Use one of {list(_RESETS)}.', name='reset', value=unknown)
    return frozenset(targets)


def build_run_args(given: dict, pipeline, where: str, complete: bool = True, dataset=None) -> RunArgs | None:
    """Evaluate, fill in and validate the run arguments ``given`` for ``pipeline`` over ``dataset``.

    ``dataset`` is the run's, resolved when it starts (default:
    ``pipeline.dataset``).  With ``complete=False`` (a lazy run) only what
    can be checked now is: named expressions are evaluated when the run
    starts, and the batch size may come later; None is returned.  A
    notifier's expressions (monitors) are evaluated after each batch, never
    here.
    """
    if dataset is None:
        dataset = pipeline.dataset
    context = Context(pipeline=pipeline, dataset=dataset)
    given = {name: evaluate(value, context) if complete and name != 'notifier' else value
             for name, value in given.items()
             if complete or name == 'notifier' or not any(True for _ in walk(value))}
    values = {**DEFAULTS, **given}
    values['reset'] = reset_targets(values['reset'])
    from ..engine import check_scheduler, check_state_worker
    values['prefetch'], values['scheduler'] = check_scheduler(values['prefetch'], values['scheduler'])
    check_state_worker(values['scheduler'], values['state_worker'])
    values['notifier'] = parse_notifier(values['notifier'], variables=tuple(pipeline.variables.specs))
    values['profile'] = bool(values['profile'])   # BatchFlow's 1/2/'detailed': the step records of a profile
    if 'batch_size' not in values:
        if complete:
            raise RunArgumentError(f'{where}() needs a batch_size.', name='batch_size')
        return None
    size = _size(dataset)
    if size is None:   # a template, or a dataset evaluated when the run starts: check what does not need it
        check_iteration(1, values['batch_size'], values['n_iters'], values['n_epochs'])
    else:
        check_iteration(size, values['batch_size'], values['n_iters'], values['n_epochs'], values['drop_last'])
    return RunArgs(**values) if complete else None


def _size(dataset) -> int | None:
    try:
        return len(dataset) if dataset is not None else None
    except TypeError:   # a DatasetExpression before its first run
        return None


def shown(given: dict) -> dict:
    """The lazy run's arguments as ``run_args`` shows them: defaults filled in, the scheduler resolved."""
    values = {name: given.get(name, DEFAULTS.get(name)) for name in RUN_ARGUMENTS if name != 'reset'}
    if 'reset' in given:
        values['reset'] = given['reset']
    if not (is_expression(values['prefetch']) or is_expression(values['scheduler'])):
        from ..engine import check_scheduler
        values['prefetch'], values['scheduler'] = check_scheduler(values['prefetch'], values['scheduler'])
    return values
