from collections import deque

import numpy as np
import pytest

from dagflow.exceptions import ExpressionError
from dagflow.expr import MODES, apply_mode, normalize_mode


class TestNormalizeMode:
    @pytest.mark.parametrize(('mode', 'letter'), sorted(MODES.items()))
    def test_known(self, mode, letter):
        assert normalize_mode(mode) == letter

    @pytest.mark.parametrize('mode', ['W', 'add', '', None, 1])
    def test_unknown(self, mode):
        with pytest.raises(ExpressionError, match=rf"Unknown assignment mode {mode!r}: expected one of"):
            normalize_mode(mode)


class TestApplyMode:
    def test_write_replaces_anything(self):
        assert apply_mode(5, [1], 'w') == [1]
        assert apply_mode(None, 2, 'write') == 2

    def test_list_in_place(self):
        current = [1]
        assert apply_mode(current, 2, 'a') is current
        assert apply_mode(current, (3, 4), 'e') is current
        assert current == [1, 2, 3, 4]
        assert apply_mode(current, [5], 'a') == [1, 2, 3, 4, [5]]

    def test_none(self):
        assert apply_mode(None, 1, 'a') == [1]
        assert apply_mode(None, (1, 2), 'e') == [1, 2]
        assert apply_mode(None, {'a': 1}, 'u') == {'a': 1}

    def test_tuple_makes_a_new_tuple(self):
        assert apply_mode((1,), 2, 'a') == (1, 2)
        assert apply_mode((1,), [2, 3], 'e') == (1, 2, 3)

    def test_set_append_and_update_are_the_same(self):
        assert apply_mode({1}, {2, 3}, 'a') == {1, 2, 3}
        assert apply_mode({1}, [4], 'u') == {1, 4}
        assert apply_mode({1}, [5], 'e') == {1, 5}

    def test_dict(self):
        current = {'a': 1}
        assert apply_mode(current, {'b': 2}, 'a') is current
        assert apply_mode(current, {'c': 3}, 'e') == {'a': 1, 'b': 2, 'c': 3}
        assert apply_mode(current, {'a': 0}, 'u') == {'a': 0, 'b': 2, 'c': 3}

    def test_array_append_adds_a_row(self):
        result = apply_mode(np.zeros((2, 3)), np.ones(3), 'a')
        assert result.shape == (3, 3)
        np.testing.assert_array_equal(result[-1], np.ones(3))
        np.testing.assert_array_equal(apply_mode(np.array([1, 2]), 3, 'a'), [1, 2, 3])

    def test_array_extend_concatenates(self):
        np.testing.assert_array_equal(apply_mode(np.array([1, 2]), [3, 4], 'e'), [1, 2, 3, 4])
        assert apply_mode(np.zeros((2, 3)), np.ones((4, 3)), 'e').shape == (6, 3)

    def test_array_shape_mismatch(self):
        message = r"Mode 'a' \(append\) cannot combine a ndarray value with the current value of type ndarray"
        with pytest.raises(ExpressionError, match=message + ': all the input array'):
            apply_mode(np.zeros((2, 3)), np.ones(4), 'a')

    def test_duck_typed_objects(self):
        current = deque([1])
        assert apply_mode(current, 2, 'a') is current
        apply_mode(current, [3], 'e')
        assert list(current) == [1, 2, 3]

        class Counter:
            def __init__(self):
                self.seen = []

            def update(self, value):
                self.seen.append(value)

        counter = Counter()
        assert apply_mode(counter, 'x', 'u') is counter
        assert counter.seen == ['x']

    @pytest.mark.parametrize(('current', 'value', 'mode', 'text'), [
        (1, 2, 'a', r"Mode 'a' \(append\) cannot combine a int value with the current value of type int\."),
        ('ab', 'c', 'e', r"Mode 'e' \(extend\) cannot combine a str value with the current value of type "
                         r"str\."),
        ([1], {'a': 1}, 'u', r"Mode 'u' \(update\) cannot combine a dict value with the current value of "
                             r"type list"),
        (np.zeros(2), 1, 'u', r"Mode 'u' \(update\) .* of type ndarray"),
        ({1}, 5, 'a', r"Mode 'a' \(append\) cannot combine a int value .* of type set: 'int' object is not"),
    ])
    def test_impossible(self, current, value, mode, text):
        with pytest.raises(ExpressionError, match=text) as info:
            apply_mode(current, value, mode)
        assert (info.value.mode, info.value.current_type, info.value.value_type) == (
            mode, type(current).__name__, type(value).__name__)
        assert "Use mode 'w' to replace the value" in str(info.value)
