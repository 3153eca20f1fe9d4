import pickle

import numpy as np
import pytest

from dagflow.exceptions import ComponentError, ExpressionError
from dagflow.expr import B, Context, L, Lambda, V, assign, evaluate, structural_key, walk


class Box:
    def __init__(self, label, size):
        self.label, self.size = label, size

    def area(self, scale=1):
        return self.size * self.size * scale


@pytest.fixture
def boxes_ctx(make_batch, make_pipeline):
    batch = make_batch(images=[Box('a', 1), Box('b', 2), Box('c', 3)], labels=[[1, 2], [3, 4], [5, 6]])
    return Context(batch=batch, pipeline=make_pipeline(variables={'k': 1, 'scale': 10}))


class TestBuilding:
    def test_repr_and_chain(self):
        expr = L('objs').shape[0].method(1, k=V('k'))
        assert repr(expr) == "L('objs').shape[0].method(1, k=V('k'))"
        expected = (('getattr', 'shape'), ('getitem', 0), ('getattr', 'method'), ('call', (1,), {'k': V('k')}))
        assert structural_key(expr.chain) == structural_key(expected)
        assert repr(L.objs.imag) == "L('objs').imag"

    def test_a_callable_gives_the_older_lambda_form(self):
        assert isinstance(L(sorted), Lambda) and repr(L(sorted, [2, 1])) == 'L(sorted, [2, 1])'
        assert evaluate(L(sorted, [2, 1]), Context()) == [1, 2]

    def test_pickles_and_walks(self):
        expr = L('objs')[V('k')].area(scale=V('scale'))
        clone = pickle.loads(pickle.dumps(expr))
        assert structural_key(clone) == structural_key(expr)
        assert [repr(e) for e in walk(expr) if e.kind == 'V'] == ["V('k')", "V('scale')"]

    def test_refuses_bool(self):
        with pytest.raises(TypeError, match='truth value'):
            bool(L('objs').imag)

    def test_bad_source(self):
        with pytest.raises(ExpressionError, match=r'L\(...\) expects a component name, a sequence of objects'):
            L(5)


class TestReading:
    def test_attribute_item_and_call_item_by_item(self, boxes_ctx):
        assert evaluate(L('images').label, boxes_ctx) == ['a', 'b', 'c']
        assert evaluate(L('labels')[0], boxes_ctx) == [1, 3, 5]
        assert evaluate(L('images').area(), boxes_ctx) == [1, 4, 9]
        assert evaluate(L('images').area(scale=V('scale')), boxes_ctx) == [10, 40, 90]
        assert evaluate(L('labels')[V('k')], boxes_ctx) == [2, 4, 6]

    def test_complex_parts_as_in_batchflow_docs(self, make_batch):
        batch = make_batch(images=np.array([1 + 2j, 3 - 1j]), labels=None)
        assert evaluate(L('images').imag, Context(batch=batch)) == [2.0, -1.0]

    def test_without_chain_is_the_component(self, boxes_ctx):
        assert evaluate(L('labels'), boxes_ctx) is boxes_ctx.batch.labels

    def test_over_a_sequence_or_an_expression(self, boxes_ctx):
        assert evaluate(L([[1, 2], [3, 4]])[1], Context()) == [2, 4]
        assert evaluate(L(B.labels)[1], boxes_ctx) == [2, 4, 6]

    def test_unknown_component(self, boxes_ctx):
        with pytest.raises(ComponentError, match=r"has no component or attribute 'imagse'.*'images'"):
            evaluate(L('imagse').label, boxes_ctx)

    def test_needs_a_batch(self):
        with pytest.raises(ExpressionError, match=r"L\('objs'\).x needs a batch"):
            evaluate(L('objs').x, Context())


class TestWriting:
    def test_attribute_of_each_object(self, boxes_ctx):
        assign(L('images').label, ['x', 'y', 'z'], boxes_ctx)
        assert [box.label for box in boxes_ctx.batch.images] == ['x', 'y', 'z']

    def test_item_of_each_object(self, boxes_ctx):
        assign(L('labels')[0], [0, 0, 0], boxes_ctx)
        assert boxes_ctx.batch.labels == [[0, 2], [0, 4], [0, 6]]

    def test_with_mode_and_through_set(self, boxes_ctx):
        L('labels')[1].set([1, 1, 1], batch=boxes_ctx.batch, mode='w')
        assert boxes_ctx.batch.labels == [[1, 1], [3, 1], [5, 1]]
        assign(L('images').label, ['!', '?', '.'], boxes_ctx, mode='w')
        assert boxes_ctx.batch.images[2].label == '.'

    def test_the_component_itself(self, boxes_ctx):
        assign(L('labels'), [7], boxes_ctx)
        assert boxes_ctx.batch.labels == [7]

    def test_one_value_per_object(self, boxes_ctx):
        with pytest.raises(ExpressionError, match=r"Assigning to L\('images'\).label needs one value per object "
                                                  r"\(3\), but got len=2"):
            assign(L('images').label, ['x', 'y'], boxes_ctx)
        with pytest.raises(ExpressionError, match=r'but got a int'):
            assign(L('images').label, 1, boxes_ctx)

    def test_a_call_is_not_assignable(self, boxes_ctx):
        with pytest.raises(ExpressionError, match=r"Cannot assign to L\('images'\).area\(\): it ends with a call"):
            assign(L('images').area(), [1, 2, 3], boxes_ctx)

    def test_a_sequence_is_not_a_location(self):
        with pytest.raises(ExpressionError, match=r'does not name a batch component'):
            assign(L([1, 2]), [1], Context())
