"""What every metrics class shares: combining across batches, evaluation by name, zero-safe arithmetic.

A metrics object keeps only the sufficient statistics of what it has seen
(confusion counts, instance counts, regression errors), never a per-batch
ratio, so adding objects up is exact: the metrics of a whole run equal those
of one object made from all the data at once.  ``append`` instead keeps each
batch of a vector input apart, for BatchFlow's mean over batches.

Examples
--------
>>> import numpy as np
>>> from dagflow.models.metrics import ClassificationMetrics
>>> first = ClassificationMetrics([0, 1, 1], [0, 1, 0], fmt='labels', num_classes=2)
>>> second = ClassificationMetrics([1, 0], [1, 1], fmt='labels', num_classes=2)
>>> (first + second).evaluate('true_positive_rate')   # 2 of the 3 positives are found
0.6666666666666666
>>> sum([first, second]).true_positive()
2
"""
from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping

import numpy as np

from dagflow.exceptions import MetricsError, did_you_mean

__all__ = ['Metrics', 'MetricsError', 'safe_divide', 'divide_when_zero', 'nan_mean', 'infmean', 'plain',
           'merged_chunks']


def safe_divide(numerator, denominator) -> np.ndarray:
    """``numerator / denominator`` elementwise, ``nan`` where the denominator is 0 (and no warning).

    Examples
    --------
    >>> safe_divide(np.array([1, 0, 3]), np.array([2, 0, 0]))
    array([0.5, nan, nan])
    """
    numerator, denominator = np.broadcast_arrays(np.asarray(numerator, dtype=float),
                                                 np.asarray(denominator, dtype=float))
    out = np.full(numerator.shape, np.nan)
    with np.errstate(divide='ignore', invalid='ignore'):
        np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def divide_when_zero(numerator, denominator, when_zero) -> np.ndarray:
    """``numerator / denominator`` elementwise; where the denominator is 0, BatchFlow's ``when_zero`` pair.

    ``when_zero = (a, b)``: ``a`` where the numerator is positive, ``b`` where it
    is 0 (``inf / 0`` is ``a`` too).  No warning; ``inf / inf`` is ``nan``, as in numpy.

    Examples
    --------
    >>> divide_when_zero(np.array([1, 0, 3]), np.array([2, 0, 0]), when_zero=(np.inf, 0))
    array([0.5, 0. , inf])
    """
    numerator, denominator = np.broadcast_arrays(np.asarray(numerator, dtype=float),
                                                 np.asarray(denominator, dtype=float))
    out = np.where(numerator > 0, float(when_zero[0]), float(when_zero[1]))
    with np.errstate(divide='ignore', invalid='ignore'):
        np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def nan_mean(values, axis: int) -> np.ndarray:
    """The mean along ``axis`` of the values that are not ``nan``; ``nan`` where all are (no warning).

    Examples
    --------
    >>> nan_mean(np.array([[1.0, np.nan], [3.0, np.nan]]), axis=0)
    array([ 2., nan])
    """
    values = np.asarray(values, dtype=float)
    valid = ~np.isnan(values)
    return safe_divide(np.where(valid, values, 0).sum(axis=axis), valid.sum(axis=axis))


def infmean(values, axis: int) -> np.ndarray:
    """BatchFlow's mean: the mean along ``axis`` of the finite values; ``inf`` where none is finite.

    ``nan``, ``inf`` and ``-inf`` are left out, so an undefined value (BatchFlow
    gives ``inf`` to an F1 score with nothing to find) does not count.

    Examples
    --------
    >>> infmean(np.array([[1.0, np.inf], [3.0, np.nan]]), axis=0)
    array([ 2., inf])
    """
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values)
    count = finite.sum(axis=axis)
    out = safe_divide(np.where(finite, values, 0).sum(axis=axis), count)
    return np.where(count > 0, out, np.inf)


def plain(value):
    """A 0-d result as a Python number (``0.5``, not ``np.float64(0.5)``); arrays unchanged.

    Examples
    --------
    >>> plain(np.array(3)), plain(np.float64(0.5)), plain(np.array([1, 2]))
    (3, 0.5, array([1, 2]))
    """
    value = np.asarray(value)
    return value.item() if value.ndim == 0 else value


def merged_chunks(chunks: list) -> list:
    """``chunks`` (arrays added batch by batch) as a list of one read-only array, concatenated once.

    Examples
    --------
    >>> import numpy as np
    >>> merged = merged_chunks([np.zeros((1, 2)), np.ones((2, 2))])
    >>> len(merged), merged[0].shape, merged[0].flags.writeable
    (1, (3, 2), False)
    """
    if len(chunks) <= 1:
        return chunks
    merged = np.concatenate(chunks)
    merged.flags.writeable = False
    return [merged]


