"""Model files as BatchFlow users write them: 'load/path' restores a named architecture without restating it,
save(fmt=...) with the formats dagflow supports (torch, safetensors), the others and pickle_module refused."""
import json
import pickle
import struct

import numpy as np
import pytest

from dagflow import B, V
from dagflow.exceptions import ModelError

from .conftest import TINY, config_for, same_state, toy_images

torch = pytest.importorskip('torch')

from dagflow.models.torch import MLP, VGG7, VGG16, ResNet18, ResNet34, TorchModel, UNet  # noqa: E402
from dagflow.models.torch.formats import read_safetensors, write_safetensors  # noqa: E402

CLASSES = {'mlp': MLP, 'vgg7': VGG7, 'vgg16': VGG16, 'resnet18': ResNet18, 'resnet34': ResNet34, 'unet': UNet}


def trained(model_class, name):
    images, labels = toy_images(8)
    targets = (images[:, 0] > 0.5).astype(np.int64) if name == 'unet' else labels
    model = model_class(config_for(name))
    model.train(images, targets)
    return model


# ---------------------------------------------------------------- 'load/path' without restating the architecture
@pytest.mark.parametrize('name', sorted(CLASSES))
def test_load_path_restores_every_named_architecture(tmp_path, name):
    images, _ = toy_images(4)
    model = trained(CLASSES[name], name)
    model.save(tmp_path / 'model.pt')
    for restored in (TorchModel(config={'load/path': tmp_path / 'model.pt'}),
                     CLASSES[name]({'load/path': tmp_path / 'model.pt'}),
                     TorchModel({'build': 'first', 'load': {'path': tmp_path / 'model.pt'}})):
        assert restored.config['model'] == {'name': name, **TINY[name]}
        np.testing.assert_array_equal(restored.predict(images), model.predict(images))
        assert restored.iteration == 1


def test_a_pipeline_restores_a_saved_architecture_from_its_path(tmp_path, images_dataset):
    model = trained(ResNet18, 'resnet18')
    model.save(tmp_path / 'model.pt')
    images = images_dataset.preloaded['images']
    by_config = (images_dataset.p.init_model('m', TorchModel, config={'load/path': tmp_path / 'model.pt'})
                 .init_variable('out', init_on_each_run=list)
                 .predict_model('m', B.images, save_to=V('out'), mode='a')
                 .run(32, n_epochs=1))
    by_step = (images_dataset.p.before.load_model('m', TorchModel, 'dynamic', path=tmp_path / 'model.pt').pipeline
               .init_variable('out', init_on_each_run=list)
               .predict_model('m', B.images, save_to=V('out'), mode='a')
               .run(32, n_epochs=1))
    np.testing.assert_array_equal(by_config.v('out')[0], model.predict(images))
    np.testing.assert_array_equal(by_step.v('out')[0], model.predict(images))


# ---------------------------------------------------------------- fmt='safetensors'
def test_safetensors_keeps_the_weights_and_the_architecture(tmp_path):
    images, labels = toy_images(8)
    model = trained(ResNet18, 'resnet18')   # batch norm: float weights and int64 counters
    model.save(tmp_path / 'model.safetensors', fmt='safetensors')
    for loaded in (TorchModel({'load/path': tmp_path / 'model.safetensors'}),
                   ResNet18({'build': False, 'load': {'path': tmp_path / 'model.safetensors', 'fmt': 'safetensors'}})):
        assert same_state(loaded.network.state_dict(), model.network.state_dict())
        np.testing.assert_array_equal(loaded.predict(images), model.predict(images))
        assert loaded.iteration == 1 and not loaded.optimizer.state_dict()['state']  # no optimizer state
        assert loaded.train(images, labels) > 0


def test_a_safetensors_file_has_the_documented_layout(tmp_path):
    model = trained(MLP, 'mlp')
    model.save(tmp_path / 'model.safetensors', fmt='safetensors')
    raw = (tmp_path / 'model.safetensors').read_bytes()
    size = struct.unpack('<Q', raw[:8])[0]
    header = json.loads(raw[8:8 + size])
    metadata = header.pop('__metadata__')
    assert metadata['format'] == 'dagflow.TorchModel/1' and metadata['class'] == 'MLP'
    assert json.loads(metadata['config'])['model'] == {'name': 'mlp', **TINY['mlp']}
    state = model.network.state_dict()
    assert set(header) == set(state)
    for name, entry in header.items():
        start, end = entry['data_offsets']
        assert entry['dtype'] == 'F32' and entry['shape'] == list(state[name].shape)
        values = np.frombuffer(raw[8 + size + start:8 + size + end], dtype='<f4').reshape(entry['shape'])
        np.testing.assert_array_equal(values, state[name].numpy())


