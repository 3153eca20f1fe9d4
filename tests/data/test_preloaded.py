import numpy as np
import pandas as pd
import pytest

from dagflow.data.preloaded import Aligned, align_to_batch, check_length, check_preloaded, ids_are_rows, select
from dagflow.exceptions import DatasetIndexError, UnknownIdError

IDS = np.array(['a', 'b', 'c'])


class TestIdsAreRows:
    @pytest.mark.parametrize(('ids', 'expected'), [
        ([0, 1, 2], True), ([2, 0, 1], True), ([1, 2, 3], False), ([0, 0, 1], False), (['a'], False),
        ([0.0, 1.0], False)])
    def test_rule(self, ids, expected):
        assert ids_are_rows(np.array(ids)) is expected


class TestCheck:
    def test_positional_lengths(self):
        check_preloaded({'a': np.zeros(3), 'b': None}, IDS, components=True)
        with pytest.raises(DatasetIndexError, match='holds 2 items, but the index has 3'):
            check_preloaded({'a': np.zeros(2)}, IDS, components=True)
        with pytest.raises(DatasetIndexError, match='different numbers of items'):
            check_preloaded((np.zeros(3), np.zeros(2)), IDS, components=False)

    def test_size_of_a_bigger_data_index(self):
        check_preloaded(np.zeros(5), IDS, components=False, size=5)

    def test_by_id_needs_every_id(self):
        check_preloaded({'a': {'a': 1, 'b': 2, 'c': 3, 'd': 4}}, IDS, components=True)
        with pytest.raises(UnknownIdError, match=r"no item for the ids \['c'\] in 'data'"):
            check_preloaded({'a': 1, 'b': 2}, IDS, components=False)
        series = pd.Series([1, 2], index=['a', 'b'])
        with pytest.raises(UnknownIdError, match=r"\['c'\]"):
            check_preloaded({'x': series}, IDS, components=True)

    def test_batch_lengths(self):
        check_length({'a': [1, 2], 'b': {'z': 1}, 'c': None}, 2, components=True)
        with pytest.raises(DatasetIndexError, match="holds 1 items in 0"):
            check_length(([1],), 2, components=False)


class TestSelect:
    def test_kinds(self):
        data = {'arr': np.array([10, 20, 30]), 'ids': {'c': 3, 'a': 1, 'b': 2},
                'labelled': pd.Series([7, 8, 9], index=['c', 'b', 'a']), 'plain': pd.Series([4, 5, 6]),
                'none': None}
        items = select(data, np.array(['c', 'a']), np.array([2, 0]), components=True)
        assert items['arr'].tolist() == [30, 10] and items['ids'].tolist() == [3, 1]
        assert items['labelled'].tolist() == [7, 9] and items['plain'].tolist() == [6, 4]
        assert items['none'] is None and isinstance(items['plain'], np.ndarray)

    def test_without_cast(self):
        items = select({'ids': {'a': 1, 'b': 2}}, np.array(['b']), np.array([1]), components=True, cast=False)
        assert items == {'ids': {'b': 2}}

    def test_copy(self):
        source = [[1]]
        items = select(source, np.array([0]), np.array([0]), components=False, copy=True)
        items[0].append(2)
        assert source == [[1]]


class TestAlignToBatch:
    def test_positional_is_kept_as_it_is(self):
        array = np.arange(2)
        assert align_to_batch({'a': array}, np.array([5, 6]), components=True)['a'] is array

    def test_frames_matching_the_ids(self):
        frame = pd.DataFrame({'x': [1, 2]}, index=['q', 'p'])
        assert align_to_batch(frame, np.array(['p', 'q']), components=False)['x'].tolist() == [2, 1]
        assert align_to_batch(frame, np.array(['q', 'p']), components=False) is frame

    def test_aligned_wrapper(self):
        assert repr(Aligned([1])) == 'Aligned([1])'
