"""TorchModel file formats: dagflow's checkpoint (``'torch'``), ``'safetensors'``, and the formats it refuses.

``'torch'`` (the default; also ``'pt'``) is the file of
:mod:`~dagflow.models.torch.checkpoint`: the weights, the optimizer,
scheduler and scaler state and the config, written by ``torch.save`` and
read with ``weights_only=True``.

``'safetensors'`` is the `safetensors <https://huggingface.co/docs/safetensors>`_
layout -- an 8-byte header length, a JSON header, the raw tensor bytes --
written and read here without the ``safetensors`` package (the layout is
small and plain data, so reading it never runs code).  It holds the network's
weights, with the model's config in the header's ``__metadata__``, so
``TorchModel({'load/path': path})`` rebuilds the architecture; it holds no
optimizer state.  Any safetensors reader opens it, and a safetensors file of
a plain state dict loads into a model whose config names its network.

ONNX and OpenVINO need packages dagflow does not depend on; asking for them
is an error that says what to use instead.

Examples
--------
>>> import pathlib, tempfile, torch
>>> path = pathlib.Path(tempfile.mkdtemp()) / 'weights.safetensors'
>>> write_safetensors(path, {'w': torch.arange(6.0).reshape(2, 3)}, {'note': 'plain text'})
>>> tensors, metadata = read_safetensors(path)
>>> tensors['w'].tolist(), metadata
([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]], {'note': 'plain text'})
"""
from __future__ import annotations

import json
import os
import struct
import sys

import torch

from ...exceptions import ModelError, did_you_mean
from ..io import atomic_write, existing_model_file
from .checkpoint import FORMAT, read_checkpoint, write_checkpoint

__all__ = ['FORMATS', 'check_format', 'refuse_pickle_module', 'write_model_file', 'read_model_file',
           'is_safetensors', 'write_safetensors', 'read_safetensors']

FORMATS = ('torch', 'safetensors')
"""The formats TorchModel writes and reads (``None`` and ``'pt'`` mean ``'torch'``)."""

_SPELLINGS = {None: 'torch', 'torch': 'torch', 'pt': 'torch', 'pth': 'torch', 'safetensors': 'safetensors'}

_REFUSED = {
    'onnx': ("writing ONNX needs the onnx package and reading it back needs onnx2torch, which dagflow does not "
             "depend on; to export the network for inference, call torch.onnx.export(model.network, "
             "example_inputs, path) yourself"),
    'openvino': ("OpenVINO needs the openvino package, which dagflow does not depend on; convert an ONNX export "
                 "(torch.onnx.export(model.network, ...)) with OpenVINO's own tools"),
}

_DTYPES = {'F64': torch.float64, 'F32': torch.float32, 'F16': torch.float16, 'BF16': torch.bfloat16,
           'I64': torch.int64, 'I32': torch.int32, 'I16': torch.int16, 'I8': torch.int8, 'U8': torch.uint8,
           'BOOL': torch.bool}
_NAMES = {dtype: name for name, dtype in _DTYPES.items()}
_MAX_HEADER = 100_000_000


def check_format(fmt, label: str) -> str:
    """The canonical name of format ``fmt`` (``'torch'`` or ``'safetensors'``), or a :class:`ModelError`.

    Examples
    --------
    >>> check_format('pt', 'TorchModel.save')
    'torch'
    >>> check_format('onnx', 'TorchModel.save')  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dagflow.exceptions.ModelError: TorchModel.save: fmt='onnx' is not supported: writing ONNX needs the onnx package...
    """
    key = fmt.lower() if isinstance(fmt, str) else fmt
    if key in _SPELLINGS:
        return _SPELLINGS[key]
    use = ("Use fmt='torch' (dagflow's file: weights, optimizer state and config) or fmt='safetensors' (weights "
           "and config, readable by any safetensors reader).")
    if key in _REFUSED:
        raise ModelError(f'{label}: fmt={fmt!r} is not supported: {_REFUSED[key]}. {use}', value=fmt)
    close = did_you_mean(str(key), [name for name in _SPELLINGS if name] + list(_REFUSED))
    hint = f' Did you mean {" or ".join(map(repr, close))}?' if close else ''
    raise ModelError(f'{label}: unknown format fmt={fmt!r}.{hint} {use}', value=fmt)


def refuse_pickle_module(pickle_module, label: str) -> None:
    """A ``pickle_module`` (BatchFlow's ``dill``) is refused: dagflow's model files never hold code."""
    if pickle_module is not None:
        raise ModelError(f'{label}: pickle_module={getattr(pickle_module, "__name__", pickle_module)!r} is not '
                         f'accepted: TorchModel files hold only tensors and plain data and are read with '
                         f'torch.load(weights_only=True), so that opening a file never runs code from it; a pickle '
                         f'module would store (and on loading, execute) arbitrary Python objects. Leave '
                         f'pickle_module out.', value=pickle_module)


def write_model_file(path, content: dict, fmt: str) -> None:
    """Write a TorchModel's ``content`` (see :meth:`TorchModel.save`) in format ``fmt``, atomically."""
    if fmt == 'safetensors':
        metadata = {'format': FORMAT, 'class': content['class'], 'config': content['config'],
                    'not_stored': json.dumps(content['not_stored']), 'iteration': str(content['iteration'])}
        write_safetensors(path, content['network'], metadata)
    else:
        write_checkpoint(path, content)


