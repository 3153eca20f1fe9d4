"""Segmentation metrics by pixels (per image) and by instances (connected regions), on hand-drawn masks."""
import numpy as np
import pytest

from dagflow.models.metrics import (
    ClassificationMetrics,
    MetricsError,
    SegmentationMetricsByInstances,
    SegmentationMetricsByPixels,
)


def mask(text):
    """A mask drawn as rows of digits: '11.2' -> [1, 1, 0, 2]."""
    return np.array([[0 if char == '.' else int(char) for char in row] for row in text.split()])


class TestByPixels:
    def test_each_image_is_one_item_and_the_mean_is_over_images(self):
        rng = np.random.default_rng(0)
        masks, proba = rng.integers(0, 2, (3, 6, 5)), rng.random((3, 6, 5))
        metrics = SegmentationMetricsByPixels(masks, proba, fmt='proba')
        per_image = metrics.evaluate('dice', agg=None)
        expected = [ClassificationMetrics(masks[i].ravel(), proba[i].ravel()).evaluate('dice') for i in range(3)]
        np.testing.assert_allclose(per_image, expected)
        assert metrics.evaluate('dice') == pytest.approx(np.mean(expected))

    def test_a_channel_axis_of_class_logits(self):
        rng = np.random.default_rng(1)
        masks, logits = rng.integers(0, 3, (2, 4, 4)), rng.normal(size=(2, 3, 4, 4))  # (images, classes, h, w)
        metrics = SegmentationMetricsByPixels(masks, logits, fmt='logits', axis=1)
        expected = SegmentationMetricsByPixels(masks, logits.argmax(axis=1), fmt='labels', num_classes=3)
        np.testing.assert_array_equal(metrics.confusion_matrix, expected.confusion_matrix)
        assert np.shape(metrics.evaluate('iou', agg=None, multiclass=None)) == (2, 3)


