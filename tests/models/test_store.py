"""How a pipeline makes its models: a class given as a named expression, a model imported with ``source=``,
the class in the config, and the errors (BatchFlow's ``KeyError``/``ValueError``)."""
import numpy as np
import pytest

from dagflow import B, C, F, Pipeline, V
from dagflow.exceptions import ModelError, UnknownModelError

from .conftest import LinearModel, TwoOutputModel


def trained(dataset, name='lin'):
    return (dataset.p.init_model(name, LinearModel, config={'size': 2})
            .train_model(name, B.x, B.y)
            .run(10, n_epochs=1))


# ---------------------------------------------------------------- the class as a named expression
class TestClassExpression:
    def test_a_dynamic_model_takes_its_class_from_the_config_when_it_is_created(self, linear_dataset):
        template = (Pipeline().init_model('m', C('model_class'), 'dynamic', {'size': 2})
                    .train_model('m', B.x, B.y))
        linear = (template << linear_dataset << {'model_class': LinearModel}).run(10, n_epochs=1)
        two = (template << linear_dataset << {'model_class': TwoOutputModel}).run(10, n_epochs=1)
        assert type(linear.m('m')) is LinearModel and type(two.m('m')) is TwoOutputModel
        assert linear.m('m').trained_on == [10] * 4

    def test_the_default_of_the_expression_is_used_without_the_key(self, linear_dataset):
        p = (linear_dataset.p.init_model('m', C('model', default=LinearModel), config={'size': 2})
             .train_model('m', B.x, B.y)
             .run(20, n_epochs=1))
        assert type(p.m('m')) is LinearModel and p.m('m').trained_on == [20, 20]

    def test_a_config_set_after_the_declaration_reaches_a_dynamic_model(self, linear_dataset):
        p = linear_dataset.p.init_model('m', C('model_class', default=LinearModel), config={'size': 2})
        p = (p << {'model_class': TwoOutputModel}).train_model('m', B.x, B.y).run(20, n_epochs=1)
        assert type(p.m('m')) is TwoOutputModel

    def test_a_static_model_evaluates_its_class_when_declared_and_children_share_it(self, linear_dataset):
        p = Pipeline(linear_dataset, config={'model_class': LinearModel}).init_model(
            'm', C('model_class'), 'static', {'size': 2})
        model = p.m('m')
        assert type(model) is LinearModel
        child = p << {'model_class': TwoOutputModel}
        assert child.m('m') is model
        assert repr(p.steps('before')[0]) == "init_model('m', LinearModel, 'static', config={'size': 2})"

    def test_a_static_class_expression_without_its_key_fails_when_declared(self):
        with pytest.raises(ModelError, match=r"init_model\('m'\).*: static model 'm' takes its class from "
                                             r"C\('model_class'\), but the config has no 'model_class' yet. A static "
                                             r"model is created when init_model is recorded, so its class is read "
                                             r"then: give the config first \(Pipeline\(config=\{'model_class': "
                                             r"MyModel\}\) or \(pipeline << \{'model_class': MyModel\}\) before "
                                             r"init_model\), give a default .* or use mode='dynamic'") as caught:
            Pipeline().init_model('m', C('model_class'), 'static')
        assert 'before the run' not in str(caught.value)

    def test_a_static_class_expression_that_fails_otherwise_says_why(self):
        with pytest.raises(ModelError, match=r"init_model\('m'\).*its class could not be evaluated: ZeroDivision"):
            Pipeline().init_model('m', C('n', default=1) / 0, 'static')

    def test_the_name_is_required_with_a_class_expression(self):
        with pytest.raises(ModelError, match=r"the model class is the named expression C\('model_class'\).*name the "
                                             r"model: init_model\('my_model', C\('model_class'\)"):
            Pipeline().init_model(C('model_class'), 'dynamic')

    def test_an_expression_that_gives_no_class_is_a_clear_error(self, linear_dataset):
        p = (linear_dataset.p << {'model_class': 'LinearModel'}).init_model('m', C('model_class')).train_model(
            'm', B.x, B.y)
        with pytest.raises(ModelError, match=r"Model 'm': its class C\('model_class'\) gave 'LinearModel' \(str\), "
                                             r'not a model class'):
            p.run(10, n_iters=1)

    def test_the_step_that_creates_the_model_reads_the_config_key(self, linear_dataset):
        p = (linear_dataset.p.init_model('m', C('model_class'), config={'size': V('size')})
             .init_variable('size', 2)
             .train_model('m', B.x, B.y))
        node = p.graph.touching('model:m')[-1]
        assert {str(e) for e in p.graph.nodes[node]['effects']} == {
            'write model:m', 'read config:model_class', 'read var:size'}
        assert 'm (dynamic C(' in str(p.graph)

    def test_plans_of_class_expressions_compare(self, linear_dataset):
        def build():
            return linear_dataset.p.init_model('m', C('model_class')).train_model('m', B.x, B.y).compile()
        assert build() == build()
        other = linear_dataset.p.init_model('m', C('other')).train_model('m', B.x, B.y).compile()
        assert build() != other

    def test_load_model_with_a_class_expression(self, linear_dataset, tmp_path):
        trained(linear_dataset).save_model_now('lin', path=tmp_path / 'lin.npz')
        p = (linear_dataset.p << {'model_class': LinearModel}).before.load_model(
            'm', C('model_class'), 'dynamic', path=tmp_path / 'lin.npz').pipeline
        p = p.predict_model('m', B.x, save_to=V('out')).run(10, n_iters=1)
        assert type(p.m('m')) is LinearModel and p.m('m').w.shape == (2,)
        now = (Pipeline() << {'model_class': LinearModel}).load_model_now('n', C('model_class'),
                                                                           path=tmp_path / 'lin.npz')
        np.testing.assert_array_equal(now.w, p.m('m').w)

    def test_the_class_may_be_given_in_the_config(self, linear_dataset):
        p = (linear_dataset.p.init_model('m', config={'model_class': LinearModel, 'size': 2})
             .train_model('m', B.x, B.y).run(20, n_epochs=1))
        assert type(p.m('m')) is LinearModel and 'model_class' not in p.m('m').config

    def test_no_class_at_all_is_a_value_error(self):
        with pytest.raises(ValueError, match=r"init_model\('m'\): a model class is required"):
            Pipeline().init_model('m', 'dynamic')


