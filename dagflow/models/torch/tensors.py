"""Numpy in, numpy out: inputs and targets to tensors (with shape checks), outputs back to arrays.

Examples
--------
>>> import numpy as np
>>> [tuple(a.shape) for a in as_arrays([np.zeros((4, 2)), np.ones((4, 3))], 'train')]
[(4, 2), (4, 3)]
>>> parse_fetches(['loss', 'labels'], 'train')
Fetches(ops=('loss', 'labels'), keys=None, single=False)
>>> chunks(5, 2, 'train')
[slice(0, 2, None), slice(2, 4, None), slice(4, 5, None)]
"""
from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np
import torch
from torch import nn
from torch.nn import functional

from ...exceptions import ModelError, suggestion_text

__all__ = ['FETCHES', 'Fetches', 'as_arrays', 'check_shapes', 'to_tensor', 'target_tensor', 'parse_fetches',
           'output_aliases', 'fetch_value', 'chunks']

FETCHES = ('loss', 'predictions', 'proba', 'labels', 'sigmoid', 'softplus')
"""What ``train``/``predict`` can return: the loss, raw outputs, probabilities, class labels, and the sigmoid or
softplus of the raw outputs."""

_PER_ELEMENT_LOSSES = (nn.BCEWithLogitsLoss, nn.BCELoss, nn.MSELoss, nn.L1Loss, nn.SmoothL1Loss, nn.HuberLoss)
_CLASS_LOSSES = (nn.CrossEntropyLoss, nn.NLLLoss)
_BINARY_LOSSES = (nn.BCEWithLogitsLoss, nn.BCELoss)


def as_arrays(inputs, label: str) -> list[np.ndarray]:
    """One array, or a list/tuple of arrays (one per network input), as a list of arrays with one batch size."""
    if isinstance(inputs, torch.Tensor):
        inputs = inputs.detach().cpu().numpy()
    items = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    if not items:
        raise ModelError(f'{label}: no inputs were given.')
    arrays = []
    for item in items:
        array = item.detach().cpu().numpy() if isinstance(item, torch.Tensor) else np.asarray(item)
        if array.dtype == object or array.ndim == 0:
            raise ModelError(f'{label}: inputs must be numeric arrays with a batch axis first, got '
                             f'{type(item).__name__} of shape {array.shape} and dtype {array.dtype}.')
        arrays.append(array)
    sizes = {len(array) for array in arrays}
    if len(sizes) > 1:
        raise ModelError(f'{label}: the inputs have different batch sizes: {[len(a) for a in arrays]}.')
    return arrays


def check_shapes(arrays: Sequence[np.ndarray], expected: Sequence[tuple] | None, label: str) -> None:
    """Check that every array's item shape (without the batch axis) is the expected one.

    Examples
    --------
    >>> check_shapes([np.zeros((8, 1, 4, 4))], [(3, 4, 4)], 'ResNet18.train')  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dagflow.exceptions.ModelError: ResNet18.train: the inputs have items of shape (1, 4, 4) (a batch of (8, 1, 4, 4)), \
but the network was built for items of shape (3, 4, 4)...
    """
    if expected is None:
        return
    if len(arrays) != len(expected):
        raise ModelError(f"{label}: the network takes {len(expected)} input(s) (config 'inputs': {list(expected)}), "
                         f'got {len(arrays)}.')
    for index, (array, shape) in enumerate(zip(arrays, expected)):
        if tuple(array.shape[1:]) != tuple(shape):
            which = 'the inputs have' if len(arrays) == 1 else f'input {index} has'
            raise ModelError(f'{label}: {which} items of shape {tuple(array.shape[1:])} (a batch of {array.shape}), '
                             f'but the network was built for items of shape {tuple(shape)} (config \'inputs\'). '
                             f'Make the data fit (resize, add a channel axis: channels come first) or build the '
                             f'model for this shape.', value=tuple(array.shape))


def to_tensor(array: np.ndarray, device, dtype: torch.dtype, keep_integers: bool = False) -> torch.Tensor:
    """An input array on ``device``: floats (and bytes, bools) as ``dtype``; other integers as int64 if asked."""
    if keep_integers and array.dtype.kind in 'iu' and array.dtype != np.uint8:
        return torch.as_tensor(np.ascontiguousarray(array, dtype=np.int64), device=device)
    return torch.as_tensor(np.ascontiguousarray(array), device=device).to(dtype)


def _loss_name(loss_fn) -> str:
    return type(loss_fn).__name__ if isinstance(loss_fn, nn.Module) else getattr(loss_fn, '__name__', repr(loss_fn))


