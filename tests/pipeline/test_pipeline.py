"""The fluent builder: recording, sections, variables, algebra, linking."""
import pickle

import numpy as np
import pytest

from dagflow import B, Batch, C, Config, Dataset, Pipeline, V, action
from dagflow.exceptions import RunArgumentError, StepArgumentError, UndefinedVariableError, UnknownActionError
from dagflow.models import BaseModel
from dagflow.pipeline import StepKind


class Numbers(Batch):
    """The guide's template example needs ``add`` and ``mul`` actions."""

    components = ('x',)

    @action
    def add(self, value):
        self.x = self.x + value
        return self

    @action
    def mul(self, value):
        self.x = self.x * value
        return self


@pytest.fixture
def numbers():
    return Dataset(4, batch_class=Numbers, preloaded=(np.arange(4.0),))


class TestRecording:
    def test_chain_records_steps_in_order(self, images_dataset):
        p = images_dataset.p.normalize().scale(3).update(V('x'), B.size)
        assert [s.name for s in p.steps()] == ['normalize', 'scale', 'update']
        assert [s.kind for s in p.steps()] == [StepKind.ACTION, StepKind.ACTION, StepKind.API]
        assert p.steps()[1].args == (3,)

    def test_step_records_source_line(self, images_dataset):
        p = images_dataset.p.normalize()
        assert p.steps()[0].source.startswith('test_pipeline.py:')

    def test_unknown_action_fails_at_once_with_suggestion(self, images_dataset):
        with pytest.raises(UnknownActionError, match=r"Unknown action 'nromalize'.*Did you mean 'normalize'"):
            images_dataset.p.nromalize()

    def test_unknown_action_on_template(self):
        with pytest.raises(UnknownActionError, match="'totally_unknown_action'"):
            Pipeline().totally_unknown_action()

    def test_malformed_arguments_fail_at_record_time(self, images_dataset):
        with pytest.raises(StepArgumentError, match=r"Action 'scale' .*cannot take these arguments"):
            images_dataset.p.scale(1, 2, 3)
        with pytest.raises(TypeError, match="'target'"):
            images_dataset.p.update()
        with pytest.raises(StepArgumentError, match=r"Action 'normalize' .*Its signature is normalize\(\)"):
            images_dataset.p.normalize(1)

    def test_steps_are_immutable_and_pickle(self, images_dataset):
        p = images_dataset.p.scale(2).update(V('x', mode='a'), B.images[0])
        step = p.steps()[1]
        with pytest.raises(AttributeError):
            step.name = 'other'
        assert pickle.loads(pickle.dumps(step)) == step
        assert repr(step) == "update(V('x', mode='a'), B.images[0])"

    def test_before_and_after_sections(self, images_dataset):
        p = images_dataset.p.init_variable('log', [])
        p.before.update(V('log', mode='a'), 'start')
        p.after.update(V('log', mode='a'), 'end')
        p = p.update(V('log', mode='a'), B.size)
        assert [s.name for s in p.steps('before')] == ['update']
        p.run(batch_size=10)
        assert p.v('log') == ['start', 10, 10, 'end']

    def test_a_section_keeps_its_chain_through_pipeline_methods(self, images_dataset):
        p = images_dataset.p
        view = p.before.init_variable('log', []).update(V('log', mode='a'), 'start')
        p.after.init_variables({'n': 0}).update(V('log', mode='a'), 'end')
        assert [s.name for s in p.steps('before')] == ['update'] and not p.steps('main')
        assert view.run(batch_size=10) is p and view.profile is None and view.v('n') == 0
        assert p.v('log') == ['start', 'end']

    def test_context_manager_form(self, images_dataset):
        with images_dataset.p as p:
            p.init_variable('n', 0)                     # a declaration changes p
            counted = p.update(V('n'), V('n') + 1)      # a step gives a new pipeline
        assert p.steps() == () and counted.run(batch_size=5).v('n') == 4


