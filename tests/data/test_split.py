import numpy as np
import pytest

from dagflow.data.split import fold_parts, get_fold, split_parts, split_sizes
from dagflow.exceptions import DatasetIndexError


def test_parts_follow_batchflows_layout():
    train, test, validation = split_parts(np.arange(10), [0.5, 0.3])
    assert validation.tolist() == [0, 1] and test.tolist() == [2, 3, 4] and train.tolist() == [5, 6, 7, 8, 9]


def test_every_item_lands_once():
    for size in range(3, 30):
        for shares in (0.8, [0.6, 0.3], [0.0, 0.5], [0.34, 0.33, 0.33], [0.5, 0.0]):
            assert sum(split_sizes(size, shares)) == size
            assert min(split_sizes(size, shares)) >= 0


def test_fold_parts():
    assert [part.tolist() for part in fold_parts(np.arange(7), 3)] == [[0, 1, 2], [3, 4], [5, 6]]
    with pytest.raises(DatasetIndexError, match='from 2 to the index size 3, but got 4'):
        fold_parts(np.arange(3), 4)


def test_get_fold_says_how_to_make_it():
    assert get_fold(object(), ('f0',), 0, 'cv0') == 'f0'
    with pytest.raises(AttributeError, match=r'call cv_split\(\) first'):
        get_fold(object(), (), 0, 'cv0')
