"""A picture of a confusion matrix (matplotlib), for ``ClassificationMetrics.plot_confusion_matrix``."""
from __future__ import annotations

import numpy as np

from dagflow.exceptions import did_you_mean

from .base import MetricsError, safe_divide

__all__ = ['plot_confusion_matrix']

_OPTIONS = ('title', 'xlabel', 'ylabel', 'cmap', 'figsize', 'ax')


def plot_confusion_matrix(matrix: np.ndarray, classes=None, normalize: bool = False, **kwargs):
    """Draw ``matrix`` (rows: predicted class, columns: actual class) with its counts written in the cells.

    Parameters
    ----------
    matrix : numpy.ndarray
        A square matrix of counts, ``[predicted, actual]``.
    classes : sequence, optional
        The class names (default ``0 .. n-1``).
    normalize : bool
        Divide each column by its sum (columns with no positions stay 0).
    **kwargs
        ``title``, ``xlabel``, ``ylabel``, ``cmap``, ``figsize``, or ``ax`` (an
        existing matplotlib axes to draw on).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    MetricsError
        An unknown option (with close matches), or as many class names as classes.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use('Agg')
    >>> figure = plot_confusion_matrix(np.array([[3, 1], [0, 2]]), title='digits')
    >>> figure.axes[0].get_title()
    'digits'
    """
    unknown = [name for name in kwargs if name not in _OPTIONS]
    if unknown:
        close = did_you_mean(unknown[0], _OPTIONS)
        hint = (' Did you mean ' + ' or '.join(map(repr, close)) + '?') if close else ''
        raise MetricsError(f'plot_confusion_matrix takes no option {unknown[0]!r}.{hint} Its options: classes, '
                           f'normalize, {", ".join(_OPTIONS)}.', name=unknown[0], suggestions=close)
    size = len(matrix)
    classes = list(range(size)) if classes is None else list(classes)
    if len(classes) != size:
        raise MetricsError(f'classes names {len(classes)} classes, but the confusion matrix has {size}.',
                           value=classes)
    values = matrix
    if normalize:
        values = safe_divide(matrix, matrix.sum(axis=0))
        values = np.where(np.isnan(values), 0.0, values)
    import matplotlib.pyplot as plt
    ax = kwargs.get('ax')
    if ax is None:
        _, ax = plt.subplots(figsize=kwargs.get('figsize', (1.2 + 0.6 * size, 1.0 + 0.6 * size)),
                             layout='constrained')
    ax.imshow(values, cmap=kwargs.get('cmap', 'Blues'))
    ax.set_title(kwargs.get('title', 'Normalized confusion matrix' if normalize else 'Confusion matrix'))
    ax.set_xlabel(kwargs.get('xlabel', 'Actual class'))
    ax.set_ylabel(kwargs.get('ylabel', 'Predicted class'))
    ax.set_xticks(range(size), [str(name) for name in classes], rotation=90, ha='center')
    ax.set_yticks(range(size), [str(name) for name in classes], va='center')
    middle = (values.max() + values.min()) / 2 if values.size else 0
    for (row, column), value in np.ndenumerate(values):
        text = f'{value:.2f}' if normalize else str(int(value))
        ax.text(column, row, text, ha='center', va='center', color='white' if value > middle else 'black')
    return ax.figure
