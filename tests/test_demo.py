"""The demo (the README's main job): trains on the digits, evaluates, writes its outputs."""
import json

import numpy as np
import pytest

pytest.importorskip('torch')
pytest.importorskip('sklearn')

from dagflow.demo import inference_pipeline, load_digits_dataset, run_demo, train_pipeline  # noqa: E402


@pytest.fixture(autouse=True)
def one_torch_thread():
    import torch
    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)


def test_the_demo_learns_the_digits_and_writes_its_outputs(tmp_path, capsys):
    import torch
    threads = torch.get_num_threads()
    assert run_demo(out=tmp_path / 'out') == 0
    assert torch.get_num_threads() == threads           # the demo gives the process its threads back
    printed = capsys.readouterr().out
    for expected in ('The training plan:', 'train_model', 'test accuracy:', 'macro  precision', 'written to'):
        assert expected in printed
    metrics = json.loads((tmp_path / 'out' / 'metrics.json').read_text())
    assert metrics['accuracy'] >= 0.95 and len(metrics['f1_score']) == 10
    for name in ('train_plan.svg', 'loss_history.png', 'timeline.png', 'digits_vgg7.pt'):
        assert (tmp_path / 'out' / name).stat().st_size > 1000, name
    assert 'not written' not in printed


def test_the_augmentation_keeps_shapes_and_moves_at_most_one_pixel():
    dataset = load_digits_dataset()
    original = dataset.train.p.scale_pixels().next_batch(16, seed=0).images
    moved = dataset.train.p.scale_pixels().random_shift(limit=1).next_batch(16, seed=0).images
    assert moved.shape == original.shape == (16, 1, 8, 8) and moved.dtype == np.float32
    padded = np.pad(original, ((0, 0), (0, 0), (1, 1), (1, 1)))
    shifts = [[np.array_equal(image[:, 1 - dy:9 - dy, 1 - dx:9 - dx], result) for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
              for image, result in zip(padded, moved)]
    assert all(any(found) for found in shifts)          # every result is one of the 9 one-pixel shifts
    assert sum(found[4] for found in shifts) < 16       # and not all of them stayed in place


def test_the_demo_trains_the_same_model_serially_and_in_parallel():
    import torch
    torch.set_num_threads(1)
    dataset = load_digits_dataset()
    runs = [train_pipeline(dataset.train, device='cpu').run(batch_size=64, n_iters=6, shuffle=True, seed=3,
                                                            prefetch=prefetch)
            for prefetch in (0, 2)]
    assert runs[0].v('loss_history') == runs[1].v('loss_history')
    for (name, serial), parallel in zip(runs[0].m('cnn').network.state_dict().items(),
                                        runs[1].m('cnn').network.state_dict().values()):
        assert torch.equal(serial, parallel), name
    test = inference_pipeline(dataset.test, runs[1]).run(batch_size=128, n_epochs=1)
    assert test.v('metrics').evaluate('total_population') == len(dataset.test)
