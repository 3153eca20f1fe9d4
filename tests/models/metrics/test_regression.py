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


def test_median_absolute_error_ignores_weights():
    targets, predictions, weights = data((40, 2), seed=4)
    metrics = RegressionMetrics(targets, predictions, weights=weights, multi=True)
    np.testing.assert_allclose(metrics.evaluate('median_absolute_error', agg=None),
                               sk.median_absolute_error(targets, predictions, multioutput='raw_values'))
    assert RegressionMetrics([0.0, 0.0, 0.0], [1.0, 2.0, 9.0], weights=[0, 0, 1]).median_absolute_error() == 2.0


def test_max_error_and_accuracy():
    targets, predictions, weights = data(seed=2)
    metrics = RegressionMetrics(targets, predictions, weights=weights)   # both ignore weights
    assert metrics.evaluate('max_error') == pytest.approx(sk.max_error(targets, predictions))
    assert metrics.evaluate('accuracy', gap=0.3) == pytest.approx(np.mean(np.abs(predictions - targets) < 0.3))


def test_accuracy_counts_errors_below_the_gap_3_by_default():
    metrics = RegressionMetrics([0.0, 1.0, 2.0, 10.0], [0.0, 1.0, 5.0, 12.9])    # errors 0, 0, 3, 2.9
    assert metrics.evaluate('accuracy') == 0.75 and metrics.acc() == 0.75           # 3 is not below 3
    assert metrics.evaluate('accuracy', gap=3.01) == 1.0 and metrics.evaluate('acc', 'mean', 1) == 0.5
    multi = RegressionMetrics([[0.0, 0.0], [0.0, 0.0]], [[1.0, 4.0], [5.0, 0.5]], multi=True)
    np.testing.assert_array_equal(multi.accuracy(), [0.5, 0.5])
    np.testing.assert_array_equal(multi.accuracy(gap=4.5), [0.5, 1.0])


def test_without_multi_every_value_is_a_sample_and_weights_are_per_item_or_per_sample():
    targets, predictions, weights = data((20, 3), seed=3)
    pooled = RegressionMetrics(targets, predictions, weights=weights)
    flat = RegressionMetrics(targets.ravel(), predictions.ravel(), weights=np.repeat(weights, 3))
    per_sample = RegressionMetrics(targets, predictions, weights=np.repeat(weights, 3).reshape(20, 3))
    assert pooled.evaluate(['mae', 'r2']) == pytest.approx(flat.evaluate(['mae', 'r2']))
    assert per_sample.evaluate(['mae', 'r2']) == pytest.approx(flat.evaluate(['mae', 'r2']))


def test_a_vector_with_multi_is_one_sample_with_several_outputs():
    metrics = RegressionMetrics([0.0, 1.0, 2.0], [1.0, 1.0, 5.0], multi=True)
    np.testing.assert_array_equal(metrics.mae(), [1.0, 0.0, 3.0])
    assert metrics.evaluate('mae') == pytest.approx(4 / 3) and metrics.outputs == 3
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        np.testing.assert_array_equal(metrics.r2(), [-np.inf, np.nan, -np.inf])   # one sample: constant targets
    assert np.isnan(metrics.evaluate('r2'))                                         # the plain mean over outputs
    assert metrics.evaluate('r2', skip_undefined=True) != metrics.evaluate('r2')


def test_lists_of_batches_are_concatenated():
    ragged = RegressionMetrics([np.array([0.0, 1.0]), np.array([2.0, 3.0, 4.0])],
                               [np.array([1.0, 1.0]), np.array([2.0, 5.0, 4.0])])
    assert ragged.evaluate('mae') == pytest.approx(3 / 5)
    batches = np.arange(12.0).reshape(2, 3, 2)              # two batches of (samples, outputs)
    multi = RegressionMetrics(batches, batches + [0.0, 1.0], multi=True)
    np.testing.assert_array_equal(multi.mae(), [0.0, 1.0])
    with pytest.raises(MetricsError, match=r'multi=True targets are \(outputs,\), \(samples, outputs\) or a list'):
        RegressionMetrics(np.zeros((2, 2, 2, 2)), np.zeros((2, 2, 2, 2)), multi=True)


