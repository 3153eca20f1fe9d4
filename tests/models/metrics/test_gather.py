"""pipeline.gather_metrics: metrics of a whole run, the step in the plan, and errors when it is recorded."""
import pickle

import numpy as np
import pytest

from dagflow import B, Batch, C, Dataset, Pipeline, V, action
from dagflow.exceptions import StepArgumentError
from dagflow.models import BaseModel
from dagflow.models.metrics import (
    ClassificationMetrics,
    MetricsError,
    RegressionMetrics,
    SegmentationMetricsByInstances,
    SegmentationMetricsByPixels,
)
from dagflow.models.metrics.gather import metrics_class_of


class MaskBatch(Batch):
    components = 'images', 'masks'

    @action
    def blur(self):
        self.images = (self.images + np.roll(self.images, 1, axis=-1)) / 2
        return self


class Thresholder(BaseModel):
    """Predicts the probability of the foreground from the pixel value."""

    def predict(self, x):
        return 1 / (1 + np.exp(-8 * (x - 0.5)))


@pytest.fixture
def mask_dataset():
    rng = np.random.default_rng(0)
    images = rng.random((24, 6, 6))
    masks = (images + rng.normal(scale=0.2, size=images.shape) > 0.5).astype(int)
    return Dataset(24, batch_class=MaskBatch, preloaded={'images': images, 'masks': masks})


def metrics_pipeline(dataset, metrics_class=SegmentationMetricsByPixels, mode='u', **options):
    return (dataset.p
            .init_variables(['metrics', 'inferred_masks'])
            .init_model('unet', Thresholder, 'static')
            .blur()
            .predict_model('unet', B('images'), save_to=V('inferred_masks'))
            .gather_metrics(metrics_class, targets=B('masks'), predictions=V('inferred_masks'),
                            save_to=V('metrics'), mode=mode, **options))


def expected_metrics(dataset, metrics_class=SegmentationMetricsByPixels, **options):
    images, masks = dataset.preloaded['images'], dataset.preloaded['masks']
    blurred = (images + np.roll(images, 1, axis=-1)) / 2
    return metrics_class(masks, Thresholder().predict(blurred), **options)


NAMES = ['sensitivity', 'specificity', 'dice', 'true_positive']


def assert_same(left, right, names=NAMES, **options):
    a, b = left.evaluate(names, **options), right.evaluate(names, **options)
    for name in names:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


def test_the_guide_example_gathers_the_metrics_of_the_whole_run(mask_dataset):
    pipeline = metrics_pipeline(mask_dataset, fmt='proba').run(5, n_epochs=1)
    metrics = pipeline.get_variable('metrics')
    assert isinstance(metrics, SegmentationMetricsByPixels) and metrics.confusion_matrices.shape == (24, 2, 2)
    assert_same(metrics, expected_metrics(mask_dataset), agg=None)
    assert 0.7 < metrics.evaluate('sensitivity') < 1


def test_vector_metrics_add_up_the_counts_of_every_batch(mask_dataset):
    pipeline = (mask_dataset.p.init_variable('metrics', init_on_each_run=None)
                .gather_metrics('classification', targets=B.masks[:, 0, 0], predictions=B.images[:, 0, 0],
                                save_to=V('metrics'), mode='update')
                .run(7, n_epochs=1))
    images, masks = mask_dataset.preloaded['images'], mask_dataset.preloaded['masks']
    expected = ClassificationMetrics(masks[:, 0, 0], images[:, 0, 0])
    np.testing.assert_array_equal(pipeline.v('metrics').confusion_matrix, expected.confusion_matrix)
    pipeline.run(7, n_epochs=1)   # init_on_each_run=None starts every run afresh
    np.testing.assert_array_equal(pipeline.v('metrics').confusion_matrix, expected.confusion_matrix)


