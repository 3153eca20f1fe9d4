"""Turning targets and predictions (labels, probabilities or logits) into two arrays of class labels.

The rules, shared by the classification and segmentation metrics:

* ``fmt='labels'``: targets and predictions are integer labels of the same
  shape, in ``[0, num_classes)``; ``num_classes`` is required (a batch may
  lack some classes, so they cannot be counted from the data).
* ``fmt='proba'`` or ``'logits'`` without ``axis``: two classes; both arrays
  hold one value per position — predictions the probability (or logit) of the
  positive class 1, positive when the probability (the logit's sigmoid) is
  ``threshold`` or more.  Targets are labels 0/1, or scores of the same kind
  as predictions (``fmt``), thresholded the same way.  Targets that are all 0
  or 1 are labels: BatchFlow would take them for logits too and make every
  target positive.
* ``fmt='proba'`` or ``'logits'`` with ``axis``: predictions have a class axis
  ``axis`` (one probability or logit per class).  The predicted label is the
  arg-max; for 2 classes and a threshold other than 0.5, class 1 is predicted
  when its probability (the softmax of the logits) is ``threshold`` or more
  (BatchFlow ignores the threshold there).  Targets are labels (the shape of
  predictions without ``axis``) or the same one-hot/probability layout
  (arg-max along ``axis``).  A class axis of size 1 holds the positive class
  of a 2-class task.
* Probabilities must lie in ``[0, 1]`` and no score may be ``nan`` (an
  arg-max or a threshold would silently make a class of it): both are
  :class:`MetricsError`.

Examples
--------
>>> import numpy as np
>>> to_labels([0, 1, 1], [0.2, 0.9, 0.4], fmt='proba')
(array([0, 1, 1]), array([0, 1, 0]), 2)
>>> to_labels([-1.5, 2.0, 0.3], [-0.2, 0.9, -0.4], fmt='logits', threshold=0.55)   # logits on both sides
(array([0, 1, 1]), array([0, 1, 0]), 2)
>>> t, p, k = to_labels([2, 0], np.array([[0.1, 0.2, 0.7], [0.5, 0.3, 0.2]]), fmt='proba', axis=1)
>>> t, p, k
(array([2, 0]), array([2, 0]), 3)
"""
from __future__ import annotations

import numbers

import numpy as np

from dagflow.exceptions import did_you_mean

from .base import MetricsError

__all__ = ['FORMATS', 'check_options', 'to_labels']

#: The accepted values of ``fmt``.
FORMATS = ('proba', 'logits', 'labels')


def check_options(fmt='proba', num_classes=None, axis=None, threshold=0.5) -> None:
    """Check the options of a classification-like metrics class, before any data is seen.

    Raises
    ------
    MetricsError
        With what was expected and what was given.

    Examples
    --------
    >>> check_options('labels', num_classes=3)
    >>> check_options('labels')
    Traceback (most recent call last):
    ...
    dagflow.exceptions.MetricsError: fmt='labels' needs num_classes=...: a batch may lack some \
classes, so their number cannot be taken from the labels.
    """
    if not (isinstance(fmt, str) and fmt in FORMATS):
        close = did_you_mean(fmt, FORMATS) if isinstance(fmt, str) else []
        hint = (' Did you mean ' + ' or '.join(map(repr, close)) + '?') if close else ''
        raise MetricsError(f"fmt must be one of 'proba', 'logits' or 'labels', got {fmt!r}.{hint}", value=fmt)
    if num_classes is not None and (not isinstance(num_classes, numbers.Integral) or isinstance(num_classes, bool)
                                    or num_classes < 2):
        raise MetricsError(f'num_classes must be an integer of at least 2, got {num_classes!r}.', value=num_classes)
    if fmt == 'labels' and num_classes is None:
        raise MetricsError("fmt='labels' needs num_classes=...: a batch may lack some classes, so their number "
                           "cannot be taken from the labels.")
    if axis is not None:
        if fmt == 'labels':
            raise MetricsError(f"axis={axis!r} is the class axis of probabilities or logits; labels have no class "
                               f"axis. Drop axis, or use fmt='proba' or 'logits'.", value=axis)
        if not isinstance(axis, numbers.Integral) or isinstance(axis, bool):
            raise MetricsError(f'axis must be an integer (the class axis of predictions), got {axis!r}.', value=axis)
    if not isinstance(threshold, numbers.Real) or isinstance(threshold, bool) or not 0 <= threshold <= 1:
        raise MetricsError(f'threshold must be a probability in [0, 1], got {threshold!r}.', value=threshold)


