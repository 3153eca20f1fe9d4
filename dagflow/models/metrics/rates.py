"""Rates and scores from the counts: BatchFlow's ``when_zero`` convention, or skipping undefined values.

**BatchFlow's convention** (the default).  A rate ``n / d`` whose denominator
is 0 takes the metric's ``when_zero = (a, b)``: ``a`` when ``n > 0``, ``b``
when ``n == 0`` (``evaluate(..., when_zero=...)`` overrides it):

============================  ==========================================  ===========
metric                        ratio                                       when_zero
============================  ==========================================  ===========
true_positive_rate            tp / condition_positive                     (0, 1)
false_positive_rate           fp / condition_negative                     (1, 0)
false_negative_rate           fn / condition_positive                     (1, 0)
true_negative_rate            tn / condition_negative                     (0, 1)
prevalence                    condition_positive / total_population       (0, 0)
positive_predictive_value     tp / prediction_positive                    (0, 1)
false_discovery_rate          fp / prediction_positive                    (1, 0)
false_omission_rate           fn / prediction_negative                    (1, 0)
negative_predictive_value     tn / prediction_negative                    (0, 1)
positive_likelihood_ratio     true_positive_rate / false_positive_rate    (inf, 0)
negative_likelihood_ratio     false_negative_rate / true_negative_rate    (inf, 0)
diagnostics_odds_ratio        positive / negative likelihood ratio        (inf, 0)
============================  ==========================================  ===========

So the recall of a class that never occurs is 1, its false negative rate 0.
``'micro'`` divides the sums over the classes of the numerators by that of the
denominators: counts for the first nine, so the rate of the pooled counts, but
per-class *rates* for the likelihood ratios (``plr = sum of TPRs / sum of
FPRs``).  ``'macro'`` is the mean of the per-class values, leaving out the
infinite and ``nan`` ones (``inf`` when none is left).

``f1_score`` is the harmonic mean of recall and precision computed with
``when_zero = (0, inf)``, *after* averaging them over the classes (so macro F1
is that of macro recall and macro precision); it is ``inf`` when both are
undefined (nothing to find and nothing found) and 0 when only one is.
``jaccard`` is ``f1 / (2 - f1)`` (``inf`` where F1 is).  Infinite values are
left out of means.

**Skipping undefined values** (``skip_undefined=True``, scikit-learn's
``zero_division=np.nan``): a rate whose denominator is 0 is ``nan``; ``f1 =
2 tp / (2 tp + fp + fn)``, ``jaccard = tp / (tp + fp + fn)`` and the likelihood
ratios are ratios of the per-class rates; ``'micro'`` computes the metric from
the counts summed over the classes, ``'macro'`` averages the per-class values
that are not ``nan`` (``nan`` when none is left).

Examples
--------
>>> import numpy as np
>>> counts = Counts(tp=np.array([[3, 0]]), fp=np.array([[1, 0]]), fn=np.array([[0, 0]]), tn=np.array([[2, 6]]))
>>> rate('true_positive_rate', counts, multiclass=None)      # the second class never occurs
array([[1., 1.]])
>>> rate('true_positive_rate', counts, multiclass=None, skip_undefined=True)
array([[ 1., nan]])
>>> rate('f1_score', counts, multiclass=None)
array([[0.85714286,        inf]])
"""
from __future__ import annotations

import numpy as np

from .base import MetricsError, divide_when_zero, infmean, nan_mean, safe_divide
from .counts import COUNTS, Counts

__all__ = ['RATIOS', 'LIKELIHOOD_RATIOS', 'SCORES', 'RATES', 'NEEDS_TRUE_NEGATIVES', 'rate', 'per_item',
           'mean_over']

#: Rates of two counts: name -> (numerator, denominator, BatchFlow's when_zero).
RATIOS = {
    'true_positive_rate': ('true_positive', 'condition_positive', (0, 1)),
    'false_positive_rate': ('false_positive', 'condition_negative', (1, 0)),
    'false_negative_rate': ('false_negative', 'condition_positive', (1, 0)),
    'true_negative_rate': ('true_negative', 'condition_negative', (0, 1)),
    'prevalence': ('condition_positive', 'total_population', (0, 0)),
    'positive_predictive_value': ('true_positive', 'prediction_positive', (0, 1)),
    'false_discovery_rate': ('false_positive', 'prediction_positive', (1, 0)),
    'false_omission_rate': ('false_negative', 'prediction_negative', (1, 0)),
    'negative_predictive_value': ('true_negative', 'prediction_negative', (0, 1)),
}

#: Ratios of two per-class rates: name -> (numerator, denominator, BatchFlow's when_zero).
LIKELIHOOD_RATIOS = {
    'positive_likelihood_ratio': ('true_positive_rate', 'false_positive_rate', (np.inf, 0)),
    'negative_likelihood_ratio': ('false_negative_rate', 'true_negative_rate', (np.inf, 0)),
    'diagnostics_odds_ratio': ('positive_likelihood_ratio', 'negative_likelihood_ratio', (np.inf, 0)),
}

#: Scores without a when_zero of their own: name -> (the rates or scores it is made of in BatchFlow's convention,
#: then the numerator and the denominator of the counts when skipping undefined values).
SCORES = {
    'f1_score': (('true_positive_rate', 'positive_predictive_value'),
                 lambda c: 2 * c.tp, lambda c: 2 * c.tp + c.fp + c.fn),
    'jaccard': (('f1_score',), lambda c: c.tp, lambda c: c.tp + c.fp + c.fn),
}

