"""A variable's history as a line plot: one line, a line per entry, or a mean and a band.

Examples
--------
>>> import matplotlib
>>> matplotlib.use('Agg')
>>> ax = plot_history([3.0, 2.0, 1.5, 1.2], 'loss')
>>> ax.get_title()
'loss: 4 values'
>>> import matplotlib.pyplot as plt; plt.close('all')
"""
from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

from .errors import VizError

__all__ = ['plot_history']


def plot_history(values, name: str = 'value', ax=None, *, smooth: int | None = None):
    """Plot a variable's history: a list of numbers (one line) or of equal-shaped arrays (a line per entry).

    Parameters
    ----------
    values : sequence
        Numbers, 0-d arrays or tensors, or arrays of one shape (more than ten
        entries per array are drawn as their mean and min-max band).
    name : str
        The variable's name, for the title and the legend.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.
    smooth : int, optional
        Also draw the moving average over this many values.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use('Agg')
    >>> ax = plot_history([3.0, 2.0, 1.5, 1.2], 'loss')
    >>> [line.get_ydata().tolist() for line in ax.get_lines()]
    [[3.0, 2.0, 1.5, 1.2]]
    >>> import matplotlib.pyplot as plt; plt.close('all')
    """
    import matplotlib.pyplot as plt

    data = _as_matrix(values, name)
    if smooth is not None and (not isinstance(smooth, int) or smooth < 1):
        raise VizError(f'smooth must be a positive number of values, got {smooth!r}.', name='smooth')
    smooth = min(smooth, len(data)) if smooth and smooth > 1 else None
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5), layout='constrained')
    steps = np.arange(len(data))
    if data.shape[1] == 1:
        ax.plot(steps, data[:, 0], label=name, alpha=0.45 if smooth else 1.0)
        if smooth:
            ax.plot(steps[smooth - 1:], _moving_average(data[:, 0], smooth), label=f'{name}, mean of {smooth}')
    elif data.shape[1] <= 10:
        for column in range(data.shape[1]):
            ax.plot(steps, data[:, column], label=f'{name}[{column}]')
    else:
        ax.plot(steps, data.mean(axis=1), label=f'mean of {name}')
        ax.fill_between(steps, data.min(axis=1), data.max(axis=1), alpha=0.25, label='min to max')
    ax.set_xlabel('entry (in the order it was stored)')
    ax.set_ylabel(name)
    ax.set_title(f'{name}: {len(data)} value{"s" if len(data) != 1 else ""}')
    ax.grid(alpha=0.3)
    if data.shape[1] > 1 or smooth:
        ax.legend(fontsize=8)
    return ax


def _as_matrix(values, name: str) -> np.ndarray:
    if isinstance(values, np.ndarray) and values.ndim in (1, 2):
        rows = values
    elif isinstance(values, Sequence) and not isinstance(values, (str, bytes)):
        if len(values) == 0:
            raise VizError(f'The variable {name!r} is empty: there is nothing to plot yet.', name=name)
        try:
            rows = [np.asarray(_to_numpy(v), dtype=float).ravel() for v in values]
        except (TypeError, ValueError) as exc:
            raise VizError(f'The variable {name!r} holds values that are not numbers or numeric arrays '
                           f'(the first is {type(values[0]).__name__}): {exc}', name=name) from None
        if len({row.shape for row in rows}) != 1:
            raise VizError(f'The values of {name!r} have different shapes; plot them one by one.', name=name)
    elif isinstance(values, numbers.Number):
        raise VizError(f'The variable {name!r} holds one number ({values!r}), not a history: store a list, e.g. '
                       f"save_to=V({name!r}, mode='a').", name=name)
    else:
        raise VizError(f'The variable {name!r} holds a {type(values).__name__}, not a list of numbers or arrays.',
                       name=name)
    matrix = np.asarray(rows, dtype=float)
    if matrix.size == 0:
        raise VizError(f'The variable {name!r} is empty: there is nothing to plot yet.', name=name)
    return matrix.reshape(len(matrix), -1)


def _to_numpy(value):
    """Tensors (torch and the like) to numpy, without importing their libraries."""
    for method in ('detach', 'cpu', 'numpy'):
        if hasattr(value, method) and not isinstance(value, np.ndarray):
            value = getattr(value, method)()
    return value


def _moving_average(values: np.ndarray, window: int) -> np.ndarray:
    return np.convolve(values, np.ones(window) / window, mode='valid')
