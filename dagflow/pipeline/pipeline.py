"""The fluent builder: :class:`Pipeline` records steps and compiles them to a plan.

Every chained step returns a **new** pipeline, as BatchFlow's does:
``a = base.update(...)`` and ``b = base.print(...)`` leave ``base`` unchanged
and give two independent pipelines (see :meth:`Pipeline._derive` for what
they share).  That is what makes the template form
``with Pipeline() as p: t = p.add(1) + p.mul(3)`` work.  The steps are
immutable records, so a new pipeline costs a tuple, not a copy of them.

Declarations change the pipeline they are called on and return it, as in
BatchFlow: ``init_variable(s)``, ``init_lock``, ``init_model`` (recorded in
``before``), ``add_namespace``, ``set_variable``, ``delete_variable``,
``delete_all_variables``; so does ``run`` (also with ``lazy=True``).  The
section statements ``p.before.xxx(...)`` / ``p.after.xxx(...)`` record into
``p`` itself (:class:`SectionView`, the one documented place of mutation).
The algebra (``+``, ``*``, ``@``, ``<<``) returns new pipelines.  Running
lives in :mod:`dagflow.pipeline.running`, the variables API in
:mod:`dagflow.pipeline.variables`.
"""
from __future__ import annotations

import copy
import numbers
import warnings
import weakref
from collections.abc import Mapping

from .. import viz
from ..config import Config
from ..core import action_spec
from ..core.step import Step, StepKind, caller_source
from ..exceptions import StepArgumentError, UnknownActionError
from ..expr import is_expression
from ..models import Models
from ..plan import SECTIONS, CheckReport, Plan, check_models, check_plan, compile_plan
from ..runtime.api import API_ACTIONS, bind_arguments
from ..runtime.guard import config_guard
from ..runtime.state import Locks, RunState, Variables
from .dataset_expression import DatasetExpression
from .model_steps import prepare_model_step
from .modelling import ModelMixin
from .registry import action_definitions, batch_actions, resolve_action
from .running import RunMixin
from .sections import SectionView, sections_unwrapped
from .variables import VariablesMixin

__all__ = ['Pipeline']

# Short names the guide uses for model steps; they apply only when no action or function has that name.
_MODEL_ALIASES = {'train': 'train_model', 'predict': 'predict_model'}


