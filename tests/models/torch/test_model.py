"""TorchModel: building from a config, training and predicting with numpy, microbatches, reset, bad input."""
import numpy as np
import pytest

from dagflow.exceptions import ModelConfigWarning, ModelError

from .conftest import TINY, config_for, same_state, toy_images

torch = pytest.importorskip('torch')

from torch import nn  # noqa: E402

from dagflow.models.torch import MLP, VGG7, VGG16, ResNet18, ResNet34, TorchModel, UNet  # noqa: E402

CLASSES = {'mlp': MLP, 'vgg7': VGG7, 'vgg16': VGG16, 'resnet18': ResNet18, 'resnet34': ResNet34, 'unet': UNet}


def weights(model):
    return {key: value.clone() for key, value in model.network.state_dict().items()}


# ---------------------------------------------------------------- every architecture trains
@pytest.mark.parametrize('name', sorted(CLASSES))
def test_each_architecture_learns_a_toy_batch(name):
    images, labels = toy_images(16)
    targets = (images[:, 0] > 0.5).astype(np.int64) if name == 'unet' else labels
    model = CLASSES[name]({'model': TINY[name], 'inputs': (1, 8, 8), 'classes': 2, 'seed': 0,
                           'optimizer': {'name': 'Adam', 'lr': 1e-2}})
    losses = [float(model.train(images, targets)) for _ in range(6)]
    assert losses[-1] < losses[0] * 0.9, losses
    predictions = model.predict(images)
    assert predictions.shape == ((16, 2, 8, 8) if name == 'unet' else (16, 2))
    assert model.iteration == 6


def test_architecture_classes_are_torch_models_named_after_the_architecture():
    model = ResNet18({'inputs': (3, 8, 8), 'classes': 10, 'model': {'width': 2}})
    assert isinstance(model, TorchModel) and model.default_name == 'ResNet18'
    assert TorchModel({**config_for('resnet18'), 'model': ResNet18}).network.head[-1].in_features == 512
    with pytest.raises(ModelError, match=r"ResNet18 builds 'resnet18', but config 'model' names 'vgg7'"):
        ResNet18({'inputs': (3, 8, 8), 'classes': 10, 'model': 'vgg7'})


