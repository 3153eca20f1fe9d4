"""Plots of a run: the timeline of its steps (a Gantt chart, or for long runs each lane's use over time), and time
per step.

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
...                         'batch': [0, 0, 1, 1], 'worker': ['dagflow_0', 'dagflow-state_0', 'dagflow_1',
...                         'dagflow-state_1'], 'start': [0.0, 1.0, 0.5, 2.0], 'end': [1.0, 2.0, 1.5, 3.0]})
>>> ax = plot_timeline(profile)
>>> len(ax.patches), [label.get_text() for label in ax.get_yticklabels()]
(4, ['pure steps: thread 1', 'pure steps: thread 2', 'state steps (driver)'])
>>> step_times(profile)[('main', 1)]
(2.0, 2)
>>> import matplotlib.pyplot as plt; plt.close('all')
"""
from __future__ import annotations

import difflib
import textwrap

import numpy as np

from .errors import VizError
from .history import plot_history
from .lanes import lane_labels, tracks, worker_order
from .utilisation import draw_shares, shares

__all__ = ['PROFILE_COLUMNS', 'VIEWS', 'check_profile', 'plot_history', 'plot_timeline', 'step_times', 'worker_order']

#: The columns a profile has.
PROFILE_COLUMNS = ('section', 'position', 'step', 'batch', 'worker', 'start', 'end')
#: What ``plot_timeline(view=...)`` accepts.
VIEWS = ('auto', 'bars', 'utilisation')
_SECTION_ORDER = {'before': 0, 'main': 1, 'after': 2}
MIN_PX = 2.0      # a step whose bars (or shares) are all under this many pixels is listed as 'other'
BATCH_PX = 6.0    # 'auto' draws bars while each batch gets at least this many pixels of its busiest lane
_OTHER = '#9ca3af'
_BAR = 0.7        # a lane's bar height, in lanes


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
                  batch_labels: bool = True, view: str = 'auto', window: tuple | None = None):
    """Draw a run's timeline: a lane per place where pure steps ran, then the state steps' lane, coloured by step.

    The lanes (:func:`dagflow.viz.lanes.lane_labels`) are named for what ran
    there: ``pure steps: thread 1``, ``pure steps: process 1234``, ``pure
    steps: worker 10.0.0.2:8786`` (a Dask worker), and ``state steps
    (driver)``, where the steps that touch variables and models ran one at a
    time in batch order, with the ``before`` and ``after`` sections.  A run
    on a cluster reads as one on threads.  No lane is empty.

    Two views:

    - ``'bars'``: a bar per step and batch.  Bars wide enough carry their
      batch number, never overlapping.
    - ``'utilisation'``: the run is cut into time windows, and each lane
      shows per window the share of its time each step took (stacked; the
      grey rest is idle time).  Long runs get this view: their bars would be
      narrower than a pixel or two and merge into one solid block, while
      shares still show where the time goes, at the start, in the middle and
      at the end of the run (a window of batches, ``window=``, shows a part
      of the run in bars instead; the whole run is what a newcomer asks
      about first).

    ``'auto'`` (the default) draws bars while every batch gets at least
    :data:`BATCH_PX` pixels of its busiest lane, else shares; the title says
    which view was drawn.  The legend lists the steps that can be seen; the
    steps too short to be seen are grey and listed once, as ``other``.
    State steps are outlined, and marked ``(state)`` in the legend.

    Parameters
    ----------
    profile : pandas.DataFrame
        A profile (see the module docstring).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.
    plan : Plan, optional
        The compiled pipeline, to tell state steps from pure ones (without
        it, steps that ran on the driver's state threads are state steps).
    title : str, optional
        Default: the view, the batches and the lanes, and a line that
        explains the picture.
    legend : bool
        Whether to show which colour is which step.
    batch_labels : bool
        Whether to write the batch number on bars wide enough for it (bars view).
    view : {'auto', 'bars', 'utilisation'}
        Which view to draw.
    window : (int, int), optional
        Draw only the batches ``start <= batch < stop`` (their main steps).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    A run of 500 batches on two threads: too many for a bar each.

    >>> import matplotlib
    >>> matplotlib.use('Agg')
    >>> import pandas as pd
    >>> n = 500
    >>> profile = pd.DataFrame({
    ...     'section': 'main', 'position': [0, 1] * n, 'step': ['load', 'train'] * n,
    ...     'batch': np.repeat(np.arange(n), 2), 'worker': ['dagflow_0', 'dagflow-state_0'] * n,
    ...     'start': np.ravel([(k, k + 1) for k in range(n)]) * 0.01,
    ...     'end': np.ravel([(k + 0.9, k + 1.5) for k in range(n)]) * 0.01})
    >>> plot_timeline(profile).get_title().splitlines()[0]
    'Run timeline, utilisation view: 500 batches on 2 lanes'
    >>> plot_timeline(profile, view='bars').get_title().splitlines()[0]
    'Run timeline, bars view: 500 batches on 2 lanes'
    >>> plot_timeline(profile, window=(0, 10)).get_title().splitlines()[0]
    'Run timeline, bars view: batches 0 to 9 of 500 on 2 lanes'
    >>> import matplotlib.pyplot as plt; plt.close('all')
    """
    import matplotlib.pyplot as plt

    profile = check_profile(profile)
    if len(profile) == 0:
        raise VizError('The profile is empty: the run executed no step.', name='profile')
    if view not in VIEWS:
        close = difflib.get_close_matches(str(view), VIEWS + ('utilization',), n=1)
        hint = f" Did you mean {'utilisation' if close == ['utilization'] else close[0]!r}?" if close else ''
        raise VizError(f'view must be one of {VIEWS}, but got {view!r} instead.{hint}', name='view')
    total = profile['batch'].dropna().nunique()
    keys, names, stateful = _steps(profile, plan)    # of the whole run: a window keeps the steps' colours
    rows = _in_window(profile, window)
    labels, order = lane_labels(rows, plan)
    lane_of, step_of = {label: i for i, label in enumerate(order)}, {key: j for j, key in enumerate(keys)}
    rows = rows.assign(_lane=[lane_of[label] for label in labels],
                       _step=[step_of[(s, int(p))] for s, p in zip(rows['section'], rows['position'])])
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 1.5 + 0.5 * len(order)), layout='constrained')
    size = _axes_pixels(ax, legend)
    span = (min(float(rows['start'].min()), 0.0) if window is None else float(rows['start'].min()),)
    span += (max(float(rows['end'].max()), span[0] + 1e-12),)
    chosen = view == 'auto'
    if chosen:
        per_lane = rows.dropna(subset=['batch']).groupby('_lane')['batch'].nunique()
        view = 'utilisation' if len(per_lane) and size[0] / per_lane.max() < BATCH_PX else 'bars'
    colors = _step_colors(len(keys))
    if view == 'bars':
        visible, placed = _bars_view(ax, rows, names, colors, stateful, span, size)
        note = 'pure steps run side by side on their lanes; state steps (variables, models) one at a time, ' \
               'in batch order'
    else:
        visible, window_length = _utilisation_view(ax, rows, len(order), colors, span, size)
        note = f"each lane's share of its time per step, in windows of {window_length:.3g} s; grey: idle"
        if chosen:
            note += f"\n({total} batches are too many for a bar each: view='bars' or window=(start, stop) draws bars)"
    ax.set_yticks(range(len(order)), order)
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.set_xlabel('seconds since the run started')
    ax.grid(axis='x', alpha=0.3)
    if title is None:   # wrapped to the figure's width: about 11 characters of 10 points to the inch
        chars = max(int(ax.figure.get_figwidth() * 11.5) - 8, 30)
        lines = [_headline(view, rows, total, window, len(order))] + note.splitlines()
        title = '\n'.join(textwrap.fill(line, chars) for line in lines)
    ax.set_title(title, fontsize=10)
    if legend:
        present = set(rows['_step'])
        _legend(ax, names, colors, stateful, [v if j in present else None for j, v in enumerate(visible)])
    if view == 'bars' and batch_labels:
        _label_batches(ax, placed)
    return ax


