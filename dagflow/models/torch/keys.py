"""The config keys a TorchModel reads, BatchFlow's other spellings of them, and the keys nothing reads.

A model class declares the keys it reads in its ``config_keys`` (TorchModel
declares its own next to the code that reads them; a subclass adds the keys
*it* reads), and :func:`~dagflow.models.base.config_keys_of` merges those of
the class and its bases.  BatchFlow's TorchModel spells some keys differently
(``inputs_shapes``, ``targets_shapes``, ``microbatch_size``);
:func:`read_config` turns those into dagflow's keys.  No key is dropped
silently: a key that looks like a misspelt known key is an error
(``'optimiser'`` would train with the default optimizer), and any other key
that nothing reads is reported with a
:class:`~dagflow.exceptions.ModelConfigWarning` that says where its value
belongs (a top-level ``'lr'`` belongs in ``'optimizer'``).

Examples
--------
>>> import warnings
>>> from dagflow.models.torch import TorchModel
>>> read_config(TorchModel, {'inputs_shapes': (3, 8, 8), 'targets_shapes': (10,), 'microbatch_size': 4})
Config({'inputs': (3, 8, 8), 'classes': 10, 'microbatch': 4})
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter('always')
...     _ = read_config(TorchModel, {'optimizer': 'Adam', 'lr': 0.01})
>>> print(caught[0].message)  # doctest: +ELLIPSIS
TorchModel: config key 'lr' is not read by TorchModel, so it has no effect: an optimizer option belongs in ...
"""
from __future__ import annotations

import numbers
import warnings
from collections.abc import Mapping, Sequence

from ...config import Config
from ...exceptions import ModelConfigWarning, ModelError, did_you_mean, suggestion_text
from ..base import config_keys_of
from .settings import parse_inputs
from .tensors import output_aliases

__all__ = ['SPELLINGS', 'read_config', 'check_keys']

SPELLINGS = {'inputs_shapes': 'inputs', 'input_shapes': 'inputs', 'targets_shapes': 'classes',
             'target_shapes': 'classes', 'microbatch_size': 'microbatch'}
"""BatchFlow's spellings of TorchModel keys -> dagflow's key."""

_OPTIMIZER_OPTIONS = ('lr', 'learning_rate', 'momentum', 'weight_decay', 'betas', 'eps', 'nesterov')
_SCHEDULER_OPTIONS = ('gamma', 'step_size', 'milestones', 'T_max')
_BATCHFLOW_NETWORK = ('initial_block', 'body', 'head', 'order', 'common', 'trainable', 'init_weights')
_BATCHFLOW_ONLY = ('sync_frequency', 'sam_rho', 'sam_individual_norm', 'callbacks', 'weights_averaging',
                   'gradient_clipping', 'profile', 'benchmark', 'channels_last', 'placeholder_batch_size')


def _where_it_belongs(key: str, owner: str, known) -> str:
    if key in _OPTIMIZER_OPTIONS:
        return f"an optimizer option belongs in 'optimizer': {{'name': 'Adam', {key!r}: ...}}"
    if key in _SCHEDULER_OPTIONS:
        return f"a scheduler option belongs in 'scheduler': {{'name': 'StepLR', {key!r}: ...}}"
    if key == 'decay':
        return ("it is BatchFlow's learning-rate decay; use 'scheduler' with the same names ({'name': 'exp', "
                "'gamma': 0.96}), which steps after every training batch (BatchFlow's 'frequency', 'start_iter' "
                "and 'last_iter' are not provided)")
    if key in _BATCHFLOW_NETWORK:
        return ("BatchFlow builds networks from blocks; dagflow's TorchModel builds the network that 'model' names "
                "(an architecture with its options, or an nn.Module)")
    if key in _BATCHFLOW_ONLY:
        return "it is an option of BatchFlow's TorchModel that dagflow's TorchModel does not provide"
    return f'the keys {owner} reads are {", ".join(known)}. {_declare_hint(key, owner)}'


