"""Metrics from true/false positive/negative counts: the formulas, class selection and averaging.

Counts come per item and per class, shape ``(items, classes)``, each class seen
one-vs-rest.  A metric is a function of the counts; these functions pick the
classes and average:

* two classes: the positive class 1 only (as scikit-learn's ``average='binary'``);
* more classes, ``multiclass=None``: one value per class (without class 0 when
  ``skip_bg``);
* ``'micro'``: the counts of the classes are summed, then the metric is computed;
* ``'macro'``: the metric of each class, then their mean over the classes where
  it is defined (not ``nan``).

Any ratio whose denominator is 0 is ``nan``, silently.

Examples
--------
>>> import numpy as np
>>> counts = Counts(tp=np.array([[3, 1]]), fp=np.array([[1, 0]]), fn=np.array([[0, 2]]), tn=np.array([[2, 3]]))
>>> rate('true_positive_rate', counts, binary=False, multiclass=None, skip_bg=False)
array([[1.        , 0.33333333]])
>>> rate('true_positive_rate', counts, binary=False, multiclass='micro', skip_bg=False)
array([0.66666667])
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .base import MetricsError, nan_mean, safe_divide

__all__ = ['Counts', 'COUNTS', 'RATES', 'ALIASES', 'NEEDS_TRUE_NEGATIVES', 'MULTICLASS', 'AGGREGATIONS',
           'check_evaluate_options', 'count', 'rate', 'over_items']


class Counts(NamedTuple):
    """True positives, false positives, false negatives and true negatives (``tn`` is None for instances)."""

    tp: np.ndarray
    fp: np.ndarray
    fn: np.ndarray
    tn: np.ndarray | None


def _tpr(c):
    return safe_divide(c.tp, c.tp + c.fn)


def _fpr(c):
    return safe_divide(c.fp, c.fp + c.tn)


def _fnr(c):
    return safe_divide(c.fn, c.tp + c.fn)


def _tnr(c):
    return safe_divide(c.tn, c.fp + c.tn)


#: Count metrics: name -> function of the counts.
COUNTS = {
    'true_positive': lambda c: c.tp,
    'false_positive': lambda c: c.fp,
    'true_negative': lambda c: c.tn,
    'false_negative': lambda c: c.fn,
    'condition_positive': lambda c: c.tp + c.fn,
    'condition_negative': lambda c: c.fp + c.tn,
    'prediction_positive': lambda c: c.tp + c.fp,
    'prediction_negative': lambda c: c.fn + c.tn,
}

#: Rates and scores: name -> function of the counts (any 0 denominator gives nan).
RATES = {
    'true_positive_rate': _tpr,
    'false_positive_rate': _fpr,
    'false_negative_rate': _fnr,
    'true_negative_rate': _tnr,
    'prevalence': lambda c: safe_divide(c.tp + c.fn, c.tp + c.fp + c.fn + c.tn),
    'positive_predictive_value': lambda c: safe_divide(c.tp, c.tp + c.fp),
    'false_discovery_rate': lambda c: safe_divide(c.fp, c.tp + c.fp),
    'false_omission_rate': lambda c: safe_divide(c.fn, c.fn + c.tn),
    'negative_predictive_value': lambda c: safe_divide(c.tn, c.fn + c.tn),
    'positive_likelihood_ratio': lambda c: safe_divide(_tpr(c), _fpr(c)),
    'negative_likelihood_ratio': lambda c: safe_divide(_fnr(c), _tnr(c)),
    'diagnostics_odds_ratio': lambda c: safe_divide(safe_divide(_tpr(c), _fpr(c)), safe_divide(_fnr(c), _tnr(c))),
    'f1_score': lambda c: safe_divide(2 * c.tp, 2 * c.tp + c.fp + c.fn),
    'jaccard': lambda c: safe_divide(c.tp, c.tp + c.fp + c.fn),
}

#: Other names of the count metrics and rates.
ALIASES = {
    'sensitivity': 'true_positive_rate', 'recall': 'true_positive_rate', 'tpr': 'true_positive_rate',
    'fallout': 'false_positive_rate', 'fpr': 'false_positive_rate',
    'miss_rate': 'false_negative_rate', 'fnr': 'false_negative_rate',
    'specificity': 'true_negative_rate', 'tnr': 'true_negative_rate',
    'precision': 'positive_predictive_value', 'ppv': 'positive_predictive_value',
    'fdr': 'false_discovery_rate', 'for': 'false_omission_rate', 'npv': 'negative_predictive_value',
    'plr': 'positive_likelihood_ratio', 'nlr': 'negative_likelihood_ratio',
    'diagnostic_odds_ratio': 'diagnostics_odds_ratio', 'dor': 'diagnostics_odds_ratio',
    'f1': 'f1_score', 'dice': 'f1_score',
    'iou': 'jaccard',
    'tp': 'true_positive', 'fp': 'false_positive', 'tn': 'true_negative', 'fn': 'false_negative',
}

#: The metrics that need true negatives (which instance segmentation does not have).
NEEDS_TRUE_NEGATIVES = frozenset({
    'true_negative', 'condition_negative', 'prediction_negative', 'false_positive_rate', 'true_negative_rate',
    'prevalence', 'false_omission_rate', 'negative_predictive_value', 'positive_likelihood_ratio',
    'negative_likelihood_ratio', 'diagnostics_odds_ratio', 'total_population', 'accuracy',
})

#: Accepted values of ``multiclass`` and ``agg``.
MULTICLASS = (None, 'micro', 'macro')
AGGREGATIONS = ('mean', None)


def check_evaluate_options(agg, multiclass) -> None:
    """Raise :class:`MetricsError` unless ``agg`` and ``multiclass`` are accepted values.

    Examples
    --------
    >>> check_evaluate_options('mean', 'macro')
    >>> check_evaluate_options('mean', 'weighted')
    Traceback (most recent call last):
    ...
    dagflow.models.metrics.base.MetricsError: multiclass must be None, 'micro' or 'macro', got 'weighted'.
    """
    if not _one_of(multiclass, MULTICLASS):
        raise MetricsError(f"multiclass must be None, 'micro' or 'macro', got {multiclass!r}.", value=multiclass)
    if not _one_of(agg, AGGREGATIONS):
        raise MetricsError(f"agg must be 'mean' (the mean over items) or None (one value per item), got {agg!r}.",
                           value=agg)


def _one_of(value, allowed) -> bool:
    """Whether ``value`` is None and None is allowed, or one of the allowed strings."""
    return None in allowed if value is None else isinstance(value, str) and value in allowed


def _select(counts: Counts, binary: bool, skip_bg: bool) -> Counts:
    """The positive class (2 classes: shape ``(items,)``) or the classes to report (``(items, classes)``)."""
    if binary:
        return Counts(*(None if a is None else a[:, 1] for a in counts))
    if skip_bg:
        return Counts(*(None if a is None else a[:, 1:] for a in counts))
    return counts


def count(name: str, counts: Counts, *, binary: bool, skip_bg: bool) -> np.ndarray:
    """A count metric, per item: ``(items,)`` for 2 classes, else ``(items, classes)`` (never averaged)."""
    return COUNTS[name](_select(counts, binary, skip_bg))


def rate(name: str, counts: Counts, *, binary: bool, multiclass, skip_bg: bool) -> np.ndarray:
    """A rate or score per item: ``(items,)``, or ``(items, classes)`` for more classes without averaging."""
    fn = RATES[name]
    selected = _select(counts, binary, skip_bg)
    if binary or multiclass is None:
        return fn(selected)
    if multiclass == 'micro':
        return fn(Counts(*(None if a is None else a.sum(axis=1) for a in selected)))
    return nan_mean(fn(selected), axis=1)


def over_items(values: np.ndarray, *, itemwise: bool, agg) -> np.ndarray:
    """Per-item values -> the result: the only item's value, the items' values, or their mean (skipping nan)."""
    if not itemwise:
        return values[0]
    if agg is None:
        return values
    return nan_mean(values, axis=0)
