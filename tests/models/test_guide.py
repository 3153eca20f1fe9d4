"""The "Working with models" guide, paragraph by paragraph (see README.md here for the map).

Every code example of the guide runs here, with a tiny numpy model and synthetic data.
"""
import numpy as np
import pytest

from dagflow import B, Batch, C, Dataset, F, Pipeline, V, action
from dagflow.models import BaseModel, load_arrays, save_arrays


class MyModel(BaseModel):
    """Logistic regression on flattened images; ``train(..., output=[...])`` picks what to return."""

    def _build(self, *args, **kwargs):
        shape = self.config.get('input_shape', (4, 4))
        self.w = np.zeros(int(np.prod(shape)))
        self.b = 0.0

    def _proba(self, x):
        return 1 / (1 + np.exp(-(x.reshape(len(x), -1) @ self.w + self.b)))

    def train(self, x, y, output='loss', lr=0.5):
        p = self._proba(x)
        self.w = self.w - lr * x.reshape(len(x), -1).T @ (p - y) / len(y)
        self.b -= lr * float(np.mean(p - y))
        values = {'loss': float(-np.mean(y * np.log(p + 1e-9) + (1 - y) * np.log(1 - p + 1e-9))),
                  'accuracy': float(np.mean((p > 0.5) == y))}
        return [values[name] for name in output] if isinstance(output, list) else values[output]

    def predict(self, x):
        return (self._proba(x) > 0.5).astype(int)

    def save(self, path):
        save_arrays(path, {'w': self.w, 'b': np.array(self.b)})

    def load(self, path):
        arrays = load_arrays(path)
        self.w, self.b = arrays['w'], float(arrays['b'])

    def reset(self):
        self.build()


class AnotherModel(MyModel):
    """Another calling convention: ``train(fetches=..., feed_dict={...})``."""

    def train(self, fetches='loss', feed_dict=None):
        return super().train(feed_dict['x'], feed_dict['y'], output=fetches)

    def predict(self, fetches='predictions', feed_dict=None):
        return super().predict(feed_dict['x'])


class MyOtherModel(MyModel):
    pass


class ResNet18(MyModel):
    """Stands in for a real architecture in the loading examples."""


class Resnet50(MyModel):
    pass


class GuideBatch(Batch):
    components = 'images', 'labels'

    @property
    def images_shape(self):
        return self.images.shape[1:]

    @action
    def some_preprocessing(self):
        self.images = self.images - 0.5
        return self

    @action
    def some_augmentation(self):
        self.images = self.images + self.random.normal(0, 0.01, self.images.shape)
        return self

    prepocess = some_preprocessing  # the guide's spelling in the template example

    @action
    def normalize(self):
        self.images = self.images / (np.abs(self.images).max() + 1e-9)
        return self

    @action
    def resize(self, shape):
        self.images = self.images[:, :shape[0], :shape[1]]
        return self

    @action
    def random_rotate(self, angle):
        if self.random.uniform(*angle) > 0:  # a mirror stands in for a rotation: it keeps the label
            self.images = np.ascontiguousarray(self.images[:, :, ::-1])
        return self

    @action
    def train_linked_model(self, model_name):
        model = self.get_model_by_name(model_name)
        model.train(self.images, self.labels)
        return self

    @action
    def train_in_batch(self, model_name):
        model = self.get_model_by_name(model_name)
        model.train(self.images, self.labels, lr=0.1)
        return self


