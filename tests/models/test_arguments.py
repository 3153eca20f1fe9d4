"""init_model / load_model arguments in every unambiguous order, and clear errors otherwise."""
import pytest

from dagflow import C, F, Pipeline, V
from dagflow.exceptions import ModelError

from .conftest import LinearModel

CONFIG = {'size': 3}


@pytest.mark.parametrize('args, kwargs', [
    (('m', LinearModel, 'static', CONFIG), {}),                      # canonical
    (('m', LinearModel, 'static'), {'config': CONFIG}),
    (('static', LinearModel, 'm', CONFIG), {}),                      # BatchFlow's (mode, class, name, config)
    (('m', 'static', LinearModel), {'config': CONFIG}),              # the guide's predict example
    ((), {'name': 'm', 'model_class': LinearModel, 'mode': 'static', 'config': CONFIG}),
    ((LinearModel,), {'name': 'm', 'mode': 'static', 'config': CONFIG}),
])
def test_every_unambiguous_order_declares_the_same_model(args, kwargs):
    p = Pipeline().init_model(*args, **kwargs)
    step = p.steps('before')[0]
    assert step.args == ('m', LinearModel, 'static')
    assert step.kwargs == {'config': CONFIG}
    assert p.m('m').config['size'] == 3


def test_name_defaults_to_the_class_name_and_mode_to_dynamic():
    p = Pipeline().init_model(LinearModel)
    assert p.steps('before')[0].args == ('LinearModel', LinearModel, 'dynamic')
    assert p.models.specs['LinearModel'].mode == 'dynamic'
    assert not p.models.created('LinearModel')


@pytest.mark.parametrize('args, match', [
    (('m', LinearModel(), 'static'), r"model class must be a class, got <LinearModel> .*import_model\('m', model\)"),
    (('m', LinearModel, 'statik'), "unknown mode 'statik'; use 'static' or 'dynamic'. Did you mean 'static'?"),
    (('m', 'n', LinearModel), "two values for name: 'm' and 'n'"),
    (('m', 'static'), r"a model class is required, e.g. init_model\('m', MyModel, 'dynamic'\)"),
    (('m', LinearModel, 'static', CONFIG, {'x': 1}), 'two values for config'),
    (('m', 42), r'model class must be a class, got 42 \(int\)'),
    (('m', LinearModel, 42), 'cannot tell what 42 is'),
])
def test_bad_init_model_arguments(args, match):
    with pytest.raises(ModelError, match=match) as info:
        Pipeline().init_model(*args)
    assert 'init_model' in str(info.value)
    assert 'test_arguments.py' in str(info.value)  # the step's source line


def test_unknown_mode_by_keyword_names_the_model():
    with pytest.raises(ModelError, match=r"init_model\('m'\).*unknown mode 'fast'"):
        Pipeline().init_model('m', LinearModel, mode='fast')


def test_static_config_with_a_batch_expression_fails_at_init_model():
    from dagflow import B
    with pytest.raises(ModelError, match=r"init_model\('m'\).*config reads the batch \(B.x\), but a static model "
                                         r"is created when init_model is recorded.*mode='dynamic'"):
        Pipeline().init_model('m', LinearModel, 'static', config={'size': B.x})


def test_static_config_sees_variables_and_config_at_once():
    from dagflow import C, F
    p = (Pipeline(config={'width': 5}).init_variable('shape', [4, 4])
         .init_model('m', LinearModel, 'static',
                     config={'shape': V('shape'), 'size': C('width'), 'made': F(lambda: 'no batch')}))
    assert p.m('m').config['shape'] == [4, 4]
    assert p.m('m').config['size'] == 5
    assert p.m('m').config['made'] == 'no batch'


def test_load_model_accepts_the_same_orders():
    p = Pipeline().before.load_model('static', LinearModel, 'm', path='/x.npz').pipeline
    step = p.steps('before')[0]
    assert step.args == ('m', LinearModel, 'static') and step.kwargs == {'path': '/x.npz'}


def test_init_model_is_recorded_before_the_batches_whatever_the_chain():
    p = Pipeline().init_variable('n', 0).init_model('m', LinearModel).update(V('n'), 1)
    assert [s.name for s in p.steps('before')] == ['init_model']
    assert [s.name for s in p.steps('main')] == ['update']


def test_a_class_name_given_as_a_string_says_to_pass_the_class():
    with pytest.raises(ModelError, match=r"init_model\('m'\): the model class must be a class, got the string "
                                         r"'LinearModel'; pass the class itself"):
        Pipeline().init_model('m', 'LinearModel', 'static')


@pytest.mark.parametrize('config, match', [
    ({'size': C('nope')}, r"Model 'm': its config could not be evaluated: KeyError"),
    ({'size': V('undeclared')}, r"Model 'm': its config could not be evaluated: UndefinedVariableError"),
    ({'size': F(lambda batch: batch.x.shape[1])}, r'F\(<lambda>\) needs a batch, .* Use a dynamic model'),
])
def test_static_config_errors_name_the_model_and_the_step(config, match):
    with pytest.raises(ModelError, match=match) as info:
        Pipeline().init_model('m', LinearModel, 'static', config=config)
    assert "init_model('m') (step 0 of before, added at test_arguments.py" in str(info.value)


def test_load_model_keeps_a_config_given_like_init_models(tmp_path):
    import numpy as np
    path = tmp_path / 'm.npz'
    source = LinearModel({'size': 3})
    source.w = np.arange(3.0)
    source.save(path)
    for p in (Pipeline().before.load_model('m', LinearModel, 'dynamic', {'size': 3, 'tag': 1}, path=path).pipeline,
              Pipeline().before.load_model('m', LinearModel, 'dynamic', config={'size': 3, 'tag': 1},
                                           path=path).pipeline):
        assert p.steps('before')[0].kwargs == {'config': {'size': 3, 'tag': 1}, 'path': path}
    model = Pipeline().load_model_now('m', LinearModel, 'static', config={'tag': 2}, path=path)
    assert model.config['tag'] == 2 and model.config['build'] is False
    np.testing.assert_array_equal(model.w, [0.0, 1.0, 2.0])


def test_load_model_now_names_the_model_like_init_model(tmp_path):
    class Named(LinearModel):
        default_name = 'short'
    model = Named({'size': 2})
    model.save(tmp_path / 'm.npz')
    p = Pipeline()
    p.load_model_now(Named, 'static', path=tmp_path / 'm.npz')
    assert p.models.names() == {'short'}
    assert Pipeline().init_model(Named).steps('before')[0].args[0] == 'short'
