"""Making a metrics object from a class or a short name: what ``pipeline.gather_metrics`` runs per batch."""
from __future__ import annotations

import inspect

from dagflow.exceptions import did_you_mean

from .base import Metrics, MetricsError
from .classification import ClassificationMetrics
from .labels import check_options
from .regression import RegressionMetrics
from .segmentation import SegmentationMetricsByInstances, SegmentationMetricsByPixels

__all__ = ['METRICS_ALIASES', 'metrics_class_of', 'check_metrics_arguments', 'make_metrics']

#: Short names accepted in place of a metrics class.
METRICS_ALIASES = {
    'class': ClassificationMetrics,            # BatchFlow's short name
    'classification': ClassificationMetrics,
    'segmentation': SegmentationMetricsByPixels,
    'mask': SegmentationMetricsByPixels,
    'instance': SegmentationMetricsByInstances,
    'regression': RegressionMetrics,
}


def metrics_class_of(metrics_class) -> type:
    """The metrics class ``metrics_class`` names: a :class:`Metrics` subclass, or a key of ``METRICS_ALIASES``.

    Examples
    --------
    >>> metrics_class_of('classification').__name__
    'ClassificationMetrics'
    >>> metrics_class_of('class').__name__      # BatchFlow's short name
    'ClassificationMetrics'
    >>> metrics_class_of('clasification')
    Traceback (most recent call last):
    ...
    dagflow.exceptions.MetricsError: Unknown metrics class 'clasification'. Did you mean \
'classification'? Give a Metrics subclass (ClassificationMetrics, ...) or one of 'class', \
'classification', 'segmentation', 'mask', 'instance', 'regression'.
    """
    if isinstance(metrics_class, type) and issubclass(metrics_class, Metrics):
        return metrics_class
    if isinstance(metrics_class, str) and metrics_class in METRICS_ALIASES:
        return METRICS_ALIASES[metrics_class]
    close = did_you_mean(metrics_class, METRICS_ALIASES) if isinstance(metrics_class, str) else []
    hint = (' Did you mean ' + ' or '.join(map(repr, close)) + '?') if close else ''
    names = ', '.join(map(repr, METRICS_ALIASES))
    raise MetricsError(f'Unknown metrics class {metrics_class!r}.{hint} Give a Metrics subclass '
                       f'(ClassificationMetrics, ...) or one of {names}.', value=metrics_class, suggestions=close)


def check_metrics_arguments(metrics_class, options: dict, is_deferred=lambda value: False) -> None:
    """Check, before any data, that ``metrics_class`` takes ``options`` and that their values are valid.

    Values for which ``is_deferred(value)`` is true (named expressions, evaluated
    per batch) are only checked by name.

    Raises
    ------
    MetricsError
        An unknown option (with close matches) or a bad value.

    Examples
    --------
    >>> check_metrics_arguments(ClassificationMetrics, {'fmt': 'labels', 'num_clases': 3})
    Traceback (most recent call last):
    ...
    dagflow.exceptions.MetricsError: ClassificationMetrics takes no option 'num_clases'. Did you mean \
'num_classes'? Its options: fmt, num_classes, axis, threshold, skip_bg.
    """
    cls = metrics_class_of(metrics_class)
    parameters = list(inspect.signature(cls).parameters)[2:]  # after targets and predictions
    for name in options:
        if name not in parameters:
            close = did_you_mean(name, parameters)
            hint = (' Did you mean ' + ' or '.join(map(repr, close)) + '?') if close else ''
            raise MetricsError(f'{cls.__name__} takes no option {name!r}.{hint} Its options: '
                               f'{", ".join(parameters)}.', name=name, suggestions=close)
    label_options = {name: value for name, value in options.items() if name in ('fmt', 'num_classes', 'axis',
                                                                                'threshold')}
    if issubclass(cls, (ClassificationMetrics, SegmentationMetricsByInstances)) \
            and not any(is_deferred(value) for value in label_options.values()):
        check_options(**label_options)


def make_metrics(metrics_class, targets, predictions, **options) -> Metrics:
    """``metrics_class(targets, predictions, **options)``, the class given as a class or a short name.

    Examples
    --------
    >>> make_metrics('classification', [0, 1], [1, 1], fmt='labels', num_classes=2).evaluate('precision')
    0.5
    """
    return metrics_class_of(metrics_class)(targets, predictions, **options)
