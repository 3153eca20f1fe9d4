"""init_model / load_model arguments in every unambiguous order, and clear errors otherwise."""
import pytest

from dagflow import Pipeline, V
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