class TestVariables:
    def test_api(self):
        p = Pipeline().init_variable('a', 1).init_variables(['b', 'c'], d=4)
        assert p.v('a') == 1 and p.get_variable('b') is None and p.v('d') == 4
        p.set_variable('a', 2)
        assert p.get_variable('a') == 2
        assert p.has_variable('c')
        p.delete_variable('c')
        assert not p.has_variable('c')
        p.del_variable('b')
        p.delete_all_variables()
        assert not p.has_variable('a')

    def test_undefined_variable_error_names_it(self):
        p = Pipeline().init_variable('loss', 0)
        with pytest.raises(UndefinedVariableError, match=r"Variable 'los' is not defined.*Did you mean 'loss'"):
            p.v('los')

    def test_set_variable_modes(self):
        p = Pipeline().init_variable('h', [])
        p.set_variable('h', 1, mode='a').set_variable('h', [2, 3], mode='extend')
        assert p.v('h') == [1, 2, 3]

    def test_init_on_each_run_resets(self, ranges_dataset):
        p = (ranges_dataset.p.init_variable('sizes', init_on_each_run=list)
             .init_variable('total', 0)
             .update(V('sizes', mode='a'), B.size)
             .update(V('total'), V('total') + B.size))
        p.run(batch_size=5)
        p.run(batch_size=5)
        assert p.v('sizes') == [5, 5]
        assert p.v('total') == 20

    def test_dict_default_is_not_shared_between_children(self, ranges_dataset):
        template = Pipeline().init_variable('seen', []).update(V('seen', mode='a'), B.size)
        first = (template << ranges_dataset).run(batch_size=5)
        second = template << ranges_dataset
        assert first.v('seen') == [5, 5] and second.v('seen') == []


class Counter(BaseModel):
    """Counts the items it was trained on."""

    def _build(self):
        self.seen = 0

    def train(self, x):
        self.seen += len(x)


class TestChaining:
    """Every chained step returns a new pipeline, as BatchFlow's does; declarations change their pipeline."""

    def test_a_step_returns_a_new_pipeline_and_leaves_the_base_unchanged(self, ranges_dataset):
        base = ranges_dataset.p.init_variable('n', 0).scale(2)
        a = base.update(V('n'), V('n') + B.size)
        b = base.print(V('n'))
        assert a is not base and b is not base and a is not b
        assert [s.name for s in base.steps()] == ['scale']
        assert [s.name for s in a.steps()] == ['scale', 'update']
        assert [s.name for s in b.steps()] == ['scale', 'print']
        assert a.run(batch_size=5).v('n') == 10
        assert base.v('n') == 0 and b.v('n') == 0

    def test_variable_values_start_from_the_declarations(self, ranges_dataset):
        base = ranges_dataset.p.init_variable('n', 0).init_variable('sizes', [])
        base.set_variable('n', 5)
        child = base.update(V('sizes', mode='a'), B.size)
        assert child.v('n') == 0 and base.v('n') == 5        # values are not inherited, declarations are
        child.run(batch_size=5)
        assert child.v('sizes') == [5, 5] and base.v('sizes') == []
        child.init_variable('extra', 1)
        base.init_variable('later', 1)
        assert not base.has_variable('extra') and not child.has_variable('later')

    def test_static_model_objects_are_shared_dynamic_ones_are_not(self, ranges_dataset):
        base = (ranges_dataset.p.init_model('shared', Counter, 'static')
                .init_model('fresh', Counter, 'dynamic'))
        child = base.train_model('shared', B.labels).train_model('fresh', B.labels)
        assert child.m('shared') is base.m('shared')
        assert child.models.names() == base.models.names() == {'shared', 'fresh'}
        child.run(batch_size=5)
        assert base.m('shared').seen == 10 and child.m('fresh').seen == 10
        assert not base.models.created('fresh')

    def test_config_namespaces_and_locks(self, ranges_dataset):
        base = (ranges_dataset.p << {'model': {'lr': 0.1}}).init_lock('io')
        child = base.scale(2).add_namespace(np)
        child.config['model/lr'] = 0.5
        assert base.config['model/lr'] == 0.1 and child.config['model/lr'] == 0.5
        assert np in child.namespaces and np not in base.namespaces
        assert child.sum(B.labels) is not None
        with pytest.raises(UnknownActionError, match="'sum'"):
            base.sum(B.labels)
        assert child.v('io') is base.v('io')      # a lock of a common base guards every pipeline made from it
        child.init_lock('own')
        assert not base.has_variable('own')

    def test_a_lazy_run_is_carried_along_the_chain(self, ranges_dataset):
        base = ranges_dataset.p.init_variable('sizes', []).run(batch_size=4, n_epochs=1, lazy=True)
        child = base.update(V('sizes', mode='a'), B.size)
        assert child.run_args == base.run_args
        assert child.run().v('sizes') == [4, 4, 2] and [len(b) for b in child.gen_batch()] == [4, 4, 2]

    def test_declarations_and_run_return_the_pipeline_itself(self, ranges_dataset):
        p = ranges_dataset.p
        assert p.init_variable('a', 0) is p and p.init_variables(['b'], c=1) is p
        assert p.init_lock('io') is p and p.add_namespace(np) is p
        assert p.init_model('m', Counter, 'static') is p
        assert [s.name for s in p.steps('before')] == ['init_model']
        assert p.set_variable('a', 1) is p and p.delete_variable('b') is p
        assert p.run(batch_size=5, lazy=True) is p and p.run() is p
        assert p.delete_all_variables() is p

    def test_a_chain_shares_what_it_does_not_change(self, ranges_dataset):
        class Heavy:
            copies = 0

            def __deepcopy__(self, memo):
                Heavy.copies += 1
                return Heavy()

        weights = np.zeros(1000)
        base = (ranges_dataset.p << {'weights': weights}).init_variable('big', Heavy())
        copies = Heavy.copies
        chain = base
        for _ in range(100):
            chain = chain.scale(1)
        assert Heavy.copies == copies                       # no variable value copied along the chain
        first = base.scale(1)
        assert first.scale(2).steps()[0] is first.steps()[0]     # steps are shared, never copied
        assert chain.config['weights'] is weights and chain.dataset is ranges_dataset
        assert isinstance(chain.v('big'), Heavy) and Heavy.copies == copies + 1

    def test_a_derived_pipeline_pickles(self, ranges_dataset):
        child = ranges_dataset.p.init_variable('n', 3).scale(2)
        again = pickle.loads(pickle.dumps(child))
        assert again.v('n') == 3 and again.steps() == child.steps()