def to_labels(targets, predictions, fmt='proba', num_classes=None, axis=None,
              threshold=0.5) -> tuple[np.ndarray, np.ndarray, int]:
    """Return ``(target_labels, predicted_labels, num_classes)``: two integer arrays of one shape.

    Parameters
    ----------
    targets, predictions : array-like
        See the module's docstring for the accepted layouts.
    fmt : {'proba', 'logits', 'labels'}
        What ``predictions`` hold.
    num_classes : int, optional
        Required with ``fmt='labels'``; otherwise checked against the class axis.
    axis : int, optional
        The class axis of ``predictions`` (one-hot probabilities or logits).
    threshold : float
        The probability from which the positive class is predicted (2 classes).

    Raises
    ------
    MetricsError
        Mismatched shapes, labels outside ``[0, num_classes)``, probabilities
        outside ``[0, 1]``, a class axis that disagrees with ``num_classes``.
    """
    check_options(fmt, num_classes, axis, threshold)
    t, p = np.asarray(targets), np.asarray(predictions)
    if fmt == 'labels':
        _same_shape(t, p, hint='')
        return _as_labels(t, 'targets', num_classes), _as_labels(p, 'predictions', num_classes), num_classes
    if axis is not None:
        if not -p.ndim <= axis < p.ndim:
            raise MetricsError(f'axis={axis} is out of range for predictions of shape {p.shape}.', value=axis)
        axis %= p.ndim
        classes = p.shape[axis]
        if classes == 1:  # a single channel: the positive class of a 2-class task
            if t.ndim == p.ndim and t.shape[axis] == 1:
                t = np.squeeze(t, axis)
            p = np.squeeze(p, axis)
        else:
            return _labels_along_axis(t, p, fmt, num_classes, axis, classes, threshold)
    if num_classes not in (None, 2):
        raise MetricsError(f"fmt={fmt!r} without axis means 2 classes (predictions hold the positive class's "
                           f"{'probability' if fmt == 'proba' else 'logit'}), but num_classes={num_classes}. Give "
                           f"axis=, the class axis of predictions, or use fmt='labels'.", value=num_classes)
    _same_shape(t, p, hint=' (for predictions with a class axis, give axis=)')
    return _binary_targets(t, fmt, threshold), _binarize(p, fmt, threshold, 'predictions'), 2


def _labels_along_axis(t, p, fmt, num_classes, axis, classes, threshold):
    if num_classes is not None and num_classes != classes:
        raise MetricsError(f'num_classes={num_classes} but predictions have {classes} classes along axis {axis} '
                           f'(shape {p.shape}).', value=num_classes)
    if classes == 2 and threshold != 0.5:
        predicted = _binarize_pair(p, fmt, axis, threshold)
    else:
        _check_scores(p, fmt, 'predictions')
        predicted = np.argmax(p, axis=axis)
    if t.ndim == p.ndim:
        if t.shape != p.shape:
            raise MetricsError(f'targets of shape {t.shape} and predictions of shape {p.shape} do not match: '
                               f'targets are either labels (shape {predicted.shape}) or have the class axis too '
                               f'(shape {p.shape}).', shapes=(t.shape, p.shape))
        _check_scores(t, fmt, 'targets')
        return np.argmax(t, axis=axis), predicted, classes
    if t.shape != predicted.shape:
        raise MetricsError(f'targets of shape {t.shape} and predictions of shape {p.shape} do not match: with '
                           f'axis={axis}, label targets have the shape of predictions without that axis, '
                           f'{predicted.shape}.', shapes=(t.shape, p.shape))
    return _as_labels(t, 'targets', classes), predicted, classes


def _same_shape(t, p, hint):
    if t.shape != p.shape:
        raise MetricsError(f'targets and predictions must have the same shape, got {t.shape} and {p.shape}{hint}.',
                           shapes=(t.shape, p.shape))


