"""Shares of each lane's time per step and window, and their drawing."""
import numpy as np
import pytest

import dagflow.viz.utilisation as utilisation
from dagflow.viz.utilisation import draw_shares, shares


def test_a_bar_across_two_windows_is_split_between_them():
    share, edges = shares([0.5], [1.5], [0], [0], 1, 1, [1], (0.0, 2.0), 2)
    assert share[0, 0].tolist() == [0.5, 0.5] and edges.tolist() == [0.0, 1.0, 2.0]


def test_a_lane_of_two_tracks_is_full_when_both_are_busy():
    share, _ = shares([0.0, 0.0, 0.0], [1.0, 1.0, 1.0], [0, 0, 1], [0, 1, 1], 2, 2, [2, 1], (0.0, 1.0), 1)
    assert share[:, :, 0].tolist() == [[0.5, 0.5], [0.0, 1.0]]


def test_blocks_of_rows_add_up_as_one(monkeypatch):
    rng = np.random.default_rng(0)
    starts = np.sort(rng.random(50)) * 10
    args = (starts, starts + 0.05, rng.integers(0, 3, 50), rng.integers(0, 4, 50), 3, 4, [1, 1, 1], (0.0, 10.1), 7)
    whole, _ = shares(*args)
    monkeypatch.setattr(utilisation, '_CHUNK', 8)
    assert shares(*args)[0] == pytest.approx(whole)
    assert whole.sum() * 10.1 / 7 == pytest.approx(50 * 0.05)


def test_shares_are_stacked_upward_inside_the_lane():
    import matplotlib.pyplot as plt
    _, ax = plt.subplots()
    share = np.array([[[0.5, 0.0], [0.25, 1.0]]])    # one lane, two steps, two windows
    draw_shares(ax, share, np.array([0.0, 1.0, 2.0]), ['red', 'blue'])
    band, *stacked = ax.patches
    assert band.get_bbox().bounds == pytest.approx((0.0, -0.4, 2.0, 0.8))
    spans = [(p.get_x(), sorted((p.get_y(), p.get_y() + p.get_height()))) for p in stacked]
    assert spans == [(0.0, pytest.approx([0.0, 0.4])), (0.0, pytest.approx([-0.2, 0.0])),
                     (1.0, pytest.approx([-0.4, 0.4]))]
