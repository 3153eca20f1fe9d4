"""Accumulation: metrics of 10 batches combined equal the metrics of the concatenated data, exactly."""
import pickle

import numpy as np
import pytest

from dagflow.expr import apply_mode
from dagflow.models.metrics import (
    ClassificationMetrics,
    MetricsError,
    RegressionMetrics,
    SegmentationMetricsByInstances,
    SegmentationMetricsByPixels,
)

RNG = np.random.default_rng(0)
LABELS = RNG.integers(0, 4, 1000), RNG.integers(0, 4, 1000)
MASKS = (RNG.random((20, 8, 8)) < 0.4).astype(int), RNG.random((20, 8, 8))
VALUES = RNG.normal(size=(50, 2)), RNG.normal(size=(50, 2)), RNG.random(50)

CASES = {  # name -> (metrics class, arrays split along the first axis, options, metric names)
    'classification': (ClassificationMetrics, LABELS, {'fmt': 'labels', 'num_classes': 4},
                       ClassificationMetrics.metric_names()),
    'classification-items': (ClassificationMetrics, (LABELS[0].reshape(20, 50), LABELS[1].reshape(20, 50)),
                             {'fmt': 'labels', 'num_classes': 4}, ClassificationMetrics.metric_names()),
    'pixels': (SegmentationMetricsByPixels, MASKS, {}, ['sensitivity', 'specificity', 'dice', 'true_positive']),
    'instances': (SegmentationMetricsByInstances, MASKS, {}, SegmentationMetricsByInstances.metric_names()),
    'regression': (RegressionMetrics, VALUES[:2], {'weights': VALUES[2], 'multi': True},
                   ['mae', 'rmse', 'r2', 'explained_variance_ratio', 'median_absolute_error', 'max_error']),
}


def batches(case, count=10):
    cls, arrays, options, _ = CASES[case]
    weights = options.get('weights')
    for part in range(count):
        cut = [np.array_split(array, count)[part] for array in arrays]
        extra = {'weights': np.array_split(weights, count)[part]} if weights is not None else {}
        yield cls(*cut, **{**options, **extra})


def one_shot(case):
    cls, arrays, options, _ = CASES[case]
    return cls(*arrays, **options)


def assert_same_values(left, right, names, **options):
    for multiclass in ([None, 'micro', 'macro'] if 'multiclass' in options else [None]):
        kwargs = {k: v for k, v in options.items() if k != 'multiclass'}
        if multiclass is not None:
            kwargs['multiclass'] = multiclass
        a, b = left.evaluate(names, **kwargs), right.evaluate(names, **kwargs)
        for name in names:
            np.testing.assert_allclose(a[name], b[name], rtol=1e-12, err_msg=name)


@pytest.mark.parametrize('case', sorted(CASES))
def test_sum_of_ten_batches_equals_the_one_shot_metrics(case):
    names = CASES[case][3]
    options = {'agg': None} | ({'multiclass': 'macro'} if case != 'regression' else {})
    total = sum(batches(case))
    assert_same_values(total, one_shot(case), names, **options)


@pytest.mark.parametrize('case', sorted(CASES))
def test_update_and_iadd_accumulate_in_place(case):
    names = CASES[case][3]
    parts = list(batches(case))
    by_update, by_iadd = parts[0].copy(), parts[0].copy()
    for part in parts[1:]:
        by_update.update(part)
        by_iadd += part
    for combined in (by_update, by_iadd):
        assert_same_values(combined, one_shot(case), names)


@pytest.mark.parametrize('case', ['classification-items', 'pixels', 'instances', 'regression'])
def test_append_gathers_items_and_samples_like_update(case):
    names = CASES[case][3]
    parts = list(batches(case))
    by_append = parts[0].copy()
    for part in parts[1:]:
        by_append.append(part)
    assert_same_values(by_append, one_shot(case), names)