class TestSections:
    """``p.before.xxx(...)`` / ``p.after.xxx(...)`` statements change ``p``, as the guide writes them."""

    def test_before_and_after_statements_change_the_pipeline(self, ranges_dataset):
        p = ranges_dataset.p.init_variable('log', [])
        p.before.update(V('log', mode='a'), 'start').update(V('log', mode='a'), 'ready')
        p.after.update(V('log', mode='a'), 'end')
        p = p.update(V('log', mode='a'), B.size)
        assert p.run(batch_size=5).v('log') == ['start', 'ready', 5, 5, 'end']

    def test_the_whole_pipeline_in_one_statement(self, ranges_dataset):
        p = ranges_dataset.p
        (p.before
            .init_variable('log', [])
            .update(V('log', mode='a'), 'start')
         .main
            .scale(2)
            .update(V('log', mode='a'), B.size)
         .after
            .update(V('log', mode='a'), 'end'))
        assert [s.name for s in p.steps()] == ['scale', 'update']
        assert p.run(batch_size=5).v('log') == ['start', 5, 5, 'end']

    def test_a_main_statement_through_a_pipeline_method_changes_the_pipeline(self, ranges_dataset):
        from dagflow.models.metrics import ClassificationMetrics
        p = ranges_dataset.p.init_variable('metrics')
        p.main.gather_metrics(ClassificationMetrics, targets=B.labels, predictions=B.labels, fmt='labels',
                              num_classes=10, save_to=V('metrics'), mode='u')
        assert [s.name for s in p.steps()] == ['gather_metrics']

    def test_a_chain_from_a_section_goes_on_in_that_section(self, ranges_dataset):
        p = ranges_dataset.p
        view = p.before.init_variable('n', 0).update(V('n'), 1)
        assert view.section == 'before' and view.pipeline is p
        assert [s.name for s in p.steps('before')] == ['update'] and p.steps() == ()