# ---------------------------------------------------------------- init_model(name, source=...)
class TestSource:
    def test_a_model_object_becomes_the_model(self, linear_dataset):
        model = LinearModel({'size': 2})
        p = linear_dataset.p.init_model('m', source=model).train_model('m', B.x, B.y).run(20, n_epochs=1)
        assert p.m('m') is model and model.trained_on == [20, 20]

    def test_a_static_import_is_made_when_declared(self, linear_dataset):
        source = trained(linear_dataset)
        p = Pipeline().init_model('lin', 'static', source=source)
        assert p.m('lin') is source.m('lin')
        p.reset('models')
        assert source.m('lin').trained_on == [10] * 4   # reset leaves a model of another pipeline alone

    def test_a_dynamic_import_waits_for_the_source_to_run(self, linear_dataset):
        source = linear_dataset.p.init_model('lin', LinearModel, config={'size': 2}).train_model('lin', B.x, B.y)
        infer = (Pipeline().init_model('lin', source=source)
                 .init_variable('out', init_on_each_run=list)
                 .predict_model('lin', B.x, save_to=V('out'), mode='a'))
        source = source.run(10, n_epochs=1)
        infer = (infer << linear_dataset).run(40, n_epochs=1)
        assert infer.m('lin') is source.m('lin')
        np.testing.assert_allclose(infer.v('out')[0], linear_dataset.preloaded['x'] @ source.m('lin').w)

    def test_a_source_given_as_a_named_expression(self, linear_dataset):
        model = LinearModel({'size': 2})
        p = (linear_dataset.p.init_variable('model', model)
             .init_model('m', source=V('model'))
             .train_model('m', B.x, B.y))
        assert 'read var:model' in {str(e) for e in p.graph.nodes[p.graph.touching('model:m')[-1]]['effects']}
        p = p.run(40, n_epochs=1)
        assert p.m('m') is p.v('model') and p.m('m').trained_on == [40]

    def test_a_source_pipeline_without_the_model_names_it(self, linear_dataset):
        with pytest.raises(UnknownModelError, match=r"Model 'other' is not defined in the source pipeline of "
                                                    r"init_model\('other'\)"):
            Pipeline().init_model('other', source=trained(linear_dataset))

    def test_source_and_class_together_are_refused(self):
        with pytest.raises(ModelError, match=r'give either source= \(import an existing model\) or a model class'):
            Pipeline().init_model('m', LinearModel, source=LinearModel())

    def test_a_source_that_is_no_model_is_refused(self):
        with pytest.raises(ModelError, match=r"source must be a pipeline that has model 'm', or a model object"):
            Pipeline().init_model('m', source=42)


