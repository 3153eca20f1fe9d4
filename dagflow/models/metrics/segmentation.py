"""Segmentation metrics: pixel-wise (per image, then aggregated) and instance-wise (connected components)."""
from __future__ import annotations

import numbers

import numpy as np

from .base import Metrics, MetricsError, _metric_method, merged_chunks, plain, safe_divide
from .classification import ClassificationMetrics
from .components import label_regions
from .counts import ALIASES, COUNTS, Counts, check_evaluate_options, labels_of
from .labels import check_options, to_labels
from .rates import NEEDS_TRUE_NEGATIVES, RATES, mean_over, per_item

__all__ = ['SegmentationMetricsByPixels', 'SegmentationMetricsByInstances', 'instance_counts']


class SegmentationMetricsByPixels(ClassificationMetrics):
    """Pixel-wise segmentation metrics: every image gets its own confusion matrix, then they are aggregated.

    The parameters, metrics, averaging and accumulation are those of
    :class:`ClassificationMetrics`; the first axis of the masks is the images
    (``(images, height, width)``, or with a class axis ``axis`` for
    probabilities or logits, e.g. ``(images, classes, height, width)`` with
    ``axis=1``).  ``evaluate(..., agg=None)`` gives one value per image;
    ``agg='mean'`` (the default) their mean: an image without the positive
    class has a sensitivity of 1 (BatchFlow's ``when_zero``), or none with
    ``skip_undefined=True``, which leaves it out of the mean.

    Examples
    --------
    >>> import numpy as np
    >>> masks = np.array([[[0, 1], [1, 1]], [[0, 0], [0, 1]]])
    >>> proba = np.array([[[0.1, 0.9], [0.4, 0.7]], [[0.2, 0.1], [0.6, 0.8]]])
    >>> metrics = SegmentationMetricsByPixels(masks, proba, fmt='proba')
    >>> metrics.evaluate(['sensitivity', 'specificity'], agg=None)
    {'sensitivity': array([0.66666667, 1.        ]), 'specificity': array([1.        , 0.66666667])}
    >>> metrics.evaluate('dice')   # the mean of the images' 0.8 and 0.667
    0.7333333333333334
    """


