from collections import OrderedDict, defaultdict, namedtuple

import numpy as np
import pytest

from dagflow.config import Config
from dagflow.exceptions import ComponentError, ExpressionError, UndefinedVariableError
from dagflow.expr import IF, PP, B, C, Context, D, F, I, IterationInfo, L, M, P, R, V, W, eval_expr, evaluate

Point = namedtuple('Point', 'x y')


def add(a, b=0):
    return a + b


def first_label(batch, offset=0):
    return batch.labels[0] + offset


def no_args():
    return 'static'


class TestLeaves:
    def test_b(self, ctx, batch):
        assert evaluate(B.labels, ctx) == [0, 1, 0, 1]
        assert evaluate(B(), ctx) is batch
        assert evaluate(B.size, ctx) == 4

    def test_b_copy_of_a_component(self, ctx, batch):
        value = evaluate(B('labels', copy=True), ctx)
        value.append(9)
        assert value == [0, 1, 0, 1, 9] and batch.labels == [0, 1, 0, 1]

    def test_b_copy_of_the_batch_shares_pipeline_and_context(self, ctx, batch):
        batch.context = ctx
        clone = evaluate(B(copy=True), ctx)
        clone.images[0, 0] = -1.0
        assert clone is not batch and batch.images[0, 0] == 0.0
        assert clone.pipeline is batch.pipeline and clone.context is ctx

    def test_b_copy_uses_the_batchs_own_copy(self, make_batch):
        class Copying(make_batch):
            def copy(self):
                return 'own copy'
        assert evaluate(B(copy=True), Context(batch=Copying([1], [0]))) == 'own copy'

    def test_b_without_batch(self, pipeline):
        with pytest.raises(ExpressionError, match=r'B.images needs a batch, but there is none here: batch '
                                                  r'expressions cannot be evaluated before a batch exists'):
            evaluate(B.images, Context(pipeline=pipeline))

    def test_b_missing_component_suggests(self, ctx):
        with pytest.raises(ComponentError, match=r"FakeBatch has no component or attribute 'imagse' \(in "
                                                 r"B.imagse\). Did you mean 'images'\?") as info:
            evaluate(B.imagse, ctx)
        assert (info.value.name, info.value.batch_class) == ('imagse', 'FakeBatch')
        assert info.value.components == ('images', 'labels')
        assert isinstance(info.value, AttributeError)

    def test_b_missing_component_on_a_batch_without_components(self):
        class Plain:
            width = 3
        with pytest.raises(ComponentError, match=r"Plain has no component or attribute 'widht'.*'width'"):
            evaluate(B.widht, Context(batch=Plain()))

    def test_v(self, ctx):
        assert evaluate(V('n'), ctx) == 3
        assert evaluate(V.history, ctx) == [1]

    def test_v_undefined_is_the_pipelines_error(self, ctx):
        with pytest.raises(UndefinedVariableError, match="Variable 'nope' is not defined"):
            evaluate(V('nope'), ctx)

    def test_v_without_pipeline(self):
        with pytest.raises(ExpressionError, match=r"V\('n'\) needs a pipeline, but there is none here"):
            evaluate(V('n'), Context())

    def test_v_holding_an_expression_is_evaluated_again(self, ctx):
        ctx.pipeline.variables['shape'] = B.images.shape
        assert evaluate(V('shape'), ctx) == (4, 3)
        assert evaluate(W(V('shape')), ctx) is not None
        assert repr(evaluate(W(V('shape')), ctx)) == "V('shape')"

    def test_c(self, ctx, pipeline):
        assert evaluate(C('model/lr'), ctx) == 0.1
        assert evaluate(C.epochs, ctx) == 2
        assert evaluate(C(), ctx) is pipeline.config
        assert evaluate(C('missing', default=None), ctx) is None

    def test_c_missing_key(self, ctx):
        with pytest.raises(KeyError, match=r"'model/lrr' is not in the config. Did you mean 'model/lr'.*"
                                           r"--config model/lrr=\.\.\. with `dagflow run`\), or give a default"):
            evaluate(C('model/lrr'), ctx)

    def test_c_with_a_plain_dict_config(self, make_pipeline):
        pipeline = make_pipeline()
        pipeline.config = {'a': {'b': 1}}
        assert evaluate(C('a/b'), Context(pipeline=pipeline)) == 1
        pipeline.config = None
        assert evaluate(C(), Context(pipeline=pipeline)) == {}

    def test_d(self, ctx, pipeline):
        assert evaluate(D('classes'), ctx) == 3
        assert evaluate(D(), ctx) is pipeline.dataset

    def test_d_prefers_the_contexts_dataset_then_the_batchs(self, make_batch):
        batch = make_batch([1], [0], dataset='batch dataset')
        assert evaluate(D(), Context(batch=batch)) == 'batch dataset'
        assert evaluate(D(), Context(batch=batch, dataset='own')) == 'own'

    def test_d_errors(self, ctx):
        with pytest.raises(ExpressionError, match=r"D\('classes'\) needs a dataset, but neither"):
            evaluate(D('classes'), Context())
        with pytest.raises(KeyError, match=r"FakeDataset has no attribute 'clases'.*'classes'") as info:
            evaluate(D('clases'), ctx)
        assert isinstance(info.value, ExpressionError)   # a KeyError, as BatchFlow raises, and a ValueError

    def test_f_gets_the_batch(self, ctx):
        assert evaluate(F(first_label), ctx) == 0
        assert evaluate(F(first_label, V('n')), ctx) == 3
        assert evaluate(F(first_label, offset=B.size), ctx) == 4

    def test_f_of_a_callable_without_arguments_is_called_without_the_batch(self, ctx):
        assert evaluate(F(no_args), ctx) == 'static'
        assert evaluate(F(list), ctx) == []
        assert evaluate(F(lambda batch=None: batch), ctx) is None

    def test_f_of_a_lambda_taking_the_batch(self, ctx, batch):
        assert evaluate(F(lambda batch: batch.size), ctx) == 4
        assert evaluate(F(type(batch).__len__), ctx) == 4

    def test_f_that_needs_the_batch_where_there_is_none(self, pipeline):
        with pytest.raises(ExpressionError, match=r'F\(first_label\) needs a batch, but there is none here: '
                                                  r'first_label takes an argument, which F fills with the '
                                                  r'batch. Use a dynamic model'):
            evaluate(F(first_label), Context(pipeline=pipeline))

    def test_f_without_batch_is_called_with_nothing(self, pipeline):
        assert evaluate(F(no_args), Context(pipeline=pipeline)) == 'static'
        assert evaluate(F(add, V('n'), b=1), Context(pipeline=pipeline)) == 4

    def test_f_call_form_does_not_prepend_the_batch(self, ctx, batch):
        assert evaluate(F(add)(V('n'), b=B.size), ctx) == 7
        assert evaluate(F(first_label)(B(), offset=10), ctx) == 10
        assert evaluate(F(add, 1)(2), ctx) == 3
        assert evaluate(F(add, b=1)(2, b=5), ctx) == 7

    def test_l_never_gets_the_batch(self, ctx):
        assert evaluate(L(no_args), ctx) == 'static'
        assert evaluate(L(add, V('n'), 1), ctx) == 4
        assert evaluate(L(add)(V('n'), b=2), ctx) == 5

    def test_r_is_deterministic_with_a_seeded_generator(self, batch):
        expr = R('normal', 0, 1, size=B.size)
        first = evaluate(expr, Context(batch=batch, random=np.random.default_rng(5)))
        again = evaluate(expr, Context(batch=batch, random=np.random.default_rng(5)))
        np.testing.assert_array_equal(first, again)
        np.testing.assert_array_equal(first, np.random.default_rng(5).normal(0, 1, size=4))

    def test_r_arguments_are_evaluated(self, ctx):
        value = evaluate(R('integers', V('n'), V('n') + 1, size=(2, V('n'))), ctx)
        np.testing.assert_array_equal(value, np.full((2, 3), 3))

    def test_r_choice_forms(self, ctx):
        assert evaluate(R(['a', 'b', 'c']), ctx) in {'a', 'b', 'c'}
        assert evaluate(R('choice', ['x'], size=2), ctx).tolist() == ['x', 'x']
        assert evaluate(R(['a', 'b'], p=[0, 1], size=3), ctx).tolist() == ['b', 'b', 'b']

    def test_seeded_r_depends_on_its_seed_and_the_batch_position_only(self, batch):
        def at(number, run_seed, seed=42):
            ctx = Context(batch=batch, iteration=IterationInfo(number=number, total=9),
                          random=np.random.default_rng(run_seed))
            return evaluate(R('normal', 0, 1, size=3, seed=seed), ctx)
        np.testing.assert_array_equal(at(2, run_seed=1), at(2, run_seed=2))
        assert not np.array_equal(at(2, run_seed=1), at(3, run_seed=1))
        assert not np.array_equal(at(2, run_seed=1), at(2, run_seed=1, seed=43))

    def test_seeded_r_outside_a_run_is_the_seeds_generator(self):
        value = R('poisson', lam=4, size=(2, 5), seed=7).get()
        np.testing.assert_array_equal(value, np.random.default_rng(7).poisson(lam=4, size=(2, 5)))

    def test_seeded_r_choice_with_probabilities(self, ctx):
        value = evaluate(R(['opera', 'ballet', 'musical'], p=[.1, .15, .75], size=15, seed=42), ctx)
        assert value.shape == (15,) and set(value) <= {'opera', 'ballet', 'musical'}
        np.testing.assert_array_equal(value, evaluate(R(['opera', 'ballet', 'musical'], p=[.1, .15, .75],
                                                        size=15, seed=42), ctx))

    def test_pp_of_a_seeded_r_draws_per_item(self, ctx):
        values = evaluate(PP(R('normal', seed=5)), ctx)
        assert len(set(values)) == 4
        assert values == evaluate(PP(R('normal', seed=5)), ctx)

    def test_r_get_with_a_leading_size(self, ctx):
        assert R('normal', 0, 1, size=(10, 20)).get(context=ctx, size=30).shape == (30, 10, 20)
        assert R('normal').get(context=ctx, size=(2, 3)).shape == (2, 3)

    def test_r_without_generator_uses_a_fresh_one(self):
        assert 0 <= evaluate(R('uniform'), Context()) < 1

    def test_m_asks_the_pipeline_for_the_model(self, ctx, batch):
        asked = []
        ctx.pipeline.get_model_by_name = lambda name, batch=None: asked.append((name, batch)) or 'model'
        assert evaluate(M('unet'), ctx) == 'model' and asked == [('unet', batch)]

    def test_if_evaluates_only_the_chosen_branch(self, ctx):
        assert evaluate(IF(V('n') > 1, B.size, V('missing')), ctx) == 4
        assert evaluate(IF(V('n') > 5, V('missing'), 'small'), ctx) == 'small'

    def test_w(self, ctx):
        inner = V('n') + 1
        assert evaluate(W(inner), ctx) is inner

    @pytest.mark.parametrize(('name', 'value'), [('current', 4), ('max', 10), ('ratio', 0.4)])
    def test_i(self, name, value, ctx):
        assert evaluate(I(name), ctx) == value

    def test_i_errors(self):
        with pytest.raises(ExpressionError, match=r"I\('current'\) needs an iteration, but there is none"):
            evaluate(I(), Context())
        open_ended = Context(iteration=IterationInfo(number=2))
        assert evaluate(I('max'), open_ended) is None
        with pytest.raises(ExpressionError, match=r"I\('ratio'\) needs the total number of batches"):
            evaluate(I('ratio'), open_ended)

    def test_p_draws_once_per_item(self, ctx):
        assert evaluate(P(R('normal', 0, 1)), ctx).shape == (4,)
        assert evaluate(P(R('normal', 0, 1, size=3)), ctx).shape == (4, 3)
        assert evaluate(P('uniform', size=(2, 5)), ctx).shape == (4, 2, 5)
        assert evaluate(P(R('uniform', size=V('n'))), ctx).shape == (4, 3)

    def test_p_values_must_fit_the_batch(self, ctx):
        assert evaluate(P(B.labels), ctx) == [0, 1, 0, 1]
        assert evaluate(P([V('n')] * 4), ctx) == [3, 3, 3, 3]
        with pytest.raises(ExpressionError, match=r'P\(V\(\'history\'\)\) must give one value per batch item '
                                                  r'\(len=4\), but got len=1'):
            evaluate(P(V('history')), ctx)
        with pytest.raises(ExpressionError, match=r'but got a int with no length'):
            evaluate(P(V('n')), ctx)

    def test_p_needs_a_batch(self):
        with pytest.raises(ExpressionError, match=r'needs a batch, .* per-item values need the batch'):
            evaluate(P([1]), Context())

    def test_pp_evaluates_per_item(self, ctx):
        values = evaluate(PP(R('normal', 0, 1, size=2)), ctx)
        assert isinstance(values, list)
        assert len(values) == 4
        assert all(value.shape == (2,) for value in values)
        assert not np.array_equal(values[0], values[1])
        assert evaluate(PP(V('n')), ctx) == [3, 3, 3, 3]

    def test_pp_of_a_function_without_arguments_as_in_batchflow_docs(self, ctx):
        angles = iter(range(10, 100, 10))
        assert evaluate(PP(F(lambda: next(angles))), ctx) == [10, 20, 30, 40]

    def test_p_of_r_with_a_random_size_as_in_batchflow_docs(self, ctx):
        value = evaluate(P(R('normal', 0, 1, size=R('randint', 3, 8))), ctx)
        assert value.shape[0] == 4 and 3 <= value.shape[1] < 8

    def test_pp_for_shapes_p_cannot_broadcast(self, ctx):
        values = evaluate(PP(R('normal', R('normal', 50, 15, size=3), 15)), ctx)
        assert len(values) == 4 and values[0].shape == (3,)

    def test_batch_length_falls_back_to_size(self, pipeline):
        class Sized:
            size = 2
        assert evaluate(PP(1), Context(batch=Sized())) == [1, 1]


