"""The variables and locks of a pipeline: declaring, reading, writing and deleting them.

:class:`VariablesMixin` is the variables half of :class:`~dagflow.Pipeline`
(``init_variable(s)``, ``get_variable``/``v``, ``set_variable``,
``has_variable``, ``delete_variable``/``del_variable``,
``delete_all_variables``, ``init_lock``, ``acquire_lock``,
``release_lock``).  The values live in the pipeline's
:class:`~dagflow.runtime.state.Variables` and
:class:`~dagflow.runtime.state.Locks`; every access from a running step is
checked against the step's effects (:mod:`dagflow.runtime.guard`).
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..core import ResourceKind
from ..core.step import caller_source
from ..exceptions import StepArgumentError, suggestion_text
from ..runtime.state import NO_VALUE, VariableSpec

if TYPE_CHECKING:
    from .pipeline import Pipeline

__all__ = ['VariablesMixin']


class VariablesMixin:
    """The variables half of :class:`~dagflow.Pipeline`: declarations and the variable API."""

    def init_lock(self, name: str = 'lock') -> Pipeline:
        """Create a named lock now; it is also the pipeline variable ``name``, as in BatchFlow.

        A declaration: it changes this pipeline and returns it.  An
        ``acquire_lock(name)`` creates the lock when no ``init_lock`` did.

        Examples
        --------
        >>> from dagflow import Pipeline
        >>> p = Pipeline().init_lock('model_update')
        >>> p.v('model_update').locked(), p.has_variable('model_update')
        (False, True)
        """
        self.locks.create(name)
        return self

    def acquire_lock(self, name: str = 'lock') -> Pipeline:
        """Acquire the named lock for every batch (pair it with :meth:`release_lock`)."""
        return self._api('acquire_lock', name)

    def release_lock(self, name: str = 'lock') -> Pipeline:
        """Release the named lock for every batch."""
        return self._api('release_lock', name)

    def init_variable(self, name: str, default: Any = None, lock: bool = True, *,
                      init_on_each_run: Any = NO_VALUE, **kwargs) -> Pipeline:
        """Declare a variable; it is created now with ``default`` unless it exists.

        A declaration: it changes this pipeline and returns it (pipelines
        chained from it later get the declaration).

        Parameters
        ----------
        name : str
            The variable's name.
        default : object
            Its value when created (copied, so that pipelines do not share it).
        lock : bool
            BatchFlow's per-variable lock, accepted and not needed: the plan
            orders every access to a variable.
        init_on_each_run : object or callable, optional
            Reset the variable to this (called, if callable, such as ``list``)
            at the start of every run.

        Examples
        --------
        >>> from dagflow import Pipeline
        >>> Pipeline().init_variable('loss_history', init_on_each_run=list).v('loss_history')
        []
        """
        if not isinstance(name, str) or not name:
            raise StepArgumentError(f'init_variable: a variable name must be a non-empty string, got {name!r}.',
                                    value=name)
        if kwargs:
            raise StepArgumentError(f'init_variable({name!r}): unexpected arguments {sorted(kwargs)}.',
                                    name=name)
        self.variables.declare(VariableSpec(name, default, init_on_each_run, caller_source()))
        return self

    def init_variables(self, *variables, **named) -> Pipeline:
        """Declare several variables: names (default None), a list of names, or a dict.

        A dict maps names to defaults, or to ``{'default': ..., 'init_on_each_run': ..., 'lock': ...}``.

        Examples
        --------
        >>> from dagflow import Pipeline
        >>> Pipeline().init_variables(['a', 'b'], c=1).v('c')
        1
        """
        for item in variables:
            if isinstance(item, str):
                self.init_variable(item)
            elif isinstance(item, Mapping):
                for name, spec in item.items():
                    if isinstance(spec, Mapping) and set(spec) <= {'default', 'init_on_each_run', 'lock'}:
                        self.init_variable(name, **spec)
                    else:
                        self.init_variable(name, spec)
            else:
                for name in item:
                    self.init_variable(name)
        for name, default in named.items():
            self.init_variable(name, default)
        return self

    def get_variable(self, name: str, default: Any = NO_VALUE, *, create: bool = False, **init) -> Any:
        """The value of the variable ``name`` (a lock made by ``init_lock(name)`` is a variable too).

        Parameters
        ----------
        name : str
            The variable's name.
        default : object, optional
            With ``create=True``, the value a missing variable is created with;
            otherwise the value returned (and not stored) when it is missing.
        create : bool
            Create a missing variable (as :meth:`init_variable` does) instead of
            raising.
        **init
            ``init_on_each_run=...`` for the variable ``create=True`` makes.

        Raises
        ------
        UndefinedVariableError
            (a ``KeyError``) when the variable does not exist (it was never
            declared, or was deleted) and neither ``default`` nor ``create`` is given.

        Examples
        --------
        >>> from dagflow import Pipeline
        >>> p = Pipeline().init_variable('loss', 0.5)
        >>> p.get_variable('loss'), p.v('epochs', 10), p.has_variable('epochs')
        (0.5, 10, False)
        >>> p.get_variable('history', [], create=True), p.has_variable('history')
        ([], True)
        >>> p.v('los')
        Traceback (most recent call last):
        ...
        dagflow.exceptions.UndefinedVariableError: Variable 'los' is not defined. Did you mean 'loss'? ...
        """
        if init and not create:
            raise StepArgumentError(f'get_variable({name!r}): {sorted(init)} only apply with create=True, '
                                    f'which creates the variable when it is missing.', name=name)
        if create and not self.state.has_variable(name):
            self.state.check(ResourceKind.VARIABLE, name)
            self.init_variable(name, None if default is NO_VALUE else default, **init)
        return self.state.get_variable(name, default)

    v = get_variable

    def set_variable(self, name: str, value: Any, mode: str = 'w') -> Pipeline:
        """Set the variable ``name`` to ``value`` (or append/extend/update it with ``mode``)."""
        self.state.set_variable(name, value, mode)
        return self

    def has_variable(self, name: str) -> bool:
        """Whether the variable (or the lock) ``name`` exists."""
        return self.state.has_variable(name)

    def delete_variable(self, name: str) -> Pipeline:
        """Delete the variable ``name`` and its declaration (or the lock ``name``).

        Deleting a variable that does not exist changes nothing and warns, with
        the close names.

        Examples
        --------
        >>> from dagflow import Pipeline
        >>> p = Pipeline().init_variable('a', 1).init_variable('b', 2)
        >>> p.delete_variable('a').has_variable('a'), p.del_variable('b').has_variable('b')
        (False, False)
        """
        self.state.check(ResourceKind.VARIABLE, name)
        deleted = self.variables.delete(name)
        deleted = self.locks.delete(name) or deleted
        if not deleted:
            warnings.warn(f'delete_variable({name!r}): there is no such variable, so nothing was deleted.'
                          + suggestion_text(name, [*self.variables.values, *self.locks.names()]),
                          UserWarning, stacklevel=2)
        return self

    def del_variable(self, name: str) -> Pipeline:
        """Delete the variable ``name`` (the same as :meth:`delete_variable`)."""
        return self.delete_variable(name)

    def delete_all_variables(self) -> Pipeline:
        """Delete every variable, declaration and lock.

        Examples
        --------
        >>> from dagflow import Pipeline
        >>> Pipeline().init_variables(['a', 'b']).init_lock('io').delete_all_variables().has_variable('io')
        False
        """
        self.variables.delete_all()
        self.locks.clear()
        return self
