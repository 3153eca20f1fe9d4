"""TorchModel: any ``torch.nn.Module`` as a dagflow model, configured by a dict.

Examples
--------
>>> import numpy as np
>>> model = TorchModel({'model': {'name': 'mlp', 'width': 8}, 'inputs': (4,), 'classes': 3, 'seed': 0})
>>> x, y = np.random.default_rng(0).random((16, 4)), np.arange(16) % 3
>>> losses = [model.train(x, y) for _ in range(20)]
>>> bool(losses[-1] < losses[0]), model.predict(x, fetches='labels').shape
(True, (16,))
"""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Mapping

import numpy as np
import torch
from torch import nn

from ...exceptions import ModelError
from ..base import BaseModel
from .files import ModelFiles
from .keys import read_config
from .lookup import make_loss, make_optimizer, make_scheduler, resolve_device
from .settings import NetworkKind, build_network, classes_of, network_spec, parse_inputs
from .tensors import (
    as_arrays,
    check_shapes,
    chunks,
    fetch_value,
    output_aliases,
    parse_fetches,
    target_tensor,
    to_tensor,
)

__all__ = ['TorchModel']

_OOM = tuple(cls for cls in (getattr(torch, 'OutOfMemoryError', None), getattr(torch.cuda, 'OutOfMemoryError', None))
             if cls is not None)


def _grad_scaler():
    if hasattr(torch.amp, 'GradScaler'):
        return torch.amp.GradScaler('cuda')
    return torch.cuda.amp.GradScaler()  # torch < 2.3


def _fed(feed_dict, inputs, targets, label):
    """Inputs and targets from ``feed_dict={'x': ..., 'y': ...}`` (or as given when there is none)."""
    if feed_dict is None:
        if inputs is None:
            raise ModelError(f'{label}: no inputs were given: {label.split(".")[-1]}(inputs, ...).')
        return inputs, targets
    if not isinstance(feed_dict, Mapping) or set(feed_dict) - {'x', 'y'} or 'x' not in feed_dict:
        keys = sorted(map(str, feed_dict)) if isinstance(feed_dict, Mapping) else feed_dict
        raise ModelError(f"{label}: feed_dict must be {{'x': inputs, 'y': targets}} ('y' optional for predict), "
                         f'got keys {keys!r}.', value=keys)
    if inputs is not None or targets is not None:
        raise ModelError(f'{label}: give the data either as arguments or in feed_dict, not both.')
    return feed_dict['x'], feed_dict.get('y')


