"""Classification metrics from confusion matrices: 2-class and multiclass, vectors or items of any shape."""
from __future__ import annotations

import numpy as np

from .base import Metrics, MetricsError, merged_chunks, plain, safe_divide
from .counts import ALIASES, COUNTS, Counts, check_evaluate_options, labels_of
from .labels import check_options, to_labels
from .rates import RATES, mean_over, per_item

__all__ = ['ClassificationMetrics', 'confusion_matrices', 'counts_from_confusion']


def confusion_matrices(targets: np.ndarray, predictions: np.ndarray, num_classes: int) -> np.ndarray:
    """Count label pairs per item with one ``np.bincount``: ``[i, p, t]`` = positions of item ``i`` predicted
    as ``p`` whose target is ``t`` (BatchFlow's layout: rows are predicted classes, columns targets).

    ``targets`` and ``predictions`` are integer labels in ``[0, num_classes)`` of
    shape ``(items, positions)``.

    Examples
    --------
    >>> confusion_matrices(np.array([[0, 1, 1]]), np.array([[0, 1, 0]]), 2)
    array([[[1, 1],
            [0, 1]]])
    """
    items = targets.shape[0]
    index = predictions * num_classes + targets
    if items > 1:
        index = index + (np.arange(items, dtype=np.intp) * num_classes * num_classes)[:, None]
    counts = np.bincount(index.ravel(), minlength=items * num_classes * num_classes)
    return counts.reshape(items, num_classes, num_classes).astype(np.int64, copy=False)


def counts_from_confusion(confusion: np.ndarray) -> Counts:
    """One-vs-rest counts per item and class, each of shape ``(items, classes)``, from ``[i, p, t]`` matrices."""
    tp = np.diagonal(confusion, axis1=1, axis2=2)
    condition_positive = confusion.sum(axis=1)
    prediction_positive = confusion.sum(axis=2)
    total = confusion.sum(axis=(1, 2))[:, None]
    fp = prediction_positive - tp
    fn = condition_positive - tp
    return Counts(tp=tp, fp=fp, fn=fn, tn=total - condition_positive - fp)