class TestTemplates:
    """The guide's pipeline algebra over a template."""

    def test_the_guides_template_gives_the_documented_values(self, numbers):
        with Pipeline() as p:
            t = p.add(1.0) + p.mul(3.0) + p.add(1.0) * 2
        assert p.steps() == ()
        assert [s.name for s in t.steps()] == ['add', 'mul', 'add', 'add']
        x = np.arange(4.0)
        assert np.allclose((t << numbers).next_batch(batch_size=4).x, (x + 1) * 3 + 2)
        assert np.allclose((numbers >> t).next_batch(batch_size=4).x, (x + 1) * 3 + 2)

    def test_one_template_for_two_datasets(self, numbers):
        template = Pipeline().init_variable('total', 0).mul(2.0).update(V('total'), V('total') + B.x.sum())
        small = Dataset(2, batch_class=Numbers, preloaded=(np.ones(2),))
        first, second = (template << numbers).run(batch_size=2), (template << small).run(batch_size=2)
        assert first.v('total') == 12 and second.v('total') == 4 and template.v('total') == 0

    def test_concatenation_keeps_declarations_models_locks_and_the_lazy_run_of_both(self, ranges_dataset):
        first = Pipeline().init_variable('n', 0).init_lock('io').update(V('n'), V('n') + B.size)
        second = (ranges_dataset.p.init_model('shared', Counter, 'static').init_lock('db')
                  .run(batch_size=5, lazy=True).train_model('shared', B.labels))
        both = first + second
        assert both.v('io') is first.v('io') and both.v('db') is second.v('db')
        assert both.m('shared') is second.m('shared') and both.dataset is ranges_dataset
        assert both.run_args == second.run_args
        assert both.run().v('n') == 10 and second.m('shared').seen == 10 and first.v('n') == 0

    def test_a_section_can_be_concatenated(self, ranges_dataset):
        other = Pipeline().init_variable('log', []).update(V('log', mode='a'), 'main')
        other.before.update(V('log', mode='a'), 'start')
        other.after.update(V('log', mode='a'), 'end')
        mine = ranges_dataset.p.update(V('log', mode='a'), B.size)
        expected = {'before': ['start', 5, 5], 'main': [5, 'main', 5, 'main'], 'after': [5, 5, 'end']}
        for section, log in expected.items():
            p = mine + getattr(other, section)
            assert {s: len(p.steps(s)) for s in ('before', 'main', 'after')} == {
                'before': section == 'before', 'main': 1 + (section == 'main'), 'after': section == 'after'}
            assert p.run(batch_size=5).v('log') == log     # the declarations of other come along
        assert (mine + other).run(batch_size=5).v('log') == ['start', 5, 'main', 5, 'main', 'end']

    def test_a_section_given_as_a_step_argument_is_recorded_as_its_pipeline(self):
        source = Pipeline().init_model('m', Counter, 'static')
        imported = Pipeline().import_model('m', source.before)
        declared = Pipeline().init_model('m', 'static', source=source.after)
        assert imported.steps()[0].args[1] is source and declared.steps('before')[0].kwargs['source'] is source
        assert declared.m('m') is source.m('m') and declared.models.specs['m'].imported is source

    def test_sometimes_and_repeat_leave_their_operand_unchanged(self, numbers):
        with Pipeline() as p:
            once = p.add(1.0)
            twice, maybe = once * 2, once @ 0.5
        assert len(once.steps()) == 1 and len(twice.steps()) == 2 and maybe.steps()[0].name == 'sometimes'


