"""What steps touch while a pipeline runs: its state, the API action bodies, the guard, the worker-side state.

The engine runs a plan's steps against the objects here and nothing above:
:mod:`~dagflow.runtime.state` (variables, locks, and the :class:`~dagflow.runtime.state.RunState` holding a
run's state), :mod:`~dagflow.runtime.api`
and :mod:`~dagflow.runtime.model_actions` (the bodies of the pipeline's own
actions, registered as :class:`~dagflow.core.ActionSpec` s with their effects),
:mod:`~dagflow.runtime.guard` (which state the running step may touch) and
:mod:`~dagflow.runtime.worker` (what a pure step sees in a worker process).
"""
from .api import API_ACTIONS, Joined
from .guard import RUNNING, StepGuard, check_access
from .state import NO_VALUE, Locks, RunState, Variables, VariableSpec
from .worker import WorkerPipeline

__all__ = ['API_ACTIONS', 'Joined', 'Locks', 'NO_VALUE', 'RUNNING', 'RunState', 'StepGuard', 'Variables',
           'VariableSpec', 'WorkerPipeline', 'check_access']
