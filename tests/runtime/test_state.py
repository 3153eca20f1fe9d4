"""The run state: one object holding what a run reads and writes, handed to the engine instead of the pipeline."""
import pickle

from dagflow import Pipeline, V
from dagflow.runtime import RunState, WorkerPipeline


def test_of_takes_the_owners_stores_without_copying_them():
    p = Pipeline(config={'lr': 0.1}).init_variable('n', 0)
    state = RunState.of(p, 'data')
    assert (state.variables, state.models, state.locks, state.config, state.dataset, state.owner) == \
        (p.variables, p.models, p.locks, p.config, 'data', p)
    state.variables.set('n', 3)
    assert p.v('n') == 3


def test_of_an_owner_without_stores_gives_none_for_them():
    state = RunState.of(object())
    assert (state.variables, state.models, state.locks, state.config, state.dataset) == (None,) * 5


def test_for_run_shares_everything_but_the_dataset():
    p = Pipeline().init_variable('n', 0)
    state = RunState.of(p, 'train')
    other = state.for_run('test')
    assert other is not state and (other.dataset, state.dataset) == ('test', 'train')
    assert all(getattr(other, name) is getattr(state, name) for name in ('variables', 'models', 'locks', 'config',
                                                                          'owner'))


def test_it_is_slotted_and_prints_its_owner_and_dataset():
    state = RunState(dataset='d', owner='p')
    assert not hasattr(state, '__dict__') and repr(state) == "RunState(owner='p', dataset='d')"


def test_the_worker_side_state_is_made_from_a_run_state_and_owned_by_the_worker_pipeline():
    p = Pipeline(config={'scale': 2}).update(V('n'), 1)
    worker = pickle.loads(pickle.dumps(WorkerPipeline.of(RunState.of(p, 'data'), p.compile())))
    state = worker.run_state()
    assert (state.dataset, state.owner, state.variables, state.models, state.locks) == ('data', worker, None, None,
                                                                                          None)