class Metrics:
    """Base of the metrics classes: evaluation by name, one method per metric, accumulation across batches.

    Subclasses define:

    ``METRICS``
        a tuple of the canonical metric names they compute;
    ``ALIASES``
        a mapping alias -> canonical name (``'recall'`` -> ``'true_positive_rate'``);
    ``evaluate(metrics, agg='mean', ...)``
        the values of one metric or of a list of them;
    ``_settings()``
        a dict of what two objects must share to be combined (``num_classes`` ...);
    ``_merge(other, keep_apart)``
        add the statistics of ``other`` (already checked compatible) to ``self``,
        keeping a vector's batches apart (``append``) or adding them up (``update``).

    Every metric name and alias is also a method, as in BatchFlow:
    ``metrics.recall(multiclass=None)`` is ``metrics.evaluate('recall', None,
    multiclass=None)``, the values before the mean over items (``agg=None``).

    Statistics are kept in arrays that are never changed in place, so
    :meth:`copy` is cheap and a combined object never alters its parts.

    Combining: ``m1 + m2`` and ``sum([m1, m2, ...])`` return a new object and
    add up like ``update``; ``m1.append(m2)`` and ``m1.update(m2)`` change
    ``m1``.  A pipeline's ``save_to=V('metrics', mode='u')`` calls ``update``.
    """

    METRICS: tuple = ()
    ALIASES: Mapping[str, str] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in (*cls.METRICS, *cls.ALIASES):
            present = getattr(cls, name, None)
            if present is not None and not getattr(present, 'is_metric_method', False):
                raise TypeError(f'{cls.__name__}.{name} is both a metric name and another attribute.')
            setattr(cls, name, _metric_method(name, cls.ALIASES.get(name, name)))

    def evaluate(self, metrics, agg='mean', *args, **kwargs):
        """The value of the metric ``metrics`` (a name), or a dict name -> value for a list of names."""
        raise NotImplementedError

    # ------------------------------------------------------------------ combining
    def _settings(self) -> dict:
        raise NotImplementedError

    def _merge(self, other: Metrics, keep_apart: bool) -> None:
        raise NotImplementedError

    def append(self, other: Metrics) -> None:
        """Add ``other`` to this object (in place), keeping each batch of a vector input apart.

        Multidimensional inputs (images, sequences) gather their items, as with
        :meth:`update`.  Vector inputs keep each appended batch as one more
        item, as BatchFlow's ``append`` does: ``evaluate(..., agg='mean')``
        then gives the mean of the batches' values and ``agg=None`` one value
        per batch.  Regression metrics gather the samples (exact either way).

        Raises
        ------
        MetricsError
            If ``other`` is another kind of metrics, or was made with other
            settings (number of classes, kind of input, ...).

        Examples
        --------
        >>> from dagflow.models.metrics import ClassificationMetrics
        >>> batches = ClassificationMetrics([1, 1, 1], [1, 1, 1], fmt='labels', num_classes=2)
        >>> batches.append(ClassificationMetrics([1], [0], fmt='labels', num_classes=2))
        >>> batches.evaluate('recall', agg=None), batches.evaluate('recall')   # per batch, the mean over batches
        (array([1., 0.]), 0.5)
        >>> batches.append(ClassificationMetrics([1], [1], fmt='labels', num_classes=3))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        dagflow.exceptions.MetricsError: Cannot combine ClassificationMetrics objects made with different \
settings: num_classes=2 and num_classes=3. ...
        """
        self._check_compatible(other)
        self._merge(other, keep_apart=True)

    def update(self, other: Metrics) -> None:
        """Add the statistics of ``other`` to this object (in place): counts of vectors are summed, exactly.

        This is what a pipeline's ``mode='u'`` calls, so
        ``gather_metrics(..., save_to=V('metrics'), mode='u')`` gives the
        metrics of the whole data set.  Multidimensional inputs gather their
        items, as with :meth:`append`.

        Raises
        ------
        MetricsError
            As :meth:`append`; and for an object that :meth:`append` made hold
            several batches of vectors (adding into them would be ambiguous).

        Examples
        --------
        >>> from dagflow.models.metrics import ClassificationMetrics
        >>> total = ClassificationMetrics([1, 1, 1], [1, 1, 1], fmt='labels', num_classes=2)
        >>> total.update(ClassificationMetrics([1], [0], fmt='labels', num_classes=2))
        >>> total.evaluate('recall')   # 3 of the 4 positives
        0.75
        """
        self._check_compatible(other)
        self._merge(other, keep_apart=False)

    def copy(self) -> Metrics:
        """A new object with the same statistics (the arrays are shared: they are never changed in place).

        Examples
        --------
        >>> from dagflow.models.metrics import ClassificationMetrics
        >>> first = ClassificationMetrics([1, 1], [1, 0], fmt='labels', num_classes=2)
        >>> total = first.copy()
        >>> total.update(ClassificationMetrics([1], [1], fmt='labels', num_classes=2))
        >>> first.true_positive(), total.true_positive()   # the copy grew, not the original
        (1, 2)
        """
        new = object.__new__(type(self))
        new.__dict__ = {key: list(value) if isinstance(value, list) else value for key, value in vars(self).items()}
        return new

    def free(self) -> None:
        """Nothing to free: BatchFlow's ``free()`` drops the labels it keeps; dagflow keeps only the counts.

        Examples
        --------
        >>> from dagflow.models.metrics import ClassificationMetrics
        >>> metrics = ClassificationMetrics([1, 0], [1, 1], fmt='labels', num_classes=2)
        >>> metrics.free()
        >>> metrics.precision()
        0.5
        """

    def __add__(self, other):
        if not isinstance(other, Metrics):
            return NotImplemented
        result = self.copy()
        result.update(other)
        return result

    def __radd__(self, other):
        if isinstance(other, numbers.Number) and other == 0:  # sum([...]) starts from 0
            return self.copy()
        return NotImplemented

    def __iadd__(self, other):
        if not isinstance(other, Metrics):
            return NotImplemented
        self.update(other)
        return self

    def _check_compatible(self, other):
        name = type(self).__name__
        if type(other) is not type(self):
            raise MetricsError(f'Cannot combine {name} with {type(other).__name__}: only metrics of the same class '
                               f'combine.', value=other)
        mine, theirs = self._settings(), other._settings()
        differ = [key for key in mine if mine[key] != theirs.get(key)]
        if differ:
            detail = ', '.join(f'{key}={mine[key]!r} and {key}={theirs.get(key)!r}' for key in differ)
            raise MetricsError(f'Cannot combine {name} objects made with different settings: {detail}. Make every '
                               f'batch\'s metrics with the same options.', settings=(mine, theirs))

    # ------------------------------------------------------------------ evaluating
    @classmethod
    def metric_names(cls) -> list[str]:
        """Every name :meth:`evaluate` accepts: the canonical names, then the aliases.

        Examples
        --------
        >>> from dagflow.models.metrics import RegressionMetrics
        >>> names = RegressionMetrics.metric_names()
        >>> names[:2], names[-6:-3]
        (['mean_absolute_error', 'mean_squared_error'], ['mae', 'mse', 'rmse'])
        """
        return [*cls.METRICS, *cls.ALIASES]

    def _resolve(self, name) -> str:
        """The canonical name of the metric ``name``, or :class:`MetricsError` with close matches."""
        if isinstance(name, str):
            if name in self.METRICS:
                return name
            if name in self.ALIASES:
                return self.ALIASES[name]
        cls = type(self).__name__
        close = did_you_mean(name, self.metric_names()) if isinstance(name, str) else []
        hint = (' Did you mean ' + ' or '.join(map(repr, close)) + '?') if close else ''
        raise MetricsError(f'Unknown metric {name!r} for {cls}.{hint} Known metrics: {", ".join(self.METRICS)}.',
                           name=name, suggestions=close)

    def _evaluate_names(self, metrics, compute: Callable[[str], object]):
        """Resolve every name first, then ``compute(canonical)`` each: one value, or a dict for a list."""
        single = isinstance(metrics, str)
        if not single and not (isinstance(metrics, (list, tuple, set, frozenset)) and
                               all(isinstance(name, str) for name in metrics)):
            raise MetricsError(f'evaluate takes a metric name or a list of names, got {metrics!r}: e.g. '
                               f"evaluate('sensitivity') or evaluate(['sensitivity', 'specificity']).",
                               value=metrics)
        names = [metrics] if single else list(metrics)
        resolved = [(name, self._resolve(name)) for name in names]
        values = {name: compute(canonical) for name, canonical in resolved}
        return values[metrics] if single else values


def _metric_method(name: str, canonical: str):
    """The method ``name`` of a metrics class: ``evaluate(name, None, ...)``, the values of every item."""
    def method(self, *args, **kwargs):
        return self.evaluate(name, None, *args, **kwargs)
    method.__name__ = method.__qualname__ = name
    same = '' if canonical == name else f' (the same as ``{canonical}``)'
    method.__doc__ = (f"The metric ``{name}``{same}: ``evaluate({name!r}, None, *args, **kwargs)``, one value per "
                      f"item or batch (no mean over them).  The options are those of :meth:`evaluate` after ``agg``.")
    method.is_metric_method = True
    return method
