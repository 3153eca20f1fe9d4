import numpy as np
import pytest

from dagflow.exceptions import ExpressionError
from dagflow.expr import IF, B, C, Context, D, F, I, L, P, R, V, W, assign


def add(a, b=0):
    return a + b


class TestAssign:
    @pytest.mark.parametrize(('mode', 'value', 'expected'), [
        ('w', [9], [9]), ('a', 9, [1, 9]), ('append', 9, [1, 9]), ('e', [8, 9], [1, 8, 9]),
        ('extend', (8,), [1, 8]),
    ])
    def test_v_modes(self, mode, value, expected, ctx):
        assign(V('history'), value, ctx, mode=mode)
        assert ctx.pipeline.variables['history'] == expected

    def test_v_update_and_own_mode(self, ctx):
        assign(V('stats', mode='u'), {'acc': 0.5}, ctx)
        assert ctx.pipeline.variables['stats'] == {'loss': 1.0, 'acc': 0.5}
        assign(V('history', mode='a'), 2, ctx)
        assert ctx.pipeline.variables['history'] == [1, 2]
        assign(V('history', mode='a'), [3], ctx, mode='w')
        assert ctx.pipeline.variables['history'] == [3]

    def test_v_new_variable(self, ctx):
        assign(V('fresh', mode='a'), 1, ctx)
        assign(V('fresh2', mode='e'), (1, 2), ctx)
        assign(V('fresh3', mode='u'), {'a': 1}, ctx)
        assert ctx.pipeline.variables['fresh'] == [1]
        assert ctx.pipeline.variables['fresh2'] == [1, 2]
        assert ctx.pipeline.variables['fresh3'] == {'a': 1}

    @pytest.mark.parametrize(('mode', 'value', 'expected'), [
        ('w', 5, 5), ('a', 2, [0, 1, 0, 1, 2]), ('e', [2, 3], [0, 1, 0, 1, 2, 3]),
    ])
    def test_b_modes(self, mode, value, expected, ctx):
        assign(B.labels, value, ctx, mode=mode)
        assert ctx.batch.labels == expected

    def test_b_new_component_and_update(self, ctx):
        assign(B('meta', mode='u'), {'a': 1}, ctx)
        assign(B.meta, {'b': 2}, ctx, mode='u')
        assert ctx.batch.meta == {'a': 1, 'b': 2}

    def test_b_array_modes(self, ctx):
        assign(B.images, np.ones(3), ctx, mode='a')
        assert ctx.batch.images.shape == (5, 3)
        assign(B.images, np.zeros((2, 3)), ctx, mode='e')
        assert ctx.batch.images.shape == (7, 3)

    @pytest.mark.parametrize(('mode', 'value', 'expected'), [
        ('w', 0.5, 0.5), ('a', 0.5, [0.1, 0.5]), ('e', [0.5], [0.1, 0.5]),
    ])
    def test_c_modes(self, mode, value, expected, ctx):
        ctx.pipeline.config['model/lr'] = [0.1] if mode != 'w' else 0.1
        assign(C('model/lr'), value, ctx, mode=mode)
        assert ctx.pipeline.config['model/lr'] == expected
        assert ctx.pipeline.config['model/depth'] == 4

    def test_c_update_and_new_key(self, ctx):
        assign(C('model'), {'depth': 5, 'act': 'relu'}, ctx, mode='u')
        assert ctx.pipeline.config['model'] == {'lr': 0.1, 'depth': 5, 'act': 'relu'}
        assign(C('new/key'), 1, ctx)
        assert ctx.pipeline.config['new/key'] == 1

    def test_item_of_a_component(self, ctx):
        assign(B.images[0], -1.0, ctx)
        np.testing.assert_array_equal(ctx.batch.images[0], [-1.0, -1.0, -1.0])
        assign(B.labels[V('n')], 7, ctx)
        assert ctx.batch.labels == [0, 1, 0, 7]

    def test_item_modes(self, ctx):
        assign(V('stats')['loss'], 2.0, ctx)
        assign(V('stats')['seen'], 'a', ctx, mode='a')
        assign(V('stats')['seen'], 'b', ctx, mode='a')
        assert ctx.pipeline.variables['stats'] == {'loss': 2.0, 'seen': ['a', 'b']}

    def test_item_of_a_variable_is_written_back(self, make_pipeline):
        class CopyingPipeline(make_pipeline):
            def get_variable(self, name):
                self.reads = getattr(self, 'reads', 0) + 1
                return dict(super().get_variable(name))

        pipeline = CopyingPipeline(variables={'stats': {'loss': 1.0}})
        assign(V('stats')['acc'], 0.5, Context(pipeline=pipeline))
        assert pipeline.variables['stats'] == {'loss': 1.0, 'acc': 0.5}
        assert pipeline.reads == 1

    def test_deep_chain(self, ctx):
        ctx.pipeline.variables['deep'] = {'a': [{'b': 0}]}
        assign(V('deep')['a'][0]['b'], 1, ctx)
        assert ctx.pipeline.variables['deep'] == {'a': [{'b': 1}]}

    def test_attribute_of_a_component(self, ctx, make_batch):
        ctx.batch.labels = make_batch([1], [2])
        assign(B.labels.images, [5], ctx)
        assign(B.labels.labels, 3, ctx, mode='a')
        assert (ctx.batch.labels.images, ctx.batch.labels.labels) == ([5], [2, 3])

    def test_item_of_an_immutable_value(self, ctx):
        ctx.pipeline.variables['point'] = (1, 2)
        with pytest.raises(ExpressionError, match=r"Cannot assign to V\('point'\)\[0\]: 'tuple' object"):
            assign(V('point')[0], 5, ctx)

    @pytest.mark.parametrize('target', [1, 'x', [V('a'), V('b')], F(add), L(add), R('normal'), D('classes'),
                                        W(V('x')), I(), P([1]), V('n') + 1, B.images.sum(), F(add)(1)])
    def test_not_assignable(self, target, ctx):
        message = (r"Cannot assign to .*: it does not name a location. Only B\('component'\), "
                   r"V\('variable'\), C\('key'\) and items")
        with pytest.raises(ExpressionError, match=message) as info:
            assign(target, 1, ctx)
        assert info.value.target is target

    def test_whole_batch_or_config_is_not_assignable(self, ctx):
        with pytest.raises(ExpressionError, match=r"Cannot assign to B\(\): B\(\) is the whole batch; name"):
            assign(B(), 1, ctx)
        with pytest.raises(ExpressionError, match=r'C\(\) is the whole config'):
            assign(C()['x'], 1, ctx)

    def test_impossible_mode_combination(self, ctx):
        with pytest.raises(ExpressionError, match=r"Mode 'a' \(append\) cannot combine a int value with the "
                                                  r"current value of type int"):
            assign(V('n'), 1, ctx, mode='a')

    def test_bad_explicit_mode(self, ctx):
        with pytest.raises(ExpressionError, match="Unknown assignment mode 'add'"):
            assign(V('n'), 1, ctx, mode='add')

    def test_missing_batch_or_pipeline(self):
        with pytest.raises(ExpressionError, match=r'B.x needs a batch, but there is none here: there is no'):
            assign(B.x, 1, Context())
        with pytest.raises(ExpressionError, match=r"V\('x'\) needs a pipeline"):
            assign(V('x'), 1, Context())

    def test_value_is_stored_unevaluated(self, ctx):
        assign(V('expr'), W(V('n')), ctx)
        assert repr(ctx.pipeline.variables['expr']) == "W(V('n'))"


