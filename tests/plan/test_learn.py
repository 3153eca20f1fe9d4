"""Learning, from an action's source, which models and variables it touches through its pipeline."""
import inspect

from dagflow import V
from dagflow.data.action import action
from dagflow.data.batch import Batch
from dagflow.plan.learn import LearnedAccess, learn_accesses, resolve_accesses


def line(function, text):
    """The line in this file of the first line of ``function`` that holds ``text``."""
    lines, first = inspect.getsourcelines(function)
    return first + next(number for number, source in enumerate(lines) if text in source)


def model(access='write', name=None, param=None, at=None):
    return LearnedAccess('model', access, name, param, at)


def var(access, name=None, param=None, at=None):
    return LearnedAccess('var', access, name, param, at)


def config(access='write', name=None, param=None, at=None):
    return LearnedAccess('config', access, name, param, at)


class Plain:
    def literal(self):
        self.get_model_by_name('model-1').train()
        n = self.pipeline.get_variable('counter')
        self.pipeline.set_variable('counter', n + 1)
        return self

    def by_param(self, model_name, lr=0.1):
        return self.get_model_by_name(model_name)

    def by_keyword(self, which='unet'):
        return self.pipeline.m(name=which)

    def via_pipeline(self):
        return self.pipeline.get_model_by_name('p-model', batch=self)

    def var_calls(self, key, *, flag='flag'):
        self.pipeline.v(key, 0)
        self.pipeline.has_variable(flag)
        self.pipeline.delete_variable(key)
        self.pipeline.del_variable('old')

    def aliased(self):
        p = self.pipeline
        p.set_variable('x', 1)

    def other_attribute(self):
        return self.pipeline.variables['x']

    def not_called(self):
        getter = self.get_model_by_name
        return getter('m')

    def by_getattr(self, attribute):
        return getattr(self, 'get_model_by_name')('m'), getattr(self, attribute)  # noqa: B009

    def in_lambda(self, names):
        return list(map(lambda name: self.pipeline.v(name), names))

    def in_nested(self, name):
        def inner():
            return self.get_model_by_name(name)
        return inner()

    def rebound(self, name):
        name = name + '-x'
        return self.get_model_by_name(name)

    def computed(self, name):
        return self.get_model_by_name(f'{name}-x')

    def out_of_order(self, p):
        self.pipeline.set_variable('b', 1)
        self.pipeline.set_variable('a', 1)
        self.pipeline.set_variable(p, 1)
        self.pipeline.get_variable('z'), self.pipeline.get_variable('z')
        self.get_model_by_name('y')  # first
        self.get_model_by_name('y')  # again

    def touches_nothing(self):
        return self.images


class WithHelpers:
    def _model(self, name):
        return self.get_model_by_name(name)

    def _counter(self, key='steps'):
        return self.pipeline.get_variable(key)

    @property
    def best(self):
        return self.get_model_by_name('best')

    @action
    def literal(self):
        return self._model('m1')

    @action
    def outer_param(self, which):
        return self._model(which)

    @action
    def keyword(self, which):
        return self._model(name=which)

    @action
    def unknown(self, which):
        return self._model(which.upper())

    @action
    def default(self):
        return self._counter()

    @action
    def starred(self, names):
        return self._model(*names)

    @action
    def referenced(self, names):
        return list(map(self._model, names))

    @action
    def through_property(self):
        return self.best


class Cyclic:
    def ping(self, n):
        self.pipeline.set_variable('ping', n)
        return self.pong(n)

    def pong(self, n):
        self.get_model_by_name('pong-model')
        return self.ping(n)


class ImagesBatch(Batch):
    components = 'images', 'labels'

    @action
    def train_in_batch(self, model_name, lr=0.1):
        model = self.get_model_by_name(model_name)
        model.train(self.images, self.labels)
        return self

    @action
    def reload(self):
        return self.load(src=None)


def _internal_helper(self):
    return self.pipeline.get_variable('hidden')


_internal_helper.__module__ = 'dagflow.data.fake'


class Internal:
    helper = _internal_helper

    def run(self):
        return self.helper()


