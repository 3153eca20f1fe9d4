"""A compiled plan is a value: a run never writes into it, and a recorded step never changes."""
import copy
import pickle
from types import SimpleNamespace

import dask
import numpy as np
import pytest

from dagflow import B, Dataset, V, action
from dagflow.core import Resource, Step, StepKind
from dagflow.engine.serial import StepTable
from dagflow.expr import Context, evaluate, structural_key
from dagflow.frozen import FrozenDict

from ..models.conftest import LinearModel, ModelBatch


class LockedBatch(ModelBatch):
    @action(use_lock='tally')
    def locked_shift(self, value):
        self.x = self.x + value
        return self


def make_pipeline(dataset):
    """Variables, a model, a rebatch and a locked action: every kind of node data a run might touch."""
    return (dataset.p
            .init_model('lin', LinearModel, 'dynamic', config={'size': 2})
            .init_variables({'n': 0, 'loss': []})
            .locked_shift(0.5)
            .update(V('n'), V('n') + B.size)
            .rebatch(6)
            .train_model('lin', B.x, B.y, save_to=V('loss'), mode='a')
            .double())


def snapshot(plan) -> tuple:
    """Everything a plan holds, as comparable data: graph attributes, nodes and edges with all their data."""
    def value(item):
        return item.key if isinstance(item, Step) else structural_key(item)
    graph = {name: structural_key({key: vars(spec) for key, spec in specs.items()})
             for name, specs in plan.graph.items()}
    nodes = {node: {key: value(item) for key, item in data.items()} for node, data in plan.nodes(data=True)}
    edges = {(u, v): {key: value(item) for key, item in data.items()} for u, v, data in plan.edges(data=True)}
    return graph, nodes, edges


@pytest.fixture
def dataset():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(24, 2))
    return Dataset(24, batch_class=LockedBatch, preloaded={'x': x, 'y': x @ np.array([1.0, -2.0])})


@pytest.mark.parametrize('run_args', [{}, {'prefetch': 2, 'scheduler': 'threads'},
                                      {'prefetch': 2, 'scheduler': 'processes'}],
                         ids=['sync', 'threads', 'processes'])
def test_a_run_leaves_the_compiled_plan_as_compiled(dataset, run_args):
    pipeline = make_pipeline(dataset)
    plan = pipeline.compile()
    keys = {node: set(data) for node, data in plan.nodes(data=True)}
    pipeline.run(4, n_epochs=1, seed=3, **run_args)
    assert pipeline.v('n') == 24 and len(pipeline.v('loss')) == 4
    assert pipeline.compile() is plan   # the cached plan is the one the run used
    assert {node: set(data) for node, data in plan.nodes(data=True)} == keys, 'a run added keys to plan nodes'
    assert snapshot(plan) == snapshot(make_pipeline(dataset).compile())
    assert plan == make_pipeline(dataset).compile()


def test_a_dask_computed_run_leaves_the_plan_as_compiled(dataset):
    def unbatched():   # to_dask lowers no rebatch
        return dataset.p.init_variable('n', 0).locked_shift(1).update(V('n'), V('n') + B.size).after.update(V('n'), 0)
    pipeline = unbatched().pipeline
    plan = pipeline.compile()
    batches = dask.compute(pipeline.to_dask(4, n_epochs=1, seed=3), scheduler='threads')[0]
    assert len(batches) == 6 and pipeline.compile() is plan
    assert snapshot(plan) == snapshot(unbatched().pipeline.compile())


def test_next_batch_and_after_run_leave_the_plan_as_compiled(dataset):
    pipeline = make_pipeline(dataset)
    pipeline.after.update(V('n'), 0)
    pipeline.run(4, n_epochs=1, lazy=True)
    plan = pipeline.compile()
    before = snapshot(plan)
    pipeline.next_batch()
    pipeline.after.run()
    assert snapshot(plan) == before
    single = dataset.p.init_variable('n', 0).locked_shift(1).update(V('n'), V('n') + B.size)
    plan = single.compile()
    before = snapshot(plan)
    single.execute_for(dataset.create_batch(np.arange(4)))
    assert snapshot(plan) == before and single.v('n') == 4


