"""True/false positive/negative counts: their names, the classes a metric reports, and the evaluate options.

Counts come per item and per class, shape ``(items, classes)``, each class seen
one-vs-rest.  A metric reports:

* with 2 classes, the positive class 1 only (as scikit-learn's ``average='binary'``);
* with more, every class (without class 0 when ``skip_bg``);
* or the classes given as ``label=`` (one class: one value per item, as with 2 classes).

The rates and scores computed from the counts are in :mod:`.rates`.

Examples
--------
>>> import numpy as np
>>> counts = Counts(tp=np.array([[3, 1]]), fp=np.array([[1, 0]]), fn=np.array([[0, 2]]), tn=np.array([[2, 3]]))
>>> COUNTS['condition_positive'](counts)
array([[3, 3]])
>>> labels_of(None, num_classes=2, skip_bg=False)   # 2 classes: the positive class, one value per item
([1], True)
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .base import MetricsError

__all__ = ['Counts', 'CountSum', 'COUNTS', 'ALIASES', 'MULTICLASS', 'AGGREGATIONS',
           'check_evaluate_options', 'check_when_zero', 'labels_of']


class Counts(NamedTuple):
    """True positives, false positives, false negatives and true negatives (``tn`` is None for instances)."""

    tp: np.ndarray
    fp: np.ndarray
    fn: np.ndarray
    tn: np.ndarray | None


@dataclass(frozen=True)
class CountSum:
    """A count metric: the sum of some of the four counts of :class:`Counts` (``'tp'``, ``'fp'``, ``'fn'``, ``'tn'``).

    ``optional`` counts are added when there are any (instances have no true negatives).

    Examples
    --------
    >>> import numpy as np
    >>> counts = Counts(tp=np.array([3]), fp=np.array([1]), fn=np.array([0]), tn=None)
    >>> CountSum(('tp', 'fp', 'fn'), optional=('tn',))(counts)
    array([4])
    """

    reads: tuple[str, ...]
    optional: tuple[str, ...] = ()

    def __call__(self, counts: Counts):
        total = getattr(counts, self.reads[0])
        for name in self.reads[1:]:
            total = total + getattr(counts, name)
        for name in self.optional:
            if getattr(counts, name) is not None:
                total = total + getattr(counts, name)
        return total


#: Count metrics: name -> the counts it adds up.
COUNTS = {
    'true_positive': CountSum(('tp',)),
    'false_positive': CountSum(('fp',)),
    'true_negative': CountSum(('tn',)),
    'false_negative': CountSum(('fn',)),
    'condition_positive': CountSum(('tp', 'fn')),
    'condition_negative': CountSum(('fp', 'tn')),
    'prediction_positive': CountSum(('tp', 'fp')),
    'prediction_negative': CountSum(('fn', 'tn')),
    'total_population': CountSum(('tp', 'fp', 'fn'), optional=('tn',)),
}

#: Other names of the count metrics, rates and scores: BatchFlow's, then a few of dagflow's own.
ALIASES = {
    'sensitivity': 'true_positive_rate', 'recall': 'true_positive_rate', 'tpr': 'true_positive_rate',
    'fallout': 'false_positive_rate', 'fpr': 'false_positive_rate',
    'miss_rate': 'false_negative_rate', 'fnr': 'false_negative_rate',
    'specificity': 'true_negative_rate', 'tnr': 'true_negative_rate',
    'prv': 'prevalence', 'acc': 'accuracy',
    'precision': 'positive_predictive_value', 'ppv': 'positive_predictive_value',
    'fdr': 'false_discovery_rate', 'for': 'false_omission_rate', 'npv': 'negative_predictive_value',
    'plr': 'positive_likelihood_ratio', 'nlr': 'negative_likelihood_ratio', 'dor': 'diagnostics_odds_ratio',
    'dice': 'f1_score', 'f1s': 'f1_score', 'iou': 'jaccard', 'jac': 'jaccard',
    # dagflow's own
    'diagnostic_odds_ratio': 'diagnostics_odds_ratio', 'f1': 'f1_score',
    'tp': 'true_positive', 'fp': 'false_positive', 'tn': 'true_negative', 'fn': 'false_negative',
}

#: Accepted values of ``multiclass`` (BatchFlow also takes ``'mean'`` for ``'macro'``) and ``agg``.
MULTICLASS = (None, 'micro', 'macro', 'mean')
AGGREGATIONS = ('mean', None)


def check_evaluate_options(agg, multiclass, when_zero=None, skip_undefined=False) -> None:
    """Raise :class:`MetricsError` unless the options of ``evaluate`` are accepted values.

    Examples
    --------
    >>> check_evaluate_options('mean', 'macro')
    >>> check_evaluate_options('mean', 'weighted')
    Traceback (most recent call last):
    ...
    dagflow.exceptions.MetricsError: multiclass must be None, 'micro' or 'macro' ('mean' is 'macro'), \
