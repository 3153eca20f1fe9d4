import dataclasses
import pickle

import pytest

from dagflow.data.action import ActionInfo, action, actions_of, normalize_resources
from dagflow.data.batch import Batch


class Base(Batch):
    @action
    def plain(self):
        return 'plain'

    @action()
    def called(self):
        return 'called'

    @action(use_lock='shared', reads=['var:a', ' Model : m '], writes='var:a')
    def declared(self, x):
        return x

    def helper(self):
        return self


class Child(Base):
    @action
    def extra(self):
        return self

    def plain(self):  # no longer an action
        return 'overridden'


class TestDecorator:
    def test_bare_and_called_forms(self):
        assert Base.plain.action_info == ActionInfo('plain')
        assert Base.called.action_info == ActionInfo('called')

    def test_declarations_are_normalised(self):
        info = Base.declared.action_info
        assert info == ActionInfo('declared', 'shared', ('var:a', 'model:m'), ('var:a',))

    def test_method_stays_callable(self):
        batch = Base([0])
        assert batch.plain() == 'plain' and batch.declared(5) == 5

    def test_info_is_frozen_and_pickles(self):
        info = Base.declared.action_info
        with pytest.raises(dataclasses.FrozenInstanceError):
            info.name = 'x'
        assert pickle.loads(pickle.dumps(info)) == info
        assert pickle.loads(pickle.dumps(Base.declared)) is Base.declared

    @pytest.mark.parametrize('resource', ['counter', 'var:', 'variable:x', ':x', 3])
    def test_bad_resource_at_decoration(self, resource):
        with pytest.raises(ValueError, match=f"writes: bad resource {resource!r}: expected 'kind:name'"):
            action(writes=[resource])

    def test_suggests_the_kind(self):
        with pytest.raises(ValueError, match="Did you mean 'model'"):
            action(reads='modle:m')

    def test_bad_lock(self):
        with pytest.raises(ValueError, match='use_lock must be None, a bool or a lock name, but got 3'):
            action(use_lock=3)

    def test_not_a_function(self):
        with pytest.raises(TypeError, match='@action decorates a batch method'):
            action(staticmethod(lambda: None))

    def test_repeats_are_dropped(self):
        assert normalize_resources(['var:a', 'var:a', 'lock:l']) == ('var:a', 'lock:l')


class TestRegistry:
    def test_actions_include_bases(self):
        assert set(Base.actions()) - set(Batch.actions()) == {'plain', 'called', 'declared'}
        assert set(Batch.actions()) == {'load', 'add_components', 'do_nothing', 'dump', 'save'}
        assert Base.actions()['declared'] is Base.declared

    def test_override_without_action_removes_it(self):
        assert set(Child.actions()) - set(Batch.actions()) == {'called', 'declared', 'extra'}

    def test_action_info_helper(self):
        assert Child.action_info('extra').name == 'extra'
        with pytest.raises(AttributeError, match="Child has no action 'plain'"):
            Child.action_info('plain')

    def test_actions_of_any_class(self):
        assert actions_of(object) == {}
