"""Turn the config's names into torch objects: losses, optimizers, LR schedulers, devices.

Each option is a name, a dict ``{'name': ..., **kwargs}``, or (except the
device) a class or callable.  Unknown names raise :class:`ModelError` with
the close matches.

Examples
--------
>>> make_loss('ce')
CrossEntropyLoss()
>>> make_loss({'name': 'ce', 'label_smoothing': 0.1}).label_smoothing
0.1
>>> make_loss('cee')  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
dagflow.exceptions.ModelError: Unknown loss 'cee'. Did you mean 'ce'...
"""
from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping

import torch
from torch import nn

from ...exceptions import ModelError, did_you_mean, suggestion_text

__all__ = ['LOSSES', 'SCHEDULERS', 'make_loss', 'make_optimizer', 'make_scheduler', 'resolve_device', 'split_option']

LOSSES: dict[str, type] = {
    'ce': nn.CrossEntropyLoss,
    'bce': nn.BCEWithLogitsLoss,
    'mse': nn.MSELoss,
    'l1': nn.L1Loss,
    # BatchFlow's short names
    'crossentropy': nn.CrossEntropyLoss,
    'logloss': nn.CrossEntropyLoss,
    'absolutedifference': nn.L1Loss,
    'huber': nn.SmoothL1Loss,
    'hinge': nn.HingeEmbeddingLoss,
}
"""Short loss names -> loss classes (torch.nn loss class names such as ``'HuberLoss'``, or ``'KLDiv'`` without
the ``Loss`` suffix, work too)."""

_TORCH_LOSSES = sorted(name for name, value in vars(nn).items()
                       if isinstance(value, type) and issubclass(value, nn.Module) and name.endswith('Loss'))
_BARE_LOSSES = {name[:-4].lower(): name for name in _TORCH_LOSSES}

SCHEDULERS: dict[str, tuple[type, dict]] = {
    'exp': (torch.optim.lr_scheduler.ExponentialLR, {'gamma': 0.96}),
    'lambda': (torch.optim.lr_scheduler.LambdaLR, {'lr_lambda': lambda epoch: 0.96 ** epoch}),
    'step': (torch.optim.lr_scheduler.StepLR, {'step_size': 30}),
    'multistep': (torch.optim.lr_scheduler.MultiStepLR, {'milestones': [30, 80]}),
    'cos': (torch.optim.lr_scheduler.CosineAnnealingLR, {}),
    'cosw': (torch.optim.lr_scheduler.CosineAnnealingWarmRestarts, {}),
    'cyclic': (torch.optim.lr_scheduler.CyclicLR, {}),
}
"""BatchFlow's short scheduler ("decay") names -> the torch scheduler and BatchFlow's default options."""


def split_option(key: str, value) -> tuple[object, dict]:
    """``'Adam'`` -> ``('Adam', {})``; ``{'name': 'Adam', 'lr': 0.1}`` and BatchFlow's ``('Adam', {'lr': 0.1})``
    -> ``('Adam', {'lr': 0.1})``.

    Examples
    --------
    >>> split_option('optimizer', {'name': 'SGD', 'lr': 0.1})
    ('SGD', {'lr': 0.1})
    >>> split_option('loss', ('KLDiv', {'reduction': 'batchmean'}))
    ('KLDiv', {'reduction': 'batchmean'})
    """
    if isinstance(value, (tuple, list)) and len(value) == 2 and isinstance(value[1], Mapping):
        return value[0], dict(value[1])  # BatchFlow's (name, options)
    if isinstance(value, Mapping):
        options = dict(value)
        if 'name' not in options:
            raise ModelError(f"config {key!r} given as a dict needs a 'name' (e.g. {{'name': 'Adam', 'lr': 1e-3}}), "
                             f'got {value!r}.', name=key, value=value)
        return options.pop('name'), options
    return value, {}


def _from_names(kind: str, name: str, table: Mapping[str, object], extra: Iterable[str] = ()):
    if name in table:
        return table[name]
    lowered = {option.lower(): option for option in extra}
    lowered.update({key.lower(): key for key in table})
    if name.lower() in lowered:
        found = lowered[name.lower()]
        return table.get(found, found)
    close = did_you_mean(name.lower(), lowered)
    hint = f' Did you mean {" or ".join(repr(lowered[c]) for c in close)}?' if close else ''
    listing = ', '.join(sorted(table, key=str.lower)) + (f', a torch.nn {kind} class name' if extra else '')
    raise ModelError(f'Unknown {kind} {name!r}.{hint} Use one of {listing}, or pass a class or a callable.',
                     name=name, suggestions=[lowered[c] for c in close])


def make_loss(value) -> Callable:
    """The loss function of config ``'loss'``: ``'ce'``, ``'bce'``, ``'mse'``, ``'l1'``, a torch.nn loss
    class name, a dict with ``'name'`` and keyword arguments, a loss class, or a callable ``(outputs, targets)``.

    Examples
    --------
    >>> make_loss('HuberLoss')
    HuberLoss()
    """
    name, options = split_option('loss', value)
    if name is None:
        raise ModelError("TorchModel needs config 'loss': 'ce', 'bce', 'mse', 'l1', a torch.nn loss, or a callable.")
    if isinstance(name, str):
        if name.lower() not in LOSSES and name.lower() in _BARE_LOSSES:
            name = _BARE_LOSSES[name.lower()]  # BatchFlow's 'KLDiv' for KLDivLoss
        found = _from_names('loss', name, LOSSES, _TORCH_LOSSES)
        name = getattr(nn, found) if isinstance(found, str) else found
    if isinstance(name, type):
        return _call('loss', name, options)
    if callable(name):
        if options:
            raise ModelError(f'config loss: a loss function takes no options, got {options!r}.', value=options)
        return name
    raise ModelError(f'config loss must be a name, a dict, a class or a callable, got {name!r}.', value=name)


