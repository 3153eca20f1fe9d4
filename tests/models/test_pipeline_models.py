"""Models in pipelines: static/dynamic, train/predict, save_to, make_data, custom actions, reset, the plan."""
import numpy as np
import pytest

from dagflow import B, C, Dataset, F, Pipeline, V, action
from dagflow.core import Resource
from dagflow.exceptions import ModelError, StepArgumentError

from .conftest import TRUE_W, LinearModel, ModelBatch, TwoOutputModel


def train_pipeline(dataset, mode='dynamic', **train_kwargs):
    return (dataset.p.init_model('lin', LinearModel, mode, config={'size': 2})
            .init_variable('loss', init_on_each_run=list)
            .train_model('lin', B.x, B.y, save_to=V('loss'), mode='a', **train_kwargs))


# ---------------------------------------------------------------- static and dynamic
def test_static_model_exists_before_the_run_and_is_trained_by_it(linear_dataset):
    p = train_pipeline(linear_dataset, 'static')
    model = p.m('lin')
    p.run(8, n_epochs=10)
    assert p.m('lin') is model
    assert len(p.v('loss')) == 50 and p.v('loss')[-1] < p.v('loss')[0] / 100
    np.testing.assert_allclose(model.w, TRUE_W, atol=0.05)


def test_dynamic_model_is_created_from_the_first_batch_that_uses_it(linear_dataset):
    p = (linear_dataset.p
         .init_model('lin', LinearModel, 'dynamic',
                     config={'size': F(lambda batch: batch.x.shape[1]), 'first': F(lambda batch: batch.indices[0]),
                             'batch_size': B.size})
         .double()
         .train_model('lin', B.x, B.y))
    assert not p.models.created('lin')
    p.run(8, n_epochs=1, shuffle=3, seed=1)
    first_index = next(iter(linear_dataset.gen_batch(8, shuffle=3, n_epochs=1))).indices[0]
    assert LinearModel.created == [{'size': 2, 'first': first_index, 'batch_size': 8}]
    assert p.m('lin').trained_on == [8] * 5


def test_dynamic_config_keys_can_be_named_expressions(linear_dataset):
    p = (linear_dataset.p.init_variable('shape_name', 'x_shape')
         .init_model('lin', LinearModel, 'dynamic', config={V('shape_name'): F(lambda batch: batch.x.shape[1:])})
         .train_model('lin', B.x, B.y)
         .run(10, n_epochs=1))
    assert p.m('lin').config['x_shape'] == (2,)


def test_a_dynamic_model_reads_its_config_variables_when_the_first_user_runs(linear_dataset):
    p = (linear_dataset.p.init_variable('size', 2)
         .init_model('lin', LinearModel, 'dynamic', config={'size': V('size')})
         .train_model('lin', B.x, B.y))
    node = p.graph.touching('model:lin')[-1]
    assert {str(e) for e in p.graph.nodes[node]['effects']} == {'write model:lin', 'read var:size'}


def test_dynamic_model_used_first_without_a_batch_is_a_clear_error(linear_dataset):
    p = (linear_dataset.p.init_model('lin', LinearModel, 'dynamic', config={'size': B.x})
         .after.save_model('lin', path='unused.npz').pipeline)
    p2 = Pipeline(linear_dataset).init_model('lin', LinearModel, 'dynamic', config={'size': B.x})
    with pytest.raises(ModelError, match=r"Model 'lin': its config reads the batch \(B.x\), but it was first used "
                                         r'where there is no batch'):
        p.run(10, n_iters=0)
    with pytest.raises(ModelError, match='no batch'):
        p2.save_model_now('lin', path='unused.npz')


# ---------------------------------------------------------------- train_model / predict_model
def test_keyword_arguments_and_positional_arguments_reach_the_model(linear_dataset):
    reference = LinearModel({'size': 2})
    for _ in range(3):
        reference.train(linear_dataset.preloaded['x'], linear_dataset.preloaded['y'], 0.5)
    by_keyword = (linear_dataset.pipeline({'lr': 0.5}).init_model('lin', LinearModel, config={'size': 2})
                  .train_model('lin', x=B.x, y=B.y, lr=C('lr'))
                  .run(40, n_epochs=3))
    by_position = (linear_dataset.p.init_model('lin', LinearModel, config={'size': 2})
                   .train_model('lin', B.x, B.y, 0.5)
                   .run(40, n_epochs=3))
    np.testing.assert_array_equal(by_keyword.m('lin').w, reference.w)
    np.testing.assert_array_equal(by_position.m('lin').w, reference.w)


