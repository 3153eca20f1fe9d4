"""Compiling steps into a plan: nodes, effects, batch/state/carried edges, checks."""
import pickle

import networkx as nx
import pytest

from dagflow import B, C, Pipeline, V
from dagflow.core import Resource
from dagflow.pipeline import Step, StepKind
from dagflow.plan import Access, Effect, Plan, compile_plan, effects_of, state_dependencies

R_, W_ = Access.READ, Access.WRITE


class TestEffects:
    def test_update_writes_target_and_reads_value(self):
        step = Step('update', StepKind.API, args=(V('a'), V('b') + C('lr')))
        assert effects_of(step) == {Effect('var:a', W_), Effect('var:b', R_), Effect('config:lr', R_)}

    def test_update_into_item_reads_and_writes(self):
        step = Step('update', StepKind.API, args=(V('a')[0], 1))
        assert effects_of(step) == {Effect('var:a', W_), Effect('var:a', R_)}

    def test_batch_target_is_not_shared_state(self):
        assert effects_of(Step('update', StepKind.API, args=(B.images, V('x')))) == {Effect('var:x', R_)}

    def test_call_save_to(self):
        step = Step('call', StepKind.API, args=(len, B.images), kwargs={'save_to': V('n', mode='a')})
        assert effects_of(step) == {Effect('var:n', W_)}

    def test_print_and_locks(self):
        assert effects_of(Step('print', StepKind.API, args=('x',))) == {Effect('io:stdout', W_)}
        assert effects_of(Step('acquire_lock', StepKind.API, args=('m',))) == {Effect('lock:m', W_)}

    def test_declared_action_effects(self, images_dataset):
        plan = images_dataset.p.init_variable('counter', 0).count_in_pipeline().compile()
        # declared (writes='var:counter'), and learnt from its code the same
        assert plan.nodes['main', 0]['effects'] == {Effect('var:counter', W_)}

    def test_a_new_leaf_class_reads_the_kind_it_declares(self):
        from dagflow.expr import V as Variable

        class Setting(Variable):   # a leaf of its own, reading the config
            resource_kind = 'config'
        step = Step('update', StepKind.API, args=(V('a'), Setting('lr')))
        assert effects_of(step) == {Effect('var:a', W_), Effect('config:lr', R_)}

    def test_pure_action(self, images_dataset):
        plan = images_dataset.p.normalize().scale(V('f')).compile()
        assert plan.nodes['main', 0]['pure'] and not plan.nodes['main', 1]['pure']


class TestStateDependencies:
    def test_reads_between_writes_may_overlap(self):
        deps = set(state_dependencies([[('x', W_)], [('x', R_)], [('x', R_)], [('x', W_)]], cyclic=False))
        assert deps == {(0, 1, 'x', False), (0, 2, 'x', False), (1, 3, 'x', False), (2, 3, 'x', False)}

    def test_read_then_write_is_carried_to_next_batch(self):
        deps = set(state_dependencies([[('x', R_)], [('x', W_)]]))
        assert deps == {(0, 1, 'x', False), (1, 0, 'x', True)}

    def test_read_modify_write_loops_onto_itself(self):
        assert set(state_dependencies([[('x', R_), ('x', W_)]])) == {(0, 0, 'x', True)}


