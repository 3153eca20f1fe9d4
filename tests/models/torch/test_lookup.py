"""Names in the config: losses, optimizers, schedulers and devices, with suggestions for unknown ones."""
import pytest

from dagflow.exceptions import ModelError

torch = pytest.importorskip('torch')

from torch import nn  # noqa: E402

from dagflow.models.torch.lookup import make_loss, make_optimizer, make_scheduler, resolve_device  # noqa: E402


@pytest.mark.parametrize('name, cls', [('ce', nn.CrossEntropyLoss), ('bce', nn.BCEWithLogitsLoss),
                                       ('mse', nn.MSELoss), ('l1', nn.L1Loss), ('CE', nn.CrossEntropyLoss),
                                       ('SmoothL1Loss', nn.SmoothL1Loss), ('huberloss', nn.HuberLoss)])
def test_loss_names(name, cls):
    assert type(make_loss(name)) is cls


def test_optimizer_and_scheduler_names_in_any_case_with_options():
    parameters = list(nn.Linear(2, 1).parameters())
    optimizer = make_optimizer({'name': 'adamw', 'lr': 0.5, 'weight_decay': 0.1}, parameters)
    assert isinstance(optimizer, torch.optim.AdamW) and optimizer.defaults['weight_decay'] == 0.1
    assert isinstance(make_optimizer({'name': 'SGD', 'lr': 1}, parameters), torch.optim.SGD)
    scheduler = make_scheduler({'name': 'CosineAnnealingLR', 'T_max': 10}, optimizer)
    assert isinstance(scheduler, torch.optim.lr_scheduler.CosineAnnealingLR)
    assert make_scheduler(None, optimizer) is None
    assert isinstance(make_optimizer(lambda params: torch.optim.SGD(params, lr=0.1), parameters), torch.optim.SGD)


@pytest.mark.parametrize('call, message', [
    (lambda: make_loss('cee'), r"Unknown loss 'cee'. Did you mean 'ce'"),
    (lambda: make_loss('mes'), r"Unknown loss 'mes'. Did you mean 'mse'"),
    (lambda: make_optimizer('Adma', []), r"Unknown optimizer 'Adma'. Did you mean .*'Adam'"),
    (lambda: make_optimizer('adamm', []), r"Unknown optimizer 'adamm'. Did you mean 'Adam'"),
    (lambda: make_scheduler('StepRL', None), r"Unknown scheduler 'StepRL'. Did you mean 'StepLR'"),
    (lambda: make_optimizer({'lr': 0.1}, []), r"config 'optimizer' given as a dict needs a 'name'"),
    (lambda: make_optimizer({'name': 'Adam', 'lrr': 0.1}, nn.Linear(1, 1).parameters()),
     r"config optimizer: Adam does not take \{'lrr': 0.1\}.*Did you mean 'lr'"),
    (lambda: make_loss({'name': 'ce', 'smoothing': 0.1}), r"CrossEntropyLoss does not take.*'label_smoothing'"),
    (lambda: make_loss(3), r'config loss must be a name, a dict, a class or a callable, got 3'),
])
def test_unknown_names_and_options_suggest_the_close_ones(call, message):
    with pytest.raises(ModelError, match=message):
        call()


def test_devices():
    assert resolve_device('cpu') == torch.device('cpu')
    assert resolve_device('auto') == torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    with pytest.raises(ModelError, match=r"config 'device' must be 'cpu', 'cuda', 'cuda:<index>' or 'auto', got "
                                         r"'tpu'"):
        resolve_device('tpu')
    if torch.cuda.is_available():
        with pytest.raises(ModelError, match=r"config 'device' is 'cuda:99', but there are only"):
            resolve_device('cuda:99')
    else:
        with pytest.raises(ModelError, match=r"config 'device' is 'cuda:1', but PyTorch sees no GPU"):
            resolve_device('cuda:1')


def test_batchflows_gpu_spelling_is_cuda():
    if torch.cuda.is_available():
        assert resolve_device('gpu:0') == torch.device('cuda:0')
    else:
        with pytest.raises(ModelError, match=r"config 'device' is 'gpu:0', but PyTorch sees no GPU"):
            resolve_device('gpu:0')


def test_batchflows_loss_and_scheduler_spellings():
    assert type(make_loss('logloss')) is type(make_loss('crossentropy')) is torch.nn.CrossEntropyLoss
    assert type(make_loss('huber')) is torch.nn.SmoothL1Loss and type(make_loss('hinge')) is torch.nn.HingeEmbeddingLoss
    assert make_loss(('KLDiv', {'reduction': 'batchmean'})).reduction == 'batchmean'
    assert type(make_loss('TripletMargin')) is torch.nn.TripletMarginLoss
    optimizer = make_optimizer(('SGD', {'lr': 0.5}), torch.nn.Linear(2, 1).parameters())
    assert optimizer.defaults['lr'] == 0.5
    assert make_scheduler('exp', optimizer).gamma == 0.96
    assert make_scheduler({'name': 'step', 'step_size': 3}, optimizer).step_size == 3
    assert make_scheduler(['multistep', {'gamma': 0.5}], optimizer).milestones == {30: 1, 80: 1}
