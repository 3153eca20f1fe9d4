import numpy as np
import pandas as pd
import pytest

from dagflow.data.components import (
    as_components,
    concat_items,
    data_length,
    normalize_components,
    take_item,
    take_items,
)
from dagflow.exceptions import ComponentError, DatasetIndexError

COMPS = ('images', 'labels')


class TestNormalizeComponents:
    def test_forms(self):
        assert normalize_components(None) == ()
        assert normalize_components('images') == ('images',)
        assert normalize_components(['a', 'b']) == ('a', 'b')

    @pytest.mark.parametrize('name', ['2d', 'with space', '_hidden', 'class', 3])
    def test_bad_names(self, name):
        with pytest.raises(ComponentError, match=f'{name!r} is not a valid component name'):
            normalize_components(('ok', name), 'MyBatch')

    def test_repeats(self):
        with pytest.raises(ComponentError, match=r"MyBatch.components repeats \['a'\]"):
            normalize_components(('a', 'b', 'a'), 'MyBatch')


class TestAsComponents:
    def test_no_components_keeps_the_source(self):
        frame = pd.DataFrame({'x': [1]})
        assert as_components(frame, ()) is frame

    def test_array_for_one_component(self):
        array = np.arange(3)
        assert as_components(array, ('images',))['images'] is array

    def test_tuple_in_order(self):
        assert as_components(([1], [2]), COMPS) == {'images': [1], 'labels': [2]}

    def test_dict_may_be_partial(self):
        assert as_components({'labels': [1]}, COMPS) == {'labels': [1]}

    def test_frame_columns(self):
        frame = pd.DataFrame({'images': [1, 2], 'other': [3, 4]})
        data = as_components(frame, COMPS)
        assert list(data) == ['images'] and data['images'].tolist() == [1, 2]

    def test_extra_dict_keys_are_ignored_with_a_warning(self):
        with pytest.warns(UserWarning, match=r"not components, ignored: \['label'\].*Did you mean 'labels'"):
            assert as_components({'label': [1], 'images': [2]}, COMPS) == {'images': [2]}

    def test_short_tuple_leaves_the_rest_none(self):
        assert as_components(([1],), COMPS) == {'images': [1], 'labels': None}

    def test_frame_columns_keep_their_labels(self):
        frame = pd.DataFrame({'images': [1, 2]}, index=['a', 'b'])
        assert as_components(frame, COMPS)['images'].index.tolist() == ['a', 'b']

    def test_tuple_length(self):
        with pytest.raises(ComponentError, match=r'A tuple of 3 items cannot fill the 2 components'):
            as_components(([1], [2], [3]), COMPS)

    def test_one_array_for_many_components(self):
        with pytest.raises(ComponentError, match='A single ndarray cannot fill the 2 components'):
            as_components(np.arange(3), COMPS)

    def test_frame_without_components(self):
        with pytest.raises(ComponentError, match=r"none of the components .* columns \['x'\]"):
            as_components(pd.DataFrame({'x': [1]}), COMPS)


class TestItems:
    def test_length(self):
        assert data_length(np.zeros((4, 2))) == 4
        assert data_length({'a': None}) is None
        assert data_length(([1, 2], [3, 4])) == 2

    def test_length_mismatch(self):
        with pytest.raises(DatasetIndexError, match=r"different numbers of items: \{'a': 2, 'b': 1\}"):
            data_length({'a': [1, 2], 'b': [3]})

    def test_take_kinds(self):
        frame = pd.DataFrame({'x': [10, 20, 30]}, index=['p', 'q', 'r'])
        assert take_items(frame, [2, 0])['x'].tolist() == [30, 10]
        assert take_items([5, 6, 7], [1]) == [6]
        assert take_items((np.arange(3), None), [0]) == (np.array([0]), None)
        assert take_item(frame, 1)['x'] == 20
        assert take_item({'a': [1, 2]}, 1) == {'a': 2}


class TestConcat:
    def test_kinds(self):
        assert concat_items([[1], [2, 3]]) == [1, 2, 3]
        assert concat_items([None, None]) is None
        frame = concat_items([pd.DataFrame({'x': [1]}), pd.DataFrame({'x': [2]})])
        assert frame['x'].tolist() == [1, 2]
        joined = concat_items([{'a': np.arange(1), 'b': None}, {'a': np.arange(2), 'b': None}])
        assert joined['a'].tolist() == [0, 0, 1] and joined['b'] is None

    def test_partly_empty(self):
        with pytest.raises(ComponentError, match="Cannot merge 'a': it is None in some batches"):
            concat_items([{'a': None}, {'a': np.arange(1)}])

    def test_unknown_type(self):
        with pytest.raises(TypeError, match="Cannot merge 'data' of type set"):
            concat_items([{1}, {2}])
