"""Plots of a run: the timeline of its steps (a Gantt chart), time per step, and a variable's history.

A profile is the DataFrame that ``pipeline.run(..., profile=True)`` leaves in
``pipeline.profile``: one row per executed step per batch, with the columns
``section``, ``position``, ``step``, ``batch``, ``worker``, ``start`` and
``end`` (seconds since the run started).

Examples
--------
>>> import matplotlib
>>> matplotlib.use('Agg')
>>> import pandas as pd
>>> profile = pd.DataFrame({'section': 'main', 'position': [0, 1, 0, 1], 'step': ['load', 'train', 'load', 'train'],
...                         'batch': [0, 0, 1, 1], 'worker': ['t1', 't1', 't2', 't1'],
...                         'start': [0.0, 1.0, 0.5, 2.0], 'end': [1.0, 2.0, 1.5, 3.0]})
>>> ax = plot_timeline(profile)
>>> len(ax.patches), [label.get_text() for label in ax.get_yticklabels()]
(4, ['t1', 't2'])
>>> step_times(profile)[('main', 1)]
(2.0, 2)
>>> import matplotlib.pyplot as plt; plt.close('all')
"""
from __future__ import annotations

import numbers
import re
from collections.abc import Sequence

import numpy as np

from .errors import VizError

__all__ = ['PROFILE_COLUMNS', 'check_profile', 'plot_history', 'plot_timeline', 'step_times', 'worker_order']

#: The columns a profile has.
PROFILE_COLUMNS = ('section', 'position', 'step', 'batch', 'worker', 'start', 'end')
_SECTION_ORDER = {'before': 0, 'main': 1, 'after': 2}
_STATE_LANE = 'dagflow-state'  # the thread-name prefix of the lanes that run state steps (dagflow.engine)


def check_profile(profile, what: str = 'plot the timeline'):
    """Return ``profile`` if it is a profile DataFrame; else raise a :class:`VizError` that says what to do.

    Examples
    --------
    >>> check_profile(None)
    Traceback (most recent call last):
    ...
    dagflow.exceptions.VizError: There is no profile to plot the timeline: run the pipeline with \
run(..., profile=True) first.
    """
    if profile is None:
        raise VizError(f'There is no profile to {what}: run the pipeline with run(..., profile=True) first.',
                       name='profile')
    missing = [c for c in PROFILE_COLUMNS if c not in getattr(profile, 'columns', ())]
    if missing:
        raise VizError(f'A profile needs the columns {PROFILE_COLUMNS}; this one lacks {tuple(missing)}.',
                       name='profile')
    return profile


def step_times(profile) -> dict:
    """Plan node ``(section, position)`` -> ``(total seconds, number of runs)``."""
    profile = check_profile(profile, 'colour the plan by time')
    durations = (profile['end'] - profile['start']).to_numpy(dtype=float)
    totals: dict = {}
    for section, position, duration in zip(profile['section'], profile['position'], durations):
        total, count = totals.get((section, int(position)), (0.0, 0))
        totals[(section, int(position))] = (total + float(duration), count + 1)
    return totals