class ClassificationMetrics(Metrics):
    """Metrics of a classifier from targets and predictions: counts, rates and scores, 2-class or multiclass.

    Parameters
    ----------
    targets : array-like
        Ground-truth labels (or, see ``fmt`` and ``axis``, probabilities or
        logits in the layout of ``predictions``).
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
        positive class's probability or logit, targets labels 0/1 or the same
        kind of scores as predictions.
    threshold : float
        For 2 classes: class 1 is predicted when its probability (the sigmoid
        of a logit) is ``threshold`` or more.  With a class axis and the
        default 0.5, the arg-max.
    skip_bg : bool
        Leave class 0 (the background) out: of the classes reported and
        averaged with 3 classes or more, and of the positions ``accuracy``
        counts as right (as BatchFlow does, with 2 classes too).

    Notes
    -----
    **Items.**  A vector is one item.  For a multidimensional input the first
    axis is the items (images, sequences) and each item gets its own confusion
    matrix: ``evaluate(..., agg=None)`` (and the metric methods) give one value
    per item, ``agg='mean'`` (the default) their mean.  The batches that
    :meth:`append` keeps apart are items too.

    **Classes.**  With 2 classes the metrics are those of class 1 (scikit-learn's
    ``average='binary'``).  With more, every class is taken one-vs-rest:
    ``multiclass=None`` gives one value per class, ``'micro'`` pools the
    classes, ``'macro'`` (the default) averages the per-class values; see
    :mod:`dagflow.models.metrics.rates` for the formulas.  ``label=`` picks
    classes instead: one class gives one value, as with 2 classes.  Count
    metrics (``true_positive``, ``condition_positive`` ...) are never averaged
    over classes.  ``accuracy`` is the share of all positions classified right
    (without the background's when ``skip_bg``), and ``total_population``
    counts the positions: one value per item for both.

    **Undefined values** follow BatchFlow: a rate whose denominator is 0 takes
    the metric's ``when_zero`` (the recall or precision of an absent class is
    1, its false negative rate 0, a likelihood ratio with no false positives
    ``inf``), and means include those values; an F1 score with nothing to find
    and nothing found is ``inf``, and means leave infinite values out.
    ``evaluate(..., skip_undefined=True)`` makes every undefined value ``nan``
    and leaves them out of means instead (scikit-learn's
    ``zero_division=np.nan``).

    **Metrics** (aliases in brackets; the dagflow-only ones marked *):
    ``true_positive`` (``tp``*), ``false_positive`` (``fp``*),
    ``true_negative`` (``tn``*), ``false_negative`` (``fn``*),
    ``condition_positive``, ``condition_negative``, ``prediction_positive``,
    ``prediction_negative``, ``total_population``, ``true_positive_rate``
    (``sensitivity``, ``recall``, ``tpr``), ``false_positive_rate``
    (``fallout``, ``fpr``), ``false_negative_rate`` (``miss_rate``, ``fnr``),
    ``true_negative_rate`` (``specificity``, ``tnr``), ``prevalence``
    (``prv``), ``accuracy`` (``acc``), ``positive_predictive_value``
    (``precision``, ``ppv``), ``false_discovery_rate`` (``fdr``),
    ``false_omission_rate`` (``for``), ``negative_predictive_value``
    (``npv``), ``positive_likelihood_ratio`` (``plr``),
    ``negative_likelihood_ratio`` (``nlr``), ``diagnostics_odds_ratio``
    (``dor``, ``diagnostic_odds_ratio``*), ``f1_score`` (``f1s``, ``dice``,
    ``f1``*), ``jaccard`` (``jac``, ``iou``).  Each is also a method:
    ``metrics.recall(label=None, multiclass='macro')``.

    **Accumulating.**  ``m1 + m2``, ``sum([...])`` and ``m1.update(m2)`` add
    the confusion counts of vectors (so a run's metrics are exact, not a mean
    of per-batch ratios); ``m1.append(m2)`` keeps each batch of vectors apart
    (BatchFlow's mean over batches).  Items of multidimensional inputs are
    gathered either way.

    Examples
    --------
    >>> targets = [0, 1, 2, 2, 1, 0]
    >>> predictions = [0, 2, 2, 2, 1, 1]
    >>> metrics = ClassificationMetrics(targets, predictions, fmt='labels', num_classes=3)
    >>> metrics.evaluate('recall', multiclass=None)
    array([0.5, 0.5, 1. ])
    >>> metrics.evaluate(['sensitivity', 'specificity'], multiclass='macro')
    {'sensitivity': 0.6666666666666666, 'specificity': 0.8333333333333334}
    >>> metrics.true_positive()
    array([1, 1, 2])

    Two classes, probabilities of the positive class:

    >>> binary = ClassificationMetrics([0, 1, 1, 0], [0.1, 0.8, 0.3, 0.6], fmt='proba')
    >>> binary.evaluate(['precision', 'recall', 'acc'])
    {'precision': 0.5, 'recall': 0.5, 'acc': 0.5}

    A class that never occurs has a recall of 1 (BatchFlow's ``when_zero``),
    or none with ``skip_undefined=True``:

    >>> absent = ClassificationMetrics([0, 1, 1, 0], [0, 1, 0, 0], fmt='labels', num_classes=3)
    >>> absent.recall(multiclass=None), absent.recall(multiclass=None, skip_undefined=True)
    (array([1. , 0.5, 1. ]), array([1. , 0.5, nan]))
    """

    METRICS = (*COUNTS, *RATES, 'accuracy')
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
    def confusion_matrices(self) -> np.ndarray:
        """The counts of every item, shape ``(items, num_classes, num_classes)``: ``[i, p, t]`` = positions of
        item ``i`` predicted as ``p`` whose target is ``t`` (a vector input is one item; the batches that
        :meth:`append` kept apart are items).  Read-only.

        Examples
        --------
        >>> ClassificationMetrics([[0, 1, 1], [1, 1, 1]], [[0, 1, 0], [1, 1, 1]], fmt='labels',
        ...                       num_classes=2).confusion_matrices
        array([[[1, 1],
                [0, 1]],
        <BLANKLINE>
               [[0, 0],
                [0, 3]]])
        """
        self._chunks = merged_chunks(self._chunks)
        return self._chunks[0]

    @property
    def confusion_matrix(self) -> np.ndarray:
        """The counts summed over items, as BatchFlow's: ``[p, t]`` = positions predicted as ``p`` whose
        target is ``t`` (rows are predicted classes: the transpose of scikit-learn's).

        Examples
        --------
        >>> ClassificationMetrics([0, 1, 1], [0, 1, 0], fmt='labels', num_classes=2).confusion_matrix
        array([[1, 1],
               [0, 1]])
        """
        return self.confusion_matrices.sum(axis=0)

    def _settings(self) -> dict:
        return {'num_classes': self.num_classes, 'skip_bg': self.skip_bg,
                'inputs': 'items (first axis)' if self.itemwise else 'vectors'}

    def _merge(self, other: ClassificationMetrics, keep_apart: bool) -> None:
        if self.itemwise or keep_apart:
            self._chunks = [*self._chunks, *other._chunks]
            return
        mine, theirs = self.confusion_matrices, other.confusion_matrices
        if len(mine) > 1 or len(theirs) > 1:
            raise MetricsError(f'Cannot add up {type(self).__name__} objects of vectors when one holds '
                               f'{max(len(mine), len(theirs))} batches kept apart by append(): use append() to keep '
                               f'batches apart, or update() (and +) from the start to add their counts.')
        total = mine + theirs
        total.flags.writeable = False
        self._chunks = [total]

    # ------------------------------------------------------------------ evaluating
    def evaluate(self, metrics, agg='mean', label=None, multiclass='macro', *, when_zero=None,
                 skip_undefined=False):
        """Compute one metric, or several (a dict name -> value).

        Parameters
        ----------
        metrics : str or list of str
            Metric names or aliases (see the class's Notes).
        agg : {'mean', None}
            For multidimensional inputs (or batches kept apart by
            :meth:`append`): the mean over items, or None for one value per item.
        label : int or list of int, optional
            The classes to report (default: class 1 of 2, or every class).
        multiclass : {'macro', 'micro', None}
            How the classes are combined with 3 classes or more (``'mean'`` is
            ``'macro'``).
        when_zero : tuple of two numbers, optional
            For the rates: the value of ``x / 0``, ``(if x > 0, if x == 0)``,
            instead of each metric's own (see :mod:`dagflow.models.metrics.rates`).
        skip_undefined : bool
            Make every undefined value ``nan`` and leave it out of the means
            (dagflow's convention before BatchFlow's was adopted).

        Returns
        -------
        float, int, numpy.ndarray, or dict of them

        Raises
        ------
        MetricsError
            An unknown metric name (with close matches), or a bad option.

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
        dagflow.exceptions.MetricsError: Unknown metric 'sensitvity' ... Did you mean 'sensitivity'? ...
        """
        check_evaluate_options(agg, multiclass, when_zero, skip_undefined)
        labels, single = labels_of(label, self.num_classes, self.skip_bg)
        confusion = self.confusion_matrices
        counts = counts_from_confusion(confusion)
        kept_apart = self.itemwise or len(confusion) > 1

        def compute(name):
            if name == 'total_population':
                values = confusion.sum(axis=(1, 2))
            elif name == 'accuracy':
                first = 1 if self.skip_bg else 0
                values = safe_divide(counts.tp[:, first:].sum(axis=1), confusion.sum(axis=(1, 2)))
            else:
                values = per_item(name, counts, labels=labels, single=single, multiclass=multiclass,
                                  when_zero=when_zero, skip_undefined=skip_undefined)
            if not kept_apart:
                return plain(values[0])
            return plain(values if agg is None else mean_over(values, 0, skip_undefined))
        return self._evaluate_names(metrics, compute)

    def one_hot(self, inputs) -> np.ndarray:
        """Labels as one-hot rows (``np.eye(num_classes)[inputs]``) with 3 classes or more; 2-class labels as they are.

        Examples
        --------
        >>> ClassificationMetrics([0, 2], [0, 1], fmt='labels', num_classes=3).one_hot([2, 0])
        array([[0., 0., 1.],
               [1., 0., 0.]])
        """
        inputs = np.asarray(inputs)
        return np.eye(self.num_classes)[inputs] if self.num_classes > 2 else inputs

    def plot_confusion_matrix(self, classes=None, normalize=False, **kwargs):
        """Draw :attr:`confusion_matrix` (rows: predicted class, columns: actual class) with matplotlib.

        Parameters
        ----------
        classes : sequence, optional
            The names of the classes (default: their numbers).
        normalize : bool
            Divide each column by its total: the share of each actual class
            predicted as each class.
        **kwargs
            ``title``, ``xlabel``, ``ylabel``, ``cmap``, ``figsize`` or ``ax``.

        Returns
        -------
        matplotlib.figure.Figure

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use('Agg')
        >>> metrics = ClassificationMetrics([0, 1, 2, 2], [0, 2, 2, 2], fmt='labels', num_classes=3)
        >>> figure = metrics.plot_confusion_matrix(classes=['cat', 'dog', 'owl'], normalize=True)
        >>> [label.get_text() for label in figure.axes[0].get_xticklabels()]
        ['cat', 'dog', 'owl']
        """
        from .plot import plot_confusion_matrix
        return plot_confusion_matrix(self.confusion_matrix, classes=classes, normalize=normalize, **kwargs)

    def __repr__(self):
        confusion = self.confusion_matrices
        if self.itemwise:
            items = f', {len(confusion)} items'
        else:
            items = f', {len(confusion)} batches kept apart' if len(confusion) > 1 else ''
        return f'<{type(self).__name__}: {self.num_classes} classes{items}, {int(confusion.sum())} labels>'
