"""Typed resources: Resource(kind, name), ResourceKind, and effects that carry them."""
import pickle

import pytest

from dagflow import Pipeline, V
from dagflow.core import Access, Effect, Resource, ResourceKind
from dagflow.data.action import RESOURCE_KINDS

VAR = ResourceKind.VARIABLE


class TestResource:
    def test_prints_as_the_kind_name_spelling(self):
        assert str(Resource(VAR, 'loss')) == 'var:loss'
        assert str(Resource(ResourceKind.CONFIG, 'model/lr')) == 'config:model/lr'

    def test_parse_is_the_inverse_of_str(self):
        for text in ('var:x', 'model:*', 'config:a/b', 'lock:train', 'io:stdout', 'stream:rebatch'):
            assert str(Resource.parse(text)) == text
        assert Resource.parse(' Var: x ') == Resource(VAR, 'x')

    def test_repr_evaluates_back(self):
        resource = Resource(ResourceKind.MODEL, 'unet')
        assert eval(repr(resource), {'Resource': Resource}) == resource

    @pytest.mark.parametrize('text', ['varr:x', 'var:', 'x', ''])
    def test_parse_refuses_an_unknown_kind_or_no_name(self, text):
        with pytest.raises(ValueError, match=r"bad resource .*expected 'kind:name' with kind one of 'var', 'model'"):
            Resource.parse(text)

    def test_parse_suggests_a_close_kind(self):
        with pytest.raises(ValueError, match=r"Did you mean 'model'\?"):
            Resource.parse('modle:m')

    def test_hashes_orders_and_pickles_as_a_value(self):
        a, b = Resource(VAR, 'a'), Resource.parse('var:a')
        assert a == b and hash(a) == hash(b) and len({a, b}) == 1
        assert sorted([Resource.parse('var:b'), Resource.parse('model:m'), Resource.parse('var:a')]) == [
            Resource.parse('model:m'), Resource.parse('var:a'), Resource.parse('var:b')]
        assert pickle.loads(pickle.dumps(a)) == a

    def test_wildcard(self):
        assert Resource(VAR, 'x').wildcard == Resource.parse('var:*')
        assert Resource.parse('var:*').is_wildcard and not Resource(VAR, 'x').is_wildcard


def test_the_declarable_kinds_are_those_action_accepts():
    # data/action.py sits below core and validates @action(reads=, writes=) with its own tuple
    assert RESOURCE_KINDS == tuple(kind.value for kind in ResourceKind if kind.declarable)


class TestEffect:
    def test_given_as_a_spelling_it_keeps_a_resource(self):
        effect = Effect('var:n', Access.WRITE)
        assert isinstance(effect.resource, Resource) and effect == Effect(Resource(VAR, 'n'), Access.WRITE)
        assert str(effect) == 'write var:n'

    def test_plan_effects_and_edges_carry_resources(self):
        plan = Pipeline().init_variable('n', 0).update(V('n'), V('n') + 1).compile()
        assert all(isinstance(e.resource, Resource) for e in plan.nodes['main', 0]['effects'])
        assert plan.edges[('main', 0), ('main', 0)]['resources'] == (Resource(VAR, 'n'),)
        assert 'carried from 0 (var:n)' in str(plan)
