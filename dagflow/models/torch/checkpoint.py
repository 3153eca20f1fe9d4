"""TorchModel files: written atomically, read with ``torch.load(..., weights_only=True)``.

A file holds tensors and plain data only -- the network's and the
optimizer's state dicts and the config as JSON text -- so reading it never
runs code from the file.  Config values that are not plain data (a custom
``nn.Module`` class, a loss function) cannot be stored that way; they are
listed in the file as *not stored*, and a model loaded from it asks for them
in its config when it needs them.

Examples
--------
>>> storable_config({'model': 'mlp', 'inputs': (4,), 'loss': print})
({'model': 'mlp', 'inputs': [4]}, {'loss': '<built-in function print>'})
"""
from __future__ import annotations

import json
import numbers
import pickle
import re
import zipfile
from collections.abc import Mapping

import numpy as np
import torch

from ...exceptions import ModelError
from ..io import atomic_write, existing_model_file

__all__ = ['FORMAT', 'storable_config', 'write_checkpoint', 'read_checkpoint', 'state_mismatch']

FORMAT = 'dagflow.TorchModel/1'
"""The format tag of TorchModel files."""

#: Config keys that describe the machine or the loading, not the model: never stored.
MACHINE_KEYS = ('device', 'build', 'load')


class _NotPlain(Exception):
    pass


def _plain(value):
    """``value`` as JSON-able data (tuples become lists, numpy scalars numbers), or raise :class:`_NotPlain`."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, np.ndarray) and value.dtype.kind in 'biuf':
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping) and all(isinstance(key, str) for key in value):
        return {key: _plain(item) for key, item in value.items()}
    raise _NotPlain(value)


def storable_config(config: Mapping, names: Mapping | None = None) -> tuple[dict, dict]:
    """Split ``config`` into what a file can store as JSON and what it cannot (``path -> repr``).

    ``names`` replaces values by storable equivalents first (``{'model': 'resnet18'}``
    for a ``ResNet18`` class).  Machine keys (``device``, ``build``, ``load``) are left out.

    Examples
    --------
    >>> storable_config({'optimizer': {'name': 'Adam', 'lr': 1e-3}, 'device': 'cpu'})
    ({'optimizer': {'name': 'Adam', 'lr': 0.001}}, {})
    """
    stored, unstored = {}, {}
    for key, value in config.items():
        if key in MACHINE_KEYS:
            continue
        if names and key in names:
            value = names[key]
        _split_into(stored, unstored, str(key), value)
    return stored, unstored


def _split_into(stored: dict, unstored: dict, path: str, value):
    key = path.rsplit('/', 1)[-1]
    if isinstance(value, Mapping) and all(isinstance(k, str) for k in value):
        inner: dict = {}
        for name, item in value.items():
            _split_into(inner, unstored, f'{path}/{name}', item)
        stored[key] = inner
        return
    try:
        stored[key] = _plain(value)
    except _NotPlain:
        unstored[path] = repr(value)[:200]


def write_checkpoint(path, content: dict) -> None:
    """Write ``content`` (tensors and plain data) to ``path`` atomically with ``torch.save``."""
    with atomic_write(path) as tmp:
        torch.save(content, tmp)


def read_checkpoint(path) -> dict:
    """Read a file written by :func:`write_checkpoint`, refusing anything but tensors and plain data.

    Raises
    ------
    ModelError
        When the file is missing, corrupt, holds arbitrary Python objects, or is not a TorchModel file.

    Examples
    --------
    >>> read_checkpoint('/no/such/model.pt')  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dagflow.exceptions.ModelError: Cannot load a model from '/no/such/model.pt': the file does not exist...
    """
    path = existing_model_file(path)
    corrupt = f'Cannot load a model from {path!r}: the file is corrupt or not a saved model'
    if not zipfile.is_zipfile(path):  # torch.save writes zip files; older formats are plain pickles
        raise ModelError(f'{corrupt} (it is not a zip archive written by torch.save).', path=path)
    try:
        content = torch.load(path, map_location='cpu', weights_only=True)
    except pickle.UnpicklingError as exc:
        found = re.findall(r'Unsupported global: GLOBAL \S+', str(exc))
        raise ModelError(f'Cannot load a model from {path!r}: it holds Python objects that loading would have to '
                         f'execute, and TorchModel only loads tensors and plain data (weights_only=True). Was it '
                         f'written by TorchModel.save?{" (" + found[0] + ")" if found else ""}', path=path) from exc
    except (OSError, RuntimeError, EOFError, ValueError, zipfile.BadZipFile) as exc:
        raise ModelError(f'{corrupt} ({type(exc).__name__}: {exc}).', path=path) from exc
    if not isinstance(content, dict) or content.get('format') != FORMAT:
        raise ModelError(f'Cannot load a model from {path!r}: it is not a TorchModel file (no {FORMAT!r} tag); '
                         f'write model files with TorchModel.save or save_model.', path=path)
    try:
        content['config'] = json.loads(content['config'])
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f'Cannot load a model from {path!r}: its config is damaged ({exc}).', path=path) from exc
    return content


def state_mismatch(expected: Mapping[str, torch.Tensor], found: Mapping[str, torch.Tensor], limit: int = 5) -> str:
    """Describe how the state dict ``found`` differs from ``expected`` (empty when it fits).

    Examples
    --------
    >>> from torch import zeros
    >>> state_mismatch({'a': zeros(2), 'b': zeros(1)}, {'a': zeros(3), 'c': zeros(1)})
    "missing keys: 'b'; unexpected keys: 'c'; shape mismatches: 'a' (file (3,), model (2,))"
    """
    def listing(names):
        names = sorted(names)
        text = ', '.join(repr(name) for name in names[:limit])
        return text + (f' and {len(names) - limit} more' if len(names) > limit else '')

    parts = []
    missing = [key for key in expected if key not in found]
    unexpected = [key for key in found if key not in expected]
    shapes = [f'{key!r} (file {tuple(found[key].shape)}, model {tuple(value.shape)})'
              for key, value in expected.items() if key in found and tuple(found[key].shape) != tuple(value.shape)]
    if missing:
        parts.append(f'missing keys: {listing(missing)}')
    if unexpected:
        parts.append(f'unexpected keys: {listing(unexpected)}')
    if shapes:
        more = f' and {len(shapes) - limit} more' if len(shapes) > limit else ''
        parts.append(f'shape mismatches: {", ".join(shapes[:limit])}{more}')
    return '; '.join(parts)
