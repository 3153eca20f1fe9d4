"""Pre-flight checks over a compiled plan."""
from __future__ import annotations

from dataclasses import dataclass

from ..exceptions import ModelError, did_you_mean, suggestion_text
from .effects import Access

__all__ = ['Problem', 'CheckReport', 'check_plan', 'check_models']

_DEFINES_MODEL = ('init_model', 'load_model', 'import_model')


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


def check_plan(plan, defined: set[str] = frozenset(), models: set[str] = frozenset()) -> CheckReport:
    """Report variables that a step reads but nothing defines, and models an action's code names but nothing defines.

    Variables count as defined when declared (``init_variable``), present in
    ``defined``, or written by any step.  Custom actions may still create
    variables through ``self.pipeline``, so this is a report, not a refusal.

    Examples
    --------
    >>> from dagflow import Pipeline, V
    >>> report = Pipeline().print(V('never_defined')).check()
    >>> print(report)  # doctest: +ELLIPSIS
    check: 1 problem(s)
      main[0] print (...): reads V('never_defined') but no init_variable or step defines it...
    """
    known = set(plan.variables) | set(defined)
    for _, data in plan.nodes(data=True):
        known |= {e.resource[4:] for e in data['effects']
                  if e.access is Access.WRITE and e.resource.startswith('var:')}
    report = CheckReport()
    for node in sorted(plan.nodes):
        data = plan.nodes[node]
        for effect in sorted(data['effects']):
            name = effect.resource[4:]
            if effect.resource.startswith('var:') and effect.access is Access.READ and name not in known:
                report.append(Problem(node, data['step'].name, data['step'].source,
                                      f"reads V({name!r}) but no init_variable or step defines it; add "
                                      f".init_variable({name!r}, default) before it"))
    known_models = set(models) | {e.resource[6:] for _, d in plan.nodes(data=True) if d['step'].name in _DEFINES_MODEL
                                  for e in d['effects'] if e.resource.startswith('model:')}
    for node in sorted(plan.nodes):
        data = plan.nodes[node]
        for resource in sorted(data.get('learnt', ())):
            name = resource[6:]
            if resource.startswith('model:') and name != '*' and name not in known_models:
                report.append(Problem(node, data['step'].name, data['step'].source,
                                      f"its code uses model {name!r} but no init_model, load_model or "
                                      f"import_model defines it (fine if that code never runs)"))
    return report


def check_models(plan, defined=frozenset()) -> None:
    """Raise :class:`ModelError` for a step that uses a model nothing defines.

    A model is defined by ``init_model``, a ``load_model``/``import_model``
    step anywhere in the pipeline, or by being in ``defined`` (models the
    pipeline already holds, e.g. from ``load_model_now``).

    Examples
    --------
    >>> from dagflow import Pipeline, B
    >>> Pipeline().train_model('m', B.x).compile()  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dagflow.exceptions.ModelError: train_model('m', B.x) (main[0], added at ...) uses model 'm', but no init_model...
    """
    known = set(defined)
    for _, data in plan.nodes(data=True):
        if data['step'].name in _DEFINES_MODEL:
            known |= {e.resource[6:] for e in data['effects'] if e.resource.startswith('model:')}
    for node in sorted(plan.nodes):
        data = plan.nodes[node]
        for effect in sorted(data['effects']):
            name = effect.resource[6:]
            if effect.resource in data.get('learnt', ()):
                continue  # read from code that may never run: check() reports it, compile does not refuse
            if effect.resource.startswith('model:') and name != '*' and name not in known:
                step = data['step']
                where = f'{node[0]}[{node[1]}]' + (f', added at {step.source}' if step.source else '')
                raise ModelError(
                    f'{step!r} ({where}) uses model {name!r}, but no init_model, load_model or import_model '
                    f'defines it.{suggestion_text(name, known)} Add .init_model({name!r}, ModelClass, '
                    f"'dynamic') (or .import_model({name!r}, source)) to the pipeline.",
                    name=name, step=f'{node[0]}[{node[1]}]', suggestions=did_you_mean(name, known))
