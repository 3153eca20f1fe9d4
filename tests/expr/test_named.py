import pickle

import numpy as np
import pytest

from dagflow.exceptions import ExpressionError
from dagflow.expr import IF, NO_DEFAULT, PP, B, C, D, F, I, L, M, P, R, V, W, structural_key


def double(x):
    return 2 * x


def batch_size(batch):
    return len(batch)


EVERY_KIND = [
    B.images, B('my-comp'), B(), B('history', mode='a'), V('loss'), V('sizes', mode='append'),
    C('model/lr'), C(), C('epochs', default=3), D('classes'), D(), F(batch_size), F(double, V('n')),
    F(double)(V('n')), L(double, 4), L(double)(B.size), R('normal', 0, 1, size=B.size), R([1, 2, 3]),
    R('integers', 0, 10, size=(2, 3)), R('normal', seed=3), R(['a'], seed=np.random.default_rng(1)),
    L('objs').imag[0].conj(), B(copy=True), B('images', copy=True), W(V('x')), I('ratio'),
    P(R('uniform', size=2)), P('normal', 0, 1),
    P([1, 2, 3]), PP(R('normal')), (V('n') + 1) * B.images[0], M('unet'), M.unet,
    IF(I.ratio > 0.5, B.images, V('n')),
]


class TestRepr:
    @pytest.mark.parametrize(('expr', 'text'), [
        (B.images, 'B.images'),
        (B('images'), 'B.images'),
        (B('my-comp'), "B('my-comp')"),
        (B('class'), "B('class')"),
        (B('name'), "B('name')"),
        (B('get'), "B('get')"),
        (B(), 'B()'),
        (B('history', mode='a'), "B('history', mode='a')"),
        (V('loss'), "V('loss')"),
        (V.loss, "V('loss')"),
        (V('sizes', mode='a'), "V('sizes', mode='a')"),
        (V('sizes', mode='extend'), "V('sizes', mode='e')"),
        (C('a/b'), "C('a/b')"),
        (C(), 'C()'),
        (C('a', default=None), "C('a', default=None)"),
        (C('a', mode='u'), "C('a', mode='u')"),
        (D('classes'), "D('classes')"),
        (D(), 'D()'),
        (F(double), 'F(double)'),
        (F(double, V('n'), k=1), "F(double, V('n'), k=1)"),
        (F(double)(B.size), 'F(double)(B.size)'),
        (L(double)(1, k=B.x), 'L(double)(1, k=B.x)'),
        (R('normal', 0, 1, size=B.size), 'R(\'normal\', 0, 1, size=B.size)'),
        (R(['a', 'b'], p=[0.5, 0.5]), "R('choice', ['a', 'b'], p=[0.5, 0.5])"),
        (W(V('x')), "W(V('x'))"),
        (I('current'), "I('current')"),
        (M('unet'), "M('unet')"),
        (IF(V('n') > 1, 'a', B.x), "IF((V('n') > 1), 'a', B.x)"),
        (I('m'), "I('max')"),
        (P('normal', 0, 1), "P(R('normal', 0, 1))"),
        (PP(V('x')), "PP(V('x'))"),
        (V('n') + 1, "(V('n') + 1)"),
        (B.images[0], 'B.images[0]'),
        (B.images.shape, 'B.images.shape'),
    ])
    def test_repr(self, expr, text):
        assert repr(expr) == text

    def test_lambda_repr(self):
        assert repr(F(lambda batch: batch)) == 'F(<lambda>)'