def _as_labels(a, name, num_classes):
    """Integer labels in ``[0, num_classes)``, or :class:`MetricsError` naming the bad value."""
    kind = a.dtype.kind
    if kind == 'b':
        a = a.astype(np.intp)
    elif kind == 'f':
        whole = np.floor(a) == a
        if not whole.all():
            bad = a[~whole].flat[0].item()
            raise MetricsError(f'{name} must hold integer class labels, got {bad!r}. For probabilities or logits '
                               f"use fmt='proba' or 'logits'.", value=bad)
    elif kind not in 'iu':
        raise MetricsError(f'{name} must hold integer class labels, got an array of {a.dtype}.', value=a.dtype)
    if a.size:
        low, high = a.min(), a.max()
        if low < 0 or high >= num_classes:
            bad = low if low < 0 else high
            raise MetricsError(f'{name} hold the label {bad.item()!r}, outside [0, {num_classes}) for '
                               f'num_classes={num_classes}.', value=bad.item(), num_classes=num_classes)
    return a.astype(np.intp, copy=False)


def _check_unit_interval(a, name, what):
    if a.size and a.dtype.kind in 'fiub':
        low, high = a.min(), a.max()
        if not (low >= 0 and high <= 1):  # also catches nan
            bad = low if not low >= 0 else high
            raise MetricsError(f'{name} hold {bad.item()!r}, {what}', value=bad.item())
    elif a.size:
        raise MetricsError(f'{name} must be numeric, got an array of {a.dtype}.', value=a.dtype)


def _check_scores(a, fmt, name):
    """Refuse what an arg-max over the class axis would silently turn into a label: nan, or non-probabilities.

    ``np.argmax`` takes a ``nan`` for the largest value, so a diverged model's
    outputs would be counted as class 0 (or wherever the ``nan`` is) without a
    word.
    """
    if fmt == 'proba':
        _check_unit_interval(a, name, _NOT_A_PROBABILITY)
    elif a.dtype.kind not in 'fiub':
        raise MetricsError(f'{name} must be numeric, got an array of {a.dtype}.', value=a.dtype)
    elif a.dtype.kind == 'f' and a.size and np.isnan(a.max()):
        raise MetricsError(f'{name} hold nan, which has no class: check the model that made them (a diverged '
                           f'training gives nan outputs).', value=float('nan'))


def _binary_targets(t, fmt, threshold):
    """2-class targets: labels when every value is 0 or 1, else scores of the kind ``fmt`` (thresholded)."""
    if t.dtype.kind == 'b' or (t.dtype.kind in 'iuf' and np.isin(t, (0, 1)).all()):
        return t.astype(np.intp)
    if fmt == 'proba':
        _check_unit_interval(t, 'targets', "but a 2-class task (no axis) takes labels 0/1 or probabilities in [0, 1]; "
                                           "for logits use fmt='logits', for more classes give axis= or use "
                                           "fmt='labels'.")
    return _binarize(t, fmt, threshold, 'targets')


_NOT_A_PROBABILITY = ("not a probability in [0, 1]; for logits use fmt='logits', for class labels "
                      "fmt='labels' with num_classes=.")


def _binarize(p, fmt, threshold, name):
    if fmt == 'proba':
        _check_unit_interval(p, name, _NOT_A_PROBABILITY)
        return (p >= threshold).astype(np.intp)
    _check_scores(p, fmt, name)
    return (_sigmoid(p) >= threshold).astype(np.intp)


def _binarize_pair(p, fmt, axis, threshold):
    """2 classes along ``axis``: class 1 when its probability (softmax for logits) is ``threshold`` or more."""
    negative, positive = np.take(p, 0, axis=axis), np.take(p, 1, axis=axis)
    _check_scores(p, fmt, 'predictions')
    if fmt == 'proba':
        return (positive >= threshold).astype(np.intp)
    return (_sigmoid(positive - negative) >= threshold).astype(np.intp)


def _sigmoid(logits):
    """``1 / (1 + exp(-logits))`` in float64, without overflow warnings (as BatchFlow thresholds logits)."""
    with np.errstate(over='ignore'):
        return 1 / (1 + np.exp(-np.asarray(logits, dtype=np.float64)))
