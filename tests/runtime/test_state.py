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


class TestThePipelinesState:
    """A pipeline keeps its state in one RunState; its variable and model methods are answered by it."""

    def test_the_pipelines_stores_are_its_states(self):
        p = Pipeline(config={'lr': 0.1}).init_variable('n', 0).init_lock('io')
        assert p.state.owner is p
        assert (p.state.variables, p.state.models, p.state.locks, p.state.config) == \
            (p.variables, p.models, p.locks, p.config)
        p.dataset = 'data'
        assert p.state.dataset == 'data'

    def test_a_run_gets_the_state_with_the_runs_dataset(self):
        p = Pipeline().init_variable('n', 0)
        run = p.state.for_run('other')
        assert run.variables is p.variables and run.owner is p and p.state.dataset is None

    def test_the_state_answers_the_variable_methods(self):
        p = Pipeline().init_variable('loss', 0.5).init_lock('io')
        p.state.set_variable('loss', 0.25)
        assert p.v('loss') == p.state.get_variable('loss') == 0.25
        assert p.state.get_variable('io') is p.locks.get('io') and p.state.has_variable('io')
        assert p.state.get_variable('epochs', 10) == 10 and not p.state.has_variable('epochs')

    def test_a_derived_pipeline_has_its_own_state_owned_by_it(self):
        p = Pipeline().init_variable('n', 0)
        child = p.update(V('n'), V('n') + 1)
        assert child.state is not p.state and child.state.owner is child
        child.set_variable('n', 5)
        assert p.v('n') == 0

    def test_a_pickled_pipeline_owns_its_state(self):
        p = Pipeline(config={'lr': 0.1}).init_variable('n', 3)
        loaded = pickle.loads(pickle.dumps(p))
        assert loaded.state.owner is loaded and loaded.v('n') == 3 and loaded.config['lr'] == 0.1