class Odd:
    def documented(batch):
        """A docstring whose second line is not indented, so dedent leaves the method indented.
This line starts at column 0."""
        return batch.pipeline.v('odd')


LAMBDAS = {'fetch': lambda self: self.pipeline.get_variable('lam')}


class TestLearn:
    def test_literal_names(self):
        assert learn_accesses(Plain.literal) == (
            model('write', 'model-1', at=line(Plain.literal, "'model-1'")),
            var('write', 'counter', at=line(Plain.literal, 'get_variable')),  # values are changed in place
            var('write', 'counter', at=line(Plain.literal, 'set_variable')))

    def test_names_from_parameters(self):
        assert learn_accesses(Plain.by_param) == (model(param='model_name', at=line(Plain.by_param, 'get_model')),)
        assert learn_accesses(Plain.by_keyword) == (model(param='which', at=line(Plain.by_keyword, 'name=which')),)
        assert learn_accesses(Plain.via_pipeline) == (model(name='p-model', at=line(Plain.via_pipeline, 'p-model')),)

    def test_variable_calls(self):
        at = lambda text: line(Plain.var_calls, text)  # noqa: E731
        assert learn_accesses(Plain.var_calls) == (
            var('read', param='flag', at=at('has_variable')), var('write', param='key', at=at('.v(')),
            var('write', param='key', at=at('delete_variable')), var('write', 'old', at=at('del_variable')))

    def test_opaque_uses_are_wildcards(self):
        for function, text in [(Plain.aliased, 'p = '), (Plain.other_attribute, 'variables')]:
            at = line(function, text)
            assert learn_accesses(function) == (config(at=at), model(at=at), var('write', at=at))
        assert learn_accesses(Plain.not_called) == (model(at=line(Plain.not_called, 'getter =')),)

    def test_getattr_of_self(self):
        at = line(Plain.by_getattr, 'return getattr')
        assert learn_accesses(Plain.by_getattr) == (config(at=at), model(at=at), var('write', at=at))

    def test_nested_functions_are_scanned(self):
        # the lambda's parameter, not the action's, names the variable: unknown
        assert learn_accesses(Plain.in_lambda) == (var('write', at=line(Plain.in_lambda, 'map(lambda')),)
        assert learn_accesses(Plain.in_nested) == (model(param='name', at=line(Plain.in_nested, 'get_model')),)

    def test_rebound_or_computed_parameter_is_a_wildcard(self):
        assert learn_accesses(Plain.rebound) == (model(at=line(Plain.rebound, 'get_model')),)
        assert learn_accesses(Plain.computed) == (model(at=line(Plain.computed, 'get_model')),)

    def test_touches_nothing_and_unknown(self):
        namespace = {}
        exec('def made(self):\n    return self.pipeline\n', namespace)  # noqa: S102
        assert learn_accesses(Plain.touches_nothing) == ()
        assert learn_accesses(namespace['made']) is None
        assert learn_accesses(len) is None
        assert learn_accesses(dict.get) is None

    def test_first_parameter_is_the_batch_whatever_its_name(self):
        assert learn_accesses(Odd.documented) == (var('write', 'odd', at=line(Odd.documented, "v('odd')")),)

    def test_lambda(self):
        assert learn_accesses(LAMBDAS['fetch']) == (var('write', 'lam', at=line(LAMBDAS['fetch'], 'lam')),)

    def test_cached_per_function_and_owner(self):
        first = learn_accesses(Plain.literal)
        assert learn_accesses(Plain.literal) is first
        assert learn_accesses(Plain().literal) is first
        assert learn_accesses(WithHelpers.literal) == ()
        assert learn_accesses(WithHelpers.literal, WithHelpers) == (model(name='m1', at=line(WithHelpers._model,
                                                                                                 'get_model')),)

    def test_sorted_without_repeats(self):
        at = lambda text: line(Plain.out_of_order, text)  # noqa: E731
        assert learn_accesses(Plain.out_of_order) == (
            model(name='y', at=at("'y')  # first")), model(name='y', at=at("'y')  # again")),
            var('write', param='p', at=at('(p,')),
            var('write', 'a', at=at("'a'")), var('write', 'b', at=at("'b'")), var('write', 'z', at=at("'z'")))


