"""TorchModel on a GPU: 'cuda' and 'auto' devices, mixed precision, files moved between devices."""
import numpy as np
import pytest

from dagflow import B, V

from .conftest import config_for, same_state, toy_images
from .test_pipelines import BATCH_SIZE, guide_config, train_pipeline

torch = pytest.importorskip('torch')

from dagflow.models.torch import VGG7, ResNet18, TorchModel, UNet  # noqa: E402

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason='needs a CUDA GPU')


def test_auto_and_cuda_put_the_network_and_its_state_on_the_gpu():
    images, labels = toy_images(8)
    for device in ('auto', 'cuda', 'cuda:0'):
        model = ResNet18(config_for('resnet18', device=device))
        assert model.device.type == 'cuda'
        assert all(p.is_cuda for p in model.network.parameters())
        loss = model.train(images, labels)
        assert isinstance(loss, np.float32)
        assert all(state['exp_avg'].is_cuda for state in model.optimizer.state.values())
        assert isinstance(model.predict(images), np.ndarray)


def test_mixed_precision_trains_and_returns_float32():
    images, labels = toy_images(16)
    model = VGG7(config_for('vgg7', device='cuda', amp=True))
    assert model.amp and model.scaler is not None
    losses = [float(model.train(images, labels)) for _ in range(20)]
    assert losses[-1] < losses[0]
    loss, outputs = model.train(images, labels, fetches=['loss', 'predictions'])
    assert loss.dtype == np.float32 and outputs.dtype == np.float32
    assert model.predict(images, fetches='proba').dtype == np.float32
    with_chunks = VGG7(config_for('vgg7', device='cuda', amp=True, microbatch=4))
    assert np.isfinite(with_chunks.train(images, labels))


def test_a_gpu_model_file_loads_on_the_cpu_and_back(tmp_path):
    images, labels = toy_images(8)
    model = ResNet18(config_for('resnet18', device='cuda', amp=True))
    model.train(images, labels)
    model.save(tmp_path / 'model.pt')
    on_cpu = ResNet18({'build': False, 'device': 'cpu', 'load': {'path': tmp_path / 'model.pt'}})
    assert on_cpu.device.type == 'cpu' and not on_cpu.amp
    np.testing.assert_allclose(on_cpu.predict(images), model.predict(images), rtol=2e-2, atol=2e-2)  # float16
    on_cpu.save(tmp_path / 'cpu.pt')
    back = ResNet18({'build': False, 'device': 'cuda', 'load': {'path': tmp_path / 'cpu.pt'}})
    assert back.amp  # 'amp' is part of the stored config
    cpu_state = {key: value.cpu() for key, value in back.network.state_dict().items()}
    assert same_state(cpu_state, on_cpu.network.state_dict())
    assert np.isfinite(back.train(images, labels))


def test_a_unet_segments_on_the_gpu():
    images, _ = toy_images(4)
    masks = (images[:, 0] > 0.5).astype(np.int64)
    model = UNet({'model': {'width': 4, 'depth': 2}, 'inputs': (1, 8, 8), 'classes': 2, 'device': 'cuda',
                  'optimizer': {'name': 'Adam', 'lr': 1e-2}, 'seed': 0})
    losses = [float(model.train(images, masks)) for _ in range(10)]
    assert losses[-1] < losses[0]
    assert model.predict(images, fetches='labels').shape == (4, 8, 8)


def test_a_pipeline_with_auto_uses_the_gpu(images_dataset):
    pipeline = train_pipeline(images_dataset, TorchModel, guide_config(model={'name': 'resnet18', 'width': 2},
                                                                        device='auto'))
    pipeline = pipeline.init_variable('labels', init_on_each_run=list)
    pipeline = pipeline.predict_model('model', B.images, fetches='labels', save_to=V('labels'), mode='e')
    pipeline.run(BATCH_SIZE, n_epochs=2, shuffle=True, seed=1, prefetch=2)
    assert pipeline.m('model').device.type == 'cuda'
    assert len(pipeline.v('labels')) == 64