def plot_timeline(profile, ax=None, *, plan=None, title: str | None = None, legend: bool = True,
                  batch_labels: bool = True):
    """Draw a run as a Gantt chart: one lane per worker, one bar per step and batch, coloured by step.

    Preprocessing that overlaps shows as bars of several lanes at the same
    time; state steps (model steps, variable updates) follow each other in
    batch order.  Bars wide enough carry their batch number.  The lanes
    read top to bottom: the main thread, the workers, then the lanes where
    state steps ran (:func:`worker_order`).

    Parameters
    ----------
    profile : pandas.DataFrame
        A profile (see the module docstring).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.
    plan : Plan, optional
        The compiled pipeline: bars of state steps get a dark outline.
    title : str, optional
        Default: how many batches ran on how many workers.
    legend : bool
        Whether to show which colour is which step.
    batch_labels : bool
        Whether to write the batch number on bars wide enough for it.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_rgb

    profile = check_profile(profile)
    if len(profile) == 0:
        raise VizError('The profile is empty: the run executed no step.', name='profile')
    if ax is None:
        lanes = profile['worker'].nunique()
        _, ax = plt.subplots(figsize=(10, 1.2 + 0.45 * lanes), layout='constrained')
    rows = profile.assign(_order=profile['section'].map(_SECTION_ORDER).fillna(3))
    workers = worker_order(rows.sort_values('start')['worker'].astype(str).drop_duplicates())
    lane = {worker: i for i, worker in enumerate(workers)}
    steps = rows[['_order', 'section', 'position', 'step']].drop_duplicates(['section', 'position'])
    steps = steps.sort_values(['_order', 'position'])
    names = _step_names(steps)
    colors = _step_colors(len(names))
    span = max(float(rows['end'].max()) - min(float(rows['start'].min()), 0.0), 1e-12)
    for (key, name), color in zip(names.items(), colors):
        mine = rows[(rows['section'] == key[0]) & (rows['position'] == key[1])]
        starts, ends = mine['start'].to_numpy(float), mine['end'].to_numpy(float)
        y = [lane[str(w)] for w in mine['worker']]
        stateful = plan is not None and plan.has_node(key) and not plan.nodes[key]['pure']
        # state steps get an outline in a darker shade of their own colour: a short bar stays recognisable
        edge = tuple(0.55 * c for c in to_rgb(color)) if stateful else 'none'
        ax.barh(y, np.maximum(ends - starts, span * 1e-3), left=starts, height=0.7, color=color, label=name,
                edgecolor=edge, linewidth=0.8 if stateful else 0)
        if batch_labels:
            for start, end, row, batch in zip(starts, ends, y, mine['batch']):
                if not _missing(batch) and (end - start) > span * 0.025:
                    ax.text((start + end) / 2, row, str(int(batch)), ha='center', va='center', fontsize=7,
                            color='#111827', clip_on=True)
    ax.set_yticks(range(len(workers)), workers)
    ax.set_ylim(len(workers) - 0.5, -0.5)
    ax.set_xlabel('seconds since the run started')
    ax.set_ylabel('worker')
    ax.grid(axis='x', alpha=0.3)
    batches = profile['batch'].dropna().nunique()
    ax.set_title(title if title is not None else
                 f'Run timeline: {batches} batch{"es" if batches != 1 else ""} on {len(workers)} '
                 f'worker{"s" if len(workers) != 1 else ""}')
    if legend:
        ax.legend(loc='upper left', bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False, title='step')
    return ax


def worker_order(workers) -> list:
    """The lanes of a timeline, top to bottom: the driver's main thread, the workers, then the state lanes.

    Workers of one kind are in their natural order (``dagflow_2`` before
    ``dagflow_10``), so the pool's threads read as a block and the lanes where
    the state steps run in serial order sit together at the bottom.

    Examples
    --------
    >>> worker_order(['MainThread', 'dagflow-state_0', 'dagflow_0', 'dagflow-state_1', 'dagflow_10', 'dagflow_2'])
    ['MainThread', 'dagflow_0', 'dagflow_2', 'dagflow_10', 'dagflow-state_0', 'dagflow-state_1']
    """
    def key(worker: str):
        group = 0 if worker == 'MainThread' else 2 if worker.startswith(_STATE_LANE) else 1
        parts = re.split(r'(\d+)', worker)
        return group, [(0, int(part), '') if part.isdigit() else (1, 0, part) for part in parts]
    return sorted(dict.fromkeys(str(worker) for worker in workers), key=key)


def _step_names(steps) -> dict:
    """``(section, position)`` -> legend name: the action, with its section or position where it is ambiguous."""
    counts = steps['step'].value_counts()
    names = {}
    for _, row in steps.iterrows():
        name = str(row['step'])
        if row['section'] != 'main':
            name = f'{name} ({row["section"]})'
        elif counts[row['step']] > 1:
            name = f'{name} [{int(row["position"])}]'
        names[(row['section'], int(row['position']))] = name
    return names


def _step_colors(n: int) -> list:
    from matplotlib import colormaps
    cmap = colormaps['tab10' if n <= 10 else 'tab20']
    return [cmap(i % cmap.N) for i in range(n)]


def _missing(value) -> bool:
    """True for None, NaN and ``pd.NA`` (the batch of a before/after step)."""
    import pandas as pd
    return value is None or bool(pd.isna(value))


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