def _optimizers() -> dict[str, type]:
    base = torch.optim.Optimizer
    return {name: value for name, value in vars(torch.optim).items()
            if isinstance(value, type) and issubclass(value, base) and value is not base}


def _schedulers() -> dict[str, type]:
    base = getattr(torch.optim.lr_scheduler, 'LRScheduler', torch.optim.lr_scheduler._LRScheduler)
    return {name: value for name, value in vars(torch.optim.lr_scheduler).items()
            if isinstance(value, type) and (issubclass(value, base) or name == 'ReduceLROnPlateau')
            and not name.startswith('_') and value is not base}


def make_optimizer(value, parameters) -> torch.optim.Optimizer:
    """The optimizer of config ``'optimizer'`` over ``parameters``: a torch.optim name (any case), a dict
    ``{'name': 'Adam', 'lr': 1e-3}``, an optimizer class, or a callable ``parameters -> optimizer``.

    Examples
    --------
    >>> from torch import nn
    >>> make_optimizer({'name': 'sgd', 'lr': 0.5}, nn.Linear(2, 1).parameters()).defaults['lr']
    0.5
    """
    name, options = split_option('optimizer', value)
    if isinstance(name, str):
        name = _from_names('optimizer', name, _optimizers())
    if not callable(name):
        raise ModelError(f'config optimizer must be a name, a dict, a class or a callable, got {name!r}.', value=name)
    return _call('optimizer', name, options, parameters)


def make_scheduler(value, optimizer):
    """The LR scheduler of config ``'scheduler'`` (None for none): a torch.optim.lr_scheduler name, a dict
    ``{'name': 'StepLR', 'step_size': 100}``, a class or a callable ``optimizer -> scheduler``; BatchFlow's
    short names (:data:`SCHEDULERS`: ``'exp'``, ``'step'``, ...) with BatchFlow's defaults.

    Examples
    --------
    >>> from torch import nn, optim
    >>> opt = optim.SGD(nn.Linear(2, 1).parameters(), lr=1.0)
    >>> type(make_scheduler({'name': 'steplr', 'step_size': 2}, opt)).__name__
    'StepLR'
    >>> make_scheduler('exp', opt).gamma   # BatchFlow's short name and default
    0.96
    """
    name, options = split_option('scheduler', value)
    if name is None:
        return None
    if isinstance(name, str) and name.lower() in SCHEDULERS:
        name, defaults = SCHEDULERS[name.lower()]
        options = {**defaults, **options}
    if isinstance(name, str):
        name = _from_names('scheduler', name, _schedulers())
    if not callable(name):
        raise ModelError(f'config scheduler must be a name, a dict, a class or a callable, got {name!r}.',
                         value=name)
    return _call('scheduler', name, options, optimizer)


def _call(kind: str, factory, options: dict, *args):
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):
        signature = None
    if signature is not None:
        try:
            signature.bind(*args, **options)
        except TypeError as exc:
            allowed = [p for p in signature.parameters if p not in ('self', 'params', 'optimizer')]
            bad = [key for key in options if key not in allowed]
            hint = suggestion_text(bad[0], allowed) if bad else ''
            raise ModelError(f'config {kind}: {getattr(factory, "__name__", factory)} does not take {options!r} '
                             f'({exc}).{hint}', value=options) from None
    return factory(*args, **options)


def resolve_device(value) -> torch.device:
    """The device of config ``'device'``: ``'cpu'``, ``'cuda'`` (``'cuda:1'``), or ``'auto'`` (a GPU if any).

    BatchFlow's ``'gpu'`` (``'gpu:1'``) means ``'cuda'``, and None means
    ``'auto'`` as in BatchFlow; but a TorchModel config without ``'device'``
    runs on the CPU (not BatchFlow's best device), so that runs are reproducible.

    Raises
    ------
    ModelError
        For a CUDA device when PyTorch sees no GPU (or not that many), or an unknown device.

    Examples
    --------
    >>> resolve_device('cpu')
    device(type='cpu')
    >>> resolve_device('auto').type in ('cpu', 'cuda')
    True
    """
    if value is None or value == 'auto':
        return torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    spelt = 'cuda' + value[3:] if isinstance(value, str) and value.lower().split(':')[0] == 'gpu' else value
    try:
        device = torch.device(spelt)
    except (RuntimeError, TypeError) as exc:
        raise ModelError(f"config 'device' must be 'cpu', 'cuda', 'cuda:<index>' or 'auto', got {value!r}.",
                         value=value) from exc
    if device.type == 'cuda':
        if not torch.cuda.is_available():
            build = f'with CUDA {torch.version.cuda}' if torch.version.cuda else 'without CUDA'
            raise ModelError(f"config 'device' is {value!r}, but PyTorch sees no GPU (torch.cuda.is_available() is "
                             f"False; this torch is built {build}). Use 'device': 'auto' to use a GPU only when "
                             f"there is one, or 'cpu'.", value=value)
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise ModelError(f"config 'device' is {value!r}, but there are only {torch.cuda.device_count()} GPU(s).",
                             value=value)
    elif device.type != 'cpu':
        raise ModelError(f"config 'device' must be 'cpu', 'cuda', 'cuda:<index>' or 'auto', got {value!r}.",
                         value=value)
    return device