class Pipeline(VariablesMixin, ModelMixin, RunMixin):
    """A chain of actions over batches: record it, compile it, run it.

    Parameters
    ----------
    dataset : Dataset, optional
        The data to run over; a pipeline without one is a *template* that can
        be linked to datasets with ``template << dataset``.
    config : dict or Config, optional
        Values that ``C('key')`` reads.

    Examples
    --------
    >>> import numpy as np
    >>> from dagflow import Dataset, Pipeline, B, V
    >>> ds = Dataset(10, preloaded=np.arange(10))
    >>> p = (ds.p.init_variable('total', 0)
    ...          .update(V('total'), V('total') + B.data.sum())
    ...          .run(batch_size=4, n_epochs=1))
    >>> int(p.v('total'))
    45
    """

    def __init__(self, dataset=None, config: Mapping | None = None):
        config = config if isinstance(config, Config) else Config(dict(config or {}))
        # the state steps touch: variables, models, locks, config, dataset (what a run hands the engine)
        self.state = RunState(Variables(), Models(), Locks(), config, dataset, owner=self)
        config._on_write = config_guard(self)   # a step may write only the config keys it declares
        self._sections: dict[str, tuple[Step, ...]] = {name: () for name in SECTIONS}
        self.namespaces: list = []
        self._compiled: tuple | None = None   # (inputs, plan) of the last compile
        self._init_run_state()
        _warn_shadowed_actions(self)

    # ------------------------------------------------------------------ the state (held by self.state)
    dataset = property(lambda self: self.state.dataset, lambda self, value: setattr(self.state, 'dataset', value),
                       doc='The data the pipeline runs over (None for a template).')
    config = property(lambda self: self.state.config, lambda self, value: setattr(self.state, 'config', value),
                      doc="The pipeline's :class:`~dagflow.config.Config`, which ``C('key')`` reads.")
    variables = property(lambda self: self.state.variables,
                         lambda self, value: setattr(self.state, 'variables', value),
                         doc="The pipeline's :class:`~dagflow.runtime.Variables`.")
    models = property(lambda self: self.state.models, lambda self, value: setattr(self.state, 'models', value),
                      doc="The pipeline's models (a :class:`~dagflow.models.Models` store).")
    locks = property(lambda self: self.state.locks, lambda self, value: setattr(self.state, 'locks', value),
                     doc="The pipeline's named locks (:class:`~dagflow.runtime.Locks`).")

    # ------------------------------------------------------------------ recording
    def __getattr__(self, name: str):
        if name.startswith('_'):
            raise AttributeError(name)
        return self._recorder('main', name)

    def _recorder(self, section: str, name: str, *, in_place: bool = False):
        try:
            resolved = resolve_action(name, batch_class=self.batch_class, namespaces=self.namespaces,
                                      dataset=self.dataset)
        except UnknownActionError:
            if name not in _MODEL_ALIASES:
                raise
            name = _MODEL_ALIASES[name]  # the guide's `.train('my_model', ...)`, when nothing else is `train`
            resolved = resolve_action(name, batch_class=None)

        def record(*args, **kwargs):
            pipeline = self._add_step(section, name, resolved, args, kwargs, caller_source(), in_place=in_place)
            return SectionView(self, section) if in_place else pipeline
        record.__name__ = name
        record.__doc__ = getattr(resolved.function, '__doc__', None)
        return record

    def _add_step(self, section: str, name: str, resolved, args: tuple, kwargs: dict, source, *,
                  in_place: bool = False) -> Pipeline:
        """Check and record one step; return a new pipeline holding it, or this one when ``in_place``."""
        args, kwargs = sections_unwrapped(args), sections_unwrapped(kwargs)   # p.before stands for p
        steps = self._sections[section]
        joined = _joined_count(steps[-1]) if steps else 0
        where = f' (step {len(steps)} of {section}, added at {source})' if source else ''
        spec = action_spec(name) if resolved.kind is StepKind.API else None
        if spec is not None and spec.declaration and section != 'before':
            # a declaration (init_model): it belongs before the batches, whatever section it is chained in
            section, steps, joined, in_place = 'before', self._sections['before'], 0, True
            where = f' (step {len(steps)} of before, added at {source})' if source else ''
        if spec is not None and spec.uses_model:
            args, kwargs = prepare_model_step(self, name, args, kwargs, where, source)
        if spec is not None:
            bind_arguments(name, resolved.function, args, kwargs, leading=1, where=where, source=source)
            if section not in spec.sections:
                raise StepArgumentError(f"{name}{where} can only be used in the {' or '.join(spec.sections)} "
                                        f"section.", step=name, source=source)
        elif resolved.kind is StepKind.ACTION:
            # a template has no batch class yet: the arguments must fit one of the actions of that name
            # (they are checked against the real one when a dataset is linked)
            definitions = [resolved.function] if self.batch_class is not None else action_definitions(name)
            _bind_any(name, definitions or [resolved.function], args, kwargs, leading=1 + joined, where=where,
                      joined=joined, source=source)
        else:
            plain = {k: v for k, v in kwargs.items() if k not in ('save_to', 'mode')}
            bind_arguments(name, resolved.function, args, plain, leading=joined, where=where, joined=joined,
                           source=source)
        step = Step(name, resolved.kind, args, kwargs, target=resolved.target, joined=joined, source=source)
        if in_place:
            self._sections = {**self._sections, section: (*steps, step)}
            return self
        return self._derive(sections={**self._sections, section: (*steps, step)})

    @property
    def before(self) -> SectionView:
        """Record steps that run once before the first batch: ``p.before.load_model(...)``."""
        return SectionView(self, 'before')

    @property
    def after(self) -> SectionView:
        """Record steps that run once after the last batch: ``p.after.save_model(...)``."""
        return SectionView(self, 'after')

    @property
    def main(self) -> SectionView:
        """Record steps into this pipeline's main section, as a statement: ``p.before....main....after....``."""
        return SectionView(self, 'main')

    def steps(self, section: str = 'main') -> tuple[Step, ...]:
        """The recorded steps of ``section``."""
        return self._sections[section]

    @property
    def batch_class(self):
        """The dataset's batch class, or None for a template."""
        return getattr(self.dataset, 'batch_class', None)

    # ------------------------------------------------------------------ pipeline API actions
    def update(self, target, value=None, mode='w') -> Pipeline:
        """Evaluate ``value`` for every batch and store it in ``target`` (``B``, ``V`` or ``C``).

        Examples
        --------
        >>> from dagflow import Pipeline, V, B
        >>> p = Pipeline().init_variable('sizes', []).update(V('sizes', mode='a'), B.size)
        """
        return self._api('update', target, value, mode=mode)

    def save_to(self, target, value=None, mode='w') -> Pipeline:
        """Alias of :meth:`update`."""
        return self._api('save_to', target, value, mode=mode)

    def update_variable(self, name: str, value=None, mode='w') -> Pipeline:
        """Store ``value`` in the variable ``name`` with ``mode`` ('w', 'a', 'e', 'u')."""
        return self._api('update_variable', name, value, mode=mode)

    def print(self, *args, **kwargs) -> Pipeline:
        """Print evaluated arguments for every batch: ``.print('loss', V('loss'))``."""
        return self._api('print', *args, **kwargs)

    def call(self, fn, *args, save_to=None, mode='w', **kwargs) -> Pipeline:
        """Call ``fn`` with evaluated arguments for every batch; keep the result in ``save_to``."""
        return self._api('call', fn, *args, save_to=save_to, mode=mode, **kwargs)

    def join(self, *sources) -> Pipeline:
        """Pass the next batch of each pipeline (or the same items of each dataset) to the next action."""
        return self._api('join', *sources)

    def merge(self, *sources, batch_size=None) -> Pipeline:
        """Merge every batch with the next batch of each source pipeline or dataset."""
        return self._api('merge', *sources, batch_size=batch_size)

    def rebatch(self, batch_size: int, components=None) -> Pipeline:
        """Re-cut the stream into batches of ``batch_size`` items; later steps see the new batches."""
        if not isinstance(batch_size, numbers.Integral) or isinstance(batch_size, bool) or batch_size < 1:
            raise StepArgumentError(f'rebatch: batch_size must be a positive integer, got {batch_size!r}.',
                                    value=batch_size)
        return self._api('rebatch', batch_size, components=components)

    def _api(self, name: str, /, *args, **kwargs) -> Pipeline:
        resolved = resolve_action(name, batch_class=None)
        defaults = action_spec(name).defaults   # a keyword left at its default is not recorded
        kwargs = {k: v for k, v in kwargs.items() if not (k in defaults and v is defaults[k])}
        return self._add_step('main', name, resolved, args, kwargs, caller_source())

    def add_namespace(self, *namespaces) -> Pipeline:
        """Make the callables of modules or objects usable as steps: ``p.add_namespace(np).mean(...)``."""
        self.namespaces.extend(namespaces)
        return self

    # ------------------------------------------------------------------ compile
    def compile(self) -> Plan:
        """Compile the steps into a :class:`~dagflow.plan.Plan`, or give the one compiled from the same inputs.

        The plan is compiled again only when what it is made of changed: the
        steps, the variable or model declarations, the models defined, or the
        batch class (a dataset given as a named expression may pick another).

        Examples
        --------
        >>> from dagflow import Pipeline, V
        >>> p = Pipeline().init_variable('n', 0).update(V('n'), V('n') + 1)
        >>> plan = p.compile()
        >>> p.compile() is plan
        True
        >>> p.init_variable('m', 0).compile() is plan   # a declaration changes what it is made of
        False
        """
        inputs = self._compile_inputs()
        if self._compiled is None or not _same_inputs(self._compiled[0], inputs):
            self._validate_actions()
            plan = compile_plan(self._sections, variables=dict(self.variables.specs),
                                actions=batch_actions(self.batch_class), owner=self.batch_class,
                                models=dict(self.models.specs))
            check_models(plan, defined=self.models.names())
            self._compiled = (inputs, plan)
        return self._compiled[1]

    def _compile_inputs(self) -> tuple:
        """What the plan is made of, compared by identity (declarations are immutable records)."""
        return (self._sections, tuple(self.variables.specs.values()), tuple(self.models.specs.values()),
                frozenset(self.models.names()), self.batch_class)

    @property
    def graph(self) -> Plan:
        """The compiled plan (a ``networkx.DiGraph``)."""
        return self.compile()

    def check(self) -> CheckReport:
        """Pre-flight report of problems found without running (e.g. variables read but never defined)."""
        return check_plan(self.compile(), defined={*self.variables.values, *self.locks.names()},
                          models=self.models.names(), config=self.config, dataset=self.dataset)

    def _validate_actions(self):
        if self.batch_class is None:
            return
        actions = self.batch_class.actions()
        for section, steps in self._sections.items():
            for position, step in enumerate(_flatten(steps)):
                if step.kind is StepKind.ACTION and step.name in actions:
                    bind_arguments(step.name, actions[step.name], step.args, step.kwargs, leading=1 + step.joined,
                                   where=f' (step {position} of {section}, added at {step.source})',
                                   joined=step.joined, source=step.source)
                elif step.kind is StepKind.ACTION:
                    try:
                        resolve_action(step.name, batch_class=self.batch_class, namespaces=self.namespaces,
                                       dataset=self.dataset)
                    except UnknownActionError as exc:
                        raise UnknownActionError(
                            f'{exc} (step {position} of {section}, added at {step.source})',
                            name=step.name, suggestions=exc.suggestions, step=f'{section}[{position}]',
                            source=step.source) from None

    # ------------------------------------------------------------------ algebra
    def _derive(self, *, dataset=None, config=None, sections=None) -> Pipeline:
        """A new pipeline made from this one: what a chained call, ``<<``, ``+``, ``*`` and ``@`` return.

        It gets the steps (immutable tuples, shared), its own dataset
        expression when the dataset is one, its own copy of the
        config (nested dicts copied, values shared) and of the namespaces, the
        variable declarations (values created from them at its first use),
        the models (static and imported ones shared, dynamic ones made anew),
        the same lock objects and the lazy run arguments.  Nothing heavy is
        copied, so a chain of N steps costs N small objects.
        """
        dataset = dataset if dataset is not None else self.dataset
        if isinstance(dataset, DatasetExpression):   # evaluated by each pipeline for itself
            dataset = dataset.fresh()
        child = type(self)(dataset, config if config is not None else self.config.copy())
        child._sections = dict(sections or self._sections)
        child.variables = self.variables.copy_fresh()
        child.namespaces = list(self.namespaces)
        child.models = self.models.for_child()
        child.locks = self.locks.shared_copy()
        child._inherit_run_state(self)   # the lazy run's arguments (running.py)
        return child

    def __lshift__(self, other) -> Pipeline:
        """``template << dataset`` links a dataset; ``pipeline << config`` merges a config."""
        if isinstance(other, Mapping):
            return self._derive(config=self.config + Config(dict(other)))
        if is_expression(other):   # a dataset evaluated when the run starts (running.py)
            return self._derive(dataset=DatasetExpression(other))
        if hasattr(other, 'create_batch') and hasattr(other, 'index'):
            return self._derive(dataset=other)
        return NotImplemented

    def __rrshift__(self, other) -> Pipeline:
        return self.__lshift__(other)

    def __add__(self, other: Pipeline) -> Pipeline:
        """Concatenate two pipelines, section by section (declarations, models and locks of both).

        ``pipeline + other.after`` (a section of ``other``) adds the steps of
        that section only, to the same section, with the declarations,
        models and locks of ``other`` (BatchFlow adds the whole of ``other``).

        Examples
        --------
        >>> from dagflow import Pipeline, V
        >>> with Pipeline() as p:
        ...     both = p.update(V('n'), 1) + p.print(V('n'))
        >>> [step.name for step in both.steps()], p.steps()
        (['update', 'print'], ())
        >>> other = Pipeline().print('each batch')
        >>> other.after.print('at the end')   # doctest: +ELLIPSIS
        <after section of ...>
        >>> ending = Pipeline() + other.after
        >>> len(ending.steps('main')), len(ending.steps('after'))
        (0, 1)
        """
        section = None
        if isinstance(other, SectionView):
            other, section = other.pipeline, other.section
        if not isinstance(other, Pipeline):
            return NotImplemented
        sections = {s: self._sections[s] + (other._sections[s] if section in (None, s) else ()) for s in SECTIONS}
        child = self._derive(dataset=self.dataset if self.dataset is not None else other.dataset,
                             config=self.config + other.config, sections=sections)
        for spec in other.variables.specs.values():
            child.variables.declare(spec)
        child.models.merge(other.models)
        child.locks.share(other.locks)
        child.namespaces.extend(ns for ns in other.namespaces if ns not in child.namespaces)
        if self._lazy is None:
            child._inherit_run_state(other)
        return child

    def __mul__(self, times: int) -> Pipeline:
        """Repeat the main steps ``times`` times for every batch."""
        if not isinstance(times, numbers.Integral) or isinstance(times, bool) or times < 0:
            raise StepArgumentError(f'A pipeline can be repeated a non-negative integer number of times, '
                                    f'got {times!r}.', value=times)
        return self._derive(sections={**self._sections, 'main': self._sections['main'] * times})

    def __matmul__(self, probability) -> Pipeline:
        """Apply the main steps to a batch with ``probability`` (drawn from the batch's random state)."""
        if isinstance(probability, numbers.Real) and not 0 <= probability <= 1:
            raise StepArgumentError(f'A probability must be within [0, 1], got {probability!r}.',
                                    value=probability)
        sub = Step('sometimes', StepKind.SUB, target=(probability, self._sections['main']),
                   source=caller_source())
        return self._derive(sections={**self._sections, 'main': (sub,)})

    # ------------------------------------------------------------------ pictures (drawn by dagflow.viz from the plan)
    def visualize(self, filename=None, format: str | None = None, sections=SECTIONS, rankdir: str = 'TB',
                  timings=False, legend: bool = True) -> viz.Picture:
        """Draw the compiled plan: a box per step, sections as clusters, state and carried edges.

        The parameters are :func:`dagflow.viz.draw_plan`'s (``filename``,
        ``format`` of ``'svg'``/``'png'``/``'pdf'``/``'dot'``, ``sections``,
        ``rankdir``, ``legend``); ``timings=True`` fills the boxes by the time
        each step took in the last ``run(..., profile=True)``.

        Examples
        --------
        >>> from dagflow import Pipeline, V
        >>> picture = Pipeline().init_variable('n', 0).update(V('n'), V('n') + 1).visualize(format='dot')
        >>> 'update' in picture.source
        True
        """
        return viz.draw_plan(self.compile(), filename, format, sections, rankdir, timings, legend,
                             profile=self._profile())

    def to_dot(self, sections=SECTIONS, rankdir: str = 'TB', timings=False, legend: bool = True) -> str:
        """The Graphviz DOT text of the plan's picture (see :meth:`visualize`).

        Examples
        --------
        >>> from dagflow import Pipeline, V
        >>> Pipeline().init_variable('n', 0).update(V('n'), V('n') + 1).to_dot().startswith('digraph plan {')
        True
        """
        return viz.plan_to_dot(self.compile(), sections, rankdir, timings, legend, profile=self._profile())

    def to_mermaid(self, sections=SECTIONS, rankdir: str = 'TB') -> str:
        """The plan as a Mermaid flowchart, for Markdown pages and GitHub (put it in a ```` ```mermaid ```` block).

        Examples
        --------
        >>> from dagflow import Pipeline, V
        >>> Pipeline().init_variable('n', 0).update(V('n'), V('n') + 1).to_mermaid().splitlines()[:2]
        ['flowchart TB', '  subgraph sec_main["main: for every batch"]']
        """
        return viz.plan_to_mermaid(self.compile(), sections, rankdir)

    def visualize_dask(self, n_batches: int = 3, prefetch: int | None = None, filename=None,
                       format: str | None = None, rankdir: str = 'LR', legend: bool = True) -> viz.Picture:
        """Draw the Dask graph a run lowers to, for ``n_batches`` batches (see :func:`dagflow.viz.draw_lowered`).

        Pure steps fuse into one task per batch, which the lanes run in
        parallel; state steps chain across the lanes in serial order.
        ``prefetch`` also draws the window edges of ``run(..., prefetch=...)``.

        Examples
        --------
        >>> from dagflow import Pipeline, V
        >>> picture = Pipeline().init_variable('n', 0).update(V('n'), V('n') + 1).visualize_dask(2, format='dot')
        >>> 'g0_b0 -> g0_b1' in picture.source
        True
        """
        return viz.draw_lowered(self.compile(), n_batches, prefetch, filename, format, rankdir, legend)

    def plot_timeline(self, ax=None, **kwargs):
        """Draw the last ``run(..., profile=True)``: a lane per place that ran pure steps, then the state steps' lane.

        Short runs get a bar per step and batch; long ones each lane's share
        of time per step over the run.  Keyword arguments go to
        :func:`dagflow.viz.plot_timeline` (``view``, ``window``, ``title``,
        ``legend``, ``batch_labels``); state steps get a dark outline.
        Returns the matplotlib ``Axes``.
        """
        return viz.plot_timeline(self._profile(), ax, plan=self.compile(), **kwargs)

    def plot(self, name: str, ax=None, smooth: int | None = None):
        """Plot the history of the variable ``name`` (a list of numbers, or of arrays); return the ``Axes``.

        ``smooth`` also draws the moving average over that many values.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use('Agg')
        >>> from dagflow import Pipeline
        >>> Pipeline().init_variable('loss', [0.9, 0.5, 0.4]).plot('loss').get_ylabel()
        'loss'
        >>> import matplotlib.pyplot as plt; plt.close('all')
        """
        return viz.plot_history(self.get_variable(name), name, ax, smooth=smooth)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return viz.notebook_bundle(repr(self), self.compile, include, exclude)

    def _repr_html_(self):
        return self._repr_mimebundle_(include=['text/html']).get('text/html')

    def _repr_svg_(self):
        return self._repr_mimebundle_(include=['image/svg+xml']).get('image/svg+xml')

    def _profile(self):
        """``self.profile`` if set (not looked up as an action, as ``__getattr__`` would)."""
        return self.__dict__.get('profile')

    # ------------------------------------------------------------------ misc
    def __enter__(self) -> Pipeline:
        return self

    def __exit__(self, *exc_info):
        return False

    def __getstate__(self):
        state = self.__dict__.copy()
        state['_compiled'] = None
        state.update(self._run_state_to_pickle())
        return state

    def __copy__(self):
        return self._derive()

    def __deepcopy__(self, memo):
        child = self._derive(config=copy.deepcopy(self.config, memo))
        child.variables.values = copy.deepcopy(self.variables.values, memo)
        return child

    def __repr__(self):
        counts = ', '.join(f'{s}={len(self._sections[s])}' for s in SECTIONS if self._sections[s])
        target = 'template' if self.dataset is None else f'dataset={self.dataset!r}'
        return f'<Pipeline {target} steps: {counts or "none"}>'

    def __str__(self):
        return str(self.compile())