def read_model_file(path, fmt: str | None = None) -> dict:
    """Read a TorchModel file of format ``fmt`` (None: found from the file) into the content of a checkpoint.

    A safetensors file without dagflow's metadata (a plain state dict) gives
    an empty config: the loading model's config must name its network.
    """
    path = existing_model_file(path)
    if fmt == 'torch' or (fmt is None and not is_safetensors(path)):
        return read_checkpoint(path)
    tensors, metadata = read_safetensors(path)
    try:
        config = json.loads(metadata.get('config', '{}'))
        not_stored = json.loads(metadata.get('not_stored', '{}'))
        iteration = int(metadata.get('iteration', 0))
    except ValueError as exc:
        raise ModelError(f'Cannot load a model from {path!r}: its safetensors metadata is damaged ({exc}).',
                         path=path) from exc
    return {'format': FORMAT, 'class': metadata.get('class'), 'config': config, 'not_stored': not_stored,
            'network': tensors, 'optimizer': None, 'scheduler': None, 'scaler': None, 'iteration': iteration}


def is_safetensors(path) -> bool:
    """Whether the file at ``path`` starts like a safetensors file (a header length, then ``{``)."""
    with open(path, 'rb') as file:
        head = file.read(9)
    if len(head) < 9 or head[8:9] != b'{':
        return False
    return 2 <= struct.unpack('<Q', head[:8])[0] <= min(_MAX_HEADER, os.path.getsize(path) - 8)


def _check_byte_order():
    if sys.byteorder != 'little':
        raise ModelError('safetensors files are little-endian; this machine is big-endian. Use fmt=\'torch\'.')


def write_safetensors(path, tensors: dict, metadata: dict | None = None) -> None:
    """Write ``tensors`` (name -> tensor) and ``metadata`` (str -> str) to ``path`` as safetensors, atomically."""
    _check_byte_order()
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        tensor = tensors[name].detach().cpu().contiguous()
        if tensor.dtype not in _NAMES:
            raise ModelError(f'Cannot save tensor {name!r} as safetensors: dtype {tensor.dtype} is not one of '
                             f'{", ".join(map(str, _NAMES))}.', name=name)
        data = tensor.reshape(-1).view(torch.uint8).numpy().tobytes() if tensor.numel() else b''
        header[name] = {'dtype': _NAMES[tensor.dtype], 'shape': list(tensor.shape),
                        'data_offsets': [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    if metadata:
        header['__metadata__'] = {str(key): str(value) for key, value in metadata.items()}
    text = json.dumps(header, separators=(',', ':')).encode()
    text += b' ' * (-len(text) % 8)  # the tensors start 8-byte aligned
    with atomic_write(path) as tmp, open(tmp, 'wb') as file:
        file.write(struct.pack('<Q', len(text)))
        file.write(text)
        for data in chunks:
            file.write(data)


def read_safetensors(path) -> tuple[dict, dict]:
    """The tensors and the metadata of the safetensors file at ``path`` (no code is run).

    Raises
    ------
    ModelError
        When the file is missing, or its header or data do not fit the safetensors layout.
    """
    _check_byte_order()
    path = existing_model_file(path)
    with open(path, 'rb') as file:
        content = file.read()
    corrupt = f'Cannot load a model from {path!r}: it is not a valid safetensors file'
    if len(content) < 8:
        raise ModelError(f'{corrupt} (it is too short).', path=path)
    size = struct.unpack('<Q', content[:8])[0]
    if size > min(_MAX_HEADER, len(content) - 8):
        raise ModelError(f'{corrupt} (its header would be {size} bytes long).', path=path)
    try:
        header = json.loads(content[8:8 + size])
    except ValueError as exc:
        raise ModelError(f'{corrupt} (its header is not JSON: {exc}).', path=path) from exc
    if not isinstance(header, dict):
        raise ModelError(f'{corrupt} (its header is not a JSON object).', path=path)
    metadata = header.pop('__metadata__', None) or {}
    buffer = bytearray(content[8 + size:])
    tensors = {}
    for name, entry in header.items():
        tensors[name] = _tensor(entry, buffer, f'{corrupt} (tensor {name!r}', path)
    return tensors, dict(metadata)


def _tensor(entry, buffer: bytearray, corrupt: str, path: str) -> torch.Tensor:
    try:
        dtype = _DTYPES[entry['dtype']]
        shape = [int(n) for n in entry['shape']]
        start, end = (int(n) for n in entry['data_offsets'])
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f'{corrupt}: {exc!r}).', path=path) from exc
    count = 1
    for n in shape:
        count *= n
    item = torch.empty((), dtype=dtype).element_size()
    if not 0 <= start <= end <= len(buffer) or end - start != count * item or min(shape, default=1) < 0:
        raise ModelError(f'{corrupt}: its offsets {[start, end]} do not fit its shape {shape} of '
                         f'{entry["dtype"]}).', path=path)
    if count == 0:
        return torch.empty(shape, dtype=dtype)
    return torch.frombuffer(buffer, dtype=torch.uint8, count=end - start, offset=start).view(dtype) \
        .reshape(shape).clone()
