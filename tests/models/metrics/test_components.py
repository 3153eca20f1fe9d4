"""label_regions: connected regions of equal values, checked by hand and against scipy.ndimage.label."""
import numpy as np
import pytest

from dagflow.models.metrics import label_regions


def test_a_spiral_is_one_region():
    spiral = np.array([[1, 1, 1, 1, 1],
                       [0, 0, 0, 0, 1],
                       [1, 1, 1, 0, 1],
                       [1, 0, 0, 0, 1],
                       [1, 1, 1, 1, 1]])
    labels, count = label_regions(spiral, background=0)
    assert count == 1 and np.array_equal(labels, spiral)


def test_regions_of_equal_values_without_a_background():
    values = np.array([[2, 2, 3],
                       [1, 2, 3]])
    labels, count = label_regions(values)
    assert count == 3
    np.testing.assert_array_equal(labels, [[1, 1, 2], [3, 1, 2]])


def test_axes_left_out_do_not_connect():
    batch = np.ones((2, 3), dtype=int)
    assert label_regions(batch, axes=(1,))[1] == 2
    assert label_regions(batch, axes=(-1,))[1] == 2
    assert label_regions(batch)[1] == 1


def test_empty_and_all_background():
    assert label_regions(np.zeros((0, 3)))[1] == 0
    labels, count = label_regions(np.zeros((2, 2)), background=0)
    assert count == 0 and not labels.any()


@pytest.mark.parametrize('shape, seed', [((30, 40), 0), ((12, 10, 9), 1), ((200,), 2)])
def test_the_same_labels_as_scipy(shape, seed):
    ndimage = pytest.importorskip('scipy.ndimage')
    mask = np.random.default_rng(seed).random(shape) < 0.55
    labels, count = label_regions(mask, background=0)
    expected, expected_count = ndimage.label(mask)
    assert count == expected_count
    np.testing.assert_array_equal(labels, expected)