def target_tensor(loss_fn, targets: np.ndarray, outputs: torch.Tensor, label: str) -> torch.Tensor:
    """``targets`` as the tensor ``loss_fn(outputs, ...)`` expects, or a :class:`ModelError` naming both shapes.

    Class losses get int64 labels of shape ``(N, *spatial)`` (a channel axis of 1 is
    dropped) or probabilities shaped like the outputs; per-element losses get
    float targets shaped like the outputs (``(N,)`` fits outputs ``(N, 1)``).
    """
    targets = np.asarray(targets)
    device, shape = outputs.device, tuple(outputs.shape)
    if isinstance(loss_fn, _CLASS_LOSSES):
        if targets.shape == shape and targets.dtype.kind == 'f':
            return torch.as_tensor(np.ascontiguousarray(targets), device=device).to(outputs.dtype)
        if targets.ndim == len(shape) and len(shape) > 1 and targets.shape[1] == 1 and shape[1] != 1:
            targets = targets[:, 0]
        wanted = shape[:1] + shape[2:]
        if targets.shape != wanted:
            raise ModelError(f'{label}: targets of shape {targets.shape} do not fit the network outputs of shape '
                             f'{shape} for {_loss_name(loss_fn)}: expected class labels of shape {wanted} or '
                             f'probabilities of shape {shape}.', value=targets.shape)
        if targets.dtype.kind == 'f' and not np.all(np.mod(targets, 1) == 0):
            raise ModelError(f'{label}: {_loss_name(loss_fn)} needs integer class labels, but the targets hold '
                             f'fractions (e.g. {targets[np.mod(targets, 1) != 0].flat[0]}).')
        if targets.dtype.kind not in 'iuf' and targets.dtype != bool:
            raise ModelError(f'{label}: class labels must be integers, got dtype {targets.dtype}.')
        if targets.size and targets.max() >= shape[1]:
            raise ModelError(f'{label}: the targets hold label {int(targets.max())}, but the network has {shape[1]} '
                             f"outputs (labels 0..{shape[1] - 1}); set config 'classes' to the number of classes.",
                             value=int(targets.max()))
        ignored = getattr(loss_fn, 'ignore_index', None)
        negative = targets[(targets < 0) & (targets != ignored)] if targets.size else targets
        if negative.size:
            raise ModelError(f'{label}: the targets hold label {int(negative.flat[0])}, but class labels are '
                             f'0..{shape[1] - 1}' + (f' (or {ignored}, the ignore_index of '
                                                     f'{_loss_name(loss_fn)}, for positions to leave out)'
                                                     if ignored is not None else '') + '.',
                             value=int(negative.flat[0]))
        return torch.as_tensor(np.ascontiguousarray(targets, dtype=np.int64), device=device)
    if isinstance(loss_fn, _BINARY_LOSSES) and targets.size and not (targets.min() >= 0 and targets.max() <= 1):
        bad = targets.min() if not targets.min() >= 0 else targets.max()
        raise ModelError(f'{label}: {_loss_name(loss_fn)} needs targets in [0, 1] (0/1 labels or probabilities), but '
                         f"the targets hold {bad.item()!r}. For more than 2 classes use loss 'ce' with config "
                         f"'classes'.", value=bad.item())
    if isinstance(loss_fn, _PER_ELEMENT_LOSSES):
        if targets.shape != shape:
            if targets.ndim == len(shape) - 1 and shape[1] == 1 and targets.shape == shape[:1] + shape[2:]:
                targets = targets[:, None]
            else:
                raise ModelError(f'{label}: targets of shape {targets.shape} do not fit the network outputs of shape '
                                 f'{shape} for {_loss_name(loss_fn)}, which needs targets shaped like the outputs.',
                                 value=targets.shape)
        return torch.as_tensor(np.ascontiguousarray(targets), device=device).to(torch.float32)
    if targets.dtype.kind in 'iu':
        return torch.as_tensor(np.ascontiguousarray(targets, dtype=np.int64), device=device)
    return torch.as_tensor(np.ascontiguousarray(targets), device=device).to(torch.float32)


class Fetches(NamedTuple):
    """What ``train``/``predict`` return: the operations to apply, and how to pack their values.

    ``ops`` holds fetch names (:data:`FETCHES`) and callables; ``keys`` the
    dict keys when a dict was asked for (else None); ``single`` whether one
    value (not a list) is returned.
    """

    ops: tuple
    keys: tuple | None
    single: bool

    def pack(self, values: list):
        """The values as asked: one value, a list, or a dict."""
        if self.keys is not None:
            return dict(zip(self.keys, values))
        return values[0] if self.single else values