class DictLossModel(LinearModel):
    def train(self, x, y, lr=0.1):
        return {f'loss_{len(self.trained_on)}': super().train(x, y, lr)}


def test_save_to_modes_write_append_extend_update(linear_dataset):
    p = (linear_dataset.p.init_model('lin', DictLossModel, config={'size': 2})
         .init_variables({'last': None, 'history': [], 'predictions': [], 'stats': {}, 'firsts': []})
         .train_model('lin', B.x, B.y, save_to=V('last'))
         .train_model('lin', B.x, B.y, save_to=V('history'), mode='append')
         .train_model('lin', B.x, B.y, save_to=V('stats'), mode='update')
         .predict_model('lin', B.x, save_to=V('predictions'), mode='extend')
         .predict_model('lin', make_data=lambda batch, model: {'x': batch.x[:1]}, save_to=V('firsts'), mode='a')
         .run(10, n_epochs=1))
    assert list(p.v('last')) == ['loss_9']
    assert [list(item) for item in p.v('history')] == [[f'loss_{3 * k + 1}'] for k in range(4)]
    assert sorted(p.v('stats')) == sorted(f'loss_{3 * k + 2}' for k in range(4))
    assert len(p.v('predictions')) == 40 and np.ndim(p.v('predictions')[0]) == 0
    assert [first.shape for first in p.v('firsts')] == [(1,)] * 4


def test_save_to_a_sequence_takes_one_output_each(linear_dataset):
    p = (linear_dataset.p.init_model('two', TwoOutputModel, config={'size': 2})
         .init_variables(['loss', 'accuracy'])
         .train_model('two', B.x, B.y, save_to=[V('loss'), V('accuracy')])
         .run(20, n_epochs=1))
    assert isinstance(p.v('loss'), float) and 0 <= p.v('accuracy') <= 1


def test_save_to_config_and_batch(linear_dataset):
    p = linear_dataset.p.init_model('lin', LinearModel, config={'size': 2}).init_variable('seen', [])
    p = (p.predict_model('lin', B.x, save_to=B('y'))
         .train_model('lin', B.x, B.y, save_to=C('last_loss'))
         .update(V('seen', mode='a'), B.y.sum()))
    p.run(20, n_epochs=1)
    assert p.v('seen') == [0.0, 0.0]           # predictions of the zero model replaced the targets
    assert p.config['last_loss'] == 0.0


def test_more_save_to_locations_than_outputs_names_the_model_and_step(linear_dataset):
    p = (linear_dataset.p.init_model('lin', LinearModel, config={'size': 2}).init_variables(['a', 'b'])
         .train_model('lin', B.x, B.y, save_to=[V('a'), V('b')]))
    with pytest.raises(StepArgumentError, match=r"train_model\('lin'\): save_to has 2 locations but the call "
                                                r'returned 1 output') as info:
        p.run(20, n_epochs=1)
    assert "main[0] 'train_model'" in info.value.dagflow_step


def test_make_data_replaces_the_arguments(linear_dataset):
    seen = []

    def make_data(batch, model):
        seen.append(type(model).__name__)
        return {'x': batch.x, 'y': batch.y, 'lr': 0.5}
    p = (linear_dataset.p.init_model('lin', LinearModel, config={'size': 2})
         .train_model('lin', make_data=make_data).run(40, n_epochs=2))
    reference = LinearModel({'size': 2})
    for _ in range(2):
        reference.train(linear_dataset.preloaded['x'], linear_dataset.preloaded['y'], 0.5)
    np.testing.assert_array_equal(p.m('lin').w, reference.w)
    assert seen == ['LinearModel', 'LinearModel']


def test_make_data_must_return_a_dict(linear_dataset):
    p = (linear_dataset.p.init_model('lin', LinearModel, config={'size': 2})
         .train_model('lin', make_data=lambda batch, model: (batch.x, batch.y)))
    with pytest.raises(ModelError, match=r"train_model\('lin'\): make_data must return a dict .* got tuple"):
        p.run(40, n_epochs=1)


def test_make_data_with_arguments_is_refused_when_recorded():
    with pytest.raises(ModelError, match=r"train_model\('lin'\).*either make_data or arguments"):
        Pipeline().init_model('lin', LinearModel).train_model('lin', B.x, make_data=lambda b, m: {})


