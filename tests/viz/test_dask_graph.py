"""The picture of the lowered Dask graph: lanes, fused pure tasks, the state chain and window edges."""
import pytest

from dagflow import V
from dagflow.viz import EdgeKind, NodeKind, VizError, lowered_scene


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


def test_rebatching_pipelines_are_refused(dataset):
    p = dataset.p.init_variable('n', 0).rebatch(8).update(V('n'), 1)
    with pytest.raises(VizError, match='cannot draw a pipeline that rebatches'):
        lowered_scene(p.compile())


@pytest.mark.parametrize('bad', [{'n_batches': 0}, {'n_batches': 2.5}, {'prefetch': -1}])
def test_bad_arguments(training, bad):
    with pytest.raises(VizError, match='must be'):
        lowered_scene(training.compile(), **bad)
