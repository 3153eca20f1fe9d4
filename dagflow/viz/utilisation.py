"""The utilisation view of a long run: each lane's share of time per step, over windows of the run.

When a run has so many batches that a bar per step and batch would be
narrower than a pixel or two, :func:`~dagflow.viz.plot_timeline` cuts the
run into time windows and draws, in each lane and window, a stack of the
steps' shares of that lane's time; what is left of the lane's grey band is
idle time.  The numbers come from :func:`shares`, plain numpy; drawing is
:func:`draw_shares`.

Examples
--------
>>> import numpy as np
>>> share, edges = shares(starts=[0.0, 1.0], ends=[1.0, 2.0], lanes=[0, 0], steps=[0, 1], n_lanes=1, n_steps=2,
...                       capacity=[1], span=(0.0, 2.0), n_windows=2)
>>> share[0].tolist(), edges.tolist()
([[1.0, 0.0], [0.0, 1.0]], [0.0, 1.0, 2.0])
"""
from __future__ import annotations

import numpy as np

__all__ = ['draw_shares', 'shares']

_BAND = 0.8               # the height of a lane's band, in lanes
_IDLE = '#f1f2f4'         # the band's colour: the lane's time that no step used
_CHUNK = 20_000           # rows per block of the overlap computation (rows x windows floats)


def shares(starts, ends, lanes, steps, n_lanes: int, n_steps: int, capacity, span: tuple,
           n_windows: int) -> tuple:
    """Each lane's share of time per step and window: ``(array[lane, step, window], window edges)``.

    A share is the time the step's bars of that lane cover in the window,
    divided by the window's length times the lane's ``capacity`` (the
    number of bars it can run at once, see :func:`dagflow.viz.lanes.tracks`),
    so a lane's shares in a window add up to at most 1.

    Parameters
    ----------
    starts, ends : sequence of float
        The bars, in seconds.
    lanes, steps : sequence of int
        Each bar's lane and step index.
    n_lanes, n_steps : int
        How many lanes and steps there are.
    capacity : sequence of int
        Each lane's number of tracks.
    span : (float, float)
        The time the windows cover.
    n_windows : int
        How many windows of equal length.
    """
    edges = np.linspace(span[0], span[1], n_windows + 1)
    busy = np.zeros((n_lanes, n_steps, n_windows))
    starts, ends = np.asarray(starts, dtype=float), np.asarray(ends, dtype=float)
    lanes, steps = np.asarray(lanes, dtype=int), np.asarray(steps, dtype=int)
    for lo in range(0, len(starts), _CHUNK):
        part = slice(lo, lo + _CHUNK)
        overlap = np.minimum(ends[part, None], edges[None, 1:]) - np.maximum(starts[part, None], edges[None, :-1])
        np.add.at(busy, (lanes[part], steps[part]), np.clip(overlap, 0.0, None))
    length = np.maximum(np.diff(edges), 1e-12)
    return busy / (length[None, None, :] * np.asarray(capacity, dtype=float)[:, None, None]), edges


def draw_shares(ax, share, edges, colors: list) -> None:
    """Draw ``share[lane, step, window]`` on ``ax``: per lane a grey band, and the steps' shares stacked upward.

    Lane ``i`` is centred on ``y = i`` (the y axis runs downward, as the
    bars view's); ``colors[j]`` is step ``j``'s colour.  The windows have no
    outline, so that a busy lane reads as one block of colour.
    """
    left, width = edges[:-1], np.diff(edges)
    for lane in range(share.shape[0]):
        base = lane + _BAND / 2     # the band's lower edge on the screen
        ax.barh(lane, edges[-1] - edges[0], left=edges[0], height=_BAND, color=_IDLE, linewidth=0)
        below = np.zeros(share.shape[2])
        for step in range(share.shape[1]):
            height = share[lane, step] * _BAND
            drawn = height > 0
            if drawn.any():
                ax.bar(left[drawn], -height[drawn], bottom=base - below[drawn], width=width[drawn], align='edge',
                       color=colors[step], linewidth=0)
            below += height