# ---------------------------------------------------------------- numpy in, numpy out
def test_train_and_predict_take_and_return_numpy():
    images, labels = toy_images(8)
    model = VGG7(config_for('vgg7'))
    loss = model.train(images.astype(np.float64), labels)
    assert isinstance(loss, np.float32)
    loss, outputs, proba, predicted = model.train(images, labels, fetches=['loss', 'predictions', 'proba', 'labels'])
    assert isinstance(outputs, np.ndarray) and outputs.dtype == np.float32 and outputs.shape == (8, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
    np.testing.assert_array_equal(predicted, outputs.argmax(axis=1))
    assert model.predict(images).shape == (8, 2)
    assert model.predict(images, fetches='labels').dtype == np.int64
    eval_loss = model.predict(images, labels, fetches='loss')
    assert isinstance(eval_loss, np.float32) and eval_loss > 0
    uint8_images = (images * 255).astype(np.uint8)
    assert model.predict(uint8_images).shape == (8, 2)
    flipped = images[..., ::-1]  # negative strides are fine
    np.testing.assert_allclose(model.predict(flipped), model.predict(flipped.copy()))


def test_predict_runs_in_eval_mode_without_gradients_and_changes_nothing():
    images, labels = toy_images(8)
    model = ResNet18(config_for('resnet18'))
    model.train(images, labels)
    model.optimizer.zero_grad(set_to_none=True)
    before = weights(model)
    first, second = model.predict(images), model.predict(images)
    np.testing.assert_array_equal(first, second)
    assert same_state(before, weights(model))  # batch norm statistics included
    assert not model.network.training
    assert all(p.grad is None for p in model.network.parameters())


def test_a_training_step_uses_the_batch_statistics_and_predict_the_running_ones():
    images, labels = toy_images(8)
    model = VGG7(config_for('vgg7', optimizer={'name': 'SGD', 'lr': 0.0}))
    train_outputs = model.train(images, labels, fetches='predictions')
    assert not np.allclose(train_outputs, model.predict(images))


# ---------------------------------------------------------------- microbatches
@pytest.mark.parametrize('name, options', [('mlp', {}), ('vgg7', {'batch_norm': False})])
def test_microbatches_give_the_full_batch_step(name, options):
    images, labels = toy_images(10)
    config = config_for(name)
    config['model'].update(options)
    full, chunked = TorchModel(config), TorchModel({**config, 'microbatch': 3})
    for _ in range(3):
        full_loss, full_out = full.train(images, labels, fetches=['loss', 'predictions'])
        chunk_loss, chunk_out = chunked.train(images, labels, fetches=['loss', 'predictions'])
        np.testing.assert_allclose(chunk_loss, full_loss, rtol=1e-5)
        np.testing.assert_allclose(chunk_out, full_out, rtol=1e-4, atol=1e-6)
    for key, value in weights(full).items():
        torch.testing.assert_close(weights(chunked)[key], value, rtol=1e-4, atol=1e-6)
    single = TorchModel(config)
    single.train(images, labels, microbatch=4)  # the per-call option overrides the config
    np.testing.assert_allclose(single.predict(images, microbatch=3), single.predict(images), rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------- seeds and reset
def test_a_seed_makes_the_initial_weights_reproducible_and_leaves_the_global_generator_alone():
    state = torch.get_rng_state()
    first, second = VGG7(config_for('vgg7')), VGG7(config_for('vgg7'))
    assert torch.equal(torch.get_rng_state(), state)
    assert same_state(weights(first), weights(second))
    third = VGG7({**config_for('vgg7'), 'seed': 1})
    assert not same_state(weights(first), weights(third))


def test_reset_reinitialises_the_weights_and_the_training_state():
    images, labels = toy_images(8)
    model = ResNet18(config_for('resnet18', scheduler={'name': 'StepLR', 'step_size': 1, 'gamma': 0.5}))
    initial = weights(model)
    for _ in range(2):
        model.train(images, labels)
    assert not same_state(initial, weights(model))
    model.reset()
    assert same_state(initial, weights(model))  # seeded: as first built
    assert model.iteration == 0 and model.optimizer.param_groups[0]['lr'] == 1e-2
    assert not model.optimizer.state
    unseeded = ResNet18({**config_for('resnet18'), 'seed': None})
    before = weights(unseeded)
    unseeded.reset()
    assert not same_state(before, weights(unseeded))


def test_reset_reinitialises_a_module_instance_in_place():
    network = nn.Sequential(nn.Flatten(), nn.Linear(4, 2))
    model = TorchModel({'model': network, 'classes': 2})
    with torch.no_grad():
        network[1].weight.fill_(7.0)
    model.reset()
    assert model.network is network and not torch.all(network[1].weight == 7.0)


# ---------------------------------------------------------------- shapes from the first batch
def test_inputs_are_taken_from_the_first_batch_when_the_config_has_none():
    images, labels = toy_images(8, shape=(1, 6, 6))
    model = TorchModel({'model': {'name': 'vgg7', 'width': 2}, 'classes': 2})
    assert model.network is None and 'not built' in repr(model)
    model.train(images, labels)
    assert model.config['inputs'] == (1, 6, 6) and model.network is not None
    with pytest.raises(ModelError, match=r'items of shape \(1, 8, 8\).*built for items of shape \(1, 6, 6\)'):
        model.predict(toy_images(4)[0])


def test_inputs_given_as_named_specs_give_shape_and_classes():
    model = TorchModel({'model': {'name': 'mlp', 'width': 4},
                        'inputs': {'images': {'shape': (1, 8, 8)}, 'labels': {'classes': 3}}})
    assert model.predict(toy_images(2)[0]).shape == (2, 3)
    with pytest.raises(ModelError, match=r"config 'classes' is 2 but config 'inputs' says 3"):
        TorchModel({'model': 'mlp', 'classes': 2, 'inputs': {'images': {'shape': (4,)}, 'labels': {'classes': 3}}})


# ---------------------------------------------------------------- any nn.Module
class TwoInputs(nn.Module):
    def __init__(self, input_shape, classes, hidden=4):
        super().__init__()
        self.first = nn.Linear(input_shape[0], hidden)
        self.second = nn.Linear(1, hidden)
        self.out = nn.Linear(hidden, classes)

    def forward(self, x, extra):
        return self.out(torch.relu(self.first(x) + self.second(extra)))


def test_any_module_class_instance_or_factory_is_a_network():
    x, extra, y = np.random.default_rng(0).random((8, 3)), np.ones((8, 1)), np.arange(8) % 2
    by_class = TorchModel({'model': {'name': TwoInputs, 'hidden': 5}, 'inputs': [(3,), (1,)], 'classes': 2})
    assert by_class.network.first.out_features == 5
    assert by_class.train([x, extra], y, fetches='predictions').shape == (8, 2)
    instance = nn.Linear(3, 1)
    by_instance = TorchModel({'model': instance, 'loss': 'mse'})
    assert by_instance.network is instance and by_instance.predict(x).shape == (8, 1)
    by_factory = TorchModel({'model': lambda classes: nn.Sequential(nn.Linear(3, classes)), 'classes': 4})
    assert by_factory.predict(x).shape == (8, 4)
    with pytest.raises(ModelError, match=r'returned int, not a torch.nn.Module'):
        TorchModel({'model': lambda: 3})
    with pytest.raises(ModelError, match=r'the network takes 2 input\(s\).*got 1'):
        by_class.predict(x)


def test_integer_inputs_reach_custom_networks_as_int64():
    model = TorchModel({'model': nn.Sequential(nn.Embedding(10, 3), nn.Flatten(), nn.Linear(6, 2))})
    assert model.predict(np.array([[1, 2], [3, 4]])).shape == (2, 2)


# ---------------------------------------------------------------- losses, optimizers, schedulers
@pytest.mark.parametrize('loss', ['mse', 'l1', {'name': 'HuberLoss', 'delta': 0.5}])
def test_regression_losses_fit_targets_of_shape_n_to_outputs_n_1(loss):
    x = np.random.default_rng(0).normal(size=(32, 3))
    y = x @ np.array([1.0, -1.0, 0.5])
    model = MLP({'model': {'width': 8}, 'inputs': (3,), 'classes': 1, 'loss': loss, 'seed': 0,
                 'optimizer': {'name': 'Adam', 'lr': 1e-2}})
    losses = [float(model.train(x, y)) for _ in range(10)]
    assert losses[-1] < losses[0]
    with pytest.raises(ModelError, match=r"fetch 'proba' needs loss 'ce'.*or 'bce'"):
        model.predict(x, fetches='proba')


def test_binary_cross_entropy_gives_probabilities_and_labels():
    images, labels = toy_images(16)
    model = MLP(config_for('mlp', classes=1, loss='bce'))
    for _ in range(5):
        model.train(images, labels)
    proba, predicted = model.predict(images, fetches=['proba', 'labels'])
    assert proba.shape == (16, 1) and np.all((proba > 0) & (proba < 1))
    np.testing.assert_array_equal(predicted, (proba > 0.5).astype(np.int64))


def test_a_loss_function_and_an_optimizer_class_are_accepted():
    images, labels = toy_images(8)
    calls = []

    def loss(outputs, targets):
        calls.append(targets.dtype)
        return nn.functional.cross_entropy(outputs, targets)
    model = MLP({**config_for('mlp'), 'loss': loss, 'optimizer': {'name': torch.optim.SGD, 'lr': 0.1}})
    model.train(images, labels)
    assert calls == [torch.int64] and isinstance(model.optimizer, torch.optim.SGD)


def test_the_scheduler_steps_after_every_training_batch():
    images, labels = toy_images(8)
    model = MLP(config_for('mlp', optimizer={'name': 'sgd', 'lr': 1.0},
                           scheduler={'name': 'StepLR', 'step_size': 1, 'gamma': 0.5}))
    model.train(images, labels)
    model.train(images, labels)
    assert model.optimizer.param_groups[0]['lr'] == 0.25
    plateau = MLP(config_for('mlp', scheduler={'name': 'ReduceLROnPlateau', 'patience': 0}))
    plateau.train(images, labels)  # steps with the loss


def test_segmentation_masks_with_a_channel_axis_are_class_labels():
    images, _ = toy_images(4)
    masks = (images > 0.5).astype(np.int64)  # (N, 1, H, W)
    model = UNet({'model': TINY['unet'], 'inputs': (1, 8, 8), 'classes': 2})
    assert model.train(images, masks) > 0
    assert model.predict(images, fetches='labels').shape == (4, 8, 8)


# ---------------------------------------------------------------- bad input
def test_inputs_that_do_not_fit_the_network_name_both_shapes():
    model = ResNet18(config_for('resnet18', shape=(3, 8, 8)))
    with pytest.raises(ModelError, match=r'ResNet18.train: the inputs have items of shape \(1, 8, 8\) '
                                         r'\(a batch of \(4, 1, 8, 8\)\), but the network was built for items of '
                                         r'shape \(3, 8, 8\)'):
        model.train(np.zeros((4, 1, 8, 8)), np.zeros(4))
    with pytest.raises(ModelError, match=r'ResNet18.predict: the inputs have items of shape \(3, 8\)'):
        model.predict(np.zeros((4, 3, 8)))


def test_targets_that_do_not_fit_the_outputs_are_clear_errors():
    images, labels = toy_images(4)
    model = MLP(config_for('mlp'))
    with pytest.raises(ModelError, match=r'targets of shape \(4, 3\) do not fit the network outputs of shape '
                                         r'\(4, 2\) for CrossEntropyLoss'):
        model.train(images, np.zeros((4, 3)))
    with pytest.raises(ModelError, match=r'the targets hold label 5, but the network has 2 outputs'):
        model.train(images, np.array([0, 1, 5, 0]))
    with pytest.raises(ModelError, match=r'needs integer class labels'):
        model.train(images, np.array([0, 0.5, 1, 0]))
    with pytest.raises(ModelError, match=r'4 inputs but targets of shape \(3,\)'):
        model.train(images, labels[:3])
    with pytest.raises(ModelError, match=r'training needs targets'):
        model.train(images, None)
    with pytest.raises(ModelError, match=r"fetching 'loss' needs targets"):
        model.predict(images, fetches='loss')
    regression = MLP(config_for('mlp', classes=1, loss='mse'))
    with pytest.raises(ModelError, match=r'targets of shape \(4, 2\) do not fit the network outputs of shape \(4, 1\)'):
        regression.train(images, np.zeros((4, 2)))


def test_negative_class_labels_are_clear_errors_but_the_ignore_index_is_allowed():
    images, _ = toy_images(4)
    model = MLP(config_for('mlp'))
    with pytest.raises(ModelError, match=r'the targets hold label -1, but class labels are 0..1 \(or -100, the '
                                         r'ignore_index of CrossEntropyLoss'):
        model.train(images, np.array([0, -1, 1, 0]))
    with pytest.raises(ModelError, match=r'the targets hold label -1'):
        model.predict(images, np.array([0, -1, 1, 0]), fetches='loss')
    assert np.isfinite(model.train(images, np.array([0, -100, 1, 0])))


def test_binary_cross_entropy_refuses_targets_outside_zero_one():
    images, _ = toy_images(4)
    model = MLP(config_for('mlp', classes=1, loss='bce'))
    with pytest.raises(ModelError, match=r"BCEWithLogitsLoss needs targets in \[0, 1\].*hold 2.*use loss 'ce'"):
        model.train(images, np.array([0, 1, 2, 0]))
    assert model.train(images, np.array([0.0, 1.0, 0.3, 1.0])) > 0  # probabilities are fine


def test_unknown_fetches_and_misspelt_config_keys_suggest_the_right_name():
    model = MLP(config_for('mlp'))
    with pytest.raises(ModelError, match=r"unknown fetch 'los'. Did you mean 'loss'"):
        model.train(*toy_images(4), fetches='los')
    with pytest.raises(ModelError, match=r"unknown config key 'optimiser'. Did you mean 'optimizer'"):
        MLP({**config_for('mlp'), 'optimiser': 'SGD'})
    with pytest.warns(ModelConfigWarning, match=r"MLP: config key 'my_note' is not read by MLP"):
        assert MLP({**config_for('mlp'), 'my_note': 'kept'}).config['my_note'] == 'kept'


def test_the_feed_dict_form_of_the_guide():
    images, labels = toy_images(8)
    model, twin = MLP(config_for('mlp')), MLP(config_for('mlp'))
    assert model.train(feed_dict={'x': images, 'y': labels}) == twin.train(images, labels)
    np.testing.assert_array_equal(model.predict(feed_dict={'x': images}), twin.predict(images))
    with pytest.raises(ModelError, match=r"feed_dict must be \{'x': inputs, 'y': targets\}.*got keys \['images'\]"):
        model.predict(feed_dict={'images': images})
    with pytest.raises(ModelError, match=r'either as arguments or in feed_dict, not both'):
        model.predict(images, feed_dict={'x': images})
    with pytest.raises(ModelError, match=r'MLP.predict: no inputs were given'):
        model.predict()


def test_a_network_that_fails_on_the_inputs_names_their_shape():
    model = TorchModel({'model': nn.Linear(3, 2)})
    with pytest.raises(ModelError, match=r'TorchModel.predict: the network failed on inputs of shape \(2, 5\)'):
        model.predict(np.zeros((2, 5)))


def test_a_model_without_a_network_says_how_to_name_one():
    with pytest.raises(ModelError, match=r"TorchModel needs config 'model': an architecture name"):
        TorchModel({'inputs': (3,), 'classes': 2})
    with pytest.raises(ModelError, match=r"Unknown architecture 'resnet19'. Did you mean 'resnet18'"):
        TorchModel({'model': 'resnet19', 'inputs': (3, 8, 8), 'classes': 2})
    with pytest.raises(ModelError, match=r"config 'inputs': \(3, 0\) is not a shape of positive ints"):
        TorchModel({'model': 'mlp', 'inputs': (3, 0), 'classes': 2})
    with pytest.raises(ModelError, match=r"config 'classes' must be a positive int"):
        TorchModel({'model': 'mlp', 'inputs': (3,), 'classes': 'ten'})


@pytest.mark.skipif(torch.cuda.is_available(), reason='needs a machine without a GPU')
def test_cuda_without_a_gpu_is_a_clear_error_and_auto_falls_back_to_the_cpu():
    with pytest.raises(ModelError, match=r"config 'device' is 'cuda', but PyTorch sees no GPU.*'auto'"):
        MLP(config_for('mlp', device='cuda'))
    model = MLP(config_for('mlp', device='auto', amp=True))
    assert model.device.type == 'cpu' and not model.amp and model.scaler is None
    assert model.train(*toy_images(4)) > 0


# ---------------------------------------------------------------- BatchFlow's spellings of train/predict arguments
def test_outputs_is_fetches_in_train_and_predict():
    images, labels = toy_images(8)
    model, twin = MLP(config_for('mlp')), MLP(config_for('mlp'))
    assert model.train(images, labels, outputs='loss') == twin.train(images, labels, fetches='loss')
    np.testing.assert_array_equal(model.predict(images, outputs=['labels'])[0],
                                  twin.predict(images, fetches=['labels'])[0])
    with pytest.raises(ModelError, match=r"MLP.train: give either fetches= or outputs= \(two spellings of the same "
                                         r"argument\), not both: fetches='loss', outputs='labels'"):
        model.train(images, labels, fetches='loss', outputs='labels')
    with pytest.raises(ModelError, match=r'MLP.predict: give either fetches= or outputs='):
        model.predict(images, fetches='labels', outputs='labels')


def test_outputs_may_be_a_dict_or_a_callable_on_the_raw_outputs():
    images, _ = toy_images(4)
    model = MLP(config_for('mlp'))
    raw = model.predict(images)
    got = model.predict(images, outputs={'raw': 'predictions', 'double': lambda out: out * 2,
                                         'sig': 'sigmoid', 'soft': 'softplus'})
    assert list(got) == ['raw', 'double', 'sig', 'soft']
    np.testing.assert_allclose(got['double'], raw * 2)
    np.testing.assert_allclose(got['sig'], 1 / (1 + np.exp(-raw)), rtol=1e-6)
    np.testing.assert_allclose(got['soft'], np.log1p(np.exp(raw)), rtol=1e-6)
    with pytest.raises(ModelError, match=r'fetches must be a name, a callable, a list of them or a dict, got 3'):
        model.predict(images, outputs=3)


def test_microbatch_size_and_lock_arguments():
    images, labels = toy_images(8)
    model, twin = MLP(config_for('mlp')), MLP(config_for('mlp'))
    assert model.train(images, labels, microbatch_size=3, lock=False) == twin.train(images, labels, microbatch=3)
    with pytest.raises(ModelError, match=r'give either microbatch= or microbatch_size='):
        model.predict(images, microbatch=2, microbatch_size=2)


def test_the_lock_is_held_during_a_call_unless_lock_is_false():
    import threading

    class Probe(nn.Linear):
        """A layer that records whether another thread could take the model's lock while it runs."""
        free = []

        def forward(self, x):
            def try_lock():
                taken = model._lock.acquire(blocking=False)
                Probe.free.append(taken)
                if taken:
                    model._lock.release()
            thread = threading.Thread(target=try_lock)
            thread.start()
            thread.join()
            return super().forward(x)

    model = TorchModel({'model': Probe(3, 2)})
    model.predict(np.zeros((2, 3)))
    model.train(np.zeros((2, 3)), np.array([0, 1]), lock=False)
    assert Probe.free == [False, True]



def test_without_outputs_train_returns_the_loss_and_predict_the_outputs_on_the_cpu():
    images, labels = toy_images(4)
    model = MLP(config_for('mlp'))   # no 'device': the CPU, not BatchFlow's best device
    assert model.device == torch.device('cpu')
    loss = model.train(images, labels)   # BatchFlow's outputs=None returns None
    assert loss.shape == () and loss > 0
    assert model.predict(images).shape == (4, 2)