class TestWholeRun:
    """mode='u' gives the metrics of the whole data set, exactly; BatchFlow's mean over batches is append's."""

    @staticmethod
    def labels(dataset):
        images, masks = dataset.preloaded['images'], dataset.preloaded['masks']
        return masks[:, 0, 0] + masks[:, 1, 0], images[:, 0, :3]     # labels 0..2, scores of 3 classes

    def pipeline(self, dataset, mode):
        return (dataset.p.init_variable('metrics')
                .gather_metrics(ClassificationMetrics, targets=B.masks[:, 0, 0] + B.masks[:, 1, 0],
                                predictions=B.images[:, 0, :3], axis=1, save_to=V('metrics'), mode=mode)
                .run(7, n_epochs=1))

    @pytest.mark.parametrize('skip_undefined', [False, True])
    def test_every_metric_of_a_run_equals_the_one_shot_value(self, mask_dataset, skip_undefined):
        gathered = self.pipeline(mask_dataset, 'u').v('metrics')
        expected = ClassificationMetrics(*self.labels(mask_dataset), axis=1)
        names = ClassificationMetrics.metric_names()
        for multiclass in (None, 'micro', 'macro'):
            values = gathered.evaluate(names, multiclass=multiclass, skip_undefined=skip_undefined)
            one_shot = expected.evaluate(names, multiclass=multiclass, skip_undefined=skip_undefined)
            for name in names:
                np.testing.assert_array_equal(values[name], one_shot[name], err_msg=name)

    def test_mode_a_collects_each_batch_and_append_gives_the_mean_over_batches(self, mask_dataset):
        per_batch = self.pipeline(mask_dataset, 'a').v('metrics')
        assert [len(m.confusion_matrices) for m in per_batch] == [1, 1, 1, 1] and \
            [m.total_population() for m in per_batch] == [7, 7, 7, 3]
        batches = per_batch[0].copy()
        for metrics in per_batch[1:]:
            batches.append(metrics)
        recalls = [m.recall() for m in per_batch]
        np.testing.assert_allclose(batches.recall(), recalls)
        assert batches.evaluate('recall') == pytest.approx(np.mean(recalls))
        whole = sum(per_batch)
        assert whole.evaluate('recall') == ClassificationMetrics(*self.labels(mask_dataset), axis=1).recall()
        assert whole.evaluate('recall') != pytest.approx(batches.evaluate('recall'))


def test_mode_w_keeps_the_last_batch(mask_dataset):
    pipeline = metrics_pipeline(mask_dataset, mode='w').run(5, n_epochs=1)
    assert pipeline.v('metrics').confusion_matrices.shape == (4, 2, 2)   # 24 = 4 * 5 + 4


@pytest.mark.parametrize('scheduler, prefetch', [('threads', 3), ('processes', 2)])
def test_parallel_runs_gather_the_same_metrics(mask_dataset, scheduler, prefetch):
    serial = metrics_pipeline(mask_dataset).run(4, n_epochs=2, shuffle=True, seed=3)
    parallel = metrics_pipeline(mask_dataset).run(4, n_epochs=2, shuffle=True, seed=3, prefetch=prefetch,
                                                  scheduler=scheduler)
    np.testing.assert_array_equal(parallel.v('metrics').confusion_matrices, serial.v('metrics').confusion_matrices)


def test_regression_and_instance_metrics_in_a_pipeline(mask_dataset):
    pipeline = metrics_pipeline(mask_dataset, RegressionMetrics).run(5, n_epochs=1)
    expected = expected_metrics(mask_dataset, RegressionMetrics)
    assert pipeline.v('metrics').evaluate(['mae', 'r2']) == expected.evaluate(['mae', 'r2'])
    instances = metrics_pipeline(mask_dataset, 'instance', iot=0.3).run(5, n_epochs=1)
    counts = instances.v('metrics').evaluate(['true_positive', 'false_positive'], agg=None)
    expected = expected_metrics(mask_dataset, SegmentationMetricsByInstances, iot=0.3)
    np.testing.assert_array_equal(counts['true_positive'], expected.evaluate('true_positive', agg=None))
    assert counts['true_positive'].sum() > 0 and counts['false_positive'].shape == (24,)