def _in_window(profile, window):
    """The rows of the batches ``start <= batch < stop``; all rows with no window."""
    if window is None:
        return profile
    if (not isinstance(window, (tuple, list)) or len(window) != 2
            or not all(isinstance(w, (int, np.integer)) and not isinstance(w, bool) for w in window)
            or not 0 <= window[0] < window[1]):
        raise VizError(f'window must be (start, stop), two batch numbers with 0 <= start < stop, but got '
                       f'{window!r} instead.', name='window')
    batches = profile['batch']
    rows = profile[batches.notna() & (batches >= window[0]) & (batches < window[1])]
    if len(rows) == 0:
        numbers = batches.dropna()
        ran = f'batches {int(numbers.min())} to {int(numbers.max())}' if len(numbers) else 'no batch'
        raise VizError(f'No batch of the window {tuple(window)} ran: the run had {ran}.', name='window')
    return rows


def _steps(rows, plan) -> tuple:
    """The steps in plan order: their ``(section, position)`` keys, legend names, and whether each is a state step."""
    steps = rows[['section', 'position', 'step']].drop_duplicates(['section', 'position'])
    steps = steps.assign(_order=steps['section'].map(_SECTION_ORDER).fillna(3)).sort_values(['_order', 'position'])
    names = _step_names(steps)
    keys = list(names)
    state_threads = rows[rows['worker'].astype(str).str.startswith('dagflow-state')]
    on_state_threads = {(s, int(p)) for s, p in zip(state_threads['section'], state_threads['position'])}
    stateful = [not plan.nodes[key]['pure'] if plan is not None and plan.has_node(key) else key in on_state_threads
                for key in keys]
    return keys, [names[key] for key in keys], stateful