class TestVariablesAPI:
    """``get_variable``/``v``, ``delete_variable``, ``del_variable``, ``delete_all_variables``, as documented."""

    def test_reading_a_missing_variable_is_a_key_error_with_close_names(self):
        p = Pipeline().init_variable('loss', 0)
        with pytest.raises(KeyError, match=r"Variable 'los' is not defined\. Did you mean 'loss'\?"):
            p.get_variable('los')
        with pytest.raises(UndefinedVariableError) as caught:
            p.v('los')
        assert caught.value.name == 'los' and str(caught.value).startswith("Variable 'los'")

    def test_reading_a_deleted_variable_is_a_key_error(self):
        p = Pipeline().init_variable('loss', 0).init_variable('lr', 0.1)
        assert p.delete_variable('loss') is p
        with pytest.raises(KeyError, match="Variable 'loss' is not defined"):
            p.v('loss')
        p.del_variable('lr')
        with pytest.raises(KeyError, match="'lr'"):
            p.get_variable('lr')

    def test_a_deleted_variable_read_in_a_run_is_a_key_error(self, ranges_dataset):
        p = ranges_dataset.p.init_variable('n', 0).update(V('n'), V('n') + 1)
        p.delete_variable('n')
        with pytest.raises(KeyError, match="Variable 'n' is not defined"):
            p.run(batch_size=5)

    def test_a_default_without_create_is_returned_not_stored(self):
        p = Pipeline()
        assert p.get_variable('epochs', 10) == 10 and p.v('epochs', default=3) == 3
        assert not p.has_variable('epochs')

    def test_create_stores_the_default(self):
        p = Pipeline()
        history = p.get_variable('history', [], create=True)
        history.append(1)
        assert p.has_variable('history') and p.v('history') == [1]
        assert p.get_variable('history', ['ignored'], create=True) == [1]     # an existing variable is kept
        assert p.get_variable('nothing', create=True) is None and p.has_variable('nothing')

    def test_create_takes_init_on_each_run(self, ranges_dataset):
        p = ranges_dataset.p.update(V('sizes', mode='a'), B.size)
        assert p.get_variable('sizes', create=True, init_on_each_run=list) == []
        p.run(batch_size=5)
        p.run(batch_size=5)
        assert p.v('sizes') == [5, 5]

    def test_initialisation_arguments_need_create(self):
        with pytest.raises(StepArgumentError, match=r"get_variable\('x'\): \['init_on_each_run'\] only apply "
                                                    r"with create=True"):
            Pipeline().get_variable('x', init_on_each_run=list)

    def test_deleting_a_missing_variable_warns_and_changes_nothing(self):
        p = Pipeline().init_variable('loss', 0)
        with pytest.warns(UserWarning, match=r"delete_variable\('los'\): there is no such variable, so nothing "
                                             r"was deleted\. Did you mean 'loss'\?"):
            assert p.delete_variable('los') is p
        assert p.v('loss') == 0

    def test_delete_all_variables(self):
        p = Pipeline().init_variables(['a', 'b'], c=1).init_lock('io')
        assert p.delete_all_variables() is p
        assert not any(p.has_variable(name) for name in 'abc') and not p.has_variable('io')
        with pytest.raises(KeyError, match="'c'"):
            p.v('c')

    def test_batchflows_lock_argument_is_accepted_positionally_and_by_name(self, ranges_dataset):
        p = (ranges_dataset.p.init_variable('n', 0, False)
             .init_variables({'sizes': {'default': [], 'lock': True}, 'm': {'init_on_each_run': list}})
             .update(V('n'), V('n') + B.size).update(V('sizes', mode='a'), B.size))
        p.run(batch_size=5)
        p.run(batch_size=5)
        assert p.v('n') == 20 and p.v('sizes') == [5, 5, 5, 5] and p.v('m') == []

    def test_an_unhashable_name_is_no_variable(self):
        assert not Pipeline().has_variable(['a'])


class TestLocks:
    """``init_lock(name)`` stores the lock as the pipeline variable ``name``, as the guide says."""

    def test_the_lock_is_a_pipeline_variable(self):
        p = Pipeline().init_lock('model_update')
        lock = p.v('model_update')
        assert p.has_variable('model_update') and p.get_variable('model_update') is lock
        assert lock.acquire(blocking=False) and lock.locked()
        lock.release()

    def test_acquire_lock_holds_that_lock(self, ranges_dataset):
        seen = []
        p = (ranges_dataset.p.init_lock('io')
             .acquire_lock('io')
             .call(lambda: seen.append(p.v('io').locked()))
             .release_lock('io')
             .call(lambda: seen.append(p.v('io').locked())))
        p.run(batch_size=5)
        assert seen == [True, False, True, False]

    def test_a_section_statement_creates_the_lock_at_once(self):
        p = Pipeline()
        p.before.init_lock('io')
        assert p.v('io').locked() is False and p.steps('before') == ()

    def test_acquire_lock_without_init_lock_creates_it(self, ranges_dataset):
        p = ranges_dataset.p.acquire_lock('io').release_lock('io').run(batch_size=5)
        assert p.v('io').locked() is False

    def test_check_counts_a_lock_as_a_defined_variable(self, ranges_dataset):
        p = ranges_dataset.p.init_lock('io').print(V('io')).print(V('missing'))
        report = str(p.check())
        assert "'missing'" in report and "'io'" not in report

    def test_deleting_the_variable_removes_the_lock(self):
        p = Pipeline().init_lock('io')
        p.delete_variable('io')
        assert not p.has_variable('io')
        with pytest.raises(KeyError, match="'io'"):
            p.v('io')