class TestContainers:
    def test_nested_containers_with_dict_keys(self, ctx):
        value = {'a': [V('n'), (B.size, {V('n') + 1})], V('name'): {'deep': [C('epochs')]}}
        assert evaluate(value, ctx) == {'a': [3, (4, {4})], 'labels': {'deep': [2]}}

    def test_container_types_are_kept(self, ctx):
        assert evaluate(Point(V('n'), 1), ctx) == Point(3, 1)
        assert type(evaluate(Point(V('n'), 1), ctx)) is Point
        assert evaluate(frozenset([V('n')]), ctx) == frozenset([3])
        ordered = evaluate(OrderedDict(a=V('n')), ctx)
        assert type(ordered) is OrderedDict
        default = evaluate(defaultdict(list, a=V('n')), ctx)
        assert (type(default), default['a'], default['missing']) == (defaultdict, 3, [])
        assert evaluate(slice(V('n'), None), ctx) == slice(3, None)

    def test_config_is_evaluated(self, ctx):
        result = evaluate(Config({'model': {'lr': V('n')}, 'plain': 1}), ctx)
        assert isinstance(result, Config)
        assert result['model/lr'] == 3

    def test_containers_without_expressions_are_returned_as_is(self, ctx):
        for value in ([1, [2]], (1, 2), {'a': [1]}, {1, 2}, Config(a=1), slice(1, 2)):
            assert evaluate(value, ctx) is value

    def test_other_objects_are_returned_as_is(self, ctx):
        array = np.arange(3)
        assert evaluate(array, ctx) is array
        assert evaluate('text', ctx) == 'text'
        assert evaluate(None, ctx) is None


