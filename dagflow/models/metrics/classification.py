"""Classification metrics from confusion matrices: 2-class and multiclass, vectors or items of any shape."""
from __future__ import annotations

import numpy as np

from .base import Metrics, MetricsError, merged_chunks, plain, safe_divide
from .counts import ALIASES, COUNTS, RATES, Counts, check_evaluate_options, count, over_items, rate
from .labels import check_options, to_labels

__all__ = ['ClassificationMetrics', 'confusion_matrices']


def confusion_matrices(targets: np.ndarray, predictions: np.ndarray, num_classes: int) -> np.ndarray:
    """Count label pairs per item with one ``np.bincount``: ``[i, t, p]`` = positions of item ``i`` with target
    ``t`` predicted as ``p``.

    ``targets`` and ``predictions`` are integer labels in ``[0, num_classes)`` of
    shape ``(items, positions)``.

    Examples
    --------
    >>> confusion_matrices(np.array([[0, 1, 1]]), np.array([[0, 1, 0]]), 2)
    array([[[1, 0],
            [1, 1]]])
    """
    items = targets.shape[0]
    index = targets * num_classes + predictions
    if items > 1:
        index = index + (np.arange(items, dtype=np.intp) * num_classes * num_classes)[:, None]
    counts = np.bincount(index.ravel(), minlength=items * num_classes * num_classes)
    return counts.reshape(items, num_classes, num_classes).astype(np.int64, copy=False)


def counts_from_confusion(confusion: np.ndarray) -> Counts:
    """One-vs-rest counts per item and class, each of shape ``(items, classes)``."""
    tp = np.diagonal(confusion, axis1=1, axis2=2)
    condition_positive = confusion.sum(axis=2)
    prediction_positive = confusion.sum(axis=1)
    total = confusion.sum(axis=(1, 2))[:, None]
    fp = prediction_positive - tp
    fn = condition_positive - tp
    return Counts(tp=tp, fp=fp, fn=fn, tn=total - condition_positive - fp)


