"""The file half of :class:`~dagflow.models.torch.TorchModel`: ``save`` and ``load``.

What a file holds and how it is read safely is in
:mod:`~dagflow.models.torch.checkpoint` and :mod:`~dagflow.models.torch.formats`;
this mixin turns a model into that content and back.
"""
from __future__ import annotations

import json
from collections.abc import Mapping

from ...config import Config
from ...exceptions import ModelError
from .checkpoint import FORMAT, state_mismatch, storable_config
from .formats import check_format, read_model_file, refuse_pickle_module, write_model_file

__all__ = ['ModelFiles']


class ModelFiles:
    """``save`` and ``load`` of :class:`~dagflow.models.torch.TorchModel` (which provides the network and its parts)."""

    def save(self, path, fmt=None, pickle_module=None):
        """Write the weights, the optimizer, scheduler and scaler state and the config to ``path``, atomically.

        Config values that are not plain data (an ``nn.Module`` class, a loss
        function) are not stored; the file lists them, and loading it asks
        for them in the config when they are needed.

        Parameters
        ----------
        path : str or path
            The file to write (its directory is created).
        fmt : {None, 'torch', 'pt', 'safetensors'}
            ``'torch'`` (the default): everything above, written by ``torch.save``.
            ``'safetensors'``: the network's weights, with the config in the
            file's metadata (no optimizer state), readable by any safetensors
            reader.  ``'onnx'`` and ``'openvino'`` are refused with what to use.
        pickle_module : None
            Refused when given (BatchFlow passes ``dill``): files hold no code.

        Examples
        --------
        >>> import pathlib, tempfile
        >>> from dagflow.models.torch import TorchModel
        >>> model = TorchModel({'model': 'mlp', 'inputs': (2,), 'classes': 2})
        >>> path = pathlib.Path(tempfile.mkdtemp()) / 'model.pt'
        >>> model.save(path)
        >>> TorchModel({'build': False, 'load': {'path': path}}).config['model/name']
        'mlp'
        >>> model.save(path.with_suffix('.safetensors'), fmt='safetensors')
        >>> TorchModel({'load/path': path.with_suffix('.safetensors')}).network is not None
        True
        """
        label = self._label('save')
        fmt = check_format(fmt, label)
        refuse_pickle_module(pickle_module, label)
        if self.network is None:
            raise ModelError(f'{label}: there is nothing to save yet: the network is built by the '
                             f"first train/predict call (or set config 'inputs').")
        spec = self._spec()
        names = {'model': spec.storable()} if spec.storable() is not None else None
        stored, not_stored = storable_config(self.config, names)
        not_stored = {**{path: text for path, text in self._not_stored.items() if path not in self.config},
                      **not_stored}
        content = {
            'format': FORMAT,
            'class': type(self).__name__,
            'config': json.dumps(stored),
            'not_stored': not_stored,
            'network': self.network.state_dict(),
            'optimizer': self.optimizer.state_dict() if self.optimizer is not None else None,
            'scheduler': self.scheduler.state_dict() if self.scheduler is not None else None,
            'scaler': self.scaler.state_dict() if self.scaler is not None else None,
            'iteration': self.iteration,
        }
        write_model_file(path, content, fmt)

    def load(self, path, fmt=None, pickle_module=None):
        """Read a file written by :meth:`save` (only tensors and plain data are read: no code runs).

        A model without a network is built from the file's config, updated by
        its own config (which must supply what the file could not store); a
        model with a network gets the file's state loaded into it, and the
        error names the keys that differ when the file holds another network.
        So ``TorchModel({'load/path': path})`` restores a saved architecture
        without restating it.

        ``fmt`` is found from the file when not given (``'torch'`` or
        ``'safetensors'``, see :meth:`save`); a safetensors file restores the
        weights, and the optimizer starts afresh.  ``pickle_module`` is refused.

        Raises
        ------
        ModelError
            When the file is missing or not a TorchModel file, or holds another network.

        Examples
        --------
        >>> import pathlib, tempfile
        >>> from dagflow.models.torch import TorchModel
        >>> import numpy as np
        >>> x, y = np.ones((4, 2)), np.array([0, 1, 1, 0])
        >>> model = TorchModel({'model': 'mlp', 'inputs': (2,), 'classes': 2})
        >>> _ = model.train(x, y)
        >>> path = pathlib.Path(tempfile.mkdtemp()) / 'model.pt'
        >>> model.save(path)
        >>> twin = TorchModel({'model': 'mlp', 'inputs': (2,), 'classes': 2})
        >>> twin.load(path)   # the weights, the optimizer's state and the step count
        >>> bool(np.array_equal(twin.predict(x), model.predict(x))), twin.iteration
        (True, 1)
        >>> TorchModel({'model': 'mlp', 'inputs': (3,), 'classes': 2}).load(path)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        dagflow.exceptions.ModelError: Cannot load '...model.pt' into TorchModel: the file holds another network ...
        """
        label = self._label('load')
        fmt = None if fmt is None else check_format(fmt, label)
        refuse_pickle_module(pickle_module, label)
        content = read_model_file(path, fmt)
        saved = content['config']
        saved_spec = saved.get('model')
        if self.network is None:
            self._check_architecture(path, content)
            self._not_stored = dict(content.get('not_stored') or {})
            self.config = Config(saved) + self.config  # the model's own config wins over the file's
            self._create()
            if self.network is None:
                raise ModelError(f'Cannot load a model from {str(path)!r}: it has no input shape to build the '
                                 f'network from.', path=str(path))
        mismatch = state_mismatch(self.network.state_dict(), content['network'])
        if mismatch:
            raise ModelError(f'Cannot load {str(path)!r} into {type(self).__name__}: the file holds another network '
                             f'(saved by {content.get("class")} with model {saved_spec!r}): {mismatch}.',
                             path=str(path))
        self.network.load_state_dict(content['network'])
        self._load_training_state(path, content)

    def _check_architecture(self, path, content):
        own = type(self).architecture
        saved = content['config'].get('model')
        name = saved.get('name') if isinstance(saved, Mapping) else saved
        if own is not None and isinstance(name, str) and name != own and 'model' not in self.config:
            raise ModelError(f'Cannot load {str(path)!r} into {type(self).__name__}: the file holds a {name!r} '
                             f'network (saved by {content.get("class")}), but {type(self).__name__} builds {own!r}. '
                             f'Load it with TorchModel or the class of that architecture.', path=str(path))

    def _load_training_state(self, path, content):
        try:
            for key, part in (('optimizer', self.optimizer), ('scheduler', self.scheduler), ('scaler', self.scaler)):
                if part is not None and content.get(key):
                    part.load_state_dict(content[key])
        except (ValueError, KeyError, RuntimeError) as exc:
            raise ModelError(f'Cannot load the {key} state of {str(path)!r}: {exc}. Was it saved with another '
                             f"config 'optimizer'/'scheduler'?", path=str(path)) from exc
        self.iteration = int(content.get('iteration', 0))
