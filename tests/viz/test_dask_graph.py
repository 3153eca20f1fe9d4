"""The picture of the lowered Dask graph: lanes, fused pure tasks, the state chain and window edges."""
import subprocess

import pytest

from dagflow import B, C, V
from dagflow.viz import EdgeKind, NodeKind, VizError, lowered_scene, scene_to_dot

from .conftest import Net


def edges(scene, kind):
    return sorted((e.source, e.target, e.label) for e in scene.edges if e.kind is kind)


def test_one_lane_per_batch_with_fused_pure_steps(training):
    scene = lowered_scene(training.compile(), n_batches=3)
    assert [n.id for n in scene.nodes if n.lane == 1] == ['batch_1', 'g0_b1', 'g1_b1', 'g2_b1', 'g3_b1']
    fused = scene.node('g0_b0')
    assert (fused.title, fused.lines, fused.kind) == ('load+resize+rotate+', ('normalize',), NodeKind.PURE)
    assert fused.note == '4 pure steps, fused'
    assert [scene.node(f'g{i}_b0').kind for i in (1, 2, 3)] == [NodeKind.MODEL, NodeKind.STATE, NodeKind.MODEL]
    assert "Dask key ('train_model-viz', 0)" == scene.node('g1_b0').tooltip


def test_state_chain_across_batches(training):
    scene = lowered_scene(training.compile(), n_batches=2)
    assert edges(scene, EdgeKind.CARRIED) == [('g1_b0', 'g1_b1', 'var:loss'), ('g2_b0', 'g2_b1', 'var:n'),
                                              ('g3_b0', 'g1_b1', 'model:cnn')]
    assert ('batch_1', 'g0_b1', '') in edges(scene, EdgeKind.BATCH)
    assert not edges(scene, EdgeKind.WINDOW)


def test_window_edges_with_prefetch(training):
    scene = lowered_scene(training.compile(), n_batches=4, prefetch=1)
    assert edges(scene, EdgeKind.WINDOW) == [('g3_b0', 'g0_b2', 'window'), ('g3_b1', 'g0_b3', 'window')]
    assert scene.title == 'Lowered graph: 4 batches, prefetch=1'


def test_the_first_state_change_waits_for_the_previous_batch(dataset):
    p = dataset.p.init_variable('n', 0).update(V('n'), V('n') + 1).normalize()
    scene = lowered_scene(p.compile(), n_batches=2, prefetch=1)
    assert ('g1_b0', 'g0_b1', 'previous batch') in edges(scene, EdgeKind.CARRIED)
    assert not edges(scene, EdgeKind.WINDOW)


def test_rebatching_pipelines_are_refused(dataset):
    p = dataset.p.init_variable('n', 0).rebatch(8).update(V('n'), 1)
    with pytest.raises(VizError, match='cannot draw a pipeline that rebatches'):
        lowered_scene(p.compile())


@pytest.mark.parametrize('bad', [{'n_batches': 0}, {'n_batches': 2.5}, {'prefetch': -1}])
def test_bad_arguments(training, bad):
    with pytest.raises(VizError, match='must be'):
        lowered_scene(training.compile(), **bad)


@pytest.mark.parametrize('prefetch', [None, 1])
def test_graphviz_keeps_every_lane_in_one_row_in_batch_order(dataset, prefetch, graphviz):
    """Left to right, each batch's tasks share one row, and the rows go batch 0, 1, 2 from the top."""
    pipeline = (dataset.p
                .init_variable('loss', [])
                .init_variable('n', 0)
                .init_model('cnn', Net)
                .resize(shape=C('shape', default=8))  # reads the config: a state step first
                .rotate(angle=1)
                .train_model('cnn', B.images, B.labels, save_to=V('loss', mode='a'))
                .update(V('n'), V('n') + 1))
    dot_text = scene_to_dot(lowered_scene(pipeline.compile(), n_batches=3, prefetch=prefetch))
    plain = subprocess.run([graphviz, '-Tplain'], input=dot_text, capture_output=True, text=True, check=True).stdout
    rows = {}
    for line in plain.splitlines():
        if line.startswith('node '):
            _, name, _, y = line.split()[:4]
            rows.setdefault(int(name.rpartition('_')[2].lstrip('b')), set()).add(round(float(y), 2))
    assert all(len(ys) == 1 for ys in rows.values()), rows
    heights = [rows[lane].pop() for lane in sorted(rows)]
    assert heights == sorted(heights, reverse=True)  # plain's y grows upwards