def test_unknown_save_mode_is_refused_when_recorded():
    with pytest.raises(ModelError, match=r"predict_model\('lin'\).*Unknown assignment mode 'appendd'"):
        Pipeline().init_model('lin', LinearModel).predict_model('lin', B.x, save_to=V('p'), mode='appendd')


def test_use_lock_is_accepted_and_the_model_steps_stay_ordered_without_it(linear_dataset):
    locked = train_pipeline(linear_dataset, use_lock=True).predict_model('lin', B.x, use_lock=True)
    unlocked = train_pipeline(linear_dataset, use_lock=False).predict_model('lin', B.x, use_lock=False)
    effects = [{str(e) for e in p.graph.nodes['main', 1]['effects']} for p in (locked, unlocked)]
    assert effects == [{'write model:lin'}] * 2
    for p in (locked, unlocked):
        train, predict = p.graph.touching('model:lin')[1:]
        assert p.graph.edges[train, predict]['resources'] == (Resource.parse('model:lin'),)
        assert p.graph.edges[predict, train]['carried']
    unlocked.run(10, n_epochs=1, prefetch=2)
    assert len(unlocked.v('loss')) == 4


class FetchesModel(LinearModel):
    """Takes the guide's ``fetches=``; ``train`` returns what was asked."""

    def train(self, x, y, fetches='loss'):
        loss = super().train(x, y)
        return {'loss': loss, 'weights': self.w.copy()}[fetches]


class OutputsModel(LinearModel):
    """Takes BatchFlow 0.10.1's ``outputs=``."""

    def predict(self, x, outputs='predictions'):
        return {'predictions': x @ self.w, 'count': len(x)}[outputs]


def test_outputs_and_fetches_reach_a_model_in_the_spelling_it_takes(linear_dataset):
    p = (linear_dataset.p.init_model('f', FetchesModel, config={'size': 2})
         .init_model('o', OutputsModel, config={'size': 2})
         .init_variable('w').init_variable('n', init_on_each_run=list)
         .train_model('f', B.x, B.y, outputs='weights', save_to=V('w'))
         .predict_model('o', B.x, fetches='count', save_to=V('n'), mode='a')
         .run(10, n_epochs=1))
    np.testing.assert_array_equal(p.v('w'), p.m('f').w)
    assert p.v('n') == [10] * 4


def test_fetches_and_outputs_together_are_refused_when_recorded():
    with pytest.raises(ModelError, match=r"train_model\('m'\).*give either fetches= or outputs= \(two spellings of "
                                         r"the same argument\), not both: fetches='loss', outputs='labels'"):
        Pipeline().train_model('m', B.x, fetches='loss', outputs='labels')


def test_fetches_and_outputs_from_make_data_are_renamed_too(linear_dataset):
    p = (linear_dataset.p.init_model('f', FetchesModel, config={'size': 2}).init_variable('w')
         .train_model('f', make_data=lambda batch, model: {'x': batch.x, 'y': batch.y, 'outputs': 'weights'},
                      save_to=V('w'))
         .run(40, n_epochs=1))
    np.testing.assert_array_equal(p.v('w'), p.m('f').w)


# ---------------------------------------------------------------- custom actions
def test_custom_actions_get_models_by_name_and_the_plan_sees_it(linear_dataset):
    p = (linear_dataset.p
         .init_model('model-1', LinearModel, 'static', config={'size': 2})
         .init_model('model-2', LinearModel, 'dynamic', config={'size': 2})
         .double()
         .train_in_batch('model-1')
         .train_linked_model('model-2', lr=0.05))
    effects = {p.graph.nodes[n]['step'].name: {str(e) for e in p.graph.nodes[n]['effects']}
               for n in p.graph.section_nodes('main')}
    assert effects == {'double': set(), 'train_in_batch': {'write model:model-1'},
                       'train_linked_model': {'write model:model-2'}}
    p.run(10, n_epochs=2)
    assert p.m('model-1').trained_on == [10] * 8 and p.get_model_by_name('model-2').trained_on == [10] * 8