class TestCompile:
    def test_nodes_and_batch_edges(self, images_dataset):
        plan = images_dataset.p.normalize().scale().compile()
        assert isinstance(plan, nx.DiGraph) and isinstance(plan, Plan)
        assert list(plan.nodes) == [('main', 0), ('main', 1)]
        assert plan.edges[('main', 0), ('main', 1)] == {'batch': True, 'resources': (), 'carried': False}

    def test_state_and_carried_edges(self, images_dataset):
        plan = (images_dataset.p.init_variable('n', 0)
                .print(V('n'))
                .normalize()
                .update(V('n'), V('n') + 1)).compile()
        assert plan.edges[('main', 0), ('main', 2)]['resources'] == (Resource.parse('var:n'),)
        carried = plan.edges[('main', 2), ('main', 0)]
        assert carried == {'batch': False, 'resources': (Resource.parse('var:n'),), 'carried': True}
        assert not plan.has_edge(('main', 2), ('main', 2))  # ordered through print: no redundant self edge
        assert plan.touching('var:n') == [('main', 0), ('main', 2)]

    def test_sections_are_separate(self, images_dataset):
        p = images_dataset.p.init_variable('n', 0).update(V('n'), 1)
        p.before.update(V('n'), 0)
        plan = p.compile()
        assert plan.section_nodes('before') == [('before', 0)]
        assert not plan.has_edge(('before', 0), ('main', 0))

    def test_plan_prints_the_pipeline(self, images_dataset):
        text = str(images_dataset.p.init_variable('n', 0).normalize().update(V('n'), V('n') + 1).compile())
        assert 'normalize()' in text
        assert "update(V('n'), (V('n') + 1))" in text and 'write var:n' in text
        assert 'carried from 1 (var:n)' in text
        assert 'variables: n' in text

    def test_equal_pipelines_compile_to_equal_plans(self, images_dataset):
        def build():
            return images_dataset.p.init_variable('n', 0).scale(2).update(V('n'), V('n') + B.size).compile()
        assert build() == build()
        assert build() != images_dataset.p.scale(3).compile()

    def test_compile_is_cached_until_change(self, images_dataset):
        p = images_dataset.p.normalize()
        assert p.compile() is p.graph
        p = p.scale()
        assert p.graph.number_of_nodes() == 2

    def test_plan_pickles(self, images_dataset):
        plan = images_dataset.p.init_variable('n', 0).update(V('n'), 1).compile()
        assert pickle.loads(pickle.dumps(plan)) == plan

    def test_template_action_is_checked_against_linked_batch_class(self, images_dataset):
        from dagflow import Batch, action
        from dagflow.exceptions import UnknownActionError

        class OtherBatch(Batch):
            @action
            def only_here(self):
                return self

        template = Pipeline().only_here()
        with pytest.raises(UnknownActionError, match=r"'only_here'.*step 0 of main"):
            (template << images_dataset).compile()

    def test_sub_pipeline_effects(self, images_dataset):
        p = (Pipeline().update(V('n'), 1) @ 0.5) << images_dataset
        plan = p.init_variable('n', 0).compile()
        assert plan.nodes['main', 0]['effects'] == {Effect('var:n', W_)}

    def test_compile_plan_directly(self):
        plan = compile_plan({'main': [Step('print', StepKind.API, args=(1,))]})
        assert plan.steps() == [Step('print', StepKind.API, args=(1,))]


class TestCheck:
    def test_undefined_variable_reported_with_step(self, images_dataset):
        report = images_dataset.p.init_variable('a', 0).update(V('a'), V('never_defined')).check()
        assert not report.ok and len(report) == 1
        assert "reads V('never_defined')" in str(report) and 'main[0] update' in str(report)

    def test_variables_written_by_steps_count_as_defined(self, images_dataset):
        assert images_dataset.p.update(V('x'), 1).print(V('x')).check().ok

    def test_clean_pipeline(self, images_dataset):
        assert str(images_dataset.p.normalize().check()) == 'check: no problems found'


def test_a_batch_action_outside_main_is_refused_at_compile():
    import numpy as np

    from dagflow import Batch, Dataset, action
    from dagflow.exceptions import PlanError

    class Little(Batch):
        @action
        def double(self):
            return self

    p = Dataset(4, batch_class=Little, preloaded=np.ones(4)).p
    p.after.double()
    with pytest.raises(PlanError, match=r"after\[0\] 'double' \(added at test_plan.py:\d+\) is a batch action"):
        p.compile()


def test_a_step_that_only_reads_a_config_nothing_writes_is_pure():
    import numpy as np

    from dagflow import Dataset
    dataset = Dataset(4, preloaded=np.ones(4))
    reading = dataset.p.call(np.add, C('a', default=1), 2, save_to=B('x'))
    assert reading.compile().nodes[('main', 0)]['pure']
    assert {str(e) for e in reading.compile().nodes[('main', 0)]['effects']} == {'read config:a'}
    written_later = dataset.p.call(np.add, C('a', default=1), 2, save_to=B('x'))
    written_later.after.update(C('a'), 5)            # a write anywhere makes every config read a state step
    assert not written_later.compile().nodes[('main', 0)]['pure']