class TestAlgebra:
    def test_add_concatenates(self, ranges_dataset):
        p1 = Pipeline().init_variable('n', 0).scale(2)
        p2 = Pipeline().update(V('n'), V('n') + 1)
        p = (p1 + p2) << ranges_dataset
        assert [s.name for s in p.steps()] == ['scale', 'update']
        assert p.run(batch_size=5).v('n') == 2

    def test_mul_repeats(self, ranges_dataset):
        p = (Pipeline().add(1) * 3) << ranges_dataset
        batch = p.next_batch(batch_size=10, shuffle=False)
        assert np.allclose(batch.images[:, 0, 0], np.arange(10) + 3)

    def test_mul_rejects_bad_count(self):
        with pytest.raises(StepArgumentError, match="got -1"):
            Pipeline().add(1) * -1

    def test_matmul_applies_with_probability_reproducibly(self, ranges_dataset):
        p = ((Pipeline().add(100) @ 0.5) << ranges_dataset).run(batch_size=1, lazy=True, seed=3)
        applied = [bool(b.images[0, 0, 0] >= 100) for b in p.gen_batch()]
        again = [bool(b.images[0, 0, 0] >= 100) for b in p.gen_batch()]
        assert applied == again
        assert 0 < sum(applied) < 10

    def test_matmul_rejects_bad_probability(self):
        with pytest.raises(StepArgumentError, match='within'):
            Pipeline().add(1) @ 1.5

    def test_link_dataset_both_ways(self, ranges_dataset):
        template = Pipeline().init_variable('n', 0).update(V('n'), V('n') + B.size)
        assert (template << ranges_dataset).dataset is ranges_dataset
        assert (ranges_dataset >> template).run(batch_size=3).v('n') == 10
        assert template.v('n') == 0

    def test_link_config(self, ranges_dataset):
        p = (Pipeline().init_variable('f', None).update(V('f'), C('factor'))
             << {'factor': 7}) << ranges_dataset
        assert isinstance(p.config, Config)
        assert p.run(batch_size=10).v('f') == 7
        q = {'factor': 8} >> Pipeline()
        assert q.config['factor'] == 8

    def test_a_template_accepts_arguments_that_fit_any_action_of_that_name(self, ranges_dataset):
        from dagflow import Batch, action

        class OtherBatch(Batch):          # another class with an action of the same name, other arguments
            @action
            def add(self):
                return self

        template = Pipeline().add(1)        # fits the test batch's add(value), not OtherBatch.add()
        assert (template << ranges_dataset).run(batch_size=5) is not None
        linked = Pipeline().add() << ranges_dataset      # fits OtherBatch.add(), not the linked class's
        with pytest.raises(StepArgumentError, match=r"add.*\(step 0 of main, added at test_pipeline.py"):
            linked.compile()
        with pytest.raises(StepArgumentError, match='add'):
            Pipeline().add(1, 2, 3)                            # fits no action called add
        assert OtherBatch.actions()

    def test_template_cannot_run(self):
        from dagflow.exceptions import PlanError
        with pytest.raises(PlanError, match='template'):
            Pipeline().run(batch_size=2)


class TestNamespacesAndCalls:
    def test_call_saves_result(self, ranges_dataset):
        p = ranges_dataset.p.init_variable('m', []).call(np.max, B.labels, save_to=V('m', mode='a'))
        assert p.run(batch_size=5).v('m') == [4, 9]

    def test_add_namespace_function_as_step(self, ranges_dataset):
        p = (ranges_dataset.p.add_namespace(np).init_variable('s', [])
             .sum(B.labels, save_to=V('s', mode='a')))
        assert p.run(batch_size=5).v('s') == [10, 35]

    def test_print(self, ranges_dataset, capsys):
        ranges_dataset.p.print('size', B.size).run(batch_size=5)
        assert capsys.readouterr().out == 'size 5\nsize 5\n'

    def test_dataset_method_as_step(self):
        class MyDataset(Dataset):
            def remember(self, value):
                self.seen = getattr(self, 'seen', []) + [value]

        ds = MyDataset(4, preloaded=np.arange(4))
        ds.p.remember(B.size).run(batch_size=2)
        assert ds.seen == [2, 2]

    def test_save_to_too_many_locations(self, ranges_dataset):
        p = ranges_dataset.p.init_variables('a', 'b').call(np.max, B.labels, save_to=[V('a'), V('b')])
        with pytest.raises(StepArgumentError, match='save_to has 2 locations but the call returned 1'):
            p.run(batch_size=5)


