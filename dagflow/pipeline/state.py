"""The state a pipeline run reads and writes: variables, locks, config.

The state lives in the driver (the process that called ``run``).  Steps reach
it only through the pipeline's variable API and named expressions, so the
planner can see every access.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from ..exceptions import UndefinedVariableError, suggestion_text
from ..expr import apply_mode, initial_value_of, normalize_mode

__all__ = ['VariableSpec', 'Variables', 'Locks']

_NOTHING = object()


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
    init_on_each_run: Any = _NOTHING
    source: str | None = None

    @property
    def per_run(self) -> bool:
        """Whether the variable is reset at the start of every run."""
        return self.init_on_each_run is not _NOTHING

    def initial_value(self) -> Any:
        """The value the variable starts with (named expressions in it evaluated, without a batch)."""
        if self.per_run:
            return initial_value_of(self.init_on_each_run, per_run=True)
        return initial_value_of(self.default)


class Variables:
    """A pipeline's variables: values, their specs, and one lock guarding both.

    Examples
    --------
    >>> variables = Variables()
    >>> variables.declare(VariableSpec('loss', init_on_each_run=list))
    >>> variables.set('loss', 0.5, mode='a')
    >>> variables.get('loss')
    [0.5]
    """

    def __init__(self):
        self.specs: dict[str, VariableSpec] = {}
        self.values: dict[str, Any] = {}
        self._lock = threading.RLock()

    def __getstate__(self):
        return {'specs': self.specs, 'values': self.values}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.RLock()

    def declare(self, spec: VariableSpec, *, overwrite: bool = False):
        """Record ``spec`` and create the variable unless it already exists."""
        with self._lock:
            self.specs[spec.name] = spec
            if overwrite or spec.name not in self.values:
                self.values[spec.name] = spec.initial_value()

    def start_run(self):
        """Reset the variables declared with ``init_on_each_run``."""
        with self._lock:
            for spec in self.specs.values():
                if spec.per_run:
                    self.values[spec.name] = spec.initial_value()

    def reset(self):
        """Re-create every declared variable from its spec; drop undeclared ones."""
        with self._lock:
            self.values = {name: spec.initial_value() for name, spec in self.specs.items()}

    def has(self, name: str) -> bool:
        return name in self.values

    def get(self, name: str, default: Any = _NOTHING, where: str = '') -> Any:
        with self._lock:
            if name in self.values:
                return self.values[name]
        if default is not _NOTHING:
            return default
        raise UndefinedVariableError(
            f"Variable {name!r} is not defined{where}." + suggestion_text(name, self.values)
            + f" Declare it with .init_variable({name!r}, default) before the step that reads it.",
            name=name)

    def set(self, name: str, value: Any, mode: str = 'w'):
        mode = normalize_mode(mode)
        with self._lock:
            current = self.values.get(name)
            self.values[name] = value if mode == 'w' else apply_mode(current, value, mode)

    def delete(self, name: str):
        with self._lock:
            if name not in self.values and name not in self.specs:
                raise UndefinedVariableError(
                    f'Cannot delete variable {name!r}: it is not defined.'
                    + suggestion_text(name, self.values), name=name)
            self.values.pop(name, None)
            self.specs.pop(name, None)

    def delete_all(self):
        with self._lock:
            self.values.clear()
            self.specs.clear()

    def copy_fresh(self) -> Variables:
        """A new store with the same specs and freshly initialised values."""
        fresh = Variables()
        for spec in self.specs.values():
            fresh.declare(spec)
        return fresh

    def __repr__(self):
        return f'Variables({sorted(self.values)})'



class Locks:
    """Named locks of a pipeline (``init_lock``/``acquire_lock``/``release_lock``).

    Examples
    --------
    >>> locks = Locks()
    >>> locks.acquire('io'); locks.release('io')
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

    def create(self, name: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(name, threading.Lock())

    def acquire(self, name: str):
        self.create(name).acquire()

    def release(self, name: str):
        lock = self._locks.get(name)
        if lock is None or not lock.locked():
            from ..exceptions import StepArgumentError
            raise StepArgumentError(f'Cannot release lock {name!r}: it is not held. '
                                    f'Add .acquire_lock({name!r}) before this step.', name=name)
        lock.release()

    def release_all(self):
        """Release every held lock (after a failed run, so the next run does not wait forever)."""
        for lock in list(self._locks.values()):
            if lock.locked():
                lock.release()

    def names(self) -> list[str]:
        return sorted(self._locks)
