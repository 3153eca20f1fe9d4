"""BaseModel: config, the build/load options, default_name, the interface."""
import numpy as np
import pytest

from dagflow.exceptions import ModelError
from dagflow.models import BaseModel

from .conftest import LinearModel


class Recorder(BaseModel):
    def __init__(self, config=None):
        self.calls = []
        super().__init__(config)

    def _build(self):
        self.calls.append('build')

    def load(self, **kwargs):
        self.calls.append(('load', kwargs))


@pytest.mark.parametrize('config, calls', [
    (None, ['build']),
    ({'build': True}, ['build']),
    ({'build': False}, []),
    ({'load': {'path': 'p'}}, [('load', {'path': 'p'}), 'build']),
    ({'load': {'path': 'p'}, 'build': False}, [('load', {'path': 'p'})]),
    ({'load': {'path': 'p'}, 'build': 'first'}, ['build', ('load', {'path': 'p'})]),
])
def test_build_and_load_options_run_in_order(config, calls):
    assert Recorder(config).calls == calls


def test_config_is_a_copy_with_slash_paths():
    given = {'net': {'width': 4}}
    model = BaseModel(given)
    model.config['net/width'] = 8
    assert given == {'net': {'width': 4}}
    assert model.config['net/width'] == 8


def test_default_name_is_the_class_name_on_class_and_instance():
    assert LinearModel.default_name == 'LinearModel'
    assert LinearModel().default_name == 'LinearModel'


@pytest.mark.parametrize('method', ['train', 'predict', 'save', 'load'])
def test_unimplemented_methods_say_what_to_override(method):
    with pytest.raises(NotImplementedError, match=rf'BaseModel.{method}\(\) is not implemented: override {method}'):
        getattr(BaseModel(), method)()


def test_reset_rebuilds_by_default():
    model = Recorder()
    model.reset()
    assert model.calls == ['build', 'build']


@pytest.mark.parametrize('config, match', [
    ([1, 2], 'config must be a dict or a Config'),
    ({'build': 'yes'}, "'build' must be True, False or 'first'"),
    ({'load': 'path.npz'}, "'load' must be a dict"),
])
def test_bad_config_is_a_clear_error(config, match):
    with pytest.raises(ModelError, match=match):
        BaseModel(config)


def test_subclass_trains_and_predicts():
    model = LinearModel({'size': 2})
    x = np.eye(2)
    losses = [model.train(x, np.array([1.0, -2.0]), lr=2.0) for _ in range(3)]
    assert losses[0] > losses[-1] == 0
    np.testing.assert_allclose(model.predict(x), [1.0, -2.0])


def test_is_model_like_checks_the_model_methods():
    class TrainOnly:
        def train(self, x):
            return x

    assert BaseModel.is_model_like(LinearModel({'size': 2})) and not BaseModel.is_model_like(TrainOnly())