def _declare_hint(key: str, owner: str) -> str:
    return f"If {owner} reads {key!r} itself, declare it in the class: config_keys = ({key!r},)"


def check_keys(model_class: type, config: Mapping) -> None:
    """Refuse a key that looks like a misspelt known key; warn about any other key that nothing reads.

    The known keys are those ``model_class`` and its bases declare in ``config_keys``.

    Examples
    --------
    >>> from dagflow.models.torch import TorchModel
    >>> class MyNet(TorchModel):
    ...     config_keys = ('model_path',)
    >>> check_keys(MyNet, {'model_path': 'net.pt', 'optimizer': 'Adam'})
    >>> check_keys(TorchModel, {'optimiser': 'Adam'})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dagflow.exceptions.ModelError: TorchModel: unknown config key 'optimiser'. Did you mean 'optimizer'?...
    """
    owner, known = model_class.__name__, config_keys_of(model_class)
    for key in config:
        if not isinstance(key, str) or key in known:
            continue
        if did_you_mean(key, known):
            raise ModelError(f'{owner}: unknown config key {key!r}.{suggestion_text(key, known)} The keys {owner} '
                             f'reads are {", ".join(known)}. {_declare_hint(key, owner)}.', name=key)
        warnings.warn(f'{owner}: config key {key!r} is not read by {owner}, so it has no effect: '
                      f'{_where_it_belongs(key, owner, known)}.', ModelConfigWarning, stacklevel=4)


def _classes_of_targets(value, key: str):
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    shapes = [value] if isinstance(value, Sequence) and value and not isinstance(value[0], Sequence) else value
    if not isinstance(shapes, Sequence) or len(shapes) != 1 or not isinstance(shapes[0], Sequence) \
            or not shapes[0]:
        raise ModelError(f"config {key!r} must be the shape of one target without the batch axis, e.g. (10,), "
                         f"got {value!r} (dagflow's networks have one output).", name=key, value=value)
    return shapes[0][0]


def _one_class_count(value):
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != 1:
            raise ModelError(f"config 'classes' must be one number (dagflow's networks have one output), got "
                             f'{value!r}.', name='classes', value=value)
        return value[0]
    return value


def _same(target: str, first, second) -> bool:
    if target == 'inputs':
        return parse_inputs(first)[0] == parse_inputs(second)[0]
    return first == second


def read_config(model_class: type, config: Mapping | None) -> Config:
    """A copy of ``config`` with BatchFlow's spellings turned into dagflow's keys, checked by :func:`check_keys`.

    ``inputs_shapes`` (or ``input_shapes``) becomes ``inputs``; ``targets_shapes``
    (or ``target_shapes``) gives ``classes`` when it is not given (the first
    axis of the target's shape); ``microbatch_size`` becomes ``microbatch``; a
    one-element ``classes`` sequence becomes its number.  ``inputs`` and
    ``inputs_shapes`` (or ``microbatch`` and ``microbatch_size``) with
    different values are an error.

    Raises
    ------
    ModelError
        For two spellings that disagree, a misspelt key or a value that does not fit.
    """
    owner = model_class.__name__
    config = Config(config).copy() if config is not None else Config()
    for key, target in SPELLINGS.items():
        if key not in config:
            continue
        value = config.pop(key)
        if target == 'classes':  # as in BatchFlow, 'classes' wins over the targets' shape
            value = _classes_of_targets(value, key)
        elif target in config and config[target] is not None and value is not None \
                and not _same(target, config[target], value):
            raise ModelError(f'{owner}: config gives {target!r} = {config[target]!r} and {key!r} (BatchFlow\'s '
                             f'spelling) = {value!r}; give one.', name=key, value=value)
        if config.get(target) is None:
            config[target] = value
    if 'classes' in config:
        config['classes'] = _one_class_count(config['classes'])
    output_aliases(config.get('output'), owner)
    check_keys(model_class, config)
    return config
