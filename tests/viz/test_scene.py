"""What a picture of a plan shows: boxes, their kinds and labels, arrows and clusters."""
import pytest

from dagflow import B, Pipeline, V
from dagflow.viz import EdgeKind, NodeKind, VizError, plan_scene
from dagflow.viz.scene import argument_lines, resource_colors, short_repr


def edges_of(scene, kind):
    return [(e.source, e.target, e.label) for e in scene.edges if e.kind is kind]


class TestPlanScene:
    def test_one_box_per_step_with_its_kind(self, training):
        scene = plan_scene(training.compile())
        kinds = {node.id: node.kind for node in scene.nodes}
        assert kinds == {
            'before_0': NodeKind.MODEL, 'before_1': NodeKind.STATE,
            'main_0': NodeKind.PURE, 'main_1': NodeKind.PURE, 'main_2': NodeKind.PURE, 'main_3': NodeKind.PURE,
            'main_4': NodeKind.MODEL, 'main_5': NodeKind.STATE, 'main_6': NodeKind.MODEL,
            'after_0': NodeKind.STATE}

    def test_labels_show_the_action_and_its_arguments_as_written(self, training):
        train = plan_scene(training.compile()).node('main_4')
        assert (train.prefix, train.title) == ('4', 'train_model')
        assert train.lines == ("'cnn', B.images, B.labels,", "save_to=V('loss', mode='a')")
        assert train.note == 'writes model:cnn, var:loss'
        assert 'train_model(' in train.tooltip and 'added at' in train.tooltip

    def test_sections_are_clusters(self, training):
        scene = plan_scene(training.compile())
        assert list(scene.clusters) == ['before', 'main', 'after']
        assert {n.cluster for n in scene.nodes if n.id.startswith('before')} == {'before'}

    def test_batch_state_carried_and_flow_edges(self, training):
        scene = plan_scene(training.compile())
        assert ('main_3', 'main_4', '') in edges_of(scene, EdgeKind.BATCH)
        assert edges_of(scene, EdgeKind.STATE) == [('main_4', 'main_6', 'model:cnn')]
        assert sorted(edges_of(scene, EdgeKind.CARRIED)) == [
            ('main_4', 'main_4', 'var:loss\n(next batch)'), ('main_5', 'main_5', 'var:n\n(next batch)'),
            ('main_6', 'main_4', 'model:cnn\n(next batch)')]
        assert [(s, t) for s, t, _ in edges_of(scene, EdgeKind.FLOW)] == [('before_1', 'main_0'),
                                                                           ('main_6', 'after_0')]

    def test_an_arrow_carrying_several_resources_is_drawn_once(self):
        # the step writes two variables and reads them in the next batch: one loop, labelled with both
        p = (Pipeline().init_variable('a', 0).init_variable('b', 0)
             .update([V('a'), V('b')], [V('a') + 1, V('b') + 1]))
        scene = plan_scene(p.compile())
        assert edges_of(scene, EdgeKind.CARRIED) == [('main_0', 'main_0', 'var:a, var:b\n(next batch)')]
        assert scene.edges[0].color == resource_colors(['var:a', 'var:b'])['var:a']

    def test_a_resource_keeps_its_colour(self, training):
        scene = plan_scene(training.compile())
        colors = {}
        for edge in scene.edges:
            if edge.kind in (EdgeKind.STATE, EdgeKind.CARRIED):
                colors.setdefault(edge.label.split('\n')[0], set()).add(edge.color)
        assert all(len(found) == 1 for found in colors.values())
        assert len({next(iter(found)) for found in colors.values()}) == len(colors)

    def test_sections_can_be_left_out(self, training):
        scene = plan_scene(training.compile(), sections=['main'])
        assert list(scene.clusters) == ['main']
        assert all(node.cluster == 'main' for node in scene.nodes)
        assert not edges_of(scene, EdgeKind.FLOW)

    def test_an_empty_pipeline_shows_an_empty_main_section(self):
        scene = plan_scene(Pipeline().compile())
        assert [(n.id, n.kind) for n in scene.nodes] == [('main_empty', NodeKind.EMPTY)]

    def test_sometimes_steps_list_their_inner_steps(self):
        plan = (Pipeline().init_variable('n', 0).update(V('n'), 1) @ 0.5).compile()
        node = plan_scene(plan).node('main_0')
        assert node.title == 'sometimes(update)'
        assert node.lines == ('with probability 0.5:', "update(V('n'), 1)")

    def test_timings_fill_boxes_and_add_a_scale(self, training, profile):
        scene = plan_scene(training.compile(), timings={('main', 4): (0.3, 3), ('main', 0): (0.1, 3)})
        fills = {node.id: node.fill for node in scene.nodes}
        assert fills['main_4'] != fills['main_0'] != '#ffffff'
        assert fills['main_1'] == '#ffffff'
        assert scene.node('main_4').note.endswith('300.0 ms over 3 calls')
        assert scene.scale is not None and '300.0 ms' in scene.scale[1]

    @pytest.mark.parametrize('bad, match', [({'sections': ['mian']}, "Unknown section 'mian'"),
                                            ({'rankdir': 'XY'}, "rankdir must be 'TB'")])
    def test_bad_arguments_say_what_is_expected(self, training, bad, match):
        with pytest.raises(VizError, match=match):
            plan_scene(training.compile(), **bad)


def test_argument_lines_wrap_between_arguments():
    from dagflow.core import Step, StepKind
    step = Step('call', StepKind.API, args=(B.a, B.b, B.c, B.d, B.e, B.f, B.g, B.h, B.i))
    lines = argument_lines(step, width=20)
    assert all(len(line) <= 21 for line in lines)
    assert ', '.join(line.rstrip(',') for line in lines) == ', '.join(repr(a) for a in step.args)


def test_short_repr_is_one_line_and_bounded():
    assert short_repr('a\nb') == "'a\\nb'"
    assert short_repr(list(range(100)), limit=12) == '[0, 1, 2,...'


def test_models_get_the_first_colours():
    assert list(resource_colors(['var:a', 'io:stdout', 'model:m'])) == ['model:m', 'var:a', 'io:stdout']
