"""The state a pure step sees in a worker process or on a Dask worker: the dataset and the config.

A pure step runs away from the pipeline's variables, models and locks (the
plan found it touches none of them).  Its ``batch.pipeline`` there is a
:class:`WorkerPipeline`: the run's dataset and the config values pure steps
read, and, for anything else, an error that names the step and the
declaration that sends it to where the state lives.

Examples
--------
>>> from dagflow import B, C, Pipeline
>>> p = Pipeline(config={'scale': 2.0, 'unused': 1}).update(B('x'), B('x') * C('scale'))
>>> worker = WorkerPipeline.of(RunState.of(p, dataset=None), p.compile())
>>> dict(worker.config), worker.run_state().owner is worker
({'scale': 2.0}, True)
>>> WorkerPipeline(None).variables  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
dagflow.exceptions.UndeclaredEffectError: A pure step used pipeline.variables in a worker process...
"""
from __future__ import annotations

from ..core import ResourceKind
from ..exceptions import UndeclaredEffectError
from .guard import RUNNING
from .state import RunState

__all__ = ['WorkerPipeline']


class WorkerPipeline:
    """What a pure step sees as its pipeline in a worker process: the dataset and the config, and no state.

    The config is the one of the run's start: pure steps may read only config
    keys that no step writes (:func:`dagflow.plan.compile_plan`).
    """

    def __init__(self, dataset, config=None):
        self.dataset, self.config = dataset, config

    @classmethod
    def of(cls, state: RunState, plan) -> WorkerPipeline:
        """The worker-side stand-in of a run's ``state``: its dataset and the config values its pure steps read."""
        dataset, config = state.dataset, state.config
        keys = {effect.resource.name for _, data in plan.nodes(data=True) if data['pure']
                for effect in data['effects'] if effect.resource.kind is ResourceKind.CONFIG}
        if not keys or config is None:
            return cls(dataset)
        if '*' in keys or '' in keys:   # C() or a name known only at run time: all of it
            return cls(dataset, config.copy())
        chosen = type(config)()
        for key in sorted(keys):
            if key in config:
                chosen[key] = config[key]
        return cls(dataset, chosen)

    def run_state(self) -> RunState:
        """The run state in the worker: this dataset and config, no variables, models or locks; owned by this."""
        return RunState(config=self.config, dataset=self.dataset, owner=self)

    def __getattr__(self, name):
        """Anything but the dataset and the config: the step reached for state it was not known to touch."""
        if name.startswith('__'):
            raise AttributeError(name)
        guard = RUNNING.get()
        step = guard.label if guard is not None else 'A pure step'
        raise UndeclaredEffectError(
            f'{step} used pipeline.{name} in a worker process. dagflow saw no variable or model in the step (its '
            f'code could not be read, or reaches the state in a way dagflow does not follow), so it ran as a pure '
            f"step, away from the pipeline's state. Declare what the action touches, e.g. "
            f"@action(reads='var:name') or @action(writes='model:name'), so it runs where the state lives.",
            name=name, step=step)
