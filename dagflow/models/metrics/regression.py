"""Regression metrics: errors of real-valued predictions, optionally weighted, one or many outputs."""
from __future__ import annotations

import numbers

import numpy as np

from .base import Metrics, MetricsError, divide_when_zero, nan_mean, plain, safe_divide

__all__ = ['RegressionMetrics']


class RegressionMetrics(Metrics):
    """Metrics of a regressor: mean absolute and squared errors, R², explained variance and more.

    Parameters
    ----------
    targets, predictions : array-like
        Real values of one shape, or lists of such arrays (one per batch,
        concatenated along the first axis).
    weights : array-like, optional
        Non-negative sample weights: one per sample (the shape of the samples,
        flattened), or one per item of the first axis, which then weighs each
        of its samples.  All 1 by default.
    multi : bool
        False: every value is one more sample, and each metric is one number.
        True: the task has several outputs: a 1-d array is one sample whose
        values are the outputs, a 2-d array is ``(samples, outputs)``, a 3-d
        array a list of such batches; each metric is computed per output
        (``evaluate(..., agg=None)``) or averaged over them (``agg='mean'``).

    Notes
    -----
    Metrics (aliases in brackets, dagflow's own marked *), with errors
    ``e = prediction - target``:

    * ``mean_absolute_error`` (``mae``): weighted mean of ``|e|``;
    * ``mean_squared_error`` (``mse``): weighted mean of ``e**2``;
    * ``root_mean_squared_error`` (``rmse``): its square root;
    * ``r2_score`` (``r2``): ``1 - sum(w e**2) / sum(w (target - weighted mean target)**2)``;
    * ``explained_variance_ratio`` (``explained_variance``*): ``1 - var(e) / var(target)`` (weighted);
    * ``median_absolute_error``: the median of ``|e|`` (weights are ignored, as in BatchFlow);
    * ``max_error``: the largest ``|e|`` (weights are ignored);
    * ``accuracy`` (``acc``): the share of samples with ``|e| < gap``, ``gap=3``
      by default (give another to :meth:`evaluate`; weights are ignored).

    **Undefined values** follow BatchFlow: R² and explained variance of
    constant targets are ``-inf`` (``1 - x / 0``), or ``nan`` when the errors
    are 0 too, and ``agg='mean'`` is the plain mean over outputs.
    ``evaluate(..., skip_undefined=True)`` makes them ``nan`` and leaves them
    out of the mean.  Metrics of no data are ``nan``.

    Combining metrics (``m1 + m2``, ``append``, ``update``) gathers the
    samples, so every metric of a run is exact.

    Examples
    --------
    >>> metrics = RegressionMetrics([3.0, -0.5, 2.0, 7.0], [2.5, 0.0, 2.0, 8.0])
    >>> metrics.evaluate(['mae', 'mse', 'max_error'])
    {'mae': 0.5, 'mse': 0.375, 'max_error': 1.0}
    >>> round(metrics.r2(), 4)
    0.9486
    >>> metrics.evaluate('acc'), metrics.evaluate('accuracy', gap=0.75)
    (1.0, 0.75)
    >>> RegressionMetrics([1.0, 1.0], [1.0, 2.0]).evaluate('r2')   # constant targets
    -inf
    """

    METRICS = ('mean_absolute_error', 'mean_squared_error', 'root_mean_squared_error', 'r2_score',
               'explained_variance_ratio', 'median_absolute_error', 'max_error', 'accuracy')
    ALIASES = {'mae': 'mean_absolute_error', 'mse': 'mean_squared_error', 'rmse': 'root_mean_squared_error',
               'r2': 'r2_score', 'acc': 'accuracy', 'explained_variance': 'explained_variance_ratio'}

    def __init__(self, targets, predictions, weights=None, multi=False):
        if not isinstance(multi, (bool, np.bool_)):
            raise MetricsError(f'multi must be True or False, got {multi!r}.', value=multi)
        targets, predictions = _real(targets, 'targets'), _real(predictions, 'predictions')
        if targets.shape != predictions.shape:
            raise MetricsError(f'targets and predictions must have the same shape, got {targets.shape} and '
                               f'{predictions.shape}.', shapes=(targets.shape, predictions.shape))
        items = targets.shape[0] if targets.ndim else 1
        if multi:
            if targets.ndim > 3:
                raise MetricsError(f'With multi=True targets are (outputs,), (samples, outputs) or a list of '
                                   f'(samples, outputs) batches, got shape {targets.shape}.', shape=targets.shape)
            outputs = targets.shape[-1] if targets.ndim else 1
            items = items if targets.ndim > 1 else 1
            targets, predictions = targets.reshape(-1, outputs), predictions.reshape(-1, outputs)
        else:
            targets, predictions = targets.reshape(-1, 1), predictions.reshape(-1, 1)
        self.multi = bool(multi)
        self.outputs = targets.shape[1]
        weights = _weights(weights, len(targets), items)
        self._chunks = [[_frozen(targets)], [_frozen(predictions)], [_frozen(weights)]]

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

    def _merge(self, other: RegressionMetrics, keep_apart: bool) -> None:
        self._chunks = [[*mine, *theirs] for mine, theirs in zip(self._chunks, other._chunks)]

    def evaluate(self, metrics, agg='mean', gap=3, *, skip_undefined=False):
        """Compute one metric, or several (a dict name -> value).

        Parameters
        ----------
        metrics : str or list of str
            Metric names or aliases (see the class's Notes).
        agg : {'mean', None}
            With ``multi=True``: the mean over the outputs, or None for one
            value per output.  Ignored otherwise.
        gap : float
            For ``accuracy``: a sample is right when ``|e| < gap``.
        skip_undefined : bool
            R² and explained variance of constant targets are ``nan`` (not
            ``-inf``) and the mean over outputs leaves ``nan`` out.

        Examples
        --------
        >>> metrics = RegressionMetrics([[0.0, 1.0], [2.0, 3.0]], [[0.5, 1.0], [2.0, 2.0]], multi=True)
        >>> metrics.evaluate('mae', agg=None)
        array([0.25, 0.5 ])
        >>> metrics.evaluate('accuracy', gap=0.75)
        0.75
        """
        if not (agg is None or isinstance(agg, str) and agg == 'mean'):
            raise MetricsError(f"agg must be 'mean' (the mean over outputs) or None (one value per output), "
                               f"got {agg!r}.", value=agg)
        if not isinstance(gap, numbers.Real) or isinstance(gap, bool) or np.isnan(gap):
            raise MetricsError(f'gap must be a number (a sample is right when |prediction - target| < gap), got '
                               f'{gap!r}.', value=gap)
        if not isinstance(skip_undefined, (bool, np.bool_)):
            raise MetricsError(f'skip_undefined must be True or False, got {skip_undefined!r}.', value=skip_undefined)
        targets, predictions, weights = self._arrays()

        def compute(name):
            values = self._per_output(name, targets, predictions, weights, gap, skip_undefined)
            if not self.multi:
                values = values[0]
            elif agg == 'mean':
                values = nan_mean(values, axis=0) if skip_undefined else values.mean(axis=0)
            return plain(values)
        return self._evaluate_names(metrics, compute)

    def _per_output(self, name, targets, predictions, weights, gap, skip_undefined):
        errors = predictions - targets
        total = weights.sum()
        w = weights[:, None]

        def mean(values):
            return safe_divide((w * values).sum(axis=0), total)

        def one_minus(numerator, denominator):
            ratio = safe_divide(numerator, denominator) if skip_undefined else \
                divide_when_zero(numerator, denominator, (np.inf, np.nan))
            return 1 - ratio
        if name == 'mean_absolute_error':
            return mean(np.abs(errors))
        if name in ('mean_squared_error', 'root_mean_squared_error'):
            mse = mean(errors ** 2)
            return np.sqrt(mse) if name == 'root_mean_squared_error' else mse
        if name == 'r2_score':
            return one_minus((w * errors ** 2).sum(axis=0), (w * (targets - mean(targets)) ** 2).sum(axis=0))
        if name == 'explained_variance_ratio':
            return one_minus(mean((errors - mean(errors)) ** 2), mean((targets - mean(targets)) ** 2))
        if not len(errors):
            return np.full(errors.shape[1], np.nan)
        if name == 'median_absolute_error':
            return np.median(np.abs(errors), axis=0)
        if name == 'max_error':
            return np.abs(errors).max(axis=0)
        return (np.abs(errors) < gap).mean(axis=0)

    def __repr__(self):
        targets = self._arrays()[0]
        outputs = f', {self.outputs} outputs' if self.multi else ''
        return f'<RegressionMetrics: {len(targets)} samples{outputs}>'