class TorchModel(ModelFiles, BaseModel):
    """A PyTorch network with its loss and optimizer: numpy batches in, numpy values out.

    Parameters
    ----------
    config : dict, optional
        ``model``
            The network: an architecture name (``'mlp'``, ``'vgg7'``, ``'vgg16'``,
            ``'resnet18'``, ``'resnet34'``, ``'unet'``), a dict ``{'name': 'resnet18',
            'width': 16}`` with the architecture's options, one of this package's
            model classes (``ResNet18``), an ``nn.Module`` instance (used as is),
            or an ``nn.Module`` class or a callable returning a module (with the
            dict form, the other keys are its keyword arguments; it also gets
            ``input_shape=`` and ``classes=`` when its signature names them).
        ``inputs``
            The shape of one item, channels first, without the batch axis:
            ``(3, 32, 32)``, a list of shapes for several inputs, or
            ``{'images': {'shape': (3, 32, 32)}, 'labels': {'classes': 10}}``.
            In a dynamic model use ``F(lambda batch: batch.images.shape[1:])``.
            When absent, the architectures take it from the first batch they see.
        ``classes``
            Number of outputs (classes, regression targets, UNet output channels).
        ``loss``
            ``'ce'`` (default; cross-entropy on logits), ``'bce'`` (binary, on
            logits), ``'mse'``, ``'l1'``, a ``torch.nn`` loss name, a dict with
            ``'name'`` and arguments, a loss class or a callable ``(outputs, targets)``.
            Microbatches assume a loss that averages over the items.
        ``optimizer``
            A ``torch.optim`` name or ``{'name': 'Adam', 'lr': 1e-3}`` (default
            ``'Adam'``), an optimizer class or a callable ``parameters -> optimizer``.
        ``scheduler``
            An optional LR scheduler: ``{'name': 'StepLR', 'step_size': 100}``;
            it steps after every training batch.
        ``device``
            ``'cpu'`` (default), ``'cuda'``, ``'cuda:1'`` or ``'auto'`` (a GPU when
            there is one).  ``'cuda'`` without a GPU is an error.
        ``amp``
            Mixed precision (float16 autocast and a gradient scaler) on CUDA;
            ignored on the CPU.
        ``microbatch``
            Items per chunk: a batch is split into chunks whose gradients are
            accumulated before one optimizer step (None: whole batches).
        ``seed``
            Seeds the weight initialisation (the global RNG is left as it was).
        ``build``, ``load``
            As for every :class:`~dagflow.models.BaseModel`.  Building after
            loading keeps the loaded weights.

    Attributes
    ----------
    network : torch.nn.Module or None
        The network (None until the input shape is known).
    optimizer, scheduler, loss_fn
        The training parts.
    device : torch.device
        Where the network lives.
    iteration : int
        Number of training steps taken.

    Notes
    -----
    Batch normalisation computes its statistics per microbatch, so with
    ``microbatch`` a network with batch norm trains slightly differently
    from whole batches; networks without it get the same step up to float
    rounding.  Dropout draws from torch's global generator.  The network
    returns one tensor, channels (classes) on axis 1.

    Examples
    --------
    >>> import numpy as np
    >>> model = TorchModel({'model': {'name': 'vgg7', 'width': 2}, 'inputs': (1, 8, 8), 'classes': 2})
    >>> loss = model.train(np.zeros((4, 1, 8, 8)), np.array([0, 1, 0, 1]))
    >>> model.predict(np.zeros((3, 1, 8, 8))).shape
    (3, 2)
    """

    architecture: str | None = None
    """The architecture the class builds (set by the architecture classes, such as ``ResNet18``)."""

    config_keys = ('model', 'inputs', 'classes', 'loss', 'optimizer', 'scheduler', 'device', 'amp', 'microbatch',
                   'seed', 'output')
    """The config keys the methods below read (BaseModel adds ``build`` and ``load``).

    A subclass that reads keys of its own declares them, ``config_keys = ('dropout',)``,
    so that they are neither refused as misspellings nor reported as unread.
    """

    def __init__(self, config: Mapping | None = None, *args, **kwargs):
        self.network: nn.Module | None = None
        self.optimizer = self.scheduler = self.loss_fn = self.scaler = None
        self.device = torch.device('cpu')
        self.iteration = 0
        self._lock = threading.RLock()
        self._not_stored: dict[str, str] = {}
        self._unusable: dict[str, str] = {}
        if config is None or isinstance(config, Mapping):
            config = read_config(type(self), config)
        super().__init__(config, *args, **kwargs)

    # ---- building ------------------------------------------------------------------------------
    def _build(self):
        """Create the network and its training parts, unless they exist (loaded) or the input shape is unknown.

        With ``build='first'``, a load to come and no ``'model'`` to build, the
        load builds the network from the file (as the torch guide's loading config expects).
        """
        if self.network is not None:
            return
        if self.config.get('build') == 'first' and self.config.get('load') is not None \
                and self.config.get('model') is None and type(self).architecture is None:
            return
        self._create()

    def _label(self, method: str) -> str:
        return f'{type(self).__name__}.{method}'

    def _shapes_and_classes(self):
        shapes, from_inputs = parse_inputs(self.config.get('inputs'))
        return shapes, classes_of(self.config, from_inputs)

    def _spec(self):
        try:
            return network_spec(self.config.get('model'), type(self).architecture, type(self).__name__)
        except ModelError:
            lost = [path for path in self._not_stored if path.split('/')[0] == 'model' and path not in self.config]
            if lost:
                raise ModelError(f"{type(self).__name__}: the file this model was loaded from could not store its "
                                 f"network ('{lost[0]}' was {self._not_stored[lost[0]]}, which is not plain data). "
                                 f"Give it when loading: config={{'model': ...}}.", name='model') from None
            raise

    def _seeded(self):
        seed = self.config.get('seed')
        if seed is None:
            return contextlib.nullcontext()
        stack = contextlib.ExitStack()
        stack.enter_context(torch.random.fork_rng(devices=[]))
        torch.random.default_generator.manual_seed(int(seed))
        return stack

    def _create(self, shapes=None):
        """Build the network (from ``shapes`` when the config has none) and the training parts."""
        self.device = resolve_device(self.config.get('device', 'cpu'))
        spec = self._spec()
        config_shapes, classes = self._shapes_and_classes()
        shapes = config_shapes or shapes
        if spec.needs_shapes() and shapes is None:
            return  # built by the first train/predict, from its inputs
        with self._seeded():
            if spec.kind is NetworkKind.INSTANCE and self.network is not None:
                for module in spec.target.modules():
                    if hasattr(module, 'reset_parameters'):
                        module.reset_parameters()
            network = build_network(spec, shapes, classes)
        self.network = network.to(self.device)
        self._make_training_parts()

    def _make_training_parts(self):
        self._unusable = {}
        self.loss_fn = self._part('loss', make_loss, 'ce')
        if isinstance(self.loss_fn, nn.Module):
            self.loss_fn = self.loss_fn.to(self.device)
        self.optimizer = self._part('optimizer', lambda value: make_optimizer(value, self.network.parameters()),
                                    'Adam')
        self.scheduler = None
        if self.optimizer is not None:
            self.scheduler = self._part('scheduler', lambda value: make_scheduler(value, self.optimizer), None)
        self.scaler = None
        if self.amp:
            self.scaler = _grad_scaler()
        self.iteration = 0

    def _part(self, key: str, make, default):
        """Make a training part from config ``key``; a part a loaded file could not store is made unusable."""
        if key not in self.config and key in self._not_stored:
            self._unusable[key] = (f'the file this model was loaded from could not store its {key} '
                                   f'({self._not_stored[key]}); give it when loading: config={{{key!r}: ...}}')
            return None
        return make(self.config.get(key, default))

    @property
    def amp(self) -> bool:
        """Whether mixed precision is on: config ``'amp'`` on a CUDA device."""
        return bool(self.config.get('amp', False)) and self.device.type == 'cuda'

    def _ensure_network(self, arrays, label):
        if self.network is None:
            self._create(shapes=[tuple(array.shape[1:]) for array in arrays])
            if self.network is None:
                raise ModelError(f'{label}: the network could not be built.')
            if self.config.get('inputs') is None:
                shapes = [tuple(array.shape[1:]) for array in arrays]
                self.config['inputs'] = shapes[0] if len(shapes) == 1 else shapes
        shapes, _ = self._shapes_and_classes()
        check_shapes(arrays, shapes, label)

    def reset(self):
        """Re-initialise the weights (with the config's seed: as first built) and the training state.

        An architecture or a module class is built anew (``self.network`` is a
        new module); a module instance gets ``reset_parameters()`` on each of
        its layers that has one.

        Examples
        --------
        >>> import numpy as np
        >>> model = TorchModel({'model': 'mlp', 'inputs': (2,), 'classes': 2, 'seed': 0})
        >>> before = model.predict(np.ones((1, 2)))
        >>> _ = model.train(np.ones((4, 2)), np.array([0, 1, 1, 1]))
        >>> model.reset()
        >>> bool(np.array_equal(model.predict(np.ones((1, 2))), before)), model.iteration
        (True, 0)
        """
        if self.network is not None:
            self._create()

    # ---- running -------------------------------------------------------------------------------
    def _tensors(self, arrays):
        parameter = next((p for p in self.network.parameters() if p.is_floating_point()), None)
        dtype = parameter.dtype if parameter is not None else torch.float32
        keep_integers = self._spec().kind is not NetworkKind.ARCHITECTURE
        return [to_tensor(array, self.device, dtype, keep_integers) for array in arrays]

    def _forward(self, tensors, label):
        try:
            return self.network(*tensors)
        except _OOM:
            raise
        except RuntimeError as exc:
            shapes = [tuple(t.shape) for t in tensors]
            shown = shapes[0] if len(shapes) == 1 else shapes
            raise ModelError(f'{label}: the network failed on inputs of shape {shown}: {exc}', value=shapes) from exc

    def _autocast(self):
        if self.amp:
            return torch.autocast(device_type=self.device.type, dtype=torch.float16)
        return contextlib.nullcontext()

    def _check_usable(self, keys, label):
        for key in keys:
            if key in self._unusable:
                raise ModelError(f'{label}: {self._unusable[key]}.', name=key)

    def train(self, inputs=None, targets=None, fetches=None, microbatch=None, feed_dict=None, *, outputs=None,
              microbatch_size=None, lock=True):
        """Take one optimizer step on a batch; return what ``fetches`` names, as numpy.

        Parameters
        ----------
        inputs : array or list of arrays
            The batch, batch axis first, channels next (one array per network input).
        targets : array
            Class labels (``'ce'``), or values shaped like the outputs.
        fetches : str, callable, list or dict of them
            ``'loss'`` (the default), ``'predictions'`` (raw outputs), ``'proba'``,
            ``'labels'``, ``'sigmoid'``, ``'softplus'``, an alias of config
            ``'output'``, or a callable applied to the raw outputs (a tensor).
            A list gives a list of values, a dict ``{key: fetch}`` a dict.
        microbatch : int, optional
            Items per chunk for this call (default: config ``'microbatch'``).
        feed_dict : dict, optional
            The guide's other calling form: ``{'x': inputs, 'y': targets}``.
        outputs, microbatch_size : optional
            BatchFlow 0.10.1's names of ``fetches`` and ``microbatch`` (give one spelling).
        lock : bool
            Hold the model's lock during the step, so threads may share the model
            (a pipeline runs the steps of one model in order anyway).

        Returns
        -------
        numpy value, or a list or dict of them
            The loss is the mean over the batch (a numpy float32 scalar).

        Examples
        --------
        >>> import numpy as np
        >>> model = TorchModel({'model': 'mlp', 'inputs': (2,), 'classes': 1, 'loss': 'mse', 'seed': 1})
        >>> loss, out = model.train(np.ones((4, 2)), np.ones(4), fetches=['loss', 'predictions'])
        >>> loss.dtype, out.shape
        (dtype('float32'), (4, 1))
        >>> sorted(model.train(np.ones((4, 2)), np.ones(4), outputs={'loss': 'loss', 'raw': 'predictions'}))
        ['loss', 'raw']
        """
        label = self._label('train')
        fetches, microbatch = self._call_options(label, fetches, outputs, 'loss', microbatch, microbatch_size)
        with self._lock if lock else contextlib.nullcontext():
            return self._train(inputs, targets, fetches, microbatch, feed_dict, label)

    def _call_options(self, label, fetches, outputs, default, microbatch, microbatch_size):
        """The fetches (either spelling) read against config ``'output'``, and the microbatch (either spelling)."""
        for first, second, names in ((fetches, outputs, ('fetches', 'outputs')),
                                     (microbatch, microbatch_size, ('microbatch', 'microbatch_size'))):
            if first is not None and second is not None:
                raise ModelError(f'{label}: give either {names[0]}= or {names[1]}= (two spellings of the same '
                                 f'argument), not both: {names[0]}={first!r}, {names[1]}={second!r}.',
                                 name=names[1])
        fetches = fetches if fetches is not None else outputs if outputs is not None else default
        aliases = output_aliases(self.config.get('output'), type(self).__name__)
        return parse_fetches(fetches, label, aliases), microbatch if microbatch is not None else microbatch_size

    def _train(self, inputs, targets, fetches, microbatch, feed_dict, label):
        inputs, targets = _fed(feed_dict, inputs, targets, label)
        arrays = as_arrays(inputs, label)
        self._ensure_network(arrays, label)
        self._check_usable(('loss', 'optimizer', 'scheduler'), label)
        if targets is None:
            raise ModelError(f'{label}: training needs targets: train(inputs, targets).')
        targets = np.asarray(targets)
        if targets.ndim == 0 or len(targets) != len(arrays[0]):
            raise ModelError(f'{label}: {len(arrays[0])} inputs but targets of shape {targets.shape}; give one '
                             f'target per item.')
        tensors = self._tensors(arrays)
        size = len(targets)
        parts = chunks(size, self.config.get('microbatch') if microbatch is None else microbatch, label)
        self.network.train()
        self.optimizer.zero_grad(set_to_none=True)
        total, outputs = None, []
        for part in parts:
            with self._autocast():
                output = self._forward([t[part] for t in tensors], label)
                loss = self.loss_fn(output, target_tensor(self.loss_fn, targets[part], output, label))
            if len(parts) > 1:
                loss = loss * ((part.stop - part.start) / size)
            (self.scaler.scale(loss) if self.scaler is not None else loss).backward()
            total = loss.detach() if total is None else total + loss.detach()
            outputs.append(output.detach())
        self._step(total)
        output = outputs[0] if len(outputs) == 1 else torch.cat(outputs)
        return fetches.pack([fetch_value(op, output, total, self.loss_fn, label) for op in fetches.ops])

    def _step(self, loss):
        if self.scaler is not None:
            self.scaler.step(self.optimizer)
            self.scaler.update()
        else:
            self.optimizer.step()
        if self.scheduler is not None:
            if isinstance(self.scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
                self.scheduler.step(float(loss))
            else:
                self.scheduler.step()
        self.iteration += 1

    def predict(self, inputs=None, targets=None, fetches=None, microbatch=None, feed_dict=None, *, outputs=None,
                microbatch_size=None, lock=True):
        """Run the network in eval mode without gradients; return what ``fetches`` names, as numpy.

        Parameters
        ----------
        inputs : array or list of arrays
            The batch, batch axis first.
        targets : array, optional
            Needed only to fetch ``'loss'``.
        fetches : str, callable, list or dict of them
            ``'predictions'`` (raw outputs, the default), ``'proba'``, ``'labels'``,
            ``'loss'``, ... as for :meth:`train`.
        microbatch : int, optional
            Items per chunk, to bound memory (default: config ``'microbatch'``).
        feed_dict : dict, optional
            The guide's other calling form: ``{'x': inputs}`` (and ``'y'`` for targets).
        outputs, microbatch_size, lock : optional
            As for :meth:`train`.

        Examples
        --------
        >>> import numpy as np
        >>> model = TorchModel({'model': 'mlp', 'inputs': (2,), 'classes': 3})
        >>> proba = model.predict(np.ones((4, 2)), fetches='proba')
        >>> proba.shape, np.allclose(proba.sum(axis=1), 1)
        ((4, 3), True)
        """
        label = self._label('predict')
        fetches, microbatch = self._call_options(label, fetches, outputs, 'predictions', microbatch, microbatch_size)
        with self._lock if lock else contextlib.nullcontext():
            return self._predict(inputs, targets, fetches, microbatch, feed_dict, label)

    def _predict(self, inputs, targets, fetches, microbatch, feed_dict, label):
        inputs, targets = _fed(feed_dict, inputs, targets, label)
        arrays = as_arrays(inputs, label)
        self._ensure_network(arrays, label)
        if 'loss' in fetches.ops:
            if targets is None:
                raise ModelError(f"{label}: fetching 'loss' needs targets: predict(inputs, targets, fetches='loss').")
            self._check_usable(('loss',), label)
            targets = np.asarray(targets)
        tensors = self._tensors(arrays)
        size = len(arrays[0])
        parts = chunks(size, self.config.get('microbatch') if microbatch is None else microbatch, label)
        self.network.eval()
        outputs, total = [], None
        with torch.inference_mode(), self._autocast():
            for part in parts:
                output = self._forward([t[part] for t in tensors], label)
                outputs.append(output)
                if 'loss' in fetches.ops:
                    loss = self.loss_fn(output, target_tensor(self.loss_fn, targets[part], output, label))
                    loss = loss * ((part.stop - part.start) / size)
                    total = loss if total is None else total + loss
        output = outputs[0] if len(outputs) == 1 else torch.cat(outputs)
        return fetches.pack([fetch_value(op, output, total, self.loss_fn, label) for op in fetches.ops])

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop('_lock', None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.RLock()

    def __repr__(self):
        spec = self.config.get('model', type(self).architecture)
        name = spec.get('name') if isinstance(spec, Mapping) else spec
        name = getattr(name, '__name__', None) or (name if isinstance(name, str) else type(name).__name__)
        built = f'inputs={self.config.get("inputs")!r}' if self.network is not None else 'not built'
        return f'<{type(self).__name__} {name} {built} on {self.device}>'