class TestAppendKeepsBatchesOfVectorsApart:
    """BatchFlow's append: each batch of a vector input is one more item, so agg='mean' is the mean over batches."""

    first = ClassificationMetrics([1, 1, 1, 1], [1, 1, 1, 1], fmt='labels', num_classes=2)   # recall 1
    second = ClassificationMetrics([1, 0], [0, 0], fmt='labels', num_classes=2)              # recall 0

    def test_the_mean_over_batches_and_the_value_of_each(self):
        batches = self.first.copy()
        batches.append(self.second)
        assert batches.evaluate('recall') == 0.5                     # (1 + 0) / 2, not 4 / 5
        np.testing.assert_array_equal(batches.evaluate('recall', agg=None), [1.0, 0.0])
        np.testing.assert_array_equal(batches.true_positive(), [4, 0])
        assert batches.confusion_matrices.shape == (2, 2, 2)
        np.testing.assert_array_equal(batches.confusion_matrix, [[1, 1], [0, 4]])   # summed, rows: predicted
        assert repr(batches) == '<ClassificationMetrics: 2 classes, 2 batches kept apart, 6 labels>'

    def test_the_mean_over_batches_includes_when_zero_values(self):
        no_positives = ClassificationMetrics([0, 0], [0, 1], fmt='labels', num_classes=2)   # recall 0/0 -> 1
        batches = self.second.copy()
        batches.append(no_positives)
        assert batches.evaluate('recall') == 0.5                           # (0 + 1) / 2
        assert batches.evaluate('recall', skip_undefined=True) == 0.0      # the second batch left out

    def test_update_adds_the_counts_exactly(self):
        total = self.first + self.second
        assert total.evaluate('recall') == 4 / 5
        assert total.true_positive() == 4 and total.confusion_matrices.shape == (1, 2, 2)

    def test_adding_into_batches_kept_apart_is_refused(self):
        batches = self.first.copy()
        batches.append(self.second)
        with pytest.raises(MetricsError, match=r'one holds 2 batches kept apart by append\(\)'):
            batches.update(self.first)
        with pytest.raises(MetricsError, match=r'kept apart by append'):
            self.first + batches
        assert batches.evaluate('recall') == 0.5   # unchanged by the refused update


def test_combining_leaves_the_parts_unchanged():
    first = ClassificationMetrics([0, 1], [0, 1], fmt='labels', num_classes=2)
    second = ClassificationMetrics([1, 1], [0, 0], fmt='labels', num_classes=2)
    combined = first + second
    combined.update(first)
    assert first.evaluate('true_positive') == 1 and second.evaluate('true_positive') == 0
    assert combined.evaluate('true_positive') == 2


def test_the_modes_of_pipeline_variables_accumulate_metrics():
    parts = list(batches('classification'))
    stored = None
    for part in parts:
        stored = apply_mode(stored, part, 'u')
    assert stored is parts[0]    # the first batch's object, updated in place
    assert_same_values(stored, one_shot('classification'), ['true_positive', 'recall'])
    appended = apply_mode(parts[1].copy(), parts[2], 'a')   # calls append: the two batches stay apart
    np.testing.assert_array_equal(appended.evaluate('total_population', agg=None), [100, 100])


@pytest.mark.parametrize('case', sorted(CASES))
def test_metrics_pickle(case):
    metrics = sum(batches(case, count=3))
    names = CASES[case][3]
    assert_same_values(pickle.loads(pickle.dumps(metrics)), metrics, names)


class TestIncompatible:
    def test_another_number_of_classes(self):
        three = ClassificationMetrics([0, 2], [0, 1], fmt='labels', num_classes=3)
        four = ClassificationMetrics([0, 3], [0, 1], fmt='labels', num_classes=4)
        with pytest.raises(MetricsError, match=r'different settings: num_classes=3 and num_classes=4'):
            three + four

    def test_vectors_and_items(self):
        vector = ClassificationMetrics([0, 1], [0, 1], fmt='labels', num_classes=2)
        items = ClassificationMetrics([[0, 1]], [[0, 1]], fmt='labels', num_classes=2)
        with pytest.raises(MetricsError, match=r"inputs='vectors' and inputs='items"):
            vector.update(items)

    def test_another_class(self):
        pixels = SegmentationMetricsByPixels(np.zeros((1, 2)), np.zeros((1, 2)))
        classification = ClassificationMetrics(np.zeros((1, 2)), np.zeros((1, 2)))
        with pytest.raises(MetricsError, match=r'Cannot combine SegmentationMetricsByPixels with '
                                               r'ClassificationMetrics'):
            pixels + classification
        with pytest.raises(TypeError):
            pixels + 1

    def test_other_instance_and_regression_settings(self):
        masks = np.zeros((1, 2, 2))
        with pytest.raises(MetricsError, match=r'iot=0.5 and iot=0.8'):
            SegmentationMetricsByInstances(masks, masks) + SegmentationMetricsByInstances(masks, masks, iot=0.8)
        with pytest.raises(MetricsError, match=r'outputs=2 and outputs=3'):
            RegressionMetrics(np.zeros((2, 2)), np.zeros((2, 2)), multi=True).append(
                RegressionMetrics(np.zeros((2, 3)), np.zeros((2, 3)), multi=True))