class TestIntoArrays:
    def test_value_is_written_in_place(self, ctx):
        target = np.zeros((2, 3))
        assign(target, np.arange(6).reshape(2, 3), ctx)
        np.testing.assert_array_equal(target, [[0, 1, 2], [3, 4, 5]])
        assign(target, 7, ctx)   # broadcast, as array[:] = value
        assert (target == 7).all()

    def test_a_scalar_array(self, ctx):
        target = np.array(0.0)
        assign(target, 2.5, ctx)
        assert target == 2.5

    def test_only_mode_w(self, ctx):
        with pytest.raises(ExpressionError, match=r"Cannot store with mode 'a' into a numpy array: an array is "
                                                  r"written in place"):
            assign(np.zeros(2), 1, ctx, mode='a')

    def test_shape_mismatch(self, ctx):
        with pytest.raises(ExpressionError, match=r'Cannot write a value of shape \(3,\) into the save_to array '
                                                  r'of shape \(2,\)'):
            assign(np.zeros(2), np.ones(3), ctx)


class TestIntoIF:
    def test_stores_into_the_chosen_branch(self, ctx):
        assign(IF(V('n') > 1, V('big'), V('small')), 5, ctx)
        assign(IF(V('n') > 10, V('big'), V('small')), 6, ctx)
        assert (ctx.pipeline.variables['big'], ctx.pipeline.variables['small']) == (5, 6)
