"""Regression metrics: errors of real-valued predictions, optionally weighted, one or many outputs."""
from __future__ import annotations

import numpy as np

from .base import Metrics, MetricsError, nan_mean, plain, safe_divide

__all__ = ['RegressionMetrics']


class RegressionMetrics(Metrics):
    """Metrics of a regressor: mean absolute and squared errors, R², explained variance and more.

    Parameters
    ----------
    targets, predictions : array-like
        Real values of one shape; the first axis is the items.
    weights : array-like, optional
        One non-negative weight per item (shape ``(items,)``); all 1 by default.
    multi : bool
        False: every value of the arrays is one more sample, and each metric
        is one number.  True: the axes after the first are outputs (shape
        ``(items, outputs)``, or more axes, flattened), and each metric is
        computed per output (``evaluate(..., agg=None)``) or averaged over them
        (``agg='mean'``, scikit-learn's ``multioutput='uniform_average'``).

    Notes
    -----
    Metrics (aliases in brackets), with errors ``e = prediction - target``:

    * ``mae`` (``mean_absolute_error``): weighted mean of ``|e|``;
    * ``mse`` (``mean_squared_error``): weighted mean of ``e**2``;
    * ``rmse`` (``root_mean_squared_error``): its square root;
    * ``r2`` (``r2_score``): ``1 - sum(w e**2) / sum(w (target - weighted mean target)**2)``;
    * ``explained_variance_ratio`` (``explained_variance``): ``1 - var(e) / var(target)`` (weighted);
    * ``median_absolute_error``: the weighted median of ``|e|`` (scikit-learn's: the
      plain median without weights);
    * ``max_error``: the largest ``|e|`` (weights are ignored);
    * ``accuracy``: the weighted share of items with ``|e| <= gap``; give
      ``gap`` to :meth:`evaluate`.

    A ratio with a zero denominator (R² of constant targets, any metric of no
    data) is ``nan``, without a warning; scikit-learn's ``force_finite=False``.
    Combining metrics (``m1 + m2``, ``append``, ``update``) gathers the
    values, so every metric of a run is exact.

    Examples
    --------
    >>> metrics = RegressionMetrics([3.0, -0.5, 2.0, 7.0], [2.5, 0.0, 2.0, 8.0])
    >>> metrics.evaluate(['mae', 'mse', 'max_error'])
    {'mae': 0.5, 'mse': 0.375, 'max_error': 1.0}
    >>> round(metrics.evaluate('r2'), 4)
    0.9486
    >>> metrics.evaluate('accuracy', gap=0.5)
    0.75
    """

    METRICS = ('mae', 'mse', 'rmse', 'r2', 'explained_variance_ratio', 'median_absolute_error', 'max_error',
               'accuracy')
    ALIASES = {'mean_absolute_error': 'mae', 'mean_squared_error': 'mse', 'root_mean_squared_error': 'rmse',
               'r2_score': 'r2', 'explained_variance': 'explained_variance_ratio'}

    def __init__(self, targets, predictions, weights=None, multi=False):
        if not isinstance(multi, (bool, np.bool_)):
            raise MetricsError(f'multi must be True or False, got {multi!r}.', value=multi)
        targets, predictions = _real(targets, 'targets'), _real(predictions, 'predictions')
        if targets.shape != predictions.shape:
            raise MetricsError(f'targets and predictions must have the same shape, got {targets.shape} and '
                               f'{predictions.shape}.', shapes=(targets.shape, predictions.shape))
        items = targets.shape[0] if targets.ndim else 1
        weights = _weights(weights, items)
        if multi:
            targets, predictions = targets.reshape(items, -1), predictions.reshape(items, -1)
        else:
            per_item = targets.size // items if items else 1
            weights = np.repeat(weights, per_item)
            targets, predictions = targets.reshape(-1, 1), predictions.reshape(-1, 1)
        self.multi = bool(multi)
        self.outputs = targets.shape[1]
        self._chunks = [_frozen(targets), _frozen(predictions), _frozen(weights)]
        self._chunks = [[chunk] for chunk in self._chunks]

    def _arrays(self):
        """(targets, predictions, weights), each gathered into one array."""
        for position, chunks in enumerate(self._chunks):
            if len(chunks) > 1:
                self._chunks[position] = [_frozen(np.concatenate(chunks))]
        return tuple(chunks[0] for chunks in self._chunks)

    def copy(self) -> RegressionMetrics:
        new = super().copy()
        new._chunks = [list(chunks) for chunks in self._chunks]
        return new

    def _settings(self) -> dict:
        return {'multi': self.multi, 'outputs': self.outputs if self.multi else 1}

    def _merge(self, other: RegressionMetrics) -> None:
        self._chunks = [[*mine, *theirs] for mine, theirs in zip(self._chunks, other._chunks)]

    def evaluate(self, metrics, agg='mean', *, gap=None):
        """Compute one metric, or several (a dict name -> value).

        Parameters
        ----------
        metrics : str or list of str
            Metric names or aliases (see the class's Notes).
        agg : {'mean', None}
            With ``multi=True``: the mean over the outputs, or None for one
            value per output.  Ignored otherwise.
        gap : float, optional
            For ``accuracy``: the largest absolute error that counts as right.

        Examples
        --------
        >>> metrics = RegressionMetrics([[0.0, 1.0], [2.0, 3.0]], [[0.5, 1.0], [2.0, 2.0]], multi=True)
        >>> metrics.evaluate('mae', agg=None)
        array([0.25, 0.5 ])
        >>> metrics.evaluate('accuracy')
        Traceback (most recent call last):
        ...
        dagflow.models.metrics.base.MetricsError: accuracy needs gap=, the largest absolute error that counts \
as right: evaluate('accuracy', gap=0.5).
        """
        if not (agg is None or isinstance(agg, str) and agg == 'mean'):
            raise MetricsError(f"agg must be 'mean' (the mean over outputs) or None (one value per output), "
                               f"got {agg!r}.", value=agg)
        targets, predictions, weights = self._arrays()

        def compute(name):
            values = self._per_output(name, targets, predictions, weights, gap)
            if self.multi and agg == 'mean':
                values = nan_mean(values, axis=0)
            elif not self.multi:
                values = values[0]
            return plain(values)
        return self._evaluate_names(metrics, compute)

    def _per_output(self, name, targets, predictions, weights, gap):
        errors = predictions - targets
        total = weights.sum()
        w = weights[:, None]

        def mean(values):
            return safe_divide((w * values).sum(axis=0), total)
        if name == 'mae':
            return mean(np.abs(errors))
        if name in ('mse', 'rmse'):
            mse = mean(errors ** 2)
            return np.sqrt(mse) if name == 'rmse' else mse
        if name == 'r2':
            deviation = targets - mean(targets)
            return 1 - safe_divide((w * errors ** 2).sum(axis=0), (w * deviation ** 2).sum(axis=0))
        if name == 'explained_variance_ratio':
            variance = mean((errors - mean(errors)) ** 2)
            return 1 - safe_divide(variance, mean((targets - mean(targets)) ** 2))
        if name == 'median_absolute_error':
            return np.array([_weighted_median(column, weights) for column in np.abs(errors).T])
        if name == 'max_error':
            return np.abs(errors).max(axis=0) if len(errors) else np.full(errors.shape[1], np.nan)
        if gap is None:
            raise MetricsError("accuracy needs gap=, the largest absolute error that counts as right: "
                               "evaluate('accuracy', gap=0.5).")
        return mean(np.abs(errors) <= gap)

    def __repr__(self):
        targets = self._arrays()[0]
        outputs = f', {self.outputs} outputs' if self.multi else ''
        return f'<RegressionMetrics: {len(targets)} values{outputs}>'