def test_constant_targets_give_minus_inf_r2_and_explained_variance_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        metrics = RegressionMetrics([1.0, 1.0, 1.0], [1.0, 2.0, 0.0])
        values = metrics.evaluate(['r2', 'r2_score', 'explained_variance_ratio', 'mae'])
        perfect = RegressionMetrics([1.0, 1.0], [1.0, 1.0]).evaluate(['r2', 'explained_variance_ratio'])
        shifted = RegressionMetrics([1.0, 1.0], [2.0, 2.0]).evaluate(['r2', 'explained_variance_ratio'])
        skipped = metrics.evaluate(['r2', 'explained_variance_ratio'], skip_undefined=True)
        empty = RegressionMetrics(np.zeros(0), np.zeros(0)).evaluate(RegressionMetrics.METRICS)
    assert values == {'r2': -np.inf, 'r2_score': -np.inf, 'explained_variance_ratio': -np.inf,
                      'mae': pytest.approx(2 / 3)}
    assert all(np.isnan(value) for value in perfect.values())          # 1 - 0/0
    assert shifted['r2'] == -np.inf and np.isnan(shifted['explained_variance_ratio'])   # errors of no variance
    assert all(np.isnan(value) for value in skipped.values())
    assert all(np.isnan(value) for value in empty.values())


def test_skip_undefined_leaves_nan_outputs_out_of_the_mean():
    targets = np.array([[1.0, 0.0], [1.0, 2.0]])           # the first output is constant
    metrics = RegressionMetrics(targets, targets + [[1.0, 0.5], [0.0, 0.5]], multi=True)
    assert metrics.evaluate('r2') == -np.inf
    assert metrics.evaluate('r2', skip_undefined=True) == pytest.approx(1 - 0.5 / 2)


def test_aliases_and_methods():
    metrics = RegressionMetrics([0.0, 1.0], [1.0, 1.0])
    names = {'mae': 'mean_absolute_error', 'mse': 'mean_squared_error', 'rmse': 'root_mean_squared_error',
             'r2': 'r2_score', 'acc': 'accuracy'}                # BatchFlow's aliases
    for alias, name in names.items():
        assert metrics.evaluate(alias) == metrics.evaluate(name) == getattr(metrics, alias)() == \
            getattr(metrics, name)()
    assert metrics.evaluate(['mae', 'mse', 'rmse']) == {'mae': 0.5, 'mse': 0.5, 'rmse': pytest.approx(0.5 ** 0.5)}
    assert metrics.explained_variance_ratio() == metrics.evaluate('explained_variance')


class TestBadInput:
    def test_mismatched_shapes(self):
        with pytest.raises(MetricsError, match=r'same shape, got \(2,\) and \(3,\)'):
            RegressionMetrics([0.0, 1.0], [0.0, 1.0, 2.0])

    def test_bad_weights(self):
        with pytest.raises(MetricsError, match=r'one weight per sample \(2,\), got 3 weights'):
            RegressionMetrics([0.0, 1.0], [0.0, 1.0], weights=[1, 1, 1])
        with pytest.raises(MetricsError, match=r'per sample \(6,\) or one per item of the first axis \(2,\)'):
            RegressionMetrics(np.zeros((2, 3)), np.zeros((2, 3)), weights=[1, 1, 1])
        with pytest.raises(MetricsError, match=r'finite and non-negative, got -1.0'):
            RegressionMetrics([0.0, 1.0], [0.0, 1.0], weights=[1, -1])

    def test_bad_evaluate_options_and_names(self):
        metrics = RegressionMetrics([0.0, 1.0], [0.0, 1.0])
        with pytest.raises(MetricsError, match=r"gap must be a number .*, got 'wide'"):
            metrics.evaluate(['mae', 'accuracy'], gap='wide')
        with pytest.raises(MetricsError, match=r"Unknown metric 'rsme'.*Did you mean 'rmse'"):
            metrics.evaluate('rsme')
        with pytest.raises(MetricsError, match=r"agg must be 'mean'"):
            metrics.evaluate('mae', agg='max')
        with pytest.raises(MetricsError, match=r"skip_undefined must be True or False, got 1"):
            metrics.evaluate('mae', skip_undefined=1)

    def test_non_numbers(self):
        with pytest.raises(MetricsError, match=r'targets must be real numbers'):
            RegressionMetrics(['a', 'b'], [0.0, 1.0])