def _same_inputs(old: tuple, new: tuple) -> bool:
    sections, variables, models, names, batch_class = old
    return (sections is new[0] and len(variables) == len(new[1]) and all(a is b for a, b in zip(variables, new[1]))
            and len(models) == len(new[2]) and all(a is b for a, b in zip(models, new[2]))
            and names == new[3] and batch_class is new[4])


def _joined_count(step: Step) -> int:
    if step.kind is StepKind.API and action_spec(step.name).hands_batches:
        return len(step.args)
    return 0


def _bind_any(name, definitions, args, kwargs, *, leading, where, joined=0, source=None):
    """Bind the arguments to the first definition they fit; raise the first definition's error if none."""
    errors = []
    for function in definitions:
        try:
            return bind_arguments(name, function, args, kwargs, leading=leading, where=where, joined=joined,
                                  source=source)
        except StepArgumentError as exc:
            errors.append(exc)
    raise errors[0]


def _flatten(steps):
    for step in steps:
        if step.kind is StepKind.SUB:
            yield from _flatten(step.target[1])
        else:
            yield step


_WARNED_CLASSES: weakref.WeakSet = weakref.WeakSet()


def _warn_shadowed_actions(pipeline: Pipeline) -> None:
    """Warn (once per batch class) about actions that ``pipeline.<name>(...)`` cannot reach."""
    cls = pipeline.batch_class
    if cls is None or cls in _WARNED_CLASSES:
        return
    _WARNED_CLASSES.add(cls)
    shadowed = sorted(name for name in cls.actions()
                      if name not in API_ACTIONS and (hasattr(Pipeline, name) or name in vars(pipeline)))
    if shadowed:
        warnings.warn(
            f'{cls.__name__} has action(s) named like a Pipeline method or attribute: {", ".join(shadowed)}. '
            f'pipeline.{shadowed[0]}(...) reaches the pipeline\'s own, never the action, so the action cannot be '
            f'chained by that name: rename it (e.g. {shadowed[0]}_batch).', UserWarning, stacklevel=3)


# API actions the pipeline performs when they are chained (as BatchFlow's before-section declarations do)