class TestJoinMergeRebatch:
    def test_join_dataset_passes_same_items(self, ranges_dataset):
        p = ranges_dataset.p.join(ranges_dataset).with_joined(factor=10)
        batch = p.next_batch(batch_size=10)
        assert np.allclose(batch.images[:, 0, 0], np.arange(10) * 11)

    def test_an_action_after_join_that_takes_no_joined_batch_is_explained(self, ranges_dataset):
        with pytest.raises(StepArgumentError, match=r"Its signature is add\(value\)\. After join, the action gets "
                                                    r"the 1 joined batch\(es\) first"):
            ranges_dataset.p.join(ranges_dataset).add(value=1)

    def test_merge_pipeline(self, ranges_dataset):
        other = ranges_dataset.p.run(batch_size=2, lazy=True)
        p = ranges_dataset.p.merge(other)
        batch = p.next_batch(batch_size=3)
        assert len(batch) == 5

    @pytest.mark.parametrize('step', ['merge', 'join'])
    def test_a_source_pipeline_without_run_arguments_is_named(self, ranges_dataset, step):
        other = ranges_dataset.p
        p = getattr(ranges_dataset.p, step)(other)
        with pytest.raises(RunArgumentError, match=rf'{step}: its source pipeline <Pipeline .*> has no run '
                                                   rf'arguments.*source\.run\(batch_size=\.\.\., n_epochs=None, '
                                                   rf'lazy=True\)') as caught:
            p.run(batch_size=3)
        assert 'next_batch' not in str(caught.value)

    def test_rebatch(self, ranges_dataset):
        p = ranges_dataset.p.init_variable('sizes', []).rebatch(4).update(V('sizes', mode='a'), B.size)
        p.run(batch_size=3)
        assert p.v('sizes') == [4, 4, 2]

    def test_rebatch_rejects_bad_size(self):
        with pytest.raises(StepArgumentError, match='positive integer'):
            Pipeline().rebatch(0)


def test_pipeline_pickles(images_dataset):
    p = images_dataset.p.init_variable('n', 1).normalize()
    again = pickle.loads(pickle.dumps(p))
    assert again.v('n') == 1 and again.steps() == p.steps()
    again.set_variable('n', 5).run(batch_size=5)
    assert again.v('n') == 5       # a variable without init_on_each_run is not reset by a run


def test_an_action_named_like_a_pipeline_method_is_reported_once():
    from dagflow import Batch, action

    class Shadowing(Batch):
        @action
        def plot(self):
            return self

        @action
        def profile(self):
            return self

    dataset = Dataset(4, batch_class=Shadowing, preloaded=np.ones(4))
    with pytest.warns(UserWarning, match=r'Shadowing has action\(s\) named like a Pipeline method or attribute: '
                                         r'plot, profile\. pipeline\.plot\(\.\.\.\) reaches the pipeline'):
        assert dataset.p.batch_class is Shadowing
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        assert dataset.p.steps() == ()      # once per batch class


def test_a_per_batch_method_in_before_or_after_is_refused(ranges_dataset):
    from dagflow.models.metrics import ClassificationMetrics
    p = ranges_dataset.p
    with pytest.raises(StepArgumentError, match=r"gather_metrics records a step that runs for every batch, so it "
                                                r"cannot go in the 'after' section"):
        p.after.gather_metrics(ClassificationMetrics, targets=B.labels, predictions=B.labels, fmt='labels',
                               num_classes=10, save_to=V('metrics'), mode='u')
    assert p.steps('main') == () and p.steps('after') == ()
