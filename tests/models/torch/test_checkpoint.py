"""save/load: equal predictions, the optimizer state kept, atomic writes, no code run on load, clear errors."""
import json
import pickle

import numpy as np
import pytest

from dagflow.exceptions import ModelError

from .conftest import config_for, same_state, toy_images

torch = pytest.importorskip('torch')

from torch import nn  # noqa: E402

from dagflow.models.torch import VGG7, ResNet18, TorchModel  # noqa: E402
from dagflow.models.torch.checkpoint import read_checkpoint  # noqa: E402


def trained(model_class, config, steps=2):
    images, labels = toy_images(8)
    model = model_class(config)
    for _ in range(steps):
        model.train(images, labels)
    return model


@pytest.mark.parametrize('model_class, name', [(ResNet18, 'resnet18'), (TorchModel, 'vgg7')])
def test_a_loaded_model_predicts_the_same_and_its_next_step_is_the_same(tmp_path, model_class, name):
    images, labels = toy_images(8)
    config = config_for(name, scheduler={'name': 'StepLR', 'step_size': 1, 'gamma': 0.5})
    model = trained(model_class, config)
    model.save(tmp_path / 'model.pt')
    loaded = model_class({'build': False, 'load': {'path': tmp_path / 'model.pt'}})
    np.testing.assert_array_equal(loaded.predict(images), model.predict(images))
    assert loaded.iteration == model.iteration == 2
    assert loaded.optimizer.param_groups[0]['lr'] == model.optimizer.param_groups[0]['lr'] == 2.5e-3
    assert loaded.config['model'] == config['model'] and loaded.config['seed'] == 0
    np.testing.assert_array_equal(loaded.train(images, labels), model.train(images, labels))
    assert same_state(loaded.network.state_dict(), model.network.state_dict())
    state, loaded_state = model.optimizer.state_dict()['state'], loaded.optimizer.state_dict()['state']
    assert all(same_state(state[key], loaded_state[key]) for key in state)


def test_load_into_a_built_model_and_build_after_load_keeps_the_weights(tmp_path):
    images, _ = toy_images(4)
    model = trained(VGG7, config_for('vgg7'))
    model.save(tmp_path / 'model.pt')
    built_first = VGG7({**config_for('vgg7'), 'build': 'first', 'load': {'path': tmp_path / 'model.pt'}})
    loaded_then_built = VGG7({'load': {'path': tmp_path / 'model.pt'}})
    fresh = VGG7(config_for('vgg7'))
    fresh.load(tmp_path / 'model.pt')
    for other in (built_first, loaded_then_built, fresh):
        np.testing.assert_array_equal(other.predict(images), model.predict(images))


def test_the_file_holds_tensors_and_plain_data_only(tmp_path):
    model = trained(ResNet18, config_for('resnet18'), steps=1)
    model.save(tmp_path / 'model.pt')
    content = torch.load(tmp_path / 'model.pt', weights_only=True)
    assert content['format'] == 'dagflow.TorchModel/1' and content['class'] == 'ResNet18'
    assert json.loads(content['config'])['inputs'] == [1, 8, 8]
    assert 'device' not in json.loads(content['config'])


class Exploit:
    ran = []

    def __reduce__(self):
        return (Exploit.ran.append, ('code ran',))


def test_loading_never_runs_code_from_the_file(tmp_path):
    path = tmp_path / 'evil.pt'
    torch.save({'format': 'dagflow.TorchModel/1', 'config': '{}', 'payload': Exploit()}, path)
    with pytest.raises(ModelError, match=r'holds Python objects that loading would have to execute.*'
                                         r'\(Unsupported global: GLOBAL \S+\)$'):
        TorchModel({'build': False, 'load': {'path': path}})
    assert Exploit.ran == []
    with open(path, 'wb') as file:
        pickle.dump(Exploit(), file)
    with pytest.raises(ModelError, match=r'the file is corrupt or not a saved model'):
        TorchModel({'build': False, 'load': {'path': path}})
    assert Exploit.ran == []


def test_missing_corrupt_and_foreign_files_name_the_path(tmp_path):
    with pytest.raises(ModelError, match=r"Cannot load a model from '.*missing.pt': the file does not exist"):
        TorchModel({'build': False, 'load': {'path': tmp_path / 'missing.pt'}})
    (tmp_path / 'corrupt.pt').write_bytes(b'not a model')
    with pytest.raises(ModelError, match=r"'.*corrupt.pt': the file is corrupt or not a saved model"):
        read_checkpoint(tmp_path / 'corrupt.pt')
    torch.save({'weights': torch.zeros(2)}, tmp_path / 'foreign.pt')
    with pytest.raises(ModelError, match=r"'.*foreign.pt': it is not a TorchModel file"):
        read_checkpoint(tmp_path / 'foreign.pt')