class TestConstruction:
    def test_attribute_form_is_the_call_form(self):
        assert structural_key(B.images) == structural_key(B('images'))
        assert structural_key(V.x) == structural_key(V('x'))
        assert structural_key(C.epochs) == structural_key(C('epochs'))
        assert structural_key(D.classes) == structural_key(D('classes'))

    def test_attribute_form_refuses_private_names(self):
        with pytest.raises(AttributeError, match='_hidden'):
            _ = B._hidden

    @pytest.mark.parametrize(('expr', 'kind', 'name'), [
        (B.images, 'B', 'images'), (B(), 'B', ''), (V('x'), 'V', 'x'), (C('a/b'), 'C', 'a/b'),
        (C(), 'C', ''), (D('classes'), 'D', 'classes'), (F(double), 'F', 'double'),
        (L(double), 'lambda', 'double'), (L('objs'), 'L', 'objs'),
        (R('normal'), 'R', 'normal'), (R([1, 2]), 'R', 'choice'), (W(V('x')), 'W', ''),
        (I('r'), 'I', 'ratio'), (P([1]), 'P', ''), (PP(V('x')), 'PP', ''),
    ])
    def test_kind_and_name(self, expr, kind, name):
        assert (expr.kind, expr.name) == (kind, name)

    @pytest.mark.parametrize(('mode', 'letter'), [
        ('w', 'w'), ('write', 'w'), ('a', 'a'), ('append', 'a'), ('e', 'e'), ('extend', 'e'),
        ('u', 'u'), ('update', 'u'),
    ])
    def test_v_mode_is_normalised(self, mode, letter):
        assert V('x', mode=mode).mode == letter

    def test_bad_mode(self):
        with pytest.raises(ExpressionError, match=r"Unknown assignment mode 'add': expected one of 'w' "):
            V('x', mode='add')
        with pytest.raises(ExpressionError, match="Unknown assignment mode 'x'") as info:
            B('images', mode='x')
        assert info.value.mode == 'x'

    def test_bad_names(self):
        with pytest.raises(ExpressionError, match=r"V\(...\) needs a non-empty name, e.g. V\('x'\)"):
            V('')
        with pytest.raises(ExpressionError, match=r'B\(...\) expects a name as a str, but got 3 \(int\)'):
            B(3)

    def test_bad_iteration_name(self):
        with pytest.raises(ExpressionError, match=r"I\(...\) expects 'current', 'max' or 'ratio', but got "
                                                  r"'curent'. Did you mean 'current'\?"):
            I('curent')

    def test_iteration_aliases(self):
        # as BatchFlow reads them: any prefix of 'current', 'maximum', 'total' or 'ratio'
        names = ('c', 'cur', 'current', 'm', 'max', 'maximum', 't', 'tot', 'total', 'r', 'rat', 'ratio')
        assert [I(n).name for n in names] == ['current'] * 3 + ['max'] * 6 + ['ratio'] * 3
        assert I().name == 'current'

    def test_iteration_attribute_form(self):
        assert [structural_key(e) for e in (I.current, I.max, I.ratio)] == [
            structural_key(I('current')), structural_key(I('max')), structural_key(I('ratio'))]

    def test_f_needs_a_callable(self):
        with pytest.raises(ExpressionError, match=r"F\(...\) expects a callable, but got 'double' \(str\)"):
            F('double')

    def test_r_needs_a_distribution(self):
        with pytest.raises(ExpressionError, match=r"got 'normall'. Did you mean 'normal'"):
            R('normall')
        with pytest.raises(ExpressionError, match=r'or a sequence to choose from, but got 5'):
            R(5)

    def test_r_seed_forms(self):
        assert R('normal', seed=42).seed == 42
        assert R('normal', seed=np.random.SeedSequence(5)).seed == R('normal', seed=np.random.SeedSequence(5)).seed
        from_generator = R('normal', seed=np.random.default_rng(3)).seed
        assert from_generator == R('normal', seed=np.random.default_rng(3)).seed and len(from_generator) == 4
        assert len(R('normal', seed=np.random.PCG64(3)).seed) == len(R('normal', seed=np.random.RandomState(3)).seed)
        assert repr(R('beta', 1, 1, seed=14)) == "R('beta', 1, 1, seed=14)"

    def test_r_bad_seed_and_state(self):
        with pytest.raises(ExpressionError, match=r"R\('normal', ..., seed=...\) expects a non-negative int, a "
                                                  r"SeedSequence, .* but got -1 \(int\)"):
            R('normal', seed=-1)
        with pytest.raises(ExpressionError, match=r"R\('normal', ..., random_state=...\) is not supported: give "
                                                  r"seed=..."):
            R('normal', random_state=1)

    def test_r_randint_and_attribute_form(self):
        assert R('randint', 3, 8).name == 'integers'
        assert structural_key(R.uniform) == structural_key(R('uniform'))

    def test_r_bad_size(self):
        with pytest.raises(ExpressionError, match=r"expects size to be an int, a tuple or an expression, bu"):
            R('normal', size='big')

    def test_r_list_form_is_choice(self):
        expr = R(['a', 'b'], p=[0.1, 0.9])
        assert (expr.name, expr.args, expr.kwargs) == ('choice', (['a', 'b'],), {'p': [0.1, 0.9]})

    def test_w_wraps_only_expressions(self):
        with pytest.raises(ExpressionError, match=r'W\(...\) wraps a named expression, but got 1 \(int\)'):
            W(1)

    def test_p_shortcut_and_its_limits(self):
        assert isinstance(P('normal', 0, 1).expr, R)
        with pytest.raises(ExpressionError, match=r"takes extra arguments only with a distribution name"):
            P([1, 2], 3)

    @pytest.mark.parametrize('kind', [V, C, M])
    def test_another_pipelines_state_is_refused(self, kind):
        with pytest.raises(ExpressionError, match=r"\('loss', pipeline=...\) is not supported: a step reads the "
                                                  r"state of the pipeline that runs it.*other.v\('loss'\)"):
            kind('loss', pipeline=object())

    def test_none_is_the_batch_config_dataset(self):
        assert (repr(B(None)), repr(C(None)), repr(D(None))) == ('B()', 'C()', 'D()')

    def test_c_default(self):
        assert C('x').default is NO_DEFAULT
        assert C('x', default=None).default is None


@pytest.mark.parametrize('expr', EVERY_KIND, ids=repr)
def test_every_kind_refuses_bool(expr):
    with pytest.raises(TypeError, match='truth value of .* is unknown when the pipeline is built'):
        bool(expr)


class TestPickling:
    @pytest.mark.parametrize('expr', EVERY_KIND, ids=repr)
    def test_round_trip(self, expr):
        clone = pickle.loads(pickle.dumps(expr))
        assert type(clone) is type(expr)
        assert repr(clone) == repr(expr)
        assert structural_key(clone) == structural_key(expr)

    def test_no_default_survives_pickling(self):
        assert pickle.loads(pickle.dumps(C('x'))).default is NO_DEFAULT

    def test_r_with_array_choices(self):
        expr = R(np.array([1, 2, 3]))
        clone = pickle.loads(pickle.dumps(expr))
        np.testing.assert_array_equal(clone.args[0], [1, 2, 3])
