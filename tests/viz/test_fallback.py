"""The matplotlib drawing: a layered layout whose boxes, arrows and labels do not collide."""
import itertools

import pytest
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from dagflow.viz import EdgeKind, lowered_scene, plan_scene
from dagflow.viz.fallback import draw_scene, layout_scene


def box_rect(box):
    return (box.x - box.width / 2, box.y - box.height / 2, box.x + box.width / 2, box.y + box.height / 2)


def overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize('rankdir', ['TB', 'LR'])
def test_ranks_follow_the_chain(training, rankdir):
    layout = layout_scene(plan_scene(training.compile(), rankdir=rankdir))
    order = ['before_0', 'before_1', *(f'main_{i}' for i in range(7)), 'after_0']
    assert [layout.boxes[n].rank for n in order] == list(range(10))
    along = [-layout.boxes[n].y if rankdir == 'TB' else layout.boxes[n].x for n in order]
    assert along == sorted(along)


@pytest.mark.parametrize('rankdir', ['TB', 'LR'])
def test_nothing_collides(training, rankdir):
    layout = layout_scene(plan_scene(training.compile(), rankdir=rankdir))
    boxes = [box_rect(b) for b in layout.boxes.values()]
    labels = [r.label_box() for r in layout.routes if r.label_box() is not None]
    assert len(labels) == 6  # 4 state and carried arrows, 2 between sections
    for a, b in itertools.combinations(boxes + labels, 2):
        assert not overlap(a, b), (a, b)


def test_arrows_that_skip_or_point_back_run_beside_the_boxes(training):
    layout = layout_scene(plan_scene(training.compile()))
    routes = {(r.edge.source, r.edge.target, r.edge.kind): r for r in layout.routes}
    right = max(b.x + b.width / 2 for b in layout.boxes.values())
    left = min(b.x - b.width / 2 for b in layout.boxes.values() if b.node.cluster == 'main')
    assert len(routes['main_3', 'main_4', EdgeKind.BATCH].points) == 2
    assert all(x > right for x, _ in routes['main_4', 'main_6', EdgeKind.STATE].points[1:3])
    assert all(x < left for x, _ in routes['main_6', 'main_4', EdgeKind.CARRIED].points[1:3])
    loop = routes['main_5', 'main_5', EdgeKind.CARRIED].points
    assert loop[0] != loop[-1] and loop[0][0] == loop[-1][0]


def test_section_frames_hold_their_boxes(training):
    layout = layout_scene(plan_scene(training.compile()))
    for box in layout.boxes.values():
        x0, y0, x1, y1 = layout.clusters[box.node.cluster]
        bx0, by0, bx1, by1 = box_rect(box)
        assert x0 < bx0 and bx1 < x1 and y0 < by0 and by1 < y1


def test_lanes_are_rows_in_batch_order(training):
    layout = layout_scene(lowered_scene(training.compile(), n_batches=3))
    ys = [layout.boxes[f'batch_{k}'].y for k in range(3)]
    assert ys == sorted(ys, reverse=True)
    assert {layout.boxes[f'g0_b{k}'].rank for k in range(3)} == {1}  # preprocessing of every batch at once
    trains = [layout.boxes[f'g1_b{k}'] for k in range(3)]
    assert trains[0].rank < trains[1].rank < trains[2].rank  # the state chain runs across the lanes


def test_the_figure_is_sized_to_the_drawing(training):
    figure = draw_scene(plan_scene(training.compile()))
    width, height = figure.get_size_inches()
    assert 3 < width < 12 and 8 < height < 25
    ax = figure.axes[0]
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    assert len(boxes) == 10 + 3  # steps and section frames
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) >= 13
    texts = [t.get_text() for t in ax.texts]
    assert "'start \"run\" <now> & go'" in texts and 'train_model' in texts