class ClassificationMetrics(Metrics):
    """Metrics of a classifier from targets and predictions: counts, rates and scores, 2-class or multiclass.

    Parameters
    ----------
    targets : array-like
        Ground-truth labels (or, see ``axis``, probabilities in the layout of ``predictions``).
    predictions : array-like
        Predicted labels, probabilities or logits (``fmt``).
    fmt : {'proba', 'logits', 'labels'}
        What ``predictions`` hold.
    num_classes : int, optional
        The number of classes: required with ``fmt='labels'``; with ``axis``
        it is the size of the class axis; without, 2.
    axis : int, optional
        The class axis of ``predictions`` holding one probability or logit per
        class (targets are then labels, or have that axis too).  Without it,
        ``'proba'`` and ``'logits'`` mean 2 classes: predictions hold the
        positive class's probability or logit, targets labels 0/1.
    threshold : float
        For 2 classes: class 1 is predicted when its probability is
        ``threshold`` or more (for logits, its sigmoid or softmax).
    skip_bg : bool
        Leave class 0 (the background) out of per-class values and of
        ``'micro'``/``'macro'`` averages (with 3 classes or more).

    Notes
    -----
    **Items.**  A vector is one item: its metrics are one value (2 classes or
    with averaging) or one value per class.  For a multidimensional input the
    first axis is the items (images, sequences) and each item gets its own
    confusion matrix: ``evaluate(..., agg=None)`` gives one value per item,
    ``agg='mean'`` (the default) their mean over the items where the metric is
    defined.

    **Classes.**  With 2 classes the metrics are those of class 1 (scikit-learn's
    ``average='binary'``) and ``multiclass`` is ignored.  With more, every class
    is taken one-vs-rest: ``multiclass=None`` gives one value per class,
    ``'micro'`` computes the metric from the counts summed over the classes,
    ``'macro'`` (the default) averages the per-class values over the classes
    where the metric is defined.  Count metrics (``true_positive``,
    ``condition_positive`` ...) are never averaged over classes: always one
    count per class.  ``accuracy`` is the share of all positions classified
    right (as scikit-learn's ``accuracy_score``) and, like
    ``total_population``, one value per item.

    **Undefined values.**  A ratio whose denominator is 0 (the sensitivity of a
    class that never occurs, a likelihood ratio with no false positives) is
    ``nan``, without a warning.  Averages skip ``nan`` values, so a macro
    average is scikit-learn's with ``zero_division=np.nan``.

    **Metrics** (aliases in brackets):
    ``true_positive`` (``tp``), ``false_positive`` (``fp``), ``true_negative``
    (``tn``), ``false_negative`` (``fn``), ``condition_positive``,
    ``condition_negative``, ``prediction_positive``, ``prediction_negative``,
    ``total_population``, ``true_positive_rate`` (``sensitivity``, ``recall``,
    ``tpr``), ``false_positive_rate`` (``fallout``, ``fpr``),
    ``false_negative_rate`` (``miss_rate``, ``fnr``), ``true_negative_rate``
    (``specificity``, ``tnr``), ``prevalence``, ``accuracy``,
    ``positive_predictive_value`` (``precision``, ``ppv``),
    ``false_discovery_rate`` (``fdr``), ``false_omission_rate`` (``for``),
    ``negative_predictive_value`` (``npv``), ``positive_likelihood_ratio``
    (``plr``), ``negative_likelihood_ratio`` (``nlr``),
    ``diagnostics_odds_ratio`` (``diagnostic_odds_ratio``, ``dor``),
    ``f1_score`` (``f1``, ``dice``), ``jaccard`` (``iou``).

    **Accumulating.**  ``m1 + m2``, ``sum([...])``, ``m1.append(m2)`` and
    ``m1.update(m2)`` add the confusion counts of vectors (so a run's metrics
    are exact, not a mean of per-batch ratios) and gather the items of
    multidimensional inputs.

    Examples
    --------
    >>> targets = [0, 1, 2, 2, 1, 0]
    >>> predictions = [0, 2, 2, 2, 1, 1]
    >>> metrics = ClassificationMetrics(targets, predictions, fmt='labels', num_classes=3)
    >>> metrics.evaluate('recall', multiclass=None)
    array([0.5, 0.5, 1. ])
    >>> metrics.evaluate(['sensitivity', 'specificity'], multiclass='macro')
    {'sensitivity': 0.6666666666666666, 'specificity': 0.8333333333333334}
    >>> metrics.evaluate('true_positive')
    array([1, 1, 2])

    Two classes, probabilities of the positive class:

    >>> binary = ClassificationMetrics([0, 1, 1, 0], [0.1, 0.8, 0.3, 0.6], fmt='proba')
    >>> binary.evaluate(['precision', 'recall', 'accuracy'])
    {'precision': 0.5, 'recall': 0.5, 'accuracy': 0.5}
    """

    METRICS = (*COUNTS, 'total_population', *RATES, 'accuracy')
    ALIASES = ALIASES

    def __init__(self, targets, predictions, fmt='proba', num_classes=None, axis=None, threshold=0.5,
                 skip_bg=False):
        check_options(fmt, num_classes, axis, threshold)
        if not isinstance(skip_bg, (bool, np.bool_)):
            raise MetricsError(f'skip_bg must be True or False, got {skip_bg!r}.', value=skip_bg)
        target_labels, predicted_labels, num_classes = to_labels(targets, predictions, fmt, num_classes, axis,
                                                                 threshold)
        self.num_classes = num_classes
        self.skip_bg = bool(skip_bg)
        self.itemwise = target_labels.ndim >= 2
        items = target_labels.shape[0] if self.itemwise else 1
        confusion = confusion_matrices(target_labels.reshape(items, -1), predicted_labels.reshape(items, -1),
                                       num_classes)
        confusion.flags.writeable = False
        self._chunks = [confusion]

    # ------------------------------------------------------------------ statistics
    @property
    def confusion_matrix(self) -> np.ndarray:
        """The counts, shape ``(items, num_classes, num_classes)``: ``[i, t, p]`` = positions of item ``i``
        with target ``t`` predicted as ``p`` (a vector input is one item).  Read-only.

        Examples
        --------
        >>> ClassificationMetrics([0, 1, 1], [0, 1, 0], fmt='labels', num_classes=2).confusion_matrix
        array([[[1, 0],
                [1, 1]]])
        """
        self._chunks = merged_chunks(self._chunks)
        return self._chunks[0]

    def _settings(self) -> dict:
        return {'num_classes': self.num_classes, 'skip_bg': self.skip_bg,
                'inputs': 'items (first axis)' if self.itemwise else 'vectors'}

    def _merge(self, other: ClassificationMetrics) -> None:
        if self.itemwise:
            self._chunks = [*self._chunks, *other._chunks]
        else:
            total = self.confusion_matrix + other.confusion_matrix
            total.flags.writeable = False
            self._chunks = [total]

    # ------------------------------------------------------------------ evaluating
    def evaluate(self, metrics, agg='mean', multiclass='macro'):
        """Compute one metric, or several (a dict name -> value).

        Parameters
        ----------
        metrics : str or list of str
            Metric names or aliases (see the class's Notes).
        agg : {'mean', None}
            For multidimensional inputs: the mean over items (skipping items
            where the metric is undefined), or None for one value per item.
        multiclass : {'macro', 'micro', None}
            How classes are combined with 3 classes or more (ignored with 2).

        Returns
        -------
        float, int, numpy.ndarray, or dict of them

        Raises
        ------
        MetricsError
            An unknown metric name (with close matches), or a bad ``agg`` or
            ``multiclass``.

        Examples
        --------
        >>> import numpy as np
        >>> masks = np.array([[[0, 1], [1, 1]], [[0, 0], [0, 1]]])
        >>> predicted = np.array([[[0, 1], [0, 1]], [[0, 0], [1, 1]]])
        >>> metrics = ClassificationMetrics(masks, predicted, fmt='labels', num_classes=2)
        >>> metrics.evaluate('sensitivity', agg=None)
        array([0.66666667, 1.        ])
        >>> metrics.evaluate('sensitvity')  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        dagflow.models.metrics.base.MetricsError: Unknown metric 'sensitvity' ... Did you mean 'sensitivity'? ...
        """
        check_evaluate_options(agg, multiclass)
        confusion = self.confusion_matrix
        counts = counts_from_confusion(confusion)

        def compute(name):
            return plain(over_items(self._per_item(name, confusion, counts, multiclass), itemwise=self.itemwise,
                                    agg=agg))
        return self._evaluate_names(metrics, compute)

    def _per_item(self, name, confusion, counts, multiclass):
        binary = self.num_classes == 2
        if name in COUNTS:
            return count(name, counts, binary=binary, skip_bg=self.skip_bg)
        if name == 'total_population':
            return confusion.sum(axis=(1, 2))
        if name == 'accuracy':
            return safe_divide(np.trace(confusion, axis1=1, axis2=2), confusion.sum(axis=(1, 2)))
        return rate(name, counts, binary=binary, multiclass=multiclass, skip_bg=self.skip_bg)

    def __repr__(self):
        confusion = self.confusion_matrix
        items = f', {len(confusion)} items' if self.itemwise else ''
        return f'<{type(self).__name__}: {self.num_classes} classes{items}, {int(confusion.sum())} labels>'
