import numpy as np

from dagflow.config import Config
from dagflow.expr import PP, B, C, F, I, L, P, R, V, W, structural_key, walk


def add(a, b):
    return a + b


def other(a, b):
    return a - b


def names(value, kind):
    return [expr.name for expr in walk(value) if expr.kind == kind]


class TestWalk:
    def test_plain_values_have_no_expressions(self):
        assert list(walk([1, 'a', {'k': (2, 3)}, np.zeros(2)])) == []

    def test_finds_nested_v_everywhere(self):
        value = {
            V('key'): [V('a') + 1, (B.images[V('index')], {V('in_set')})],
            'call': F(add, V('bound'))(V('arg'), b=V('kwarg')),
            'random': R('normal', V('mean'), scale=V('scale'), size=(V('size'), 2)),
            'wrapped': [W(V('w')), P(V('p')), PP(L(add)(V('pp'), 1))],
            'slice': slice(V('start'), None),
            'config': Config({'deep': {'x': V('in_config')}}),
            'format': V('f').format('{} {}', V('format_arg')),
        }
        assert sorted(names(value, 'V')) == sorted([
            'key', 'a', 'index', 'in_set', 'bound', 'arg', 'kwarg', 'mean', 'scale', 'size', 'w', 'p', 'pp',
            'start', 'in_config', 'f', 'format_arg'])

    def test_order_is_outer_first(self):
        expr = V('a') + B.x
        assert [repr(e) for e in walk(expr)] == ["(V('a') + B.x)", "V('a')", 'B.x']

    def test_finds_every_kind(self):
        value = [B.x, C('a'), I(), R('uniform'), F(add), (V('n') > 1)]
        assert [expr.kind for expr in walk(value)] == ['B', 'C', 'I', 'R', 'F', 'node', 'V']


class TestStructuralKey:
    def test_equal_for_separately_built(self):
        assert structural_key(V('x') + 1) == structural_key(V('x') + 1)
        assert structural_key(B.images[0].shape) == structural_key(B('images')[0].shape)
        draw = R('normal', 0, 1, size=B.size)
        assert structural_key(draw) == structural_key(R('normal', 0, 1, size=B.size))
        assert structural_key(F(add)(V('a'))) == structural_key(F(add)(V('a')))
        assert structural_key({V('k'): [1, 2]}) == structural_key({V('k'): [1, 2]})

    def test_hashable(self):
        key = structural_key({'a': [V('x'), {1, 2}], 'b': slice(1, V('n')), 'c': np.zeros(2)})
        assert isinstance(hash(key), int)

    def test_differs(self):
        pairs = [
            (B('x'), B('y')), (V('x'), B('x')), (V('x'), V('x', mode='a')), (V('x') + 1, V('x') + 1.0),
            (V('x') + 1, 1 + V('x')), (V('x') + 1, V('x') - 1), (F(add), F(other)), (F(add), L(add)),
            (C('a', default=None), C('a')), ([1], (1,)), (I('current'), I('max')), (P([1]), PP([1])),
            (R('normal', size=2), R('normal', size=3)), (1, True), (W(V('x')), V('x')),
        ]
        for left, right in pairs:
            assert structural_key(left) != structural_key(right), (left, right)

    def test_dict_and_set_order_do_not_matter(self):
        assert structural_key({'a': 1, 'b': V('x')}) == structural_key({'b': V('x'), 'a': 1})
        assert structural_key({3, 1, 2}) == structural_key({1, 2, 3})

    def test_unhashable_leaves_key_by_identity(self):
        array = np.zeros(2)
        assert structural_key(array) == ('id', id(array))
        assert structural_key(V('x')[array]) == structural_key(V('x')[array])
        assert structural_key(V('x')[array]) != structural_key(V('x')[np.zeros(2)])