def _real(values, name) -> np.ndarray:
    """``values`` as a float array; a list of arrays of different lengths (batches) is concatenated."""
    if isinstance(values, (list, tuple)) and values and all(np.ndim(value) >= 1 for value in values) \
            and len({np.shape(value) for value in values}) > 1:
        try:
            values = np.concatenate([np.asarray(value) for value in values])
        except ValueError as exc:
            raise MetricsError(f'{name}: a list of batches must concatenate along the first axis: {exc}.',
                               value=name) from None
    array = np.asarray(values)
    if array.dtype.kind not in 'fiub':
        raise MetricsError(f'{name} must be real numbers, got an array of {array.dtype}.', value=array.dtype)
    return array.astype(float)  # a copy: the caller may reuse its arrays


def _weights(weights, samples: int, items: int) -> np.ndarray:
    """One weight per sample: given per sample, or per item of the first axis (repeated for its samples)."""
    if weights is None:
        return np.ones(samples)
    weights = np.asarray(weights, dtype=float).ravel()
    if weights.size == items and samples % max(items, 1) == 0 and weights.size != samples:
        weights = np.repeat(weights, samples // items)
    if weights.size != samples:
        per_item = f' or one per item of the first axis ({items},)' if items != samples else ''
        raise MetricsError(f'weights must hold one weight per sample ({samples},){per_item}, got {weights.size} '
                           f'weights.', size=weights.size)
    if not np.all(np.isfinite(weights) & (weights >= 0)):
        bad = weights[~(np.isfinite(weights) & (weights >= 0))][0].item()
        raise MetricsError(f'weights must be finite and non-negative, got {bad!r}.', value=bad)
    return weights


def _frozen(array) -> np.ndarray:
    array.flags.writeable = False
    return array