class TestEvalExpr:
    def test_batchflow_spelling(self, batch, pipeline):
        assert eval_expr([B.size, V('n')], batch=batch) == [4, 3]
        assert eval_expr(V('n') + 1, pipeline=pipeline) == 4

    def test_no_eval_keeps_values_of_those_keys(self, batch):
        result = eval_expr({'now': B.size, 'later': B.size * 2}, no_eval=['later'], batch=batch)
        assert result['now'] == 4 and repr(result['later']) == '(B.size * 2)'

    def test_exported_from_dagflow_with_named_expression(self):
        import dagflow
        assert dagflow.eval_expr is eval_expr
        assert isinstance(dagflow.B.x + 1, dagflow.NamedExpression)


class TestMethods:
    def test_set_without_evaluating(self, pipeline):
        V('kept').set(V('n') + 1, pipeline=pipeline, eval=False)
        assert repr(pipeline.variables['kept']) == "(V('n') + 1)"

    def test_append_extend_update(self, pipeline):
        V('history').append(2, pipeline=pipeline)
        V('history').extend([3, 4], pipeline=pipeline)
        V('stats').update({'acc': 1.0}, pipeline=pipeline)
        assert pipeline.variables['history'] == [1, 2, 3, 4]
        assert pipeline.variables['stats'] == {'loss': 1.0, 'acc': 1.0}

    def test_set_evaluates_the_value(self, batch):
        V('history').set(B.size, batch=batch, mode='a')
        assert batch.pipeline.variables['history'] == [1, 4]

    def test_set_uses_own_mode(self, batch, pipeline):
        V('history', mode='e').set([5, 6], pipeline=pipeline)
        assert pipeline.variables['history'] == [1, 5, 6]

    def test_assign_replaces(self, batch):
        V('history', mode='a').assign(0, batch=batch)
        assert batch.pipeline.variables['history'] == 0

    def test_get_with_context_and_overrides(self, ctx, make_pipeline):
        other = make_pipeline(variables={'n': 100})
        assert V('n').get(context=ctx) == 3
        assert V('n').get(context=ctx, pipeline=other) == 100
        assert I('current').get(context=ctx) == 4

    def test_get_uses_the_batchs_own_context(self, batch):
        batch.context = Context(iteration=IterationInfo(number=9, total=10))
        assert (I('current') + B.size).get(batch=batch) == 14