def _axes_pixels(ax, legend: bool) -> tuple:
    """The axes' size in pixels, before the layout: a legend outside it takes about a sixth of the width."""
    figure = ax.figure
    box = ax.get_position()
    width = box.width * figure.get_figwidth() * figure.dpi * (0.82 if legend else 1.0)
    return max(width, 1.0), max(box.height * figure.get_figheight() * figure.dpi, 1.0)


def _bars_view(ax, rows, names, colors, stateful, span, size) -> tuple:
    """Draw the bars view: which steps can be seen, and the bars for the batch labels."""
    longest = (rows['end'] - rows['start']).groupby(rows['_step']).max()
    visible = [bool(longest.get(j, 0.0) * size[0] / (span[1] - span[0]) >= MIN_PX) for j in range(len(names))]
    shown = [color if seen else _OTHER for color, seen in zip(colors, visible)]
    return visible, _draw_bars(ax, rows, names, shown, stateful, (span[1] - span[0]) * 1e-3)


def _utilisation_view(ax, rows, n_lanes: int, colors, span, size) -> tuple:
    """Draw the utilisation view (about one window per 8 pixels, 10 to 100): which steps can be seen, and the
    windows' length in seconds."""
    windows = int(np.clip(size[0] // 8, 10, 100))
    capacity = [tracks(list(part['start']), list(part['end']))[1] for _, part in rows.groupby('_lane')]
    share, edges = shares(rows['start'], rows['end'], rows['_lane'], rows['_step'], n_lanes, len(colors),
                          capacity, span, windows)
    band_px = size[1] / max(n_lanes, 1) * 0.8
    visible = [bool(v) for v in share.max(axis=(0, 2)) * band_px >= MIN_PX]
    draw_shares(ax, share, edges, [color if seen else _OTHER for color, seen in zip(colors, visible)])
    ax.set_xlim(*span)
    return visible, float(edges[1] - edges[0])


def _draw_bars(ax, rows, names, colors, stateful, min_width) -> list:
    """A bar per row, one ``barh`` per step; lanes whose bars overlap are split into tracks.

    Returns ``[(start, end, y, height, batch, lane, track)]`` for the batch labels.
    """
    starts, ends, lanes = rows['start'].to_numpy(float), rows['end'].to_numpy(float), rows['_lane'].to_numpy()
    y, height, track = np.zeros(len(rows)), np.zeros(len(rows)), np.zeros(len(rows), dtype=int)
    for lane in np.unique(lanes):
        where = np.flatnonzero(lanes == lane)
        assigned, count = tracks(list(starts[where]), list(ends[where]))
        track[where] = assigned
        height[where] = _BAR / count
        y[where] = lane - _BAR / 2 + (np.asarray(assigned) + 0.5) * _BAR / count
    step = rows['_step'].to_numpy()
    for j, (name, color) in enumerate(zip(names, colors)):
        mine = step == j
        if not mine.any():
            continue
        edge = _outline(color) if stateful[j] else 'none'
        ax.barh(y[mine], np.maximum(ends[mine] - starts[mine], min_width), left=starts[mine], height=height[mine],
                color=color, label=name, edgecolor=edge, linewidth=0.8 if stateful[j] else 0)
    return list(zip(starts, ends, y, height, rows['batch'], lanes, track))


def _outline(color):
    """A darker shade of ``color``: state steps' outline, so that a short bar keeps its colour."""
    from matplotlib.colors import to_rgb
    return tuple(0.55 * c for c in to_rgb(color))


def _legend(ax, names, colors, stateful, visible) -> None:
    """The visible steps (``visible[j]`` true), then the others (false) as one grey entry; None: not drawn."""
    from matplotlib.patches import Patch

    handles = [Patch(facecolor=color, edgecolor=_outline(color) if state else 'none',
                     label=f'{name} (state)' if state else name)
               for name, color, state, seen in zip(names, colors, stateful, visible) if seen]
    hidden = [name for name, seen in zip(names, visible) if seen is False]
    if hidden:
        listed = ', '.join(hidden) if len(', '.join(hidden)) <= 32 else f'{len(hidden)} steps'
        handles.append(Patch(facecolor=_OTHER, label=f'other (too short to see): {listed}'))
    ax.legend(handles=handles, loc='upper left', bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False,
              title='step')


def _headline(view: str, rows, total: int, window, lanes: int) -> str:
    if window is None:
        what = f'{total} batch{"es" if total != 1 else ""}'
    else:
        numbers = rows['batch'].dropna()
        what = f'batches {int(numbers.min())} to {int(numbers.max())} of {total}'
    return f'Run timeline, {view} view: {what} on {lanes} lane{"s" if lanes != 1 else ""}'


def _label_batches(ax, placed) -> None:
    """Write each bar's batch number on it where the number fits inside the bar, never over another number.

    Measured on the figure as laid out now (a figure drawn much smaller
    later may want ``batch_labels=False``).
    """
    figure = ax.figure
    figure.draw_without_rendering()   # settle the layout: the bars' size in pixels is known from here on
    to_pixels = ax.transData.transform
    digit_px = 7 * figure.dpi / 72 * 0.5
    last: dict = {}                   # (lane, track) -> the right edge of the last number written there
    for start, end, y, height, batch, lane, track in sorted(placed, key=lambda p: p[0]):
        if _missing(batch):
            continue
        text = str(int(batch))
        (x0, y0), (x1, y1) = to_pixels([(start, y - height / 2), (end, y + height / 2)])
        if x1 - x0 < digit_px * len(text) + 2 or abs(y1 - y0) < 7 * figure.dpi / 72:
            continue
        label = ax.text((start + end) / 2, y, text, ha='center', va='center', fontsize=7, color='#111827',
                        clip_on=True)
        box = label.get_window_extent()
        if box.x0 < x0 + 1 or box.x1 > x1 - 1 or box.height > abs(y1 - y0) or box.x0 < last.get((lane, track), -1e9):
            label.remove()
            continue
        last[(lane, track)] = box.x1 + 1


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