# ---------------------------------------------------------------- reset('models')
class Plain:
    """A static model object that is not a BaseModel and has no reset()."""

    def __init__(self, config=None):
        self.calls = 0

    def train(self, x):
        self.calls += 1
        return 0.0


class TestReset:
    def test_a_static_model_without_reset_is_a_model_error_naming_it(self, linear_dataset):
        p = (linear_dataset.p.init_model('plain', Plain, 'static')
             .init_model('lin', LinearModel, 'static', {'size': 2})
             .train_model('plain', B.x).train_model('lin', B.x, B.y)
             .run(20, n_epochs=1))
        message = (r"static model 'plain' \(Plain\) has no reset\(\) method. Define reset\(\) in Plain .*"
                   r"or declare the model with mode='dynamic'")
        with pytest.raises(ModelError, match=message):
            p.reset('models')
        with pytest.raises(ModelError, match=message):
            p.run(20, n_epochs=1, reset='models')
        assert p.m('lin').trained_on == [20, 20]  # nothing was reset

    def test_a_dynamic_model_without_reset_is_created_anew(self, linear_dataset):
        p = linear_dataset.p.init_model('plain', Plain, 'dynamic').train_model('plain', B.x).run(20, n_epochs=1)
        first = p.m('plain')
        p = p.run(20, n_epochs=1, reset='models')
        assert p.m('plain') is not first and p.m('plain').calls == 2


# ---------------------------------------------------------------- BatchFlow's exception types
def test_an_unknown_model_is_a_key_error():
    with pytest.raises(KeyError, match=r"Model 'nope' is not defined"):
        Pipeline().m('nope')


def test_model_errors_are_value_errors():
    assert issubclass(ModelError, ValueError) and issubclass(UnknownModelError, KeyError)


# ---------------------------------------------------------------- BatchFlow's other model methods
class TestPipelineModelMethods:
    def test_model_is_the_only_model(self, linear_dataset):
        p = linear_dataset.p.init_model('lin', LinearModel, 'static', {'size': 2})
        assert p.model is p.m('lin')
        with pytest.raises(ModelError, match=r"pipeline.model is the only model of a pipeline, but this one has 2: "
                                             r"'a', 'lin'; use pipeline.m\(name\)"):
            _ = p.init_model('a', LinearModel).model
        with pytest.raises(ModelError, match='this one has 0'):
            _ = Pipeline().model

    def test_load_model_once_and_save_model_once(self, linear_dataset, tmp_path):
        trained(linear_dataset).save_model_now('lin', path=tmp_path / 'in.npz')
        p = (linear_dataset.p.load_model_once('dynamic', 'lin', LinearModel, path=tmp_path / 'in.npz')
             .train_model('lin', B.x, B.y)
             .save_model_once('lin', path=tmp_path / 'out.npz'))
        assert [s.name for s in p.steps('before')] == ['load_model']
        assert [s.name for s in p.steps('after')] == ['save_model']
        p = p.run(10, n_epochs=1)
        loaded = Pipeline().load_model_now('check', LinearModel, path=tmp_path / 'out.npz')
        np.testing.assert_array_equal(loaded.w, p.m('lin').w)

    def test_now_methods_and_get_model_by_name_evaluate_against_a_batch(self, linear_dataset, tmp_path):
        p = (linear_dataset.p << {'name': 'lin'}).init_model('lin', LinearModel, 'static', {'size': 2})
        batch = next(iter(p.gen_batch(10, n_epochs=1)))
        path = F(lambda batch: tmp_path / f'model-{batch.size}.npz')
        p.save_model_now(C('name'), path=path, batch=batch)
        assert (tmp_path / 'model-10.npz').exists()
        copy = p.load_model_now('copy', LinearModel, path=path, batch=batch)
        np.testing.assert_array_equal(copy.w, p.m('lin').w)
        assert p.m(C('name')) is p.m('lin') and p.get_model_by_name(C('name'), batch=batch) is p.m('lin')

    def test_a_static_load_model_is_a_step_as_a_dynamic_one(self, linear_dataset, tmp_path):
        trained(linear_dataset).save_model_now('lin', path=tmp_path / 'lin.npz')
        p = linear_dataset.p.load_model('m', LinearModel, 'static', path=tmp_path / 'lin.npz')
        assert not p.models.created('m') and [s.name for s in p.steps()] == ['load_model']
        now = Pipeline().load_model_now('m', LinearModel, 'static', path=tmp_path / 'lin.npz')
        np.testing.assert_array_equal(p.run(40, n_epochs=1).m('m').w, now.w)
