"""The guide's pipeline examples with TorchModel: init, train, import into an inference template, load, save."""
import numpy as np
import pytest

from dagflow import B, Dataset, F, Pipeline, V

from .conftest import TINY, ImagesBatch, same_state, toy_images

torch = pytest.importorskip('torch')

from dagflow.models.torch import ResNet18, TorchModel  # noqa: E402

BATCH_SIZE = 8


def guide_config(**extra):
    """The guide's dynamic config: the input shape comes from the first batch."""
    return {'inputs': {'images': {'shape': F(lambda batch: batch.images.shape[1:])}}, 'classes': 2,
            'model': TINY['resnet18'], 'optimizer': {'name': 'Adam', 'lr': 1e-2}, 'seed': 0, **extra}


def train_pipeline(dataset, model_class=ResNet18, config=None, augment=False):
    pipeline = (dataset.p
                .init_model('model', model_class, 'dynamic', config or guide_config())
                .init_variable('loss_history', init_on_each_run=list))
    if augment:
        pipeline = pipeline.flip().add_noise(0.05)
    return pipeline.train_model('model', B.images, B.labels, fetches='loss', save_to=V('loss_history', mode='a'))


@pytest.mark.parametrize('model_class, config', [
    (ResNet18, guide_config()),
    (TorchModel, guide_config(model={'name': 'resnet18', 'width': 2})),
])
def test_a_dynamic_model_is_built_from_the_first_batch_and_learns(images_dataset, model_class, config):
    pipeline = train_pipeline(images_dataset, model_class, config)
    assert not pipeline.models.created('model')
    pipeline.run(BATCH_SIZE, n_epochs=4, shuffle=True, seed=1)
    model = pipeline.m('model')
    assert isinstance(model, ResNet18 if model_class is ResNet18 else TorchModel)
    assert model.config['inputs/images/shape'] == (1, 8, 8)
    history = pipeline.v('loss_history')
    assert len(history) == 16 and all(isinstance(loss, np.float32) for loss in history)
    assert np.mean(history[-4:]) < np.mean(history[:4])


def test_import_a_trained_model_into_an_inference_template(images_dataset):
    train = train_pipeline(images_dataset).run(BATCH_SIZE, n_epochs=6, shuffle=True, seed=1)
    template = (Pipeline()
                .init_variable('predictions', init_on_each_run=list)
                .import_model('model', train)
                .predict_model('model', B.images, fetches='labels', save_to=V('predictions'), mode='e'))
    images, labels = toy_images(24, seed=5)
    test_dataset = Dataset(24, batch_class=ImagesBatch, preloaded={'images': images, 'labels': labels})
    infer = (template << test_dataset).run(BATCH_SIZE, shuffle=False)
    assert infer.m('model') is train.m('model')
    predictions = np.array(infer.v('predictions'))
    np.testing.assert_array_equal(predictions, train.m('model').predict(images, fetches='labels'))
    assert np.mean(predictions == labels) >= 0.75


def test_after_save_model_once_and_before_load_model_once(images_dataset, tmp_path):
    path = tmp_path / 'model.pt'
    train = train_pipeline(images_dataset)
    train.after.save_model('model', path=path)
    train.run(BATCH_SIZE, n_epochs=2, shuffle=True, seed=1)
    assert path.exists()
    inference = (images_dataset.p
                 .init_variable('proba', init_on_each_run=list)
                 .predict_model('model', B.images, fetches='proba', save_to=V('proba'), mode='e'))
    inference.before.load_model('model', TorchModel, 'dynamic', path=path)
    inference.run(BATCH_SIZE, n_epochs=1)
    loaded = inference.m('model')
    assert isinstance(loaded, TorchModel) and loaded.iteration == 8
    assert same_state(loaded.network.state_dict(), train.m('model').network.state_dict())
    images = images_dataset.preloaded['images']
    np.testing.assert_array_equal(np.array(inference.v('proba')), train.m('model').predict(images, fetches='proba'))
    again = Pipeline().load_model_now('model', ResNet18, 'dynamic', path=path)
    np.testing.assert_array_equal(again.predict(images), loaded.predict(images))


