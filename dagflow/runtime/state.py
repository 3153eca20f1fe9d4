"""The state a pipeline run reads and writes: variables, locks, config, and the :class:`RunState` holding them.

The state lives in the driver (the process that called ``run``).  Steps reach
it only through the pipeline's variable API and named expressions, so the
planner can see every access.  The engine takes a :class:`RunState`, never the
pipeline: what a run reads (its dataset, the config, the variables to reset)
and the object steps see as ``self.pipeline`` (its :attr:`~RunState.owner`).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from ..core import ResourceKind
from ..exceptions import StepArgumentError, UndefinedVariableError, suggestion_text
from ..expr import Context, apply_mode, initial_value_of, normalize_mode
from ..sentinel import Sentinel
from .guard import check_access

__all__ = ['NO_VALUE', 'VariableSpec', 'Variables', 'Locks', 'RunState']


#: An argument that was not given (``init_on_each_run``, a ``get_variable`` default); it pickles as itself.
NO_VALUE = Sentinel('NO_VALUE', __name__, '<no value>')
"""The default of a variable argument that was not given: ``spec.init_on_each_run is NO_VALUE`` unless declared."""


@dataclass(frozen=True)
class VariableSpec:
    """How a variable is initialised.

    Parameters
    ----------
    name : str
        The variable's name.
    default : object
        The value it takes when created (copied, so runs do not share it; a
        named expression such as ``F(fn)`` is evaluated, without a batch).
    init_on_each_run : callable or object, optional
        When given, the variable is reset to this (called, if callable;
        evaluated, if a named expression) at the start of every run.
    source : str, optional
        Where in the user's code the variable was declared.
    """

    name: str
    default: Any = None
    init_on_each_run: Any = NO_VALUE
    source: str | None = None

    @property
    def per_run(self) -> bool:
        """Whether the variable is reset at the start of every run."""
        return self.init_on_each_run is not NO_VALUE

    def initial_value(self) -> Any:
        """The value the variable starts with (named expressions in it evaluated, without a batch)."""
        if self.per_run:
            return initial_value_of(self.init_on_each_run, per_run=True)
        return initial_value_of(self.default)


class Variables:
    """A pipeline's variables: values, their specs, and one lock guarding both.

    A store made by :meth:`copy_fresh` (for a pipeline derived from another)
    creates its values from the specs at its first use, so that a chain of
    many steps copies no default value until the pipeline it ends with is used.

    Examples
    --------
    >>> variables = Variables()
    >>> variables.declare(VariableSpec('loss', init_on_each_run=list))
    >>> variables.set('loss', 0.5, mode='a')
    >>> variables.get('loss')
    [0.5]
    >>> variables.copy_fresh().get('loss')      # a derived store starts from the declarations
    []
    """

    def __init__(self):
        self.specs: dict[str, VariableSpec] = {}
        self._values: dict[str, Any] = {}
        self._unborn = False    # True: the values of the specs are still to be created (see copy_fresh)
        self._lock = threading.RLock()

    @property
    def values(self) -> dict[str, Any]:
        """Name -> value of every variable that exists."""
        if self._unborn:
            self._create_unborn()
        return self._values

    @values.setter
    def values(self, values: dict[str, Any]):
        self._values, self._unborn = values, False

    def _create_unborn(self):
        with self._lock:
            if self._unborn:
                for name, spec in self.specs.items():
                    if name not in self._values:
                        self._values[name] = spec.initial_value()
                self._unborn = False

    def __getstate__(self):
        return {'specs': self.specs, 'values': self.values}

    def __setstate__(self, state):
        self.specs = state['specs']
        self.values = state['values']
        self._lock = threading.RLock()

    def declare(self, spec: VariableSpec, *, overwrite: bool = False):
        """Record ``spec`` and create the variable unless it already exists."""
        values = self.values
        with self._lock:
            self.specs[spec.name] = spec
            if overwrite or spec.name not in values:
                values[spec.name] = spec.initial_value()

    def start_run(self):
        """Reset the variables declared with ``init_on_each_run``."""
        values = self.values
        with self._lock:
            for spec in self.specs.values():
                if spec.per_run:
                    values[spec.name] = spec.initial_value()

    def reset(self):
        """Re-create every declared variable from its spec; drop undeclared ones."""
        with self._lock:
            self.values = {name: spec.initial_value() for name, spec in self.specs.items()}

    def has(self, name: str) -> bool:
        """Whether the variable ``name`` exists (False for a name that cannot be one)."""
        try:
            return name in self.values
        except TypeError:   # an unhashable name
            return False

    def get(self, name: str, default: Any = NO_VALUE, where: str = '') -> Any:
        """The value of ``name``; ``default`` when it does not exist, or :class:`UndefinedVariableError`."""
        values = self.values
        with self._lock:
            if name in values:
                return values[name]
        if default is not NO_VALUE:
            return default
        raise self.missing(name, where)

    def missing(self, name: str, where: str = '') -> UndefinedVariableError:
        """The error for reading ``name``, which does not exist (a ``KeyError``), with close names."""
        return UndefinedVariableError(
            f"Variable {name!r} is not defined{where}." + suggestion_text(name, self.values)
            + f" Declare it with .init_variable({name!r}, default) before the step that reads it.",
            name=name)

    def set(self, name: str, value: Any, mode: str = 'w'):
        """Store ``value`` in ``name`` with ``mode`` (creating the variable when missing)."""
        mode = normalize_mode(mode)
        values = self.values
        with self._lock:
            current = values.get(name)
            values[name] = value if mode == 'w' else apply_mode(current, value, mode)

    def delete(self, name: str) -> bool:
        """Delete ``name`` and its declaration; False when there was no such variable."""
        values = self.values
        with self._lock:
            if name not in values and name not in self.specs:
                return False
            values.pop(name, None)
            self.specs.pop(name, None)
            return True

    def delete_all(self):
        """Delete every variable and declaration."""
        with self._lock:
            self.values = {}
            self.specs.clear()

    def copy_fresh(self) -> Variables:
        """A new store with the same specs, whose values are created from them at its first use."""
        fresh = Variables()
        with self._lock:
            fresh.specs = dict(self.specs)
        fresh._unborn = bool(fresh.specs)
        return fresh

    def __repr__(self):
        return f'Variables({sorted(self.values)})'


class Locks:
    """Named locks of a pipeline (``init_lock``/``acquire_lock``/``release_lock``).

    A pipeline derived from another (a chained call, ``<<``, ``+``) shares its
    lock objects (:meth:`shared_copy`): a lock declared on a common base
    guards the resource of every pipeline made from it, as in BatchFlow.

    Examples
    --------
    >>> locks = Locks()
    >>> locks.acquire('io'); locks.release('io')
    >>> locks.shared_copy().get('io') is locks.get('io')
    True
    """

    def __init__(self):
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def __getstate__(self):
        return {'names': sorted(self._locks)}

    def __setstate__(self, state):
        self.__init__()
        for name in state['names']:
            self.create(name)

    def __contains__(self, name) -> bool:
        try:
            return name in self._locks
        except TypeError:   # an unhashable name
            return False

    def create(self, name: str) -> threading.Lock:
        """The lock ``name``, created when missing."""
        with self._guard:
            return self._locks.setdefault(name, threading.Lock())

    def get(self, name: str) -> threading.Lock | None:
        """The lock ``name``, or None."""
        return self._locks.get(name)

    def acquire(self, name: str):
        self.create(name).acquire()

    def release(self, name: str):
        lock = self._locks.get(name)
        if lock is None or not lock.locked():
            raise StepArgumentError(f'Cannot release lock {name!r}: it is not held. '
                                    f'Add .acquire_lock({name!r}) before this step.', name=name)
        lock.release()

    def release_all(self):
        """Release every held lock (after a failed run, so the next run does not wait forever)."""
        for lock in list(self._locks.values()):
            if lock.locked():
                lock.release()

    def delete(self, name: str) -> bool:
        """Forget the lock ``name`` (a later ``acquire_lock`` makes a new one); False if there was none."""
        with self._guard:
            return self._locks.pop(name, None) is not None

    def clear(self):
        """Forget every lock."""
        with self._guard:
            self._locks = {}

    def shared_copy(self) -> Locks:
        """A store of the same lock objects (new names added to either are not seen by the other)."""
        copy = Locks()
        with self._guard:
            copy._locks = dict(self._locks)
        return copy

    def share(self, other: Locks):
        """Hold the locks of ``other`` too (the same objects); a lock of this store keeps its name."""
        with self._guard:
            self._locks = {**other._locks, **self._locks}

    def names(self) -> list[str]:
        return sorted(self._locks)


class RunState:
    """What one run reads and writes: variables, models, locks, config, its dataset, and their owner.

    The engine takes this, never the pipeline.  A ``Pipeline`` keeps its state
    in one (``pipeline.state``; its ``variables``, ``models``, ``locks``,
    ``config`` and ``dataset`` are this object's) and each run gets a copy
    with the run's dataset (:meth:`for_run`): the stores are shared, not
    copied, so a run changes its pipeline's variables and models.
    :attr:`owner` is the object steps see as ``ctx.pipeline``/``batch.pipeline``
    (the user's ``Pipeline``, as in BatchFlow); the engine hands it on and
    calls nothing on it.  :meth:`get_variable`, :meth:`set_variable`,
    :meth:`has_variable` and :meth:`get_model` answer the pipeline's methods
    of those names, checking what the running step may touch (a step's
    access to state it did not declare is an
    :class:`~dagflow.exceptions.UndeclaredEffectError`, whichever way it
    comes).

    Parameters
    ----------
    variables : Variables, optional
        The variables (``start_run`` resets the per-run ones when a run starts).
    models : object, optional
        The models store.
    locks : Locks, optional
        The named locks.
    config : Config or dict, optional
        The config the run reads.
    dataset : Dataset, optional
        The run's dataset, resolved when the run starts (what ``D(...)`` and dataset methods see).
    owner : object, optional
        What steps see as their pipeline; opaque to the engine.

    Examples
    --------
    >>> state = RunState(variables=Variables(), config={'lr': 0.1}, dataset='train', owner='my pipeline')
    >>> state
    RunState(owner='my pipeline', dataset='train')
    >>> other = state.for_run('test')
    >>> other.dataset, other.variables is state.variables, other.owner
    ('test', True, 'my pipeline')
    >>> from types import SimpleNamespace
    >>> RunState.of(SimpleNamespace(variables=None, models=None, locks=None, config={}), 'data').dataset
    'data'
    """

    __slots__ = ('variables', 'models', 'locks', 'config', 'dataset', 'owner')

    def __init__(self, variables: Variables | None = None, models=None, locks: Locks | None = None, config=None,
                 dataset=None, owner=None):
        self.variables, self.models, self.locks, self.config = variables, models, locks, config
        self.dataset, self.owner = dataset, owner

    @classmethod
    def of(cls, owner, dataset=None) -> RunState:
        """The state of a run of ``owner`` over ``dataset``: ``owner``'s own stores (read now, shared, not copied).

        ``owner`` is duck-typed: its ``variables``, ``models``, ``locks`` and
        ``config`` attributes are taken (None where it has none).
        """
        return cls(getattr(owner, 'variables', None), getattr(owner, 'models', None),
                   getattr(owner, 'locks', None), getattr(owner, 'config', None), dataset, owner)

    def for_run(self, dataset) -> RunState:
        """A copy for a run over ``dataset``: the same stores and owner, another dataset."""
        return RunState(self.variables, self.models, self.locks, self.config, dataset, self.owner)

    # ------------------------------------------------------------------ what steps ask of it
    def check(self, kind: ResourceKind, name: str):
        """The running step's guard when it may touch ``kind:name``; None outside steps; raise when it may not."""
        return check_access(self.owner, kind, name)

    def has_variable(self, name: str) -> bool:
        """Whether the variable (or the lock) ``name`` exists."""
        return self.variables.has(name) or (self.locks is not None and name in self.locks)

    def get_variable(self, name: str, default: Any = NO_VALUE) -> Any:
        """The variable ``name`` (``default`` when missing and given); a lock is a variable too, free to every step.

        Examples
        --------
        >>> state = RunState(Variables(), locks=Locks())
        >>> state.set_variable('loss', 0.5)
        >>> state.get_variable('loss'), state.get_variable('epochs', 10)
        (0.5, 10)
        """
        if self.locks is not None and not self.variables.has(name) and name in self.locks:
            return self.locks.get(name)   # a lock guards itself: any step may use it
        self.check(ResourceKind.VARIABLE, name)
        return self.variables.get(name, default)

    def set_variable(self, name: str, value: Any, mode: str = 'w') -> None:
        """Set the variable ``name`` to ``value`` (or append/extend/update it with ``mode``)."""
        self.check(ResourceKind.VARIABLE, name)
        self.variables.set(name, value, mode)

    def get_model(self, name: str, batch=None):
        """The model ``name``; a dynamic one is created now, from ``batch`` (in a step: the step's batch)."""
        guard = self.check(ResourceKind.MODEL, name)
        if batch is None and guard is not None:
            batch = guard.batch  # a dynamic model made inside a step sees that step's batch
        return self.models.get(name, self.context(batch))

    def context(self, batch=None) -> Context:
        """The context named expressions are evaluated in outside a step: ``batch``'s, or the owner and dataset."""
        return Context.from_batch(batch) if batch is not None else Context(pipeline=self.owner, dataset=self.dataset)

    def __repr__(self):
        return f'RunState(owner={self.owner!r}, dataset={self.dataset!r})'