def parse_fetches(fetches, label: str, aliases: Mapping | None = None) -> Fetches:
    """Read ``fetches`` (``outputs``): a name, a callable, a list of them or a dict ``{key: name or callable}``.

    A name is one of :data:`FETCHES` or an alias of config ``'output'``
    (``aliases``: alias -> name or callable); a callable gets the network's
    raw outputs (a tensor) and its result is returned as numpy.

    Examples
    --------
    >>> parse_fetches('labels', 'predict')
    Fetches(ops=('labels',), keys=None, single=True)
    >>> parse_fetches({'l': 'loss', 'p': 'proba'}, 'train').pack([1, 2])
    {'l': 1, 'p': 2}
    """
    aliases = aliases or {}
    if isinstance(fetches, Mapping):
        keys, items, single = tuple(fetches), list(fetches.values()), False
    elif isinstance(fetches, str) or callable(fetches):
        keys, items, single = None, [fetches], True
    elif isinstance(fetches, (list, tuple)):
        keys, items, single = None, list(fetches), False
    else:
        raise ModelError(f'{label}: fetches must be a name, a callable, a list of them or a dict, got {fetches!r}.',
                         value=fetches)
    ops = []
    for item in items:
        if isinstance(item, str) and item in aliases:
            item = aliases[item]
        if not callable(item) and item not in FETCHES:
            known = [*FETCHES, *aliases]
            raise ModelError(f'{label}: unknown fetch {item!r}.{suggestion_text(str(item), known)} Use one of '
                             f'{", ".join(known)}, a callable on the raw outputs, or a list or dict of them.',
                             name=item)
        ops.append(item)
    return Fetches(tuple(ops), keys, single)


def output_aliases(value, label: str) -> dict:
    """Config ``'output'`` as ``alias -> operation``: extra named outputs to fetch.

    ``'proba'`` or ``['proba', 'labels']`` name operations (checked, nothing
    to add); a dict ``{'probabilities': 'proba', 'top2': callable}`` adds
    aliases.

    Examples
    --------
    >>> output_aliases({'probabilities': 'proba'}, 'TorchModel')
    {'probabilities': 'proba'}
    >>> output_aliases(['labels'], 'TorchModel')
    {}
    """
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        parse_fetches(list(value) if isinstance(value, (list, tuple)) else value, f"{label}: config 'output'")
        return {}
    for alias, operation in value.items():
        if not isinstance(alias, str) or alias in FETCHES:
            raise ModelError(f"{label}: config 'output' keys name new outputs, got {alias!r}"
                             + (f" (already a fetch: {', '.join(FETCHES)})" if alias in FETCHES else '') + '.',
                             name=alias)
        parse_fetches(operation, f"{label}: config 'output' {alias!r}")
    return dict(value)


def _numpy(value):
    if isinstance(value, torch.Tensor):
        value = value.detach()
        return (value.float() if value.is_floating_point() else value).cpu().numpy()
    return value


def fetch_value(op, outputs: torch.Tensor | None, loss: torch.Tensor | None, loss_fn, label: str):
    """One fetched value as numpy: ``'loss'`` a numpy scalar, the others arrays."""
    if op == 'loss':
        return loss.detach().float().cpu().numpy()[()]
    outputs = outputs.detach().float()
    if callable(op):
        return _numpy(op(outputs))
    if op == 'predictions':
        return outputs.cpu().numpy()
    if op == 'sigmoid':
        return torch.sigmoid(outputs).cpu().numpy()
    if op == 'softplus':
        return functional.softplus(outputs).cpu().numpy()
    if isinstance(loss_fn, nn.CrossEntropyLoss):
        result = torch.softmax(outputs, dim=1) if op == 'proba' else outputs.argmax(dim=1)
    elif isinstance(loss_fn, nn.BCEWithLogitsLoss):
        result = torch.sigmoid(outputs) if op == 'proba' else (outputs > 0).long()
    else:
        raise ModelError(f"{label}: fetch {op!r} needs loss 'ce' (softmax over axis 1) or 'bce' (sigmoid); "
                         f"with {_loss_name(loss_fn)} fetch 'predictions', the raw outputs.", name=op)
    return result.cpu().numpy()


def chunks(size: int, microbatch, label: str) -> list[slice]:
    """Slices that split a batch of ``size`` items into microbatches of ``microbatch`` items (None: one)."""
    if microbatch is None or microbatch is False or microbatch == 0:
        return [slice(0, size)]
    if not isinstance(microbatch, numbers.Integral) or isinstance(microbatch, bool) or microbatch < 0:
        raise ModelError(f'{label}: microbatch must be a positive int (items per chunk) or None, got {microbatch!r}.',
                         value=microbatch)
    return [slice(start, min(start + int(microbatch), size)) for start in range(0, size, int(microbatch))] or \
        [slice(0, 0)]