class SegmentationMetricsByInstances(Metrics):
    """Instance-wise segmentation metrics: objects are the connected regions of each class, per image.

    Parameters
    ----------
    targets, predictions, fmt, num_classes, axis, threshold
        As for :class:`ClassificationMetrics`; after conversion to labels the
        masks must have the images on the first axis and at least one spatial
        axis.
    skip_bg : bool
        Leave class 0 (the background) out (default True: the background is
        not made of objects).  With 2 classes only class 1 is reported anyway.
    iot : float
        Intersection over target, in ``(0, 1]``: a target instance is *found*
        when at least this share of its pixels is predicted as its class.

    Notes
    -----
    An instance is a connected region of one class in one image; pixels
    connect to their face neighbours (4-connectivity in 2-D, 6 in 3-D, as
    ``scipy.ndimage.label``).  Per image and class, as BatchFlow counts them:

    * ``true_positive``: target instances found;
    * ``false_negative``: target instances not found;
    * ``false_positive``: predicted instances with no pixel of their class in
      the targets;
    * ``total_population``: the sum of the three.

    There are no true negatives, so the metrics available are the counts
    ``true_positive``, ``false_positive``, ``false_negative``,
    ``condition_positive`` (target instances), ``prediction_positive``
    (``true_positive + false_positive``) and ``total_population``, and
    ``true_positive_rate`` (``sensitivity``, ``recall``, ``tpr``),
    ``false_negative_rate`` (``miss_rate``, ``fnr``),
    ``positive_predictive_value`` (``precision``, ``ppv``),
    ``false_discovery_rate`` (``fdr``), ``prevalence`` (``prv``: target
    instances out of the total), ``accuracy`` (``acc``: found instances out of
    the total), ``f1_score`` (``f1s``, ``dice``) and ``jaccard`` (``jac``,
    ``iou``), computed as for :class:`ClassificationMetrics`.  The others are
    refused: BatchFlow gives numbers for some of them (its
    ``condition_negative`` is the false positives, its ``false_positive_rate``
    1 whenever there is one), which only count the same instances twice.
    ``evaluate`` takes ``agg``, ``label``, ``multiclass``, ``when_zero`` and
    ``skip_undefined`` as :meth:`ClassificationMetrics.evaluate`; metrics
    combine the same way (the images are gathered).

    Examples
    --------
    >>> import numpy as np
    >>> target = np.array([[[1, 1, 0, 0, 1],
    ...                     [1, 1, 0, 0, 1],
    ...                     [0, 0, 0, 0, 0]]])
    >>> predicted = np.array([[[1, 0, 0, 0, 0],
    ...                        [1, 1, 0, 0, 0],
    ...                        [0, 0, 0, 1, 0]]])
    >>> metrics = SegmentationMetricsByInstances(target, predicted, fmt='labels', num_classes=2)
    >>> metrics.evaluate(['true_positive', 'false_negative', 'false_positive', 'recall', 'precision'])
    {'true_positive': 1.0, 'false_negative': 1.0, 'false_positive': 1.0, 'recall': 0.5, 'precision': 0.5}
    >>> metrics.total_population()
    array([3])
    """

    METRICS = tuple(name for name in (*COUNTS, *RATES, 'accuracy') if name not in NEEDS_TRUE_NEGATIVES)
    ALIASES = {alias: name for alias, name in ALIASES.items() if name not in NEEDS_TRUE_NEGATIVES}

    def __init__(self, targets, predictions, fmt='proba', num_classes=None, axis=None, threshold=0.5, skip_bg=True,
                 iot=0.5):
        check_options(fmt, num_classes, axis, threshold)
        if not isinstance(skip_bg, (bool, np.bool_)):
            raise MetricsError(f'skip_bg must be True or False, got {skip_bg!r}.', value=skip_bg)
        if not isinstance(iot, numbers.Real) or isinstance(iot, bool) or not 0 < iot <= 1:
            raise MetricsError(f'iot (the share of a target instance that must be predicted as its class) must be '
                               f'in (0, 1], got {iot!r}.', value=iot)
        target_labels, predicted_labels, num_classes = to_labels(targets, predictions, fmt, num_classes, axis,
                                                                 threshold)
        if target_labels.ndim < 2:
            raise MetricsError(f'Instance metrics need masks of shape (images, ...spatial axes), got labels of shape '
                               f'{target_labels.shape}.', shape=target_labels.shape)
        self.num_classes = num_classes
        self.skip_bg = bool(skip_bg)
        self.iot = float(iot)
        counts = instance_counts(target_labels, predicted_labels, num_classes, self.iot)
        counts.flags.writeable = False
        self._chunks = [counts]

    @property
    def instance_counts(self) -> np.ndarray:
        """``(images, num_classes, 3)``: true positives, false positives, false negatives per image and class.

        Examples
        --------
        >>> import numpy as np
        >>> target, predicted = np.array([[[1, 0, 1]]]), np.array([[[1, 0, 0]]])
        >>> SegmentationMetricsByInstances(target, predicted, fmt='labels', num_classes=2).instance_counts[0, 1]
        array([1, 0, 1])
        """
        self._chunks = merged_chunks(self._chunks)
        return self._chunks[0]

    def _settings(self) -> dict:
        return {'num_classes': self.num_classes, 'skip_bg': self.skip_bg, 'iot': self.iot}

    def _merge(self, other: SegmentationMetricsByInstances, keep_apart: bool) -> None:
        self._chunks = [*self._chunks, *other._chunks]

    def evaluate(self, metrics, agg='mean', label=None, multiclass='macro', *, when_zero=None,
                 skip_undefined=False):
        """Compute one metric, or several (a dict name -> value); the options are those of
        :meth:`ClassificationMetrics.evaluate`.

        Examples
        --------
        >>> import numpy as np
        >>> masks = np.array([[[1, 0, 1]], [[0, 0, 1]]])
        >>> metrics = SegmentationMetricsByInstances(masks, masks, fmt='labels', num_classes=2)
        >>> metrics.evaluate('true_positive', agg=None)
        array([2, 1])
        >>> metrics.evaluate('specificity')
        Traceback (most recent call last):
        ...
        dagflow.exceptions.MetricsError: 'specificity' needs true negatives, which instance segmentation \
does not have. Instance metrics: true_positive, false_positive, false_negative, condition_positive, \
prediction_positive, total_population, true_positive_rate, false_negative_rate, prevalence, \
positive_predictive_value, false_discovery_rate, f1_score, jaccard, accuracy.
        """
        check_evaluate_options(agg, multiclass, when_zero, skip_undefined)
        labels, single = labels_of(label, self.num_classes, self.skip_bg)
        counts = self.instance_counts
        per_class = Counts(tp=counts[..., 0], fp=counts[..., 1], fn=counts[..., 2], tn=None)

        def compute(name):
            if name == 'accuracy':
                chosen = Counts(*(None if a is None else a[:, labels] for a in per_class))
                values = safe_divide(chosen.tp.sum(axis=1), COUNTS['total_population'](chosen).sum(axis=1))
            else:
                values = per_item(name, per_class, labels=labels, single=single, multiclass=multiclass,
                                  when_zero=when_zero, skip_undefined=skip_undefined)
            return plain(values if agg is None else mean_over(values, 0, skip_undefined))
        return self._evaluate_names(metrics, compute)

    def _resolve(self, name) -> str:
        canonical = ClassificationMetrics.ALIASES.get(name, name) if isinstance(name, str) else name
        if canonical in NEEDS_TRUE_NEGATIVES:
            raise MetricsError(f'{name!r} needs true negatives, which instance segmentation does not have. '
                               f'Instance metrics: {", ".join(self.METRICS)}.', name=name)
        return super()._resolve(name)

    def __repr__(self):
        counts = self.instance_counts
        return (f'<{type(self).__name__}: {self.num_classes} classes, {len(counts)} items, '
                f'{int(counts[..., 0].sum() + counts[..., 2].sum())} target instances>')