def test_an_action_using_a_model_dagflow_cannot_see_fails_with_the_declaration_to_add(linear_dataset):
    namespace = {}
    exec('def sneaky(self):\n    self.get_model_by_name("lin").train(self.x, self.y)\n    return self', namespace)

    class SneakyBatch(ModelBatch):
        sneaky = action(namespace['sneaky'])
    ds = Dataset(40, batch_class=SneakyBatch, preloaded=linear_dataset.preloaded)
    p = ds.p.init_model('lin', LinearModel, config={'size': 2}).sneaky()
    with pytest.raises(ModelError, match=r"main\[0\] 'sneaky' used model 'lin', which dagflow did not see it use.*"
                                         r"@action\(writes='model:lin'\)"):
        p.run(10, n_epochs=1)

    class DeclaredBatch(ModelBatch):
        sneaky = action(writes='model:lin')(namespace['sneaky'])
    ds = Dataset(40, batch_class=DeclaredBatch, preloaded=linear_dataset.preloaded)
    p = ds.p.init_model('lin', LinearModel, config={'size': 2}).sneaky().run(10, n_epochs=1)
    assert p.m('lin').trained_on == [10] * 4


# ---------------------------------------------------------------- bad input at compile time
def test_a_model_never_defined_is_reported_at_compile_time_with_the_step(linear_dataset):
    p = linear_dataset.p.init_model('lin', LinearModel).train_model('lni', B.x, B.y)
    with pytest.raises(ModelError, match=r"train_model\('lni', B.x, B.y\) \(main\[0\], added at "
                                         r"test_pipeline_models.py:\d+\) uses model 'lni', but no init_model.*"
                                         r"Did you mean 'lin'\?"):
        p.compile()


def test_a_model_named_only_in_an_actions_code_is_reported_by_check_and_fails_when_used(linear_dataset):
    p = linear_dataset.p.init_model('model-1', LinearModel).train_in_batch('model-3')
    report = p.check()
    assert len(report) == 1 and "its code uses model 'model-3' but no init_model" in str(report)
    with pytest.raises(ModelError, match=r"Model 'model-3' is not defined.*Did you mean 'model-1'"):
        p.run(10, n_epochs=1)


class BranchBatch(ModelBatch):
    @action
    def train_main(self, with_aux=False):
        self.get_model_by_name('main').train(self.x, self.y)
        if with_aux:
            self.get_model_by_name('aux').train(self.x, self.y)
        return self


def test_a_model_in_a_branch_that_never_runs_does_not_block_the_pipeline(linear_data):
    ds = Dataset(40, batch_class=BranchBatch, preloaded=linear_data)
    p = ds.p.init_model('main', LinearModel, config={'size': 2}).train_main().run(10, n_epochs=1)
    assert p.m('main').trained_on == [10] * 4
    assert p.graph.nodes['main', 0]['learnt'] == {Resource.parse('model:main'), Resource.parse('model:aux')}


def _helper_trains(batch, name):
    batch.pipeline.get_model_by_name(name).train(batch.x, batch.y)


class HelperBatch(ModelBatch):
    @action
    def via_module_helper(self, name):
        _helper_trains(self, name)
        return self

    @action
    def log_first(self):
        self.pipeline.get_variable('history').append(int(self.indices[0]))
        return self


@pytest.mark.parametrize('build', [
    lambda p: p.via_module_helper('lin'),
    lambda p: p.call(lambda batch: batch.get_model_by_name('lin').train(batch.x, batch.y), B()),
    lambda p: p.update(B('y'), F(lambda batch: batch.pipeline.m('lin').predict(batch.x))),
    lambda p: p.init_model('k', LinearModel, config={'size': 2}).train_model(
        'k', make_data=lambda batch, model: {'x': batch.x, 'y': batch.get_model_by_name('lin').predict(batch.x)}),
])
def test_model_use_the_plan_cannot_see_fails_instead_of_racing(linear_data, build):
    ds = Dataset(40, batch_class=HelperBatch, preloaded=linear_data)
    p = build(ds.p.init_model('lin', LinearModel, 'static', config={'size': 2}))
    with pytest.raises(ModelError, match=r"used model 'lin', which dagflow did not see it use.*"
                                         r"@action\(writes='model:lin'\)"):
        p.run(10, n_epochs=1, prefetch=2)


def test_variables_changed_in_place_through_get_variable_keep_the_serial_order(linear_data):
    ds = Dataset(40, batch_class=HelperBatch, preloaded=linear_data)
    assert {str(e) for e in ds.p.log_first().graph.nodes['main', 0]['effects']} == {'write var:history'}
    for prefetch in (0, 3):
        p = ds.p.init_variable('history', init_on_each_run=list).log_first().run(5, n_epochs=1, prefetch=prefetch)
        assert p.v('history') == list(range(0, 40, 5))