class TestByInstances:
    def test_found_missed_and_spurious_instances(self):
        target = mask("""
            11..1
            11..1
            .....""")
        predicted = mask("""
            1....
            11...
            ...1.""")
        metrics = SegmentationMetricsByInstances(target[None], predicted[None], fmt='labels', num_classes=2)
        assert metrics.evaluate(['true_positive', 'false_negative', 'false_positive'], agg=None) == \
            {'true_positive': [1], 'false_negative': [1], 'false_positive': [1]}
        assert metrics.evaluate(['recall', 'precision', 'f1_score']) == {'recall': 0.5, 'precision': 0.5,
                                                                         'f1_score': 0.5}

    def test_iot_is_the_share_of_the_target_instance_predicted_as_its_class(self):
        target, predicted = mask('1111 ....'), mask('11.. ....')
        found = SegmentationMetricsByInstances(target[None], predicted[None], fmt='labels', num_classes=2, iot=0.5)
        missed = SegmentationMetricsByInstances(target[None], predicted[None], fmt='labels', num_classes=2, iot=0.6)
        assert found.evaluate(['true_positive', 'false_positive']) == {'true_positive': 1, 'false_positive': 0}
        # the predicted instance lies on a target instance, so it is no false positive, as BatchFlow counts
        assert missed.evaluate(['true_positive', 'false_negative', 'false_positive']) == \
            {'true_positive': 0, 'false_negative': 1, 'false_positive': 0}

    def test_several_predicted_instances_may_cover_one_target_together(self):
        target, predicted = mask('11111'), mask('11.11')    # two instances of 2/5 each, 4/5 together
        metrics = SegmentationMetricsByInstances(target[None], predicted[None], fmt='labels', num_classes=2, iot=0.7)
        assert metrics.evaluate(['true_positive', 'false_positive', 'prediction_positive']) == \
            {'true_positive': 1, 'false_positive': 0, 'prediction_positive': 1}

    def test_a_predicted_instance_off_every_target_is_a_false_positive(self):
        target, predicted = mask('11... .....'), mask('1.... ...11')
        metrics = SegmentationMetricsByInstances(target[None], predicted[None], fmt='labels', num_classes=2, iot=0.5)
        assert metrics.evaluate(['true_positive', 'false_positive', 'false_negative', 'total_population']) == \
            {'true_positive': 1, 'false_positive': 1, 'false_negative': 0, 'total_population': 2}

    def test_one_predicted_instance_may_find_several_targets(self):
        target, predicted = mask('1.1 1.1'), mask('111 111')
        metrics = SegmentationMetricsByInstances(target[None], predicted[None], fmt='labels', num_classes=2)
        assert metrics.evaluate(['true_positive', 'false_positive', 'precision']) == \
            {'true_positive': 2, 'false_positive': 0, 'precision': 1.0}

    def test_diagonal_pixels_are_separate_instances(self):
        target = mask('1. .1')
        metrics = SegmentationMetricsByInstances(target[None], target[None], fmt='labels', num_classes=2)
        assert metrics.evaluate('condition_positive') == 2

    def test_instances_are_per_class_and_a_wrong_class_finds_nothing(self):
        target = mask("""
            11.22
            11.22
            .....
            .333.""")
        predicted = mask("""
            11.33
            1..33
            .....
            .333.""")
        metrics = SegmentationMetricsByInstances(target[None], predicted[None], fmt='labels', num_classes=4)
        np.testing.assert_array_equal(metrics.evaluate('true_positive', agg=None), [[1, 0, 1]])   # classes 1, 2, 3
        np.testing.assert_array_equal(metrics.evaluate('false_negative', agg=None), [[0, 1, 0]])
        np.testing.assert_array_equal(metrics.evaluate('false_positive', agg=None), [[0, 0, 1]])
        np.testing.assert_allclose(metrics.evaluate('recall', multiclass=None), [1, 0, 1])
        assert metrics.evaluate('recall', multiclass='micro') == pytest.approx(2 / 3)
        # class 2 has no predicted instance: its precision is 1 (BatchFlow's when_zero), or none when skipping
        np.testing.assert_allclose(metrics.evaluate('precision', multiclass=None), [1, 1, 1 / 2])
        assert metrics.evaluate('precision', multiclass='macro') == pytest.approx((1 + 1 + 1 / 2) / 3)
        assert metrics.evaluate('precision', skip_undefined=True) == pytest.approx((1 + 1 / 2) / 2)
        np.testing.assert_array_equal(metrics.total_population(), [[1, 1, 2]])
        assert metrics.true_positive(label=3) == 1 and metrics.recall(label=[1, 2]) == 0.5

    def test_images_are_counted_apart(self):
        target = np.stack([mask('11. ...'), mask('..1 ..1'), mask('... ...')])
        predicted = np.stack([mask('1.. ...'), mask('... ...'), mask('.1. ...')])
        metrics = SegmentationMetricsByInstances(target, predicted, fmt='labels', num_classes=2)
        counts = metrics.evaluate(['true_positive', 'false_negative', 'false_positive'], agg=None)
        assert {name: value.tolist() for name, value in counts.items()} == \
            {'true_positive': [1, 0, 0], 'false_negative': [0, 1, 0], 'false_positive': [0, 0, 1]}
        # the third image has no target instance: its recall is 1, or none when skipping undefined values
        np.testing.assert_array_equal(metrics.evaluate('recall', agg=None), [1, 0, 1])
        assert metrics.evaluate('recall') == pytest.approx(2 / 3)
        assert metrics.evaluate('recall', skip_undefined=True) == 0.5

    def test_probabilities_and_volumes(self):
        volume = np.zeros((1, 3, 4, 4))
        volume[0, 0, :2, :2] = volume[0, 1, :2, :2] = 0.9     # one instance across two slices
        volume[0, 2, 3, 3] = 0.8                              # and a lonely voxel
        target = (volume > 0.5).astype(int)
        target[0, 2, 3, 3] = 0
        metrics = SegmentationMetricsByInstances(target, volume, fmt='proba')
        assert metrics.evaluate(['true_positive', 'false_positive']) == {'true_positive': 1, 'false_positive': 1}

    def test_skip_bg_false_counts_background_regions_too(self):
        target, predicted = mask('1.1'), mask('1.1')
        kept = SegmentationMetricsByInstances(target[None], predicted[None], fmt='labels', num_classes=3,
                                              skip_bg=False)
        np.testing.assert_array_equal(kept.evaluate('true_positive'), [1, 2, 0])

    def test_counts_and_rates_of_the_total_population(self):
        target = np.stack([mask('11..1 .....'), mask('..... .....')])
        predicted = np.stack([mask('1.... ...1.'), mask('..... .....')])
        metrics = SegmentationMetricsByInstances(target, predicted, fmt='labels', num_classes=2)
        # image 0: 1 found, 1 missed, 1 spurious; image 1: nothing at all
        np.testing.assert_array_equal(metrics.total_population(), [3, 0])
        np.testing.assert_allclose(metrics.prevalence(), [2 / 3, 0])          # 0/0 -> 0
        np.testing.assert_allclose(metrics.evaluate('accuracy', agg=None), [1 / 3, np.nan], equal_nan=True)
        np.testing.assert_array_equal(metrics.f1_score(), [0.5, np.inf])     # nothing to find, nothing found
        assert metrics.evaluate('f1_score') == 0.5 and metrics.evaluate('jaccard') == pytest.approx(1 / 3)
        assert metrics.evaluate('f1_score', skip_undefined=True) == 0.5

    def test_batchflows_aliases(self):
        metrics = SegmentationMetricsByInstances(mask('11. ..1')[None], mask('1.. .1.')[None], fmt='labels',
                                                 num_classes=2)
        for alias, name in {'sensitivity': 'true_positive_rate', 'recall': 'true_positive_rate',
                            'tpr': 'true_positive_rate', 'miss_rate': 'false_negative_rate',
                            'fnr': 'false_negative_rate', 'prv': 'prevalence', 'acc': 'accuracy',
                            'precision': 'positive_predictive_value', 'ppv': 'positive_predictive_value',
                            'fdr': 'false_discovery_rate', 'dice': 'f1_score', 'f1s': 'f1_score', 'iou': 'jaccard',
                            'jac': 'jaccard'}.items():
            assert metrics.evaluate(alias) == metrics.evaluate(name) == getattr(metrics, alias)()[0]

    @pytest.mark.parametrize('name', ['specificity', 'true_negative', 'condition_negative', 'prediction_negative',
                                      'fpr', 'for', 'npv', 'plr', 'nlr', 'dor'])
    def test_metrics_that_need_true_negatives_are_refused(self, name):
        metrics = SegmentationMetricsByInstances(mask('1.')[None], mask('1.')[None], fmt='labels', num_classes=2)
        with pytest.raises(MetricsError, match=rf"'{name}' needs true negatives"):
            metrics.evaluate(['recall', name])
        with pytest.raises(ValueError, match=rf"'{name}' needs true negatives"):   # BatchFlow raises ValueError
            getattr(metrics, name)()

    def test_unknown_names(self):
        metrics = SegmentationMetricsByInstances(mask('1.')[None], mask('1.')[None], fmt='labels', num_classes=2)
        with pytest.raises(MetricsError, match=r"Unknown metric 'recal'.*Did you mean 'recall'"):
            metrics.evaluate('recal')

    def test_bad_input(self):
        with pytest.raises(MetricsError, match=r'need masks of shape \(images, ...spatial axes\)'):
            SegmentationMetricsByInstances([0, 1], [0, 1], fmt='labels', num_classes=2)
        with pytest.raises(MetricsError, match=r'iot .* must be in \(0, 1\], got 0'):
            SegmentationMetricsByInstances(np.zeros((1, 2)), np.zeros((1, 2)), iot=0)
        with pytest.raises(MetricsError, match=r'predictions hold the label 5, outside \[0, 2\)'):
            SegmentationMetricsByInstances(np.zeros((1, 2)), np.full((1, 2), 5), fmt='labels', num_classes=2)