def _real(values, name) -> np.ndarray:
    array = np.asarray(values)
    if array.dtype.kind not in 'fiub':
        raise MetricsError(f'{name} must be real numbers, got an array of {array.dtype}.', value=array.dtype)
    array = array.astype(float, copy=False)
    return array.reshape(1) if array.ndim == 0 else array


def _weights(weights, items) -> np.ndarray:
    if weights is None:
        return np.ones(items)
    weights = np.asarray(weights, dtype=float)
    if weights.shape != (items,):
        raise MetricsError(f'weights must hold one weight per item, shape ({items},), got shape {weights.shape}.',
                           shape=weights.shape)
    if not np.all(np.isfinite(weights) & (weights >= 0)):
        bad = weights[~(np.isfinite(weights) & (weights >= 0))][0].item()
        raise MetricsError(f'weights must be finite and non-negative, got {bad!r}.', value=bad)
    return weights


def _frozen(array) -> np.ndarray:
    array.flags.writeable = False
    return array


def _weighted_median(values, weights) -> float:
    """scikit-learn's weighted median: the 'averaged inverted CDF' (the plain median for equal weights)."""
    keep = weights > 0
    values, weights = values[keep], weights[keep]
    if not len(values):
        return np.nan
    order = np.argsort(values, kind='stable')
    values, cumulative = values[order], np.cumsum(weights[order])
    half = cumulative[-1] / 2
    index = int(np.searchsorted(cumulative, half, side='left'))
    if cumulative[index] == half and index + 1 < len(values):
        return (values[index] + values[index + 1]) / 2
    return float(values[index])