def test_a_variable_reached_outside_the_plan_fails_with_the_declaration(linear_data):
    from dagflow.exceptions import UndeclaredEffectError
    ds = Dataset(40, batch_class=HelperBatch, preloaded=linear_data)
    p = ds.p.init_variable('n', 0).call(lambda batch: batch.pipeline.set_variable('n', 1), B())
    with pytest.raises(UndeclaredEffectError, match=r"main\[0\] 'call' used variable 'n'.*"
                                                    r"@action\(writes='var:n'\), or pass V\('n'\)"):
        p.run(10, n_epochs=1)


def test_a_config_write_no_step_declares_fails_and_a_declared_one_runs(linear_data):
    from dagflow import C
    from dagflow.exceptions import UndeclaredEffectError
    ds = Dataset(40, batch_class=HelperBatch, preloaded=linear_data)
    p = ds.p.call(lambda batch: batch.pipeline.config.update({'lr': 0.2}), B())
    with pytest.raises(UndeclaredEffectError, match=r"main\[0\] 'call' used config key 'lr'.*"
                                                    r"@action\(writes='config:lr'\)"):
        p.run(10, n_epochs=1, prefetch=2)
    declared = ds.p.update(C('lr'), 0.3).run(10, n_epochs=1)           # save_to C: declared, allowed
    assert declared.config['lr'] == 0.3
    declared.config['lr'] = 0.4                                          # outside a run: free
    assert declared.config['lr'] == 0.4


def test_get_model_by_name_outside_a_run_lists_the_known_models():
    p = Pipeline().init_model('lin', LinearModel, 'static')
    with pytest.raises(ModelError, match=r"Model 'lni' is not defined. Did you mean 'lin'\? The pipeline has: 'lin'"):
        p.get_model_by_name('lni')


# ---------------------------------------------------------------- reset
def test_reset_models_recreates_dynamic_and_resets_static(linear_dataset):
    p = (linear_dataset.p.init_model('s', LinearModel, 'static', config={'size': 2})
         .init_model('d', LinearModel, 'dynamic', config={'size': 2})
         .train_model('s', B.x, B.y).train_model('d', B.x, B.y)
         .run(10, n_epochs=1))
    static, dynamic = p.m('s'), p.m('d')
    assert len(LinearModel.created) == 2 and static.w.any() and dynamic.w.any()
    p.reset('models')
    assert p.m('s') is static and not static.w.any()
    assert not p.models.created('d')
    p.run(10, n_epochs=1)
    assert p.m('d') is not dynamic and len(LinearModel.created) == 3


def test_reset_all_resets_variables_and_models(linear_dataset):
    p = train_pipeline(linear_dataset, 'static').run(10, n_epochs=1)
    p.reset('all')
    assert p.v('loss') == [] and not p.m('lin').w.any()


# ---------------------------------------------------------------- the plan knows models
def test_the_plan_shows_which_steps_touch_which_model(linear_dataset):
    p = (train_pipeline(linear_dataset)
         .init_model('other', LinearModel)
         .predict_model('other', B.x)
         .after.save_model('lin', path='x.npz').pipeline)
    plan = p.graph
    assert plan.models_touched() == {'lin': [('after', 0), ('before', 0), ('main', 0)],
                                     'other': [('before', 1), ('main', 1)]}
    assert plan.nodes['main', 0]['pure'] is False
    assert tuple(map(str, plan.edges[('main', 0), ('main', 0)]['resources'])) == ('model:lin', 'var:loss')
    assert plan.edges[('main', 0), ('main', 0)]['carried']
    text = str(plan)
    assert 'write model:lin' in text
    assert {str(e) for e in plan.nodes['after', 0]['effects']} == {'write model:lin'}  # saving may create it
    assert 'models: lin (dynamic LinearModel), other (dynamic LinearModel)' in text


def test_plan_nodes_name_their_models(linear_dataset):
    p = train_pipeline(linear_dataset).double().train_in_batch('lin')
    assert [p.graph.nodes[n]['models'] for n in p.graph.section_nodes('main')] == [('lin',), (), ('lin',)]
    assert p.graph.edges[('main', 0), ('main', 2)]['resources'] == (Resource.parse('model:lin'),)
