"""Pre-flight checks over a compiled plan: problems found before any data moves.

:func:`check_plan` is what ``pipeline.check()`` reports: variables read before
anything defines them, models used but never defined, assignment modes that
cannot apply to a variable, (given the config) config keys read but missing,
and (given the dataset) ``B('name')`` reads of what the batch does not have.
:func:`check_pickling` reports the steps whose records a scheduler that ships
the plan to other processes could not send.  :func:`check_models` is the
compile-time refusal of a model nothing defines.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from ..core import ResourceKind, Writes, action_spec
from ..core.step import StepKind
from ..exceptions import UndefinedModelError, did_you_mean, suggestion_text
from ..expr import MODES, NO_DEFAULT, walk
from .check_batch import check_batch_names
from .effects import Access, assigned_arguments, defines_model
from .plan import SECTIONS

__all__ = ['Problem', 'CheckReport', 'check_plan', 'check_variables', 'check_batch_names', 'check_models',
           'check_modes', 'check_config', 'check_pickling', 'serial_order']

_MODEL, _VAR = ResourceKind.MODEL, ResourceKind.VARIABLE
_MODE_NAMES = {'w': 'write', 'a': 'append', 'e': 'extend', 'u': 'update'}
_MODE_METHOD = {'a': 'append', 'e': 'extend', 'u': 'update'}


@dataclass(frozen=True)
class Problem:
    """One problem found before running: where, and what to do."""

    node: tuple
    action: str
    source: str | None
    message: str

    def __str__(self):
        where = f'{self.node[0]}[{self.node[1]}] {self.action}'
        if self.source:
            where += f' ({self.source})'
        return f'{where}: {self.message}'


class CheckReport(list):
    """The problems :func:`check_plan` found; empty (and falsy) when there are none."""

    @property
    def ok(self) -> bool:
        return not self

    def __str__(self):
        if not self:
            return 'check: no problems found'
        return '\n'.join([f'check: {len(self)} problem(s)', *(f'  {p}' for p in self)])


def _problem(plan, node, message: str) -> Problem:
    step = plan.nodes[node]['step']
    return Problem(node, step.name, step.source, message)


def check_plan(plan, defined: set[str] = frozenset(), models: set[str] = frozenset(),
               config: Mapping | None = None, dataset=None) -> CheckReport:
    """Report what would fail at run time and can be seen now, step by step.

    * a variable a step reads before anything defines it (:func:`check_variables`);
    * a model a step uses (or an action's code names) but no ``init_model``,
      ``load_model`` or ``import_model`` defines, nor ``models``;
    * an assignment mode that cannot apply (:func:`check_modes`);
    * with ``config``, a config key read with no default but missing from it
      (:func:`check_config`);
    * with ``dataset``, a ``B('name')`` its batches do not have and no earlier
      step creates (:func:`check_batch_names`).

    Examples
    --------
    >>> from dagflow import Pipeline, V
    >>> report = Pipeline().print(V('never_defined')).check()
    >>> print(report)  # doctest: +ELLIPSIS
    check: 1 problem(s)
      main[0] print (...): reads V('never_defined') but no init_variable or step defines it...
    """
    report = check_variables(plan, defined)
    known_models = _defined_models(plan, models)
    for node, name in _undefined_model_uses(plan, known_models):
        report.append(_problem(plan, node, f'uses model {name!r} but no init_model, load_model or import_model '
                                           f'defines it.{suggestion_text(name, known_models)} Add '
                                           f".init_model({name!r}, ModelClass, 'dynamic') to the pipeline"))
    for node in sorted(plan.nodes):
        data = plan.nodes[node]
        for resource in sorted(data.get('learnt', ())):
            name = resource.name
            if resource.kind is _MODEL and not resource.is_wildcard and name not in known_models:
                report.append(_problem(plan, node, f"its code uses model {name!r} but no init_model, load_model or "
                                                   f"import_model defines it (fine if that code never runs)"))
    report.extend(check_modes(plan))
    if config is not None:
        report.extend(check_config(plan, config))
    if dataset is not None:
        report.extend(check_batch_names(plan, dataset))
    return report


def serial_order(plan) -> list:
    """The nodes of ``plan`` in the order a run first reaches them: before, main, after."""
    return [node for section in SECTIONS for node in plan.section_nodes(section)]


def check_variables(plan, defined=frozenset()) -> CheckReport:
    """Report variables a step reads before anything defines them.

    A variable is defined when declared (``init_variable``), present in
    ``defined``, or written by a step that runs before the reading one: in an
    earlier section, or earlier in the same batch.  A step's own write comes
    after its reads (``update(V('total'), V('total') + B.size)`` reads the
    total first), and a later step's write comes too late for the first
    batch.  After a step that may write any variable (an action whose code
    dagflow cannot follow), nothing more is reported: custom actions may
    create variables through ``self.pipeline``.

    Examples
    --------
    >>> from dagflow import Pipeline, V, B
    >>> p = Pipeline().update(V('total'), V('total') + B.size)
    >>> print(check_variables(p.compile()))  # doctest: +ELLIPSIS
    check: 1 problem(s)
      main[0] update (...): reads V('total') before anything defines it: this step writes it only after reading it...
    """
    known = set(plan.variables) | set(defined)
    writers: dict[str, list] = {}
    for node in serial_order(plan):
        for effect in plan.nodes[node]['effects']:
            if effect.access is Access.WRITE and effect.resource.kind is _VAR:
                writers.setdefault(effect.resource.name, []).append(node)
    report, written, opaque = CheckReport(), set(), False
    for node in serial_order(plan):
        effects = plan.nodes[node]['effects']
        for effect in sorted(effects):
            name = effect.resource.name
            if opaque or effect.access is not Access.READ or effect.resource.kind is not _VAR \
                    or effect.resource.is_wildcard or name in known or name in written:
                continue
            later = [other for other in writers.get(name, ()) if other != node]
            if node in writers.get(name, ()):
                why = 'this step writes it only after reading it'
            elif later:
                why = f'{later[0][0]}[{later[0][1]}] writes it later, too late for the first batch'
            else:
                why = 'no init_variable or step defines it'
            message = (f"reads V({name!r}) but {why}; add .init_variable({name!r}, default) before it"
                       if not later and node not in writers.get(name, ()) else
                       f"reads V({name!r}) before anything defines it: {why}; declare it with "
                       f".init_variable({name!r}, default)")
            report.append(_problem(plan, node, message))
        for effect in effects:
            if effect.access is Access.WRITE and effect.resource.kind is _VAR:
                written.add(effect.resource.name)
                opaque = opaque or effect.resource.is_wildcard
    return CheckReport(sorted(report, key=lambda problem: problem.node))


def _defined_models(plan, defined=frozenset()) -> set[str]:
    known = set(defined)
    for _, data in plan.nodes(data=True):
        if defines_model(data['step']):
            known |= {e.resource.name for e in data['effects'] if e.resource.kind is _MODEL}
    return known


def _undefined_model_uses(plan, known: set[str]):
    """``(node, name)`` for every use of a model nothing defines (not counting uses only learnt from code)."""
    for node in sorted(plan.nodes):
        data = plan.nodes[node]
        for effect in sorted(data['effects']):
            name = effect.resource.name
            if effect.resource in data.get('learnt', ()):
                continue  # read from code that may never run: reported apart, compile does not refuse
            if effect.resource.kind is _MODEL and not effect.resource.is_wildcard and name not in known:
                yield node, name


def check_models(plan, defined=frozenset()) -> None:
    """Raise :class:`~dagflow.exceptions.UndefinedModelError` for a step that uses a model nothing defines.

    A model is defined by ``init_model``, a ``load_model``/``import_model``
    step anywhere in the pipeline, or by being in ``defined`` (models the
    pipeline already holds, e.g. from ``load_model_now``).

    Examples
    --------
    >>> from dagflow import Pipeline, B
    >>> Pipeline().train_model('m', B.x).compile()  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dagflow.exceptions.UndefinedModelError: train_model('m', B.x) (main[0], added at ...) uses model 'm', but...
    """
    known = _defined_models(plan, defined)
    for node, name in _undefined_model_uses(plan, known):
        step = plan.nodes[node]['step']
        where = f'{node[0]}[{node[1]}]' + (f', added at {step.source}' if step.source else '')
        raise UndefinedModelError(
            f'{step!r} ({where}) uses model {name!r}, but no init_model, load_model or import_model '
            f'defines it.{suggestion_text(name, known)} Add .init_model({name!r}, ModelClass, '
            f"'dynamic') (or .import_model({name!r}, source)) to the pipeline.",
            name=name, step=f'{node[0]}[{node[1]}]', source=step.source, suggestions=did_you_mean(name, known))


# ---------------------------------------------------------------------------------------- modes
def check_modes(plan) -> CheckReport:
    """Report assignment modes that are unknown, or cannot apply to the variable they store into.

    A variable is checked when every step that writes it says how (``update``,
    ``save_to=`` ...) and none replaces it (mode ``'w'``): then the value a
    mode meets is the one the variable is declared with, and appending to an
    int, or updating a list, fails on the first batch.

    Examples
    --------
    >>> from dagflow import Pipeline, V, B
    >>> p = Pipeline().init_variable('total', 0).update(V('total', mode='a'), B.size)
    >>> print(check_modes(p.compile()))  # doctest: +ELLIPSIS
    check: 1 problem(s)
      main[0] update (...): stores into V('total') with mode 'a' (append), which cannot apply to its initial value 0...
    """
    report = CheckReport()
    modes_by_variable: dict[str, list] = {}
    unknown_writes: set[str] = set()
    for node in sorted(plan.nodes):
        data = plan.nodes[node]
        step = data['step']
        stores = _stores(step)
        for given in {mode for _, mode in stores if mode is not None and mode not in MODES}:
            report.append(_problem(plan, node, f"unknown assignment mode {given!r}: use 'w' ('write'), 'a' "
                                               f"('append'), 'e' ('extend') or 'u' ('update')"))
        said = {}
        for variable, mode in stores:
            if variable is not None and (mode is None or mode in MODES):
                said.setdefault(variable, set()).add(MODES[mode] if mode else 'w')
        for effect in data['effects']:
            name = effect.resource.name
            if effect.access is Access.WRITE and effect.resource.kind is _VAR:
                if name not in said:
                    unknown_writes.add(name)   # written by code or through an item: it may change type
                else:
                    modes_by_variable.setdefault(name, []).extend((node, mode) for mode in sorted(said[name]))
    for name, uses in sorted(modes_by_variable.items()):
        spec = plan.variables.get(name)
        if spec is None or name in unknown_writes or any(mode == 'w' for _, mode in uses):
            continue
        try:
            initial = spec.initial_value()
        except Exception:  # noqa: BLE001 - a user's init_on_each_run: the run will say what is wrong
            continue
        for node, mode in uses:
            if not _mode_applies(initial, mode):
                declared = f' (declared at {spec.source})' if spec.source else ''
                start = (f".init_variable({name!r}, {{}}) for a dict" if mode == 'u' else
                         f".init_variable({name!r}, init_on_each_run=list) for a list")
                report.append(_problem(
                    plan, node, f'stores into V({name!r}) with mode {mode!r} ({_MODE_NAMES[mode]}), which cannot '
                                f'apply to its initial value {_short(initial)} ({type(initial).__name__}){declared}; '
                                f"declare it with {start}, or store with mode 'w'"))
    return CheckReport(sorted(report, key=lambda problem: problem.node))


def _stores(step) -> list[tuple[str | None, object]]:
    """``(variable or None, mode as given or None)`` for every location ``step`` stores into."""
    if step.kind is StepKind.SUB:
        return [store for sub in step.target[1] for store in _stores(sub)]
    if step.kind is StepKind.ACTION:
        return []  # an action's own save_to/mode arguments mean what its code makes of them
    args, kwargs = step.args, step.kwargs
    spec = action_spec(step.name) if step.kind is StepKind.API else None
    given = spec.argument(args, kwargs, 'mode') if spec is not None else kwargs.get('mode')
    named = [fact.argument for fact in (spec.effects if spec is not None else ())
             if isinstance(fact, Writes) and fact.kind is _VAR and fact.argument]
    if named:   # update_variable: the variable is named by an argument
        target = spec.argument(args, kwargs, named[0])
        return [(target if isinstance(target, str) else None, given)]
    assigned = assigned_arguments(step)
    if not assigned:
        return []
    target = assigned[0]
    targets = target if isinstance(target, (list, tuple)) else [target]
    stores = []
    for location in targets:
        variable = location.name if getattr(location, 'kind', None) == 'V' else None
        own = getattr(location, 'mode', None) if variable is not None else None
        effective = own if given in (None, 'w', 'write') else given
        stores.append((variable, effective if variable is not None else given))
    return stores


def _mode_applies(current, mode: str) -> bool:
    """Whether :func:`~dagflow.expr.apply_mode` can combine a value with ``current`` in ``mode``."""
    if mode == 'w' or current is None:
        return True
    if isinstance(current, (set, dict)):
        return True
    if isinstance(current, (tuple, np.ndarray)):
        return mode != 'u'
    return callable(getattr(type(current), _MODE_METHOD[mode], None))


def _short(value, limit: int = 40) -> str:
    return _clip(repr(value), limit)


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit - 3] + '...'


# ---------------------------------------------------------------------------------------- config
def check_config(plan, config: Mapping) -> CheckReport:
    """Report ``C('key')`` reads with no default whose key ``config`` lacks and no step writes.

    Examples
    --------
    >>> from dagflow import Pipeline, C
    >>> p = Pipeline(config={'model': {'lr': 0.1}}).print(C('model/lr'), C('model/lrr'), C('epochs', default=1))
    >>> print(check_config(p.compile(), p.config))  # doctest: +ELLIPSIS
    check: 1 problem(s)
      main[0] print (...): reads C('model/lrr') but the config has no 'model/lrr'. Did you mean 'model/lr'?...
    """
    written = {e.resource.name for _, data in plan.nodes(data=True) for e in data['effects']
               if e.access is Access.WRITE and e.resource.kind is ResourceKind.CONFIG}
    flatten = getattr(config, 'flatten', None)
    flat = [key for key in (flatten() if callable(flatten) else config) if isinstance(key, str)]
    report = CheckReport()
    for node in sorted(plan.nodes):
        step = plan.nodes[node]['step']
        missing = sorted({expr.name for expr in walk((step.args, step.kwargs, _sub_probability(step)))
                          if getattr(expr, 'kind', None) == 'C' and expr.name and expr.default is NO_DEFAULT
                          and expr.name not in config and expr.name not in written})
        for key in missing:
            report.append(_problem(plan, node, f'reads C({key!r}) but the config has no {key!r}.'
                                               f'{suggestion_text(key, flat)} Put it in the pipeline\'s config '
                                               f"(Pipeline(config=...) or pipeline << {{{key!r}: value}}), or give "
                                               f'a default: C({key!r}, default=...)'))
    return report



def _sub_probability(step):
    return step.target[0] if step.kind is StepKind.SUB else None


# ---------------------------------------------------------------------------------------- pickling
def check_pickling(plan, dumps: Callable[[object], bytes], destination: str = 'worker processes') -> CheckReport:
    """Report the steps whose records ``dumps`` cannot pickle, naming the argument at fault.

    A scheduler that sends the plan to other processes pickles every step:
    :func:`pickle.dumps` where worker processes are spawned, Dask's pickle
    (cloudpickle, which also handles lambdas and local functions) for a
    cluster.  The caller picks ``dumps`` for the scheduler; ``destination``
    says where the steps were going, for the message.

    Examples
    --------
    >>> import pickle, threading
    >>> from dagflow import Pipeline, B
    >>> p = Pipeline().call(lambda x: x, B.size).call(print, threading.Lock())
    >>> for problem in check_pickling(p.compile(), pickle.dumps):
    ...     print(problem.node, problem.message)  # doctest: +ELLIPSIS
    ('main', 0) its function <lambda> cannot be pickled to send it to worker processes (PicklingError: ...
    ('main', 1) its argument 2 (<unlocked _thread.lock object at 0x...) cannot be pickled to send it to ...
    """
    report = CheckReport()
    for node in sorted(plan.nodes):
        step = plan.nodes[node]['step']
        try:
            dumps(step)
        except Exception as exc:  # noqa: BLE001 - any failure to pickle is the finding
            what, error = _unpicklable_part(step, dumps) or ('the step', exc)
            report.append(_problem(plan, node, f'{what} cannot be pickled to send it to {destination} '
                                               f'({type(error).__name__}: {_clip(str(error), 80)}); use '
                                               f'module-level functions instead of lambdas or local functions, '
                                               f"keep locks, files and generators out of step arguments, or run "
                                               f"with scheduler='threads'"))
    return report


def _unpicklable_part(step, dumps):
    """``(description, error)`` of the first part of ``step`` that ``dumps`` cannot pickle, or None."""
    if step.kind is StepKind.SUB:
        for sub in step.target[1]:
            found = _unpicklable_part(sub, dumps)
            if found:
                return f'{found[0]} (in {sub.name})', found[1]
        return None
    parts = [(f'its argument {i + 1} ({_clip(_label(arg))})', arg) for i, arg in enumerate(step.args)]
    parts += [(f'its argument {key}={_clip(_label(value))}', value) for key, value in step.kwargs.items()]
    if step.kind is StepKind.FUNCTION:
        parts.insert(0, (f'its function {_label(step.target)}', step.target))
    if step.kind is StepKind.API and step.name == 'call' and step.args:
        parts[0] = (f'its function {_label(step.args[0])}', step.args[0])
    for what, value in parts:
        try:
            dumps(value)
        except Exception as exc:  # noqa: BLE001
            return what, exc
    return None


def _label(value) -> str:
    """A function by its name (``<lambda>``, ``make_batch``), anything else by its ``repr``."""
    qualname = getattr(value, '__qualname__', None)
    if callable(value) and qualname and getattr(value, 'kind', None) is None:
        return value.__name__ if '<locals>' in qualname else qualname
    return repr(value)