def test_a_prefetching_run_trains_the_same_weights_bit_for_bit(images_dataset, one_thread):
    runs = [train_pipeline(images_dataset, augment=True).run(BATCH_SIZE, n_epochs=2, shuffle=True, seed=3,
                                                             **kwargs)
            for kwargs in ({}, {'prefetch': 2})]
    (sync, threads) = runs
    assert [float(loss) for loss in sync.v('loss_history')] == [float(loss) for loss in threads.v('loss_history')]
    assert same_state(sync.m('model').network.state_dict(), threads.m('model').network.state_dict())
    sync_state, thread_state = (run.m('model').optimizer.state_dict()['state'] for run in runs)
    assert all(same_state(sync_state[key], thread_state[key]) for key in sync_state)



def test_predictions_of_a_torch_model_feed_gather_metrics(images_dataset):
    from dagflow.models.metrics import ClassificationMetrics

    train = train_pipeline(images_dataset).run(BATCH_SIZE, n_epochs=6, shuffle=True, seed=1)
    images, labels = toy_images(24, seed=5)
    test_dataset = Dataset(24, batch_class=ImagesBatch, preloaded={'images': images, 'labels': labels})
    infer = (test_dataset.p
             .init_variables(['metrics', 'predictions'])
             .import_model('model', train)
             .predict_model('model', B.images, fetches='proba', save_to=V('predictions'))
             .gather_metrics(ClassificationMetrics, targets=B.labels, predictions=V('predictions'), fmt='proba',
                             axis=1, save_to=V('metrics'), mode='u')
             .run(BATCH_SIZE, shuffle=False))
    predicted = train.m('model').predict(images, fetches='labels')
    assert infer.v('metrics').evaluate('accuracy') == pytest.approx(np.mean(predicted == labels))


class MaskBatch(ImagesBatch):
    components = 'images', 'masks'


def test_the_guide_segmentation_example_with_a_unet():
    from dagflow.models.metrics import SegmentationMetricsByPixels

    rng = np.random.default_rng(0)
    masks = (rng.random((16, 8, 8)) > 0.7).astype(np.int64)
    images = (masks[:, None] * 0.8 + rng.normal(0.1, 0.05, (16, 1, 8, 8))).astype(np.float32)
    dataset = Dataset(16, batch_class=MaskBatch, preloaded={'images': images, 'masks': masks})
    config = {'model': {'name': 'unet', 'width': 4, 'depth': 1}, 'classes': 2, 'seed': 0,
              'inputs': {'images': {'shape': F(lambda batch: batch.images.shape[1:])}},
              'optimizer': {'name': 'Adam', 'lr': 3e-2}}
    train_pipeline = (dataset.p.init_model('unet', TorchModel, 'dynamic', config)
                      .init_variable('loss', init_on_each_run=list)
                      .train_model('unet', B.images, B.masks, save_to=V('loss'), mode='a')
                      .run(BATCH_SIZE, n_epochs=4, shuffle=True, seed=0))
    assert train_pipeline.v('loss')[-1] < train_pipeline.v('loss')[0]
    pipeline = (dataset.p
                .init_variables(['metrics', 'inferred_masks'])
                .import_model('unet', train_pipeline)
                .predict_model('unet', fetches='predictions', feed_dict={'x': B('images')},
                               save_to=V('inferred_masks'))
                .gather_metrics(SegmentationMetricsByPixels, targets=B('masks'), predictions=V('inferred_masks'),
                                fmt='logits', axis=1, save_to=V('metrics'), mode='u')
                .run(BATCH_SIZE))
    metrics = pipeline.get_variable('metrics').evaluate(['sensitivity', 'specificity'])
    logits = train_pipeline.m('unet').predict(images)
    assert logits.shape == (16, 2, 8, 8)
    expected = SegmentationMetricsByPixels(masks, logits, fmt='logits', axis=1).evaluate(['sensitivity', 'specificity'])
    assert metrics == pytest.approx(expected)


def test_the_model_class_from_the_pipeline_config_with_a_default(images_dataset):
    from dagflow import C
    from dagflow.models.torch import VGG7
    template = (Pipeline().init_model('model', C('model', default=ResNet18), 'dynamic', guide_config(model={}))
                .init_variable('loss')
                .train_model('model', B.images, B.labels, outputs='loss', save_to=V('loss')))
    default = (template << images_dataset).run(BATCH_SIZE, n_iters=1)
    chosen = (template << images_dataset << {'model': VGG7}).run(BATCH_SIZE, n_iters=1)
    assert type(default.m('model')) is ResNet18 and type(chosen.m('model')) is VGG7