#: Every rate and score, in the order of the documentation.
RATES = (*RATIOS, *LIKELIHOOD_RATIOS, *SCORES)


def _parts(name: str) -> tuple[str, ...]:
    """The counts, rates or scores the metric ``name`` is made of (the four counts for a count metric)."""
    if name in COUNTS:
        return COUNTS[name].reads
    if name in RATIOS:
        return RATIOS[name][:2]
    if name in LIKELIHOOD_RATIOS:
        return LIKELIHOOD_RATIOS[name][:2]
    if name in SCORES:
        return SCORES[name][0]
    return ()


def _reaches(name: str, count: str) -> bool:
    return any(part == count or _reaches(part, count) for part in _parts(name))


#: The counts, rates and scores made from true negatives (which instance segmentation does not have), derived
#: from the definitions above: ``total_population`` adds them only when there are any.
NEEDS_TRUE_NEGATIVES = frozenset(name for name in (*COUNTS, *RATES) if _reaches(name, 'tn'))


def rate(name: str, counts: Counts, *, multiclass, when_zero=None, skip_undefined: bool = False) -> np.ndarray:
    """A rate or score of ``counts`` (each ``(items, classes)``): ``(items, classes)`` for ``multiclass=None``,
    else ``(items,)``.

    Raises
    ------
    MetricsError
        ``when_zero`` for ``f1_score`` or ``jaccard``, which have none.
    """
    if name in SCORES and when_zero is not None:
        raise MetricsError(f'{name} takes no when_zero: where it is undefined (nothing to find and nothing found) '
                           f'it is inf, left out of means; give skip_undefined=True for nan instead.',
                           name=name, value=when_zero)
    multiclass = 'macro' if multiclass == 'mean' else multiclass
    if skip_undefined:
        return _skipping(name, counts, multiclass)
    return _batchflow(name, counts, multiclass, when_zero)


def mean_over(values, axis: int, skip_undefined: bool) -> np.ndarray:
    """The mean of ``values`` along ``axis`` under a convention: finite values only, or all but ``nan``."""
    return nan_mean(values, axis) if skip_undefined else infmean(values, axis)


def _batchflow(name, counts, multiclass, when_zero):
    if name in RATIOS:
        numerator, denominator, default = RATIOS[name]
        n, d = COUNTS[numerator](counts), COUNTS[denominator](counts)
    elif name in LIKELIHOOD_RATIOS:
        numerator, denominator, default = LIKELIHOOD_RATIOS[name]
        n, d = _batchflow(numerator, counts, None, None), _batchflow(denominator, counts, None, None)
    elif name == 'f1_score':
        recall, precision = (_batchflow(part, counts, multiclass, (0, np.inf)) for part in SCORES[name][0])
        with np.errstate(invalid='ignore'):
            f1 = 2 * recall * precision / (recall + precision)
        return np.where(np.isinf(recall) & np.isinf(precision), np.inf, np.where(np.isnan(f1), 0.0, f1))
    else:  # jaccard
        dice = _batchflow(SCORES[name][0][0], counts, multiclass, None)
        with np.errstate(invalid='ignore'):
            return np.where(np.isinf(dice), np.inf, dice / (2 - dice))
    if multiclass == 'micro':
        n, d = n.sum(axis=1), d.sum(axis=1)
    with np.errstate(invalid='ignore'):
        values = divide_when_zero(n, d, default if when_zero is None else when_zero)
    return infmean(values, axis=1) if multiclass == 'macro' else values


def _skipping(name, counts, multiclass):
    if multiclass == 'micro':
        counts = Counts(*(None if a is None else a.sum(axis=1, keepdims=True) for a in counts))
    values = _per_class_skipping(name, counts)
    if multiclass == 'micro':
        return values[:, 0]
    return nan_mean(values, axis=1) if multiclass == 'macro' else values


def _per_class_skipping(name, counts):
    if name in RATIOS:
        numerator, denominator, _ = RATIOS[name]
        return safe_divide(COUNTS[numerator](counts), COUNTS[denominator](counts))
    if name in LIKELIHOOD_RATIOS:
        numerator, denominator, _ = LIKELIHOOD_RATIOS[name]
        return safe_divide(_per_class_skipping(numerator, counts), _per_class_skipping(denominator, counts))
    _, numerator, denominator = SCORES[name]
    return safe_divide(numerator(counts), denominator(counts))


def per_item(name: str, counts: Counts, *, labels: list[int], single: bool, multiclass, when_zero=None,
             skip_undefined: bool = False) -> np.ndarray:
    """A count, rate or score of the classes ``labels``, per item: ``(items,)`` for one class or an average
    over classes, else ``(items, len(labels))``.  Counts are never averaged over classes."""
    chosen = Counts(*(None if a is None else a[:, labels] for a in counts))
    if name in COUNTS:
        values = COUNTS[name](chosen)
    else:
        values = rate(name, chosen, multiclass=None if single else multiclass, when_zero=when_zero,
                      skip_undefined=skip_undefined)
    return values[:, 0] if single and values.ndim == 2 else values