def test_a_crash_while_saving_keeps_the_old_file(tmp_path, monkeypatch):
    images, _ = toy_images(4)
    model = trained(VGG7, config_for('vgg7'), steps=1)
    model.save(tmp_path / 'model.pt')
    good = (tmp_path / 'model.pt').read_bytes()

    def crash(obj, path):
        with open(path, 'wb') as file:
            file.write(b'half a model')
        raise KeyboardInterrupt
    monkeypatch.setattr(torch, 'save', crash)
    with pytest.raises(KeyboardInterrupt):
        model.save(tmp_path / 'model.pt')
    assert (tmp_path / 'model.pt').read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == ['model.pt']


def test_a_file_from_another_architecture_names_the_keys_that_differ(tmp_path):
    trained(ResNet18, config_for('resnet18'), steps=1).save(tmp_path / 'resnet.pt')
    vgg = VGG7(config_for('vgg7'))
    with pytest.raises(ModelError, match=r"Cannot load '.*resnet.pt' into VGG7: the file holds another network "
                                         r"\(saved by ResNet18 with model \{'name': 'resnet18', 'width': 2\}\): "
                                         r"missing keys: 'features.0.0.weight', .* and 31 more; unexpected keys: "
                                         r"'stages.0.conv1.weight', .*; shape mismatches: 'head.2.weight' "
                                         r"\(file \(2, 16\), model \(2, 8\)\)"):
        vgg.load(tmp_path / 'resnet.pt')
    wider = VGG7({**config_for('vgg7'), 'model': {'width': 4}})
    trained(VGG7, config_for('vgg7'), steps=1).save(tmp_path / 'vgg.pt')
    with pytest.raises(ModelError, match=r"shape mismatches: 'features.0.0.weight' \(file \(2, 1, 3, 3\), "
                                         r"model \(4, 1, 3, 3\)\)"):
        wider.load(tmp_path / 'vgg.pt')
    with pytest.raises(ModelError, match=r"the file holds a 'resnet18' network \(saved by ResNet18\), but VGG7 "
                                         r"builds 'vgg7'"):
        VGG7({'build': False, 'load': {'path': tmp_path / 'resnet.pt'}})


class SmallNet(nn.Module):
    def __init__(self, input_shape, classes):
        super().__init__()
        self.layers = nn.Sequential(nn.Flatten(), nn.Linear(int(np.prod(input_shape)), classes))

    def forward(self, x):
        return self.layers(x)


def test_config_values_that_are_not_plain_data_are_asked_for_when_loading(tmp_path):
    images, labels = toy_images(8)
    model = trained(TorchModel, {'model': SmallNet, 'inputs': (1, 8, 8), 'classes': 2,
                                 'loss': nn.functional.cross_entropy})
    model.save(tmp_path / 'model.pt')
    assert set(torch.load(tmp_path / 'model.pt', weights_only=True)['not_stored']) == {'model', 'loss'}
    with pytest.raises(ModelError, match=r"could not store its network \('model' was <class .*SmallNet'>.*"
                                         r"config=\{'model': ...\}"):
        TorchModel({'build': False, 'load': {'path': tmp_path / 'model.pt'}})
    loaded = TorchModel({'build': False, 'model': SmallNet, 'load': {'path': tmp_path / 'model.pt'}})
    np.testing.assert_array_equal(loaded.predict(images), model.predict(images))
    with pytest.raises(ModelError, match=r"TorchModel.train: the file this model was loaded from could not store its "
                                         r"loss \(<function cross_entropy"):
        loaded.train(images, labels)
    loaded.save(tmp_path / 'again.pt')  # still says what it lacks
    assert set(torch.load(tmp_path / 'again.pt', weights_only=True)['not_stored']) == {'model', 'loss'}
    with_loss = TorchModel({'build': False, 'model': SmallNet, 'loss': 'ce', 'load': {'path': tmp_path / 'again.pt'}})
    assert with_loss.train(images, labels) > 0


def test_a_model_without_a_network_yet_has_nothing_to_save(tmp_path):
    model = TorchModel({'model': 'mlp', 'classes': 2})
    with pytest.raises(ModelError, match=r'there is nothing to save yet'):
        model.save(tmp_path / 'model.pt')


def test_models_pickle_with_their_training_state():
    images, labels = toy_images(4)
    model = trained(VGG7, config_for('vgg7'), steps=1)
    copy = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(copy.predict(images), model.predict(images))
    np.testing.assert_array_equal(copy.train(images, labels), model.train(images, labels))