class TestHelpers:
    at = line(WithHelpers._model, 'get_model')

    def test_call_site_mapping(self):
        learn = lambda name: learn_accesses(getattr(WithHelpers, name), WithHelpers)  # noqa: E731
        assert learn('literal') == (model(name='m1', at=self.at),)
        assert learn('outer_param') == (model(param='which', at=self.at),)
        assert learn('keyword') == (model(param='which', at=self.at),)
        assert learn('unknown') == (model(at=self.at),)
        assert learn('starred') == (model(at=self.at),)
        assert learn('referenced') == (model(at=self.at),)
        assert learn('default') == (var('write', 'steps', at=line(WithHelpers._counter, 'get_variable')),)
        assert learn('through_property') == (model(name='best', at=line(WithHelpers.best.fget, 'get_model')),)

    def test_recursion_between_helpers_terminates(self):
        ping_at, pong_at = line(Cyclic.ping, 'set_variable'), line(Cyclic.pong, 'get_model')
        expected = (model(name='pong-model', at=pong_at), var('write', 'ping', at=ping_at))
        assert learn_accesses(Cyclic.ping, Cyclic) == expected
        assert learn_accesses(Cyclic.pong, Cyclic) == expected

    def test_dagflow_methods_are_not_analysed(self):
        at = line(ImagesBatch.train_in_batch, 'get_model')
        assert learn_accesses(ImagesBatch.train_in_batch, ImagesBatch) == (model(param='model_name', at=at),)
        assert learn_accesses(ImagesBatch.reload, ImagesBatch) == ()
        assert learn_accesses(Internal.run, Internal) == ()
        assert learn_accesses(_internal_helper) == (var('write', 'hidden', at=line(_internal_helper, 'hidden')),)


def resolved(*args, **kwargs) -> set:
    """``resolve_accesses`` with each resource spelt ``'kind:name'``."""
    return {(str(resource), access) for resource, access in resolve_accesses(*args, **kwargs)}


class TestResolve:
    def test_literal_and_param(self):
        accesses = learn_accesses(Plain.by_param)
        assert resolved(accesses, Plain.by_param, ('unet',), {}) == {('model:unet', 'write')}
        assert resolved(accesses, Plain.by_param, (), {'model_name': 'unet'}) == {('model:unet', 'write')}
        assert resolved(learn_accesses(Plain.literal), Plain.literal, (), {}) == {
            ('model:model-1', 'write'), ('var:counter', 'write')}

    def test_default(self):
        accesses = learn_accesses(Plain.by_keyword)
        assert resolved(accesses, Plain.by_keyword, (), {}) == {('model:unet', 'write')}
        assert resolved(accesses, Plain.by_keyword, ('vgg',), {}) == {('model:vgg', 'write')}

    def test_not_a_name_is_a_wildcard(self):
        accesses = learn_accesses(Plain.by_param)
        assert resolved(accesses, Plain.by_param, (V('name'),), {}) == {('model:*', 'write')}
        assert resolved(accesses, Plain.by_param, (3,), {}) == {('model:*', 'write')}
        missing = (var('read', param='key'), var('write', param='flag'))
        assert resolved(missing, Plain.var_calls, ('k',), {'flag': None}) == {
            ('var:k', 'read'), ('var:*', 'write')}

    def test_binding_failure(self):
        accesses = learn_accesses(Plain.var_calls)
        assert resolved(accesses, Plain.var_calls, (), {'nope': 1}) == {
            ('var:*', 'read'), ('var:old', 'write'), ('var:*', 'write')}

    def test_leading_values(self):
        def joined(batch, other, name):
            return batch, other, name
        accesses = (model(param='name'),)
        assert resolved(accesses, joined, ('m',), {}, leading=2) == {('model:m', 'write')}
        assert resolved(accesses, joined, ('m',), {}) == {('model:*', 'write')}

    def test_unknown(self):
        assert resolved(None, Plain.literal, (), {}) == set()
