"""ActionSpec: the facts about each API action, declared once, checked when it is registered."""
import importlib
import sys

import pytest

from dagflow import Pipeline, V
from dagflow.core import API_SPECS, ActionSpec, Assigns, ResourceKind, UsesModel, Writes, register_action
from dagflow.core import actions as registry
from dagflow.exceptions import ActionSpecError
from dagflow.pipeline import Step, StepKind
from dagflow.plan import Access, Effect, effects_of
from dagflow.plan.effects import defines_model, splits_stream
from dagflow.runtime.api import API_ACTIONS


def shout(ctx, text, target=None, mode='w'):
    return ctx.batch


class TestRegistration:
    def test_a_spec_without_effects_fails_naming_the_action(self):
        with pytest.raises(ActionSpecError, match=r"API action 'shout' does not declare its effects.*effects=\(\)"
                                                  r" when it touches no shared state") as info:
            ActionSpec('shout', shout)
        assert (info.value.name, info.value.missing) == ('shout', 'effects')

    def test_a_module_registering_an_action_without_effects_fails_at_import(self, tmp_path, monkeypatch):
        (tmp_path / 'bogus_actions.py').write_text(
            'from dagflow.core import ActionSpec, register_action\n\n'
            'def bogus(ctx, name):\n    return ctx.batch\n\n'
            "register_action(ActionSpec('bogus', bogus))\n")
        monkeypatch.syspath_prepend(str(tmp_path))
        with pytest.raises(ActionSpecError, match=r"API action 'bogus' does not declare its effects"):
            importlib.import_module('bogus_actions')
        sys.modules.pop('bogus_actions', None)
        assert 'bogus' not in API_SPECS

    def test_a_fact_naming_an_argument_the_body_lacks_fails(self):
        with pytest.raises(ActionSpecError, match=r"'shout': Assigns\(argument='save_to'\) names argument 'save_to', "
                                                  r"which its body does not take") as info:
            ActionSpec('shout', shout, effects=(Assigns('save_to'),))
        assert info.value.missing == 'save_to'

    def test_a_write_needs_a_name_or_an_argument(self):
        with pytest.raises(ActionSpecError, match=r'needs exactly one of name='):
            Writes(ResourceKind.LOCK)

    def test_unknown_sections_fail(self):
        with pytest.raises(ActionSpecError, match=r"sections must be some of"):
            ActionSpec('shout', shout, effects=(), sections=('middle',))

    def test_another_spec_under_a_taken_name_fails(self):
        with pytest.raises(ActionSpecError, match=r"API action 'print' is already registered"):
            register_action(ActionSpec('print', shout, effects=()))
        assert API_SPECS['print'].body is API_ACTIONS['print']

    def test_every_api_action_is_registered_with_its_body(self):
        assert {name: spec.body for name, spec in API_SPECS.items()} == API_ACTIONS

    def test_defaults_come_from_the_body(self):
        assert dict(ActionSpec('shout', shout, effects=()).defaults) == {'target': None, 'mode': 'w'}
        step = Pipeline().update(V('x'), 1, mode='w').steps('main')[0]
        assert dict(step.kwargs) == {}   # a keyword at its spec's default is not recorded


class TestEffectsReadTheSpec:
    @pytest.fixture
    def registered(self, monkeypatch):
        def put(spec):
            monkeypatch.setitem(registry._REGISTRY, spec.name, spec)
            return spec
        return put

    def test_assigned_and_written_facts(self, registered):
        registered(ActionSpec('shout', shout, effects=(Assigns('target'), Writes(ResourceKind.IO, 'stdout'))))
        step = Step('shout', StepKind.API, args=(V('a'), V('b')))
        assert effects_of(step) == {Effect('var:a', Access.READ), Effect('var:b', Access.WRITE),
                                    Effect('io:stdout', Access.WRITE)}

    def test_a_pure_action_reads_its_arguments_only(self, registered):
        registered(ActionSpec('shout', shout, effects=()))
        assert effects_of(Step('shout', StepKind.API, args=(V('a'),))) == {Effect('var:a', Access.READ)}

    def test_a_model_argument_is_a_write_of_that_model(self, registered):
        registered(ActionSpec('shout', shout, effects=(UsesModel('text'),), defines_model=True))
        step = Step('shout', StepKind.API, kwargs={'text': 'unet'})
        assert effects_of(step) == {Effect('model:unet', Access.WRITE)} and defines_model(step)

    def test_splitting_the_stream_is_read_from_the_spec(self, registered):
        assert splits_stream(Step('rebatch', StepKind.API, args=(2,)))
        registered(ActionSpec('shout', shout, effects=(), splits_stream=True))
        assert splits_stream(Step('shout', StepKind.API, args=('x',)))
        assert not splits_stream(Step('rebatch', StepKind.FUNCTION, args=(2,)))

    def test_an_api_step_without_a_spec_is_an_error_not_a_pure_step(self):
        with pytest.raises(ActionSpecError, match=r"No API action 'nothing_known' is registered"):
            effects_of(Step('nothing_known', StepKind.API))

    def test_a_lock_named_at_run_time_is_any_lock(self):
        from dagflow import C
        assert effects_of(Step('acquire_lock', StepKind.API, args=(C('lock'),))) == {
            Effect('lock:*', Access.WRITE), Effect('config:lock', Access.READ)}

    def test_sections_of_the_spec_are_enforced_when_recording(self):
        from dagflow.exceptions import StepArgumentError
        p = Pipeline()
        with pytest.raises(StepArgumentError, match=r'rebatch.*can only be used in the main section'):
            p.before.rebatch(4)