class TestRecordedSteps:
    def test_arguments_cannot_change(self, dataset):
        step = make_pipeline(dataset).steps()[1]   # update(V('n'), V('n') + B.size)
        assert step.name == 'update'
        assert isinstance(step.args, tuple)
        kwargs = make_pipeline(dataset).steps()[3].kwargs   # train_model(..., save_to=..., mode='a')
        with pytest.raises(TypeError, match=r"A recorded step's arguments are read-only.*dict\(step.kwargs\)"):
            kwargs['mode'] = 'w'
        for change in (lambda: kwargs.update(mode='w'), lambda: kwargs.pop('mode'), kwargs.clear,
                       kwargs.popitem, lambda: kwargs.setdefault('lr', 1), lambda: kwargs.__delitem__('mode'),
                       lambda: kwargs.__ior__({'mode': 'w'})):
            with pytest.raises(TypeError, match='read-only'):
                change()
        with pytest.raises(AttributeError):
            step.kwargs = {}
        assert kwargs['mode'] == 'a'

    def test_a_changed_copy_leaves_the_plan_alone(self, dataset):
        pipeline = make_pipeline(dataset)
        step = pipeline.steps()[3]
        changed = dict(step.kwargs)
        changed['mode'] = 'w'
        assert step.kwargs['mode'] == 'a' and type(changed) is dict
        assert type(step.kwargs.copy()) is dict and type(step.kwargs | {}) is dict
        assert pipeline.compile().steps()[3].kwargs['mode'] == 'a'

    def test_steps_pickle_copy_and_compare_as_values(self, dataset):
        step = make_pipeline(dataset).steps()[3]
        for twin in (pickle.loads(pickle.dumps(step)), copy.copy(step), copy.deepcopy(step)):
            assert twin == step and repr(twin) == repr(step)
            assert type(twin.kwargs) is type(step.kwargs)
            with pytest.raises(TypeError, match='read-only'):
                twin.kwargs['mode'] = 'w'
        assert repr(step) == "train_model('lin', B.x, B.y, save_to=V('loss'), mode='a')"
        assert dict(step.kwargs).keys() == {'save_to', 'mode'}
        assert not hasattr(step, '__dict__')   # slotted

    def test_sometimes_keeps_its_steps_as_a_tuple(self):
        inner = [Step('double', StepKind.ACTION)]
        step = Step('sometimes', StepKind.SUB, target=(0.5, inner))
        inner.append(Step('double', StepKind.ACTION))
        assert step.target == (0.5, (Step('double', StepKind.ACTION),))

    def test_keyword_arguments_with_expressions_are_evaluated(self, dataset):
        step = dataset.p.locked_shift(value=V('n') * 2).steps()[0]
        evaluated = evaluate(step.kwargs, Context(pipeline=SimpleNamespace(get_variable={'n': 3}.get)))
        assert evaluated == {'value': 6} and type(evaluated) is FrozenDict
        constant = FrozenDict(value=1)
        assert evaluate(constant, Context()) is constant
        shifted = dataset.p.init_variable('n', 0.25).locked_shift(value=V('n') * 2).run(24, n_epochs=1, lazy=True)
        plain = dataset.p.run(24, n_epochs=1, lazy=True)
        assert np.allclose(shifted.next_batch().x, plain.next_batch().x + 0.5)


class TestStepTable:
    def test_entries_are_made_on_first_use_and_travel_as_the_plan(self, dataset):
        plan = make_pipeline(dataset).compile()
        steps = StepTable(plan)
        step, label, allowed = steps[('main', 1)]
        assert (step.name, label, allowed) == ('update', "main[1] 'update'", frozenset({Resource.parse('var:n')}))
        assert list(steps.entries) == [('main', 1)]
        twin = pickle.loads(pickle.dumps(steps))
        assert twin.plan == plan and not twin.entries
        assert twin[('main', 1)][1:] == (label, allowed)
        assert all('guard' not in data for _, data in plan.nodes(data=True))
