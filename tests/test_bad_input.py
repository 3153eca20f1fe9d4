"""The issue's bad-input list, each checked through the public API as a user meets it."""
import numpy as np
import pytest

from dagflow import B, D, Dataset, P, Pipeline, R, V
from dagflow.exceptions import (
    ComponentError,
    DatasetIndexError,
    ExpressionError,
    RunArgumentError,
    UndefinedVariableError,
    UnknownActionError,
)


def test_component_the_batch_class_lacks(images_dataset):
    p = images_dataset.p.init_variable('x', None).update(V('x'), B.imagse)
    with pytest.raises(ComponentError, match=r"imagse.*Did you mean 'images'") as info:
        p.run(batch_size=5)
    assert "'update'" in info.value.dagflow_step and info.value.dagflow_batch == 0


def test_unknown_action_suggests(images_dataset):
    with pytest.raises(UnknownActionError, match="Did you mean 'normalize'"):
        images_dataset.p.normalise()


def test_never_defined_variable_is_reported_then_named_at_run_time(images_dataset):
    p = images_dataset.p.scale(V('never_defined'))
    assert "V('never_defined')" in str(p.check())
    with pytest.raises(UndefinedVariableError, match='never_defined'):
        p.run(batch_size=5)


def test_bad_mode():
    with pytest.raises(ExpressionError, match="'x'"):
        V('loss', mode='x')


def test_split_shares_above_one(images_dataset):
    with pytest.raises(DatasetIndexError, match='1.2|0.7'):
        images_dataset.split([0.7, 0.5])


def test_preloaded_length_differs():
    with pytest.raises(ValueError, match='5.*10|10.*5'):
        Dataset(10, preloaded=np.zeros(5))


@pytest.mark.parametrize('batch_size', [0, -1, 2.5])
def test_bad_batch_size_names_value(images_dataset, batch_size):
    with pytest.raises(RunArgumentError, match=str(batch_size)):
        images_dataset.p.run(batch_size=batch_size)


def test_both_n_iters_and_n_epochs(images_dataset):
    with pytest.raises(RunArgumentError, match='n_iters'):
        images_dataset.p.run(batch_size=4, n_iters=2, n_epochs=1)


def test_dataset_attributes_and_config_pipeline():
    ds = Dataset(6, preloaded=np.arange(6), scale=10)
    p = ds.pipeline({'offset': 1}).init_variable('out', []).update(V('out', mode='a'), D('scale') * B.size)
    assert p.config['offset'] == 1
    assert p.run(batch_size=3).v('out') == [30, 30]


def test_per_item_random_values(images_dataset):
    p = images_dataset.p.init_variable('draws', []).update(V('draws', mode='a'), P(R('uniform')))
    draws = p.run(batch_size=5, seed=0).v('draws')
    assert [len(d) for d in draws] == [5, 5, 5, 5]


def test_reset_then_run_again_after_failure(images_dataset):
    p = images_dataset.p.init_variable('n', 0).update(V('n'), V('n') + 1).fail_on(12)
    with pytest.raises(ValueError):
        p.run(batch_size=5)
    template = Pipeline().init_variable('n', 0).update(V('n'), V('n') + 1)
    assert (template << images_dataset).run(batch_size=5).v('n') == 4
    p.reset('all')
    assert p.v('n') == 0
