"""compile() gives the same plan until what the plan is made of changes, with no invalidation by hand."""
import numpy as np
import pytest

from dagflow import B, Batch, C, Dataset, Pipeline, V

from ..models.conftest import LinearModel


class Other(Batch):
    """Another batch class: a dataset of it compiles another plan."""


@pytest.fixture
def pipeline(tmp_path):
    p = Pipeline().init_variable('n', 0).update(V('n'), V('n') + 1)
    LinearModel().save(tmp_path / 'lin')
    p.saved_model_path = tmp_path / 'lin'   # a plain attribute, for the load_model_now case
    return p


def test_the_same_inputs_give_the_same_plan(pipeline):
    plan = pipeline.compile()
    assert pipeline.compile() is plan and pipeline.graph is plan


@pytest.mark.parametrize('change', [
    lambda p: p.init_variable('m', [1]),
    lambda p: p.init_variables('a', 'b'),
    lambda p: p.delete_variable('n'),
    lambda p: p.delete_all_variables(),
    lambda p: p.before.update(V('n'), 5),
    lambda p: p.after.print(V('n')),
    lambda p: p.load_model_now(LinearModel, name='lin', path=p.saved_model_path),
], ids=['init_variable', 'init_variables', 'delete_variable', 'delete_all_variables', 'before', 'after',
        'load_model_now'])
def test_a_change_in_place_compiles_again(pipeline, change):
    plan = pipeline.compile()
    change(pipeline)
    fresh = pipeline.compile()
    assert fresh is not plan
    assert pipeline.compile() is fresh


def test_the_new_plan_shows_the_change(pipeline):
    pipeline.compile()
    pipeline.before.update(V('n'), 5)
    assert [pipeline.compile().nodes[node]['step'].name for node in pipeline.compile().section_nodes('before')] \
        == ['update']
    pipeline.delete_variable('n')
    assert 'n' not in pipeline.compile().variables


def test_a_dataset_of_another_batch_class_compiles_again():
    first, second = Dataset(4, preloaded=np.arange(4.)), Dataset(4, preloaded=np.arange(4.), batch_class=Other)
    p = (Pipeline().init_variable('n', 0).update(V('n'), V('n') + B.size) << C('data')).set_config({'data': first})
    p.run(batch_size=2, n_epochs=1)
    plan = p.compile()
    p.config['data'] = second
    p.run(batch_size=2, n_epochs=1)
    assert p.compile() is not plan and p.v('n') == 8
    again = p.compile()
    p.run(batch_size=2, n_epochs=1)
    assert p.compile() is again


def test_reading_state_leaves_the_plan(pipeline):
    plan = pipeline.compile()
    pipeline.set_variable('n', 3)
    pipeline.get_variable('n')
    assert pipeline.compile() is plan