# BatchFlow's instance metrics have these methods too, and raise: so do dagflow's (with the reason)
for _name in (*NEEDS_TRUE_NEGATIVES, *(alias for alias, name in ALIASES.items() if name in NEEDS_TRUE_NEGATIVES)):
    setattr(SegmentationMetricsByInstances, _name, _metric_method(_name, ALIASES.get(_name, _name)))


def instance_counts(targets: np.ndarray, predictions: np.ndarray, num_classes: int, iot: float) -> np.ndarray:
    """Per image and class: found target instances, unmatched predicted instances, missed target instances.

    ``targets`` and ``predictions`` are label masks of one shape ``(images, ...)``.
    A target instance is found when at least ``iot`` of its pixels are
    predicted as its class; a predicted instance is unmatched when none of its
    pixels is of its class in the targets.  Returns an int64 array
    ``(images, num_classes, 3)`` of (tp, fp, fn).

    Examples
    --------
    >>> t = np.array([[0, 1, 1, 0, 2]])
    >>> p = np.array([[0, 1, 0, 2, 2]])
    >>> instance_counts(t, p, 3, iot=0.5)[0]   # rows: classes 0, 1, 2; columns: tp, fp, fn
    array([[1, 1, 1],
           [1, 0, 0],
           [1, 0, 0]])
    """
    images = targets.shape[0]
    pixels = targets[0].size if images else 0
    spatial = tuple(range(1, targets.ndim))
    target_ids, target_count = label_regions(targets, axes=spatial)
    predicted_ids, predicted_count = label_regions(predictions, axes=spatial)
    target_ids, predicted_ids = target_ids.ravel(), predicted_ids.ravel()
    flat_targets, flat_predictions = targets.ravel(), predictions.ravel()
    same = flat_targets == flat_predictions

    size = np.bincount(target_ids, minlength=target_count + 1)
    covered = np.bincount(target_ids[same], minlength=target_count + 1)
    found = covered / np.maximum(size, 1) >= iot
    touched = np.bincount(predicted_ids[same], minlength=predicted_count + 1) > 0

    def per_image_and_class(ids, count, flat_labels, flags):
        where = np.zeros(count + 1, dtype=np.intp)
        where[ids] = np.arange(ids.size)  # a position of each region: all of them share its image and class
        key = (where[1:] // max(pixels, 1)) * num_classes + flat_labels[where[1:]]
        return np.bincount(key, weights=flags[1:], minlength=images * num_classes).reshape(images, num_classes)

    tp = per_image_and_class(target_ids, target_count, flat_targets, found)
    fn = per_image_and_class(target_ids, target_count, flat_targets, ~found)
    fp = per_image_and_class(predicted_ids, predicted_count, flat_predictions, ~touched)
    return np.stack([tp, fp, fn], axis=-1).astype(np.int64)
