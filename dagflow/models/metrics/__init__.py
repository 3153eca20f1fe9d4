"""Model metrics: classification, segmentation by pixels and by instances, regression.

Every class takes targets and predictions of one batch (or of a whole data
set) and keeps only the statistics it needs: confusion counts, instance
counts, errors.  ``evaluate`` computes metrics by name, and every metric name
and alias is a method too (``metrics.recall()``), as in BatchFlow.  Objects
add up exactly across batches (``m1 + m2``, ``sum([...])``, ``update``), which
is what ``pipeline.gather_metrics(..., save_to=V('metrics'), mode='u')`` does
with its variable; ``append`` keeps the batches of vectors apart for
BatchFlow's mean over batches.  A rate whose denominator is 0 takes BatchFlow's
``when_zero`` value (the recall of an absent class is 1);
``evaluate(..., skip_undefined=True)`` makes it ``nan`` and leaves it out of
means instead.

Examples
--------
>>> from dagflow.models.metrics import ClassificationMetrics
>>> targets = [0, 1, 2, 2, 1, 0, 2]
>>> predictions = [0, 2, 2, 2, 1, 0, 1]
>>> metrics = ClassificationMetrics(targets, predictions, num_classes=3, fmt='labels')
>>> metrics.evaluate(['sensitivity', 'specificity'], multiclass='macro')
{'sensitivity': 0.7222222222222222, 'specificity': 0.85}
"""
from .base import Metrics, MetricsError, infmean
from .classification import ClassificationMetrics
from .components import label_regions
from .gather import METRICS_ALIASES, make_metrics
from .loss import Loss
from .regression import RegressionMetrics
from .segmentation import SegmentationMetricsByInstances, SegmentationMetricsByPixels

__all__ = ['Metrics', 'MetricsError', 'ClassificationMetrics', 'SegmentationMetricsByPixels',
           'SegmentationMetricsByInstances', 'RegressionMetrics', 'METRICS_ALIASES', 'make_metrics',
           'Loss', 'label_regions', 'infmean']