def test_a_plain_state_dict_in_safetensors_loads_into_a_model_that_names_its_network(tmp_path):
    images, _ = toy_images(4)
    model = trained(VGG7, 'vgg7')
    write_safetensors(tmp_path / 'weights.safetensors', model.network.state_dict())
    loaded = VGG7({**config_for('vgg7'), 'build': False, 'load': {'path': tmp_path / 'weights.safetensors'}})
    np.testing.assert_array_equal(loaded.predict(images), model.predict(images))
    with pytest.raises(ModelError, match=r"TorchModel needs config 'model'"):
        TorchModel({'load/path': tmp_path / 'weights.safetensors'})


def test_every_dtype_and_empty_tensors_round_trip(tmp_path):
    tensors = {'f64': torch.arange(3, dtype=torch.float64), 'f16': torch.ones(2, 2, dtype=torch.float16),
               'bf16': torch.full((3,), 1.5, dtype=torch.bfloat16), 'i8': torch.tensor([-1, 2], dtype=torch.int8),
               'u8': torch.tensor([255], dtype=torch.uint8), 'b': torch.tensor([True, False]),
               'empty': torch.zeros(0, 4), 'scalar': torch.tensor(7, dtype=torch.int64)}
    write_safetensors(tmp_path / 't.safetensors', tensors)
    read, metadata = read_safetensors(tmp_path / 't.safetensors')
    assert metadata == {} and set(read) == set(tensors)
    assert all(read[k].dtype == v.dtype and torch.equal(read[k], v) for k, v in tensors.items())


def test_a_damaged_safetensors_file_is_a_clear_error(tmp_path):
    model = trained(MLP, 'mlp')
    model.save(tmp_path / 'model.safetensors', fmt='safetensors')
    raw = (tmp_path / 'model.safetensors').read_bytes()
    (tmp_path / 'cut.safetensors').write_bytes(raw[:-8])
    with pytest.raises(ModelError, match=r"cut.safetensors': it is not a valid safetensors file \(tensor '.*': its "
                                         r'offsets \[.*\] do not fit its shape'):
        TorchModel({'load': {'path': tmp_path / 'cut.safetensors', 'fmt': 'safetensors'}})
    (tmp_path / 'long.safetensors').write_bytes(struct.pack('<Q', 10**6) + b'{}')
    with pytest.raises(ModelError, match=r'its header would be 1000000 bytes long'):
        TorchModel({'load': {'path': tmp_path / 'long.safetensors', 'fmt': 'safetensors'}})


# ---------------------------------------------------------------- refused formats and pickle modules
@pytest.mark.parametrize('fmt, reason', [
    ('onnx', r'writing ONNX needs the onnx package and reading it back needs onnx2torch.*torch.onnx.export'),
    ('openvino', r'OpenVINO needs the openvino package'),
])
def test_formats_that_need_other_packages_are_refused_with_what_to_use(tmp_path, fmt, reason):
    model = trained(MLP, 'mlp')
    with pytest.raises(ValueError, match=rf"MLP.save: fmt='{fmt}' is not supported: {reason}.*Use fmt='torch'.*"
                                         r"or fmt='safetensors'"):
        model.save(tmp_path / 'model', fmt=fmt)
    model.save(tmp_path / 'model.pt')
    with pytest.raises(ModelError, match=rf"MLP.load: fmt='{fmt}' is not supported"):
        model.load(tmp_path / 'model.pt', fmt=fmt)
    assert not (tmp_path / 'model').exists()


def test_an_unknown_format_names_the_close_one(tmp_path):
    with pytest.raises(ModelError, match=r"MLP.save: unknown format fmt='safetensor'. Did you mean 'safetensors'"):
        trained(MLP, 'mlp').save(tmp_path / 'model', fmt='safetensor')


def test_a_pickle_module_is_refused_with_the_reason(tmp_path):
    model = trained(MLP, 'mlp')
    with pytest.raises(ModelError, match=r"MLP.save: pickle_module='pickle' is not accepted: TorchModel files hold "
                                         r'only tensors and plain data and are read with '
                                         r'torch.load\(weights_only=True\)'):
        model.save(tmp_path / 'model.pt', pickle_module=pickle)
    model.save(tmp_path / 'model.pt', fmt='torch')
    with pytest.raises(ModelError, match=r'MLP.load: pickle_module='):
        model.load(tmp_path / 'model.pt', pickle_module=pickle)
    with pytest.raises(ModelError, match=r"TorchModel.load: pickle_module='pickle' is not accepted"):
        TorchModel({'load': {'path': tmp_path / 'model.pt', 'pickle_module': pickle}})
