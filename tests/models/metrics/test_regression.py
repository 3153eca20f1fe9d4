"""RegressionMetrics against scikit-learn, with and without weights, one or many outputs."""
import warnings

import numpy as np
import pytest

from dagflow.models.metrics import MetricsError, RegressionMetrics

sk = pytest.importorskip('sklearn.metrics')

SKLEARN = {
    'mae': sk.mean_absolute_error,
    'mse': sk.mean_squared_error,
    'rmse': sk.root_mean_squared_error,
    'r2': sk.r2_score,
    'explained_variance_ratio': sk.explained_variance_score,
    'median_absolute_error': sk.median_absolute_error,
}


def data(shape=(101,), seed=0):
    rng = np.random.default_rng(seed)
    targets = rng.normal(size=shape)
    predictions = targets + rng.normal(scale=0.5, size=shape)
    return targets, predictions, rng.random(shape[0]) + 0.1


@pytest.mark.parametrize('weighted', [False, True])
@pytest.mark.parametrize('name', sorted(SKLEARN))
def test_one_output_against_sklearn(name, weighted):
    targets, predictions, weights = data()
    weights = weights if weighted else None
    metrics = RegressionMetrics(targets, predictions, weights=weights)
    assert metrics.evaluate(name) == pytest.approx(SKLEARN[name](targets, predictions, sample_weight=weights))


@pytest.mark.parametrize('weighted', [False, True])
@pytest.mark.parametrize('name', sorted(SKLEARN))
def test_many_outputs_against_sklearn(name, weighted):
    targets, predictions, weights = data((60, 3), seed=1)
    weights = weights if weighted else None
    metrics = RegressionMetrics(targets, predictions, weights=weights, multi=True)
    raw = SKLEARN[name](targets, predictions, sample_weight=weights, multioutput='raw_values')
    np.testing.assert_allclose(metrics.evaluate(name, agg=None), raw)
    assert metrics.evaluate(name) == pytest.approx(SKLEARN[name](targets, predictions, sample_weight=weights))


def test_max_error_and_accuracy():
    targets, predictions, weights = data(seed=2)
    metrics = RegressionMetrics(targets, predictions)
    assert metrics.evaluate('max_error') == pytest.approx(sk.max_error(targets, predictions))
    assert metrics.evaluate('accuracy', gap=0.3) == pytest.approx(np.mean(np.abs(predictions - targets) <= 0.3))
    weighted = RegressionMetrics(targets, predictions, weights=weights)
    assert weighted.evaluate('accuracy', gap=0.3) == pytest.approx(
        np.average(np.abs(predictions - targets) <= 0.3, weights=weights))


def test_without_multi_every_value_is_a_sample_and_weights_are_per_item():
    targets, predictions, weights = data((20, 3), seed=3)
    pooled = RegressionMetrics(targets, predictions, weights=weights)
    flat = RegressionMetrics(targets.ravel(), predictions.ravel(), weights=np.repeat(weights, 3))
    assert pooled.evaluate(['mae', 'r2']) == pytest.approx(flat.evaluate(['mae', 'r2']))


def test_constant_targets_give_nan_r2_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        metrics = RegressionMetrics([1.0, 1.0, 1.0], [1.0, 2.0, 1.0])
        values = metrics.evaluate(['r2', 'explained_variance', 'mae'])
        empty = RegressionMetrics(np.zeros(0), np.zeros(0)).evaluate(RegressionMetrics.METRICS[:-1])
    assert np.isnan(values['r2']) and np.isnan(values['explained_variance'])
    assert values['mae'] == pytest.approx(1 / 3)
    assert all(np.isnan(value) for value in empty.values())


def test_aliases():
    metrics = RegressionMetrics([0.0, 1.0], [1.0, 1.0])
    assert metrics.evaluate(['mean_absolute_error', 'mean_squared_error', 'root_mean_squared_error']) == \
        {'mean_absolute_error': 0.5, 'mean_squared_error': 0.5, 'root_mean_squared_error': pytest.approx(0.5 ** 0.5)}


class TestBadInput:
    def test_mismatched_shapes(self):
        with pytest.raises(MetricsError, match=r'same shape, got \(2,\) and \(3,\)'):
            RegressionMetrics([0.0, 1.0], [0.0, 1.0, 2.0])

    def test_bad_weights(self):
        with pytest.raises(MetricsError, match=r'one weight per item, shape \(2,\), got shape \(3,\)'):
            RegressionMetrics([0.0, 1.0], [0.0, 1.0], weights=[1, 1, 1])
        with pytest.raises(MetricsError, match=r'finite and non-negative, got -1.0'):
            RegressionMetrics([0.0, 1.0], [0.0, 1.0], weights=[1, -1])

    def test_accuracy_needs_a_gap_and_names_are_checked(self):
        metrics = RegressionMetrics([0.0, 1.0], [0.0, 1.0])
        with pytest.raises(MetricsError, match=r"accuracy needs gap="):
            metrics.evaluate(['mae', 'accuracy'])
        with pytest.raises(MetricsError, match=r"Unknown metric 'rsme'.*Did you mean 'rmse'"):
            metrics.evaluate('rsme')
        with pytest.raises(MetricsError, match=r"agg must be 'mean'"):
            metrics.evaluate('mae', agg='max')

    def test_non_numbers(self):
        with pytest.raises(MetricsError, match=r'targets must be real numbers'):
            RegressionMetrics(['a', 'b'], [0.0, 1.0])