class TestPlan:
    def test_gather_metrics_is_a_state_step_on_its_variables_only(self, mask_dataset):
        plan = metrics_pipeline(mask_dataset, fmt='proba').compile()
        blur, predict, gather = plan.section_nodes('main')
        assert plan.nodes[gather]['step'].name == 'gather_metrics'
        assert {str(e) for e in plan.nodes[gather]['effects']} == {'read var:inferred_masks', 'write var:metrics'}
        assert not plan.nodes[gather]['pure'] and plan.nodes[gather]['models'] == ()
        assert plan.nodes[blur]['pure']
        assert plan.has_edge(gather, gather) and plan.edges[gather, gather]['carried']   # batch k+1 after batch k
        assert 'gather_metrics(SegmentationMetricsByPixels, targets=B.masks, ' in str(plan)

    def test_the_step_pickles_and_reads_as_written(self, mask_dataset):
        step = metrics_pipeline(mask_dataset, fmt='proba', threshold=0.4).steps()[-1]
        assert pickle.loads(pickle.dumps(step)) == step
        assert repr(step) == ("gather_metrics(SegmentationMetricsByPixels, targets=B.masks, "
                              "predictions=V('inferred_masks'), fmt='proba', threshold=0.4, save_to=V('metrics'), "
                              "mode='u')")


class TestRecording:
    @pytest.mark.parametrize('kwargs, message', [
        ({'targets': B.masks, 'predictions': B.images}, r'gather_metrics \(step 0 of main, added at '
                                                         r'test_gather.py:\d+\) needs save_to'),
        ({'predictions': B.images, 'save_to': V('m')}, r'needs targets'),
        ({'targets': B.masks, 'predictions': B.images, 'save_to': V('m'), 'mode': 'z'},
         r"Unknown assignment mode 'z'"),
        ({'targets': B.masks, 'predictions': B.images, 'save_to': V('m'), 'fmt': 'labels'},
         r"fmt='labels' needs num_classes="),
        ({'targets': B.masks, 'predictions': B.images, 'save_to': V('m'), 'num_clases': 3},
         r"ClassificationMetrics takes no option 'num_clases'. Did you mean 'num_classes'\?"),
    ])
    def test_bad_arguments_fail_when_recorded(self, kwargs, message):
        with pytest.raises(StepArgumentError, match=message):
            Pipeline().gather_metrics(ClassificationMetrics, **kwargs)

    @pytest.mark.parametrize('name, cls', [('class', ClassificationMetrics), ('classification', ClassificationMetrics),
                                           ('segmentation', SegmentationMetricsByPixels),
                                           ('mask', SegmentationMetricsByPixels),
                                           ('instance', SegmentationMetricsByInstances),
                                           ('regression', RegressionMetrics)])
    def test_batchflows_short_names_give_their_class(self, name, cls):
        assert metrics_class_of(name) is cls

    def test_an_unknown_metrics_class_suggests_a_short_name(self):
        with pytest.raises(StepArgumentError, match=r"Unknown metrics class 'segmentaton'. Did you mean "
                                                    r"'segmentation'\?"):
            Pipeline().gather_metrics('segmentaton', targets=B.masks, predictions=B.images, save_to=V('m'))
        with pytest.raises(StepArgumentError, match=r'Unknown metrics class'):
            Pipeline().gather_metrics(dict, targets=B.masks, predictions=B.images, save_to=V('m'))

    def test_named_expressions_are_checked_per_batch(self, mask_dataset):
        pipeline = (mask_dataset.p.init_variable('metrics')
                    .gather_metrics(C('kind'), targets=B.masks, predictions=B.masks, fmt=C('fmt'), num_classes=2,
                                    save_to=V('metrics'), mode='u'))
        with pytest.raises(MetricsError, match=r"fmt must be one of") as info:
            (pipeline << {'kind': 'mask', 'fmt': 'label'}).run(6, n_epochs=1)
        assert 'gather_metrics' in info.value.dagflow_step and info.value.dagflow_batch == 0
        ran = (pipeline << {'kind': 'mask', 'fmt': 'labels'}).run(6, n_epochs=1)
        assert ran.v('metrics').evaluate('accuracy') == 1.0

    def test_bad_data_names_the_step_and_the_batch(self, mask_dataset):
        pipeline = (mask_dataset.p.init_variable('metrics')
                    .gather_metrics(ClassificationMetrics, targets=B.masks * 3, predictions=B.masks, fmt='labels',
                                    num_classes=2, save_to=V('metrics'), mode='u'))
        with pytest.raises(MetricsError, match=r'targets hold the label 3, outside \[0, 2\)') as info:
            pipeline.run(6, n_epochs=1)
        assert 'gather_metrics' in info.value.dagflow_step