got 'weighted'.
    """
    if not _one_of(multiclass, MULTICLASS):
        raise MetricsError(f"multiclass must be None, 'micro' or 'macro' ('mean' is 'macro'), got {multiclass!r}.",
                           value=multiclass)
    if not _one_of(agg, AGGREGATIONS):
        raise MetricsError(f"agg must be 'mean' (the mean over items) or None (one value per item), got {agg!r}.",
                           value=agg)
    if not isinstance(skip_undefined, (bool, np.bool_)):
        raise MetricsError(f'skip_undefined must be True or False, got {skip_undefined!r}.', value=skip_undefined)
    if when_zero is not None:
        check_when_zero(when_zero)
        if skip_undefined:
            raise MetricsError(f'when_zero={when_zero!r} and skip_undefined=True both say what a 0/0 rate is: '
                               f'give one of them.', value=when_zero)


def check_when_zero(when_zero) -> None:
    """Refuse a ``when_zero`` that is not a pair of numbers ``(if the numerator is positive, if it is 0)``.

    Examples
    --------
    >>> check_when_zero((0, 1))
    >>> check_when_zero(1)
    Traceback (most recent call last):
    ...
    dagflow.exceptions.MetricsError: when_zero must be a pair of numbers, (the value of x/0 when x > 0, \
the value of 0/0), e.g. (0, 1); got 1.
    """
    if not (isinstance(when_zero, (tuple, list)) and len(when_zero) == 2
            and all(isinstance(value, numbers.Real) and not isinstance(value, bool) for value in when_zero)):
        raise MetricsError(f'when_zero must be a pair of numbers, (the value of x/0 when x > 0, the value of 0/0), '
                           f'e.g. (0, 1); got {when_zero!r}.', value=when_zero)


def _one_of(value, allowed) -> bool:
    """Whether ``value`` is None and None is allowed, or one of the allowed strings."""
    return None in allowed if value is None else isinstance(value, str) and value in allowed


def labels_of(label, num_classes: int, skip_bg: bool) -> tuple[list[int], bool]:
    """The classes a metric reports and whether it is one class (one value per item, no class axis).

    ``label``: None (2 classes: class 1; more: every class, without 0 when
    ``skip_bg``), a class, or a list of classes.

    Examples
    --------
    >>> labels_of(None, 2, False), labels_of(None, 3, True), labels_of(2, 3, False), labels_of([0, 2], 3, False)
    (([1], True), ([1, 2], False), ([2], True), ([0, 2], False))
    >>> labels_of(3, 3, False)
    Traceback (most recent call last):
    ...
    dagflow.exceptions.MetricsError: label must be a class in [0, 3) or a list of them, got 3.
    """
    if label is None:
        if num_classes == 2:
            return [1], True
        return list(range(1 if skip_bg else 0, num_classes)), False
    single = not isinstance(label, (list, tuple, np.ndarray))
    labels = [label] if single else list(label)
    if not labels or not all(isinstance(value, numbers.Integral) and not isinstance(value, bool)
                             and 0 <= value < num_classes for value in labels):
        raise MetricsError(f'label must be a class in [0, {num_classes}) or a list of them, got {label!r}.',
                           value=label)
    return [int(value) for value in labels], single