def make_dataset(n=64, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.random((n, 4, 4))
    labels = (images[:, :2].mean(axis=(1, 2)) > images[:, 2:].mean(axis=(1, 2))).astype(int)
    return Dataset(n, batch_class=GuideBatch, preloaded={'images': images, 'labels': labels})


@pytest.fixture
def my_dataset():
    return make_dataset()


BATCH_SIZE = 16
config = my_config = {'input_shape': (4, 4)}
another_config = some_config = {'input_shape': (4, 4)}


# -- Model class -------------------------------------------------------------------------------
def test_model_class():
    class Mine(BaseModel):
        def _build(self, *args, **kwargs):
            self.built_with = self.config['width']
    assert Mine({'width': 3}).built_with == 3


# -- Model types / Adding a model to a pipeline ---------------------------------------------------
def test_static_is_created_by_init_model_dynamic_by_first_use(my_dataset):
    full_workflow = (my_dataset.p
                     .init_model('my_model', MyModel, 'static', config)
                     .init_model('dyn', MyModel, 'dynamic', config)
                     .train_model('dyn', B.images, B.labels))
    assert full_workflow.models.created('my_model') and not full_workflow.models.created('dyn')
    full_workflow.next_batch(BATCH_SIZE, n_epochs=1)
    assert full_workflow.models.created('dyn')


def test_name_is_optional_and_defaults_to_the_class_name(my_dataset):
    p = my_dataset.p.init_model(MyModel, 'static', config)
    assert isinstance(p.get_model_by_name('MyModel'), MyModel)


# -- Configuring a model ----------------------------------------------------------------------------
def test_global_options_build_and_load(my_dataset, tmp_path):
    trained = (my_dataset.p.init_model('m', MyModel, 'static', config)
               .train_model('m', B.images, B.labels).run(BATCH_SIZE, n_epochs=3))
    trained.save_model_now('m', path=tmp_path / 'm.npz')
    loaded = Pipeline().init_model('m', MyModel, 'static', {'build': False, 'load': {'path': tmp_path / 'm.npz'}})
    np.testing.assert_array_equal(loaded.m('m').w, trained.m('m').w)


def test_config_with_a_variable_in_a_static_model():
    pipeline = Pipeline()
    pipeline = (pipeline
                .init_variable('images_shape', [256, 256])
                .init_model('mymodel', MyModel, 'static', config={'input_shape': V('images_shape')}))
    assert pipeline.m('mymodel').w.shape == (256 * 256,)


def test_config_with_a_named_key_in_a_dynamic_model(my_dataset):
    pipeline = my_dataset.p
    pipeline = (pipeline
                .init_variable('shape_name', 'images_shape')
                .init_model('mymodel', MyModel, 'dynamic', config={V('shape_name'): B('images_shape')})
                .train_model('mymodel', B.images, B.labels))
    pipeline.run(BATCH_SIZE, n_epochs=1)
    assert pipeline.m('mymodel').config['images_shape'] == (4, 4)


def test_config_with_a_function_of_the_first_batch(my_dataset):
    pipeline = my_dataset.p.resize(shape=(2, 4))
    pipeline = (pipeline
                .init_model('mymodel', MyModel, 'dynamic',
                            config={'input_shape': F(lambda batch: batch.images.shape[1:])})
                .train_model('mymodel', B.images, B.labels))
    pipeline.run(BATCH_SIZE, n_epochs=1)
    assert pipeline.m('mymodel').config['input_shape'] == (2, 4)
    assert pipeline.m('mymodel').w.shape == (8,)


def test_config_with_pipeline_config(my_dataset):
    p = (my_dataset.pipeline({'shape': (4, 4)})
         .init_model('m', MyModel, 'static', config={'input_shape': C('shape')}))
    assert p.m('m').w.shape == (16,)


# -- Training a model ---------------------------------------------------------------------------
def test_train_model_with_keyword_named_expressions(my_dataset):
    full_workflow = (my_dataset.p
                     .init_model('my_model', MyModel, 'static', config)
                     .init_variable('loss', init_on_each_run=list)
                     .train_model('my_model', x=B('images'), y=B('labels'), save_to=V('loss'), mode='a')
                     )
    full_workflow.run(BATCH_SIZE, n_epochs=20)
    losses = full_workflow.v('loss')
    assert len(losses) == 80 and losses[-1] < losses[0]


def test_the_guide_training_example_with_two_models(my_dataset):
    full_workflow = (my_dataset.p
                     .init_model('my_model', MyModel, 'static', my_config)
                     .init_model('another_model', AnotherModel, 'dynamic', another_config)
                     .init_variable('current_loss', 0)
                     .init_variable('current_accuracy', 0)
                     .init_variable('loss_history', init_on_each_run=list)
                     .some_preprocessing()
                     .train_model('my_model', output=['loss', 'accuracy'], x=B('images'), y=B('labels'),
                                  save_to=[V('current_loss'), V('current_accuracy')])
                     .train_model('another_model', fetches='loss',
                                  feed_dict={'x': B('images'), 'y': B('labels')},
                                  save_to=V('loss_history'), mode='append')
                     )
    full_workflow.run(BATCH_SIZE, n_epochs=30, shuffle=True, seed=4)
    assert 0 < full_workflow.v('current_loss') < 0.69
    assert full_workflow.v('current_accuracy') >= 0.75
    assert len(full_workflow.v('loss_history')) == 120
    assert full_workflow.v('loss_history')[-1] < full_workflow.v('loss_history')[0]


def test_make_data(my_dataset):
    def make_data(batch, model):
        return {'x': batch.images, 'y': batch.labels, 'output': 'accuracy'}
    p = (my_dataset.p.init_model('m', MyModel, 'static', config).init_variable('acc', init_on_each_run=list)
         .train_model('m', make_data=make_data, save_to=V('acc'), mode='a').run(BATCH_SIZE, n_epochs=1))
    assert all(0 <= value <= 1 for value in p.v('acc')) and len(p.v('acc')) == 4


@pytest.mark.parametrize('mode, initial, expected', [
    ('w', None, 'last'), ('write', None, 'last'),
    ('a', [], 'list'), ('append', [], 'list'),
    ('e', [], 'flat'), ('extend', [], 'flat'),
    ('u', set(), 'set'), ('update', set(), 'set'),
])
def test_save_to_modes_long_and_short(my_dataset, mode, initial, expected):
    p = (my_dataset.p.init_model('m', MyModel, 'static', config).init_variable('out', initial)
         .train_model('m', B.images, B.labels, output=['accuracy'], save_to=V('out'), mode=mode)
         .run(BATCH_SIZE, n_epochs=1))
    out = p.v('out')
    if expected == 'last':
        assert isinstance(out, list) and len(out) == 1
    elif expected == 'list':
        assert len(out) == 4 and all(isinstance(item, list) for item in out)
    elif expected == 'flat':
        assert len(out) == 4 and all(isinstance(item, float) for item in out)
    else:  # for sets, 'u' and 'a' do the same
        appended = (my_dataset.p.init_model('m', MyModel, 'static', config).init_variable('out', set())
                    .train_model('m', B.images, B.labels, output=['accuracy'], save_to=V('out'), mode='a')
                    .run(BATCH_SIZE, n_epochs=1))
        assert out and all(isinstance(item, float) for item in out)
        assert out == appended.v('out')


# -- Custom actions ---------------------------------------------------------------------------
def test_actions_that_work_with_models_directly(my_dataset):
    full_workflow = (my_dataset.p
                     .init_model('model-1', MyModel, 'static', config=my_config)
                     .init_model('model-2', MyOtherModel, 'dynamic', config=some_config)
                     .some_preprocessing()
                     .some_augmentation()
                     .train_in_batch('model-1')
                     .train_linked_model('model-2')
                     )
    before = full_workflow.m('model-1').w.copy()
    full_workflow.run(BATCH_SIZE, n_epochs=1, seed=0)
    assert not np.array_equal(full_workflow.m('model-1').w, before)
    assert isinstance(full_workflow.m('model-2'), MyOtherModel) and full_workflow.m('model-2').w.any()
    touched = full_workflow.graph.models_touched()
    assert touched['model-1'][-1] == ('main', 2) and touched['model-2'][-1] == ('main', 3)


# -- Predicting with a model --------------------------------------------------------------------
def test_predict_model(my_dataset):
    full_workflow = (my_dataset.p
                     .init_model('my-model', 'static', MyModel, config=config)
                     .init_variable('predicted_labels', init_on_each_run=list)
                     .predict_model('my-model', x=B('images'), save_to=V('predicted_labels'), mode='e')
                     )
    full_workflow.m('my-model').w[:] = 1.0
    full_workflow.run(BATCH_SIZE, n_epochs=1)
    assert full_workflow.v('predicted_labels') == [1] * 64


# -- Loading a model -----------------------------------------------------------------------------
class CountingResNet(ResNet18):
    loads = []

    def load(self, path):
        CountingResNet.loads.append(str(path))
        super().load(path)


@pytest.fixture
def saved_model(my_dataset, tmp_path):
    p = (my_dataset.p.init_model('my_model', MyModel, 'static', config)
         .train_model('my_model', B.images, B.labels).run(BATCH_SIZE, n_epochs=5))
    path = tmp_path / 'my_model.npz'
    p.save_model_now('my_model', path=path)
    CountingResNet.loads.clear()
    return p.m('my_model'), path


def test_load_model_is_a_step_run_at_every_iteration(my_dataset, saved_model):
    trained, path = saved_model
    some_pipeline = my_dataset.p.init_variable('preds', init_on_each_run=list)
    some_pipeline = some_pipeline.load_model('my_model', CountingResNet, 'dynamic', path=path)
    some_pipeline = some_pipeline.predict_model('my_model', B.images, save_to=V('preds'), mode='e')
    assert CountingResNet.loads == []           # recording loads nothing
    some_pipeline.run(BATCH_SIZE, n_epochs=1)
    assert CountingResNet.loads == [str(path)] * 4
    np.testing.assert_array_equal(some_pipeline.m('my_model').w, trained.w)
    assert some_pipeline.v('preds') == list(trained.predict(my_dataset.preloaded['images']))


def test_before_load_model_loads_once(my_dataset, saved_model):
    _, path = saved_model
    some_pipeline = my_dataset.p.predict_model('my_model', B.images)
    some_pipeline.before.load_model('my_model', CountingResNet, 'dynamic', path=path)
    some_pipeline.run(BATCH_SIZE, n_epochs=2)
    assert CountingResNet.loads == [str(path)]


def test_load_model_now_loads_immediately(saved_model):
    trained, path = saved_model
    some_pipeline = Pipeline().predict_model('my_model', B.images)
    model = some_pipeline.load_model_now('my_model', CountingResNet, 'dynamic', path=path)
    assert CountingResNet.loads == [str(path)] and some_pipeline.m('my_model') is model
    np.testing.assert_array_equal(model.w, trained.w)


def test_loading_a_missing_file_names_the_path(my_dataset, tmp_path):
    from dagflow.exceptions import ModelError
    p = my_dataset.p.predict_model('m', B.images)
    p.before.load_model('m', MyModel, 'dynamic', path=tmp_path / 'missing.npz')
    with pytest.raises(ModelError, match=f"Cannot load a model from '{tmp_path / 'missing.npz'}'"):
        p.run(BATCH_SIZE, n_epochs=1)


# -- Saving a model --------------------------------------------------------------------------------
class CountingSaves(MyModel):
    def save(self, path):
        super().save(path)
        self.saves = getattr(self, 'saves', 0) + 1


def test_save_model_every_iteration_after_once_and_now(my_dataset, tmp_path):
    some_pipeline = (my_dataset.p.init_model('my_model', CountingSaves, 'static', config)
                     .train_model('my_model', B.images, B.labels)
                     .save_model('my_model', path=tmp_path / 'every.npz'))
    some_pipeline.after.save_model('my_model', path=tmp_path / 'after.npz')
    assert not list(tmp_path.iterdir())             # recording saves nothing
    some_pipeline.run(BATCH_SIZE, n_epochs=1)
    assert some_pipeline.m('my_model').saves == 5   # 4 batches + once after
    for name in ('every.npz', 'after.npz'):
        np.testing.assert_array_equal(load_arrays(tmp_path / name)['w'], some_pipeline.m('my_model').w)
    some_pipeline.save_model_now('my_model', path=tmp_path / 'now.npz')
    assert some_pipeline.m('my_model').saves == 6 and (tmp_path / 'now.npz').exists()


# -- Models and template pipelines -------------------------------------------------------------
def test_static_models_are_shared_by_children_dynamic_ones_are_not():
    template_pipeline = (Pipeline()
                         .init_model('m1', MyModel, 'static', config)
                         .init_model('m2', MyOtherModel, 'dynamic', config)
                         .prepocess()
                         .normalize()
                         .train_model('m1', B.images, B.labels)
                         .train_model('m2', B.images, B.labels))
    mnist_dataset, cifar_dataset = make_dataset(32, seed=1), make_dataset(48, seed=2)
    mnist_pipeline = (template_pipeline << mnist_dataset).run(BATCH_SIZE, n_epochs=1)
    cifar_pipeline = (cifar_dataset >> template_pipeline).run(BATCH_SIZE, n_epochs=1)
    assert mnist_pipeline.m('m1') is cifar_pipeline.m('m1') is template_pipeline.m('m1')
    assert mnist_pipeline.m('m2') is not cifar_pipeline.m('m2')
    assert not template_pipeline.models.created('m2')
    reference = MyOtherModel(config)
    for batch in mnist_dataset.gen_batch(BATCH_SIZE, n_epochs=1):
        images = batch.images - 0.5
        reference.train(images / (np.abs(images).max() + 1e-9), batch.labels)
    np.testing.assert_array_equal(mnist_pipeline.m('m2').w, reference.w)


# -- Importing models ---------------------------------------------------------------------------
def test_train_then_infer_with_an_imported_model(my_dataset):
    train_pipeline = (my_dataset.p
                      .init_model('model', Resnet50, 'dynamic', config)
                      .random_rotate(angle=(-30, 30))
                      .normalize()
                      .train_model('model', B.images, B.labels)
                      .run(BATCH_SIZE, shuffle=True, n_epochs=60, seed=1)
                      )
    inference_pipeline_template = (Pipeline()
                                   .init_variable('predictions', init_on_each_run=list)
                                   .resize(shape=(4, 4))
                                   .normalize()
                                   .import_model('model', train_pipeline)
                                   .predict_model('model', B.images, save_to=V('predictions'), mode='e')
                                   )
    some_dataset = make_dataset(40, seed=7)
    infer = (inference_pipeline_template << some_dataset).run(20, shuffle=False)
    model = train_pipeline.m('model')
    assert infer.m('model') is model
    images = some_dataset.preloaded['images']
    expected = np.concatenate([model.predict(chunk / np.abs(chunk).max()) for chunk in (images[:20], images[20:])])
    assert infer.v('predictions') == list(expected)
    assert np.mean(expected == some_dataset.preloaded['labels']) > 0.7


def test_import_a_model_object(my_dataset):
    model = MyModel(config)
    model.w[:] = -1
    p = (my_dataset.p.init_variable('preds', init_on_each_run=list).import_model('m', model)
         .predict_model('m', B.images, save_to=V('preds'), mode='e').run(BATCH_SIZE, n_epochs=1))
    assert p.m('m') is model and p.v('preds') == [0] * 64


def test_import_from_a_pipeline_without_that_model_names_it():
    from dagflow.exceptions import ModelError
    source = Pipeline().init_model('model', MyModel, 'static', config)
    with pytest.raises(ModelError, match=r"Model 'modle' is not defined in the source pipeline of "
                                         r"import_model\('modle'\).*test_guide.py.*Did you mean 'model'"):
        Pipeline().import_model('modle', source)


def test_import_a_dynamic_model_the_source_has_not_created_yet(my_dataset):
    from dagflow.exceptions import ModelError
    source = Pipeline(my_dataset).init_model('model', MyModel, 'dynamic', config)
    p = my_dataset.p.import_model('model', source)
    with pytest.raises(ModelError, match="the source pipeline has not created model 'model' yet"):
        p.run(BATCH_SIZE, n_epochs=1)


# -- Parallel training ------------------------------------------------------------------------
def test_train_alias_and_use_lock(my_dataset):
    p = (Pipeline(my_dataset).init_model('my_model', MyModel, 'static', config)
         .train('my_model', B.images, B.labels, use_lock=True)
         .predict('my_model', B.images, use_lock=True))
    assert [step.name for step in p.steps()] == ['train_model', 'predict_model']
    p.run(BATCH_SIZE, n_epochs=1)
    assert p.m('my_model').w.any()


def test_import_from_a_section_view_and_from_a_pipeline_that_loads_the_model(my_dataset, saved_model):
    trained, path = saved_model
    source = my_dataset.p.init_model('m', MyModel, 'static', config)
    p = (Pipeline().import_model('m', source.before).init_variable('preds', init_on_each_run=list)
         .predict_model('m', B.images, save_to=V('preds'), mode='e'))
    assert (p << my_dataset).run(BATCH_SIZE, n_epochs=1).m('m') is source.m('m')
    loader = my_dataset.p.predict_model('m', B.images)
    loader.before.load_model('m', MyModel, 'static', path=path)
    importer = Pipeline().import_model('m', loader)            # accepted: the loader defines 'm' when it runs
    loader.run(BATCH_SIZE, n_epochs=1)
    imported = (importer << my_dataset).run(BATCH_SIZE, n_epochs=1).m('m')
    np.testing.assert_array_equal(imported.w, trained.w)


def test_a_pipeline_is_never_imported_as_a_model(my_dataset):
    from dagflow.exceptions import ModelError
    source = my_dataset.p.init_model('other', MyModel, 'static', config)
    p = my_dataset.p.import_model('m', C('source')) << {'source': source}
    with pytest.raises(ModelError, match=r"Model 'm' is not defined in the source pipeline"):
        p.run(BATCH_SIZE, n_epochs=1)


# -- Model metrics -------------------------------------------------------------------------------
def test_model_metrics_one_shot():
    from dagflow.models.metrics import ClassificationMetrics
    rng = np.random.default_rng(0)
    targets = rng.integers(0, 10, 200)
    predictions = np.where(rng.random(200) < 0.8, targets, rng.integers(0, 10, 200))
    metrics = ClassificationMetrics(targets, predictions, num_classes=10, fmt='labels')
    values = metrics.evaluate(['sensitivity', 'specificity'], multiclass='macro')
    assert set(values) == {'sensitivity', 'specificity'} and 0.7 < values['sensitivity'] < values['specificity'] < 1


class MaskBatch(Batch):
    components = 'images', 'masks'


class UNet(MyModel):
    """Stands in for a segmentation network: a pixel is foreground when it is bright."""

    def predict(self, fetches='predictions', feed_dict=None):
        return 1 / (1 + np.exp(-10 * (feed_dict['x'] - 0.5)))


def test_model_metrics_gathered_in_a_pipeline():
    from dagflow.models.metrics import SegmentationMetricsByPixels
    rng = np.random.default_rng(1)
    images = rng.random((40, 4, 4))
    masks = (images + rng.normal(0, 0.1, images.shape) > 0.5).astype(int)
    test_dataset = Dataset(40, batch_class=MaskBatch, preloaded={'images': images, 'masks': masks})
    train_pipeline = Pipeline().init_model('unet', UNet, 'static', config)

    pipeline = (test_dataset.p
                .init_variables(['metrics', 'inferred_masks'])
                .import_model('unet', train_pipeline)
                .predict_model('unet', fetches='predictions', feed_dict={'x': B('images')},
                               save_to=V('inferred_masks'))
                .gather_metrics(SegmentationMetricsByPixels, targets=B('masks'), predictions=V('inferred_masks'),
                                fmt='proba', save_to=V('metrics'), mode='u')
                .run(BATCH_SIZE)
                )

    metrics = pipeline.get_variable('metrics')
    values = metrics.evaluate(['sensitivity', 'specificity'])
    expected = SegmentationMetricsByPixels(masks, UNet(config).predict(feed_dict={'x': images}), fmt='proba')
    assert values == expected.evaluate(['sensitivity', 'specificity'])
    assert metrics.confusion_matrices.shape == (40, 2, 2) and 0.8 < values['sensitivity'] <= 1
