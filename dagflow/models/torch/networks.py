"""The architectures: plain ``torch.nn.Module`` classes built for an input shape and a number of classes.

Each network takes the shape of one item (``(channels, *spatial)`` for the
convolutional ones, any shape for the MLP), the number of classes (outputs)
and a few width options; it works for 1, 2 or 3 spatial axes and for any
spatial size (pooling stops halving an axis once it is 1 pixel wide;
classifiers end with global average pooling).  :data:`ARCHITECTURES` names
them for configs: ``{'model': 'resnet18'}`` or
``{'model': {'name': 'resnet18', 'width': 16}}``.

=============  ====================================================================
name           network
=============  ====================================================================
``mlp``        :class:`MLPNetwork`: flatten, ``depth`` hidden layers of ``width`` units
``vgg7``       :class:`VGGNetwork`: 6 convolutions in 3 stages, global pooling, 1 linear layer
``vgg16``      :class:`VGGNetwork`: 13 convolutions in 5 stages, global pooling, 3 linear layers
``resnet18``   :class:`ResNetNetwork` with (2, 2, 2, 2) residual blocks
``resnet34``   :class:`ResNetNetwork` with (3, 4, 6, 3) residual blocks
``unet``       :class:`UNetNetwork`: encoder-decoder, one output channel per class, input's size
=============  ====================================================================

Examples
--------
>>> import torch
>>> net = make_network('vgg7', [(3, 16, 16)], classes=10, options={'width': 4})
>>> net(torch.zeros(2, 3, 16, 16)).shape
torch.Size([2, 10])
"""
from __future__ import annotations

import inspect
import math
from collections.abc import Mapping, Sequence

import torch
from torch import nn
from torch.nn import functional

from ...exceptions import ModelError, suggestion_text
from .layers import ResidualBlock, conv_block, double_conv, layer, spatial_shape

__all__ = ['MLPNetwork', 'VGGNetwork', 'ResNetNetwork', 'UNetNetwork', 'ARCHITECTURES', 'make_network',
           'architecture_names', 'check_architecture']


def _halved(size: Sequence[int]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Kernel of a 2x pooling that leaves 1-pixel axes alone, and the size after it."""
    kernel = tuple(2 if s >= 2 else 1 for s in size)
    return kernel, tuple(s // k for s, k in zip(size, kernel))


class MLPNetwork(nn.Module):
    """A multilayer perceptron: flatten, ``depth`` hidden layers (linear, ReLU), a linear output layer.

    Parameters
    ----------
    input_shape : tuple of int
        Shape of one item (any number of axes; it is flattened).
    classes : int
        Number of outputs.
    width : int
        Units of each hidden layer.
    depth : int
        Number of hidden layers (0 gives a linear model).
    units : sequence of int, optional
        Sizes of the hidden layers, instead of ``width`` and ``depth``.
    dropout : float
        Dropout probability after each hidden layer.

    Examples
    --------
    >>> import torch
    >>> MLPNetwork((2, 3), classes=4, width=8)(torch.zeros(5, 2, 3)).shape
    torch.Size([5, 4])
    """

    def __init__(self, input_shape: Sequence[int], classes: int, width: int = 128, depth: int = 2,
                 units: Sequence[int] | None = None, dropout: float = 0.0):
        super().__init__()
        sizes = [math.prod(input_shape), *(units if units is not None else [width] * depth)]
        parts: list[nn.Module] = [nn.Flatten()]
        for size_in, size_out in zip(sizes[:-1], sizes[1:]):
            parts += [nn.Linear(size_in, size_out), nn.ReLU(inplace=True)]
            if dropout:
                parts.append(nn.Dropout(dropout))
        parts.append(nn.Linear(sizes[-1], classes))
        self.layers = nn.Sequential(*parts)

    def forward(self, x):
        return self.layers(x)


VGG7_STAGES = ((1, 2), (2, 2), (4, 2))
VGG16_STAGES = ((1, 2), (2, 2), (4, 3), (8, 3), (8, 3))


class VGGNetwork(nn.Module):
    """A VGG-style classifier: stages of 3-wide convolutions with 2x pooling, global pooling, linear layers.

    Parameters
    ----------
    input_shape : tuple of int
        ``(channels, *spatial)``, 1 to 3 spatial axes.
    classes : int
        Number of outputs.
    width : int
        Channels of the first stage; stage ``i`` has ``width * stages[i][0]``.
    stages : sequence of (int, int)
        ``(width multiplier, number of convolutions)`` per stage; the default is VGG7's.
    hidden : sequence of int
        Hidden linear layers of the head, in multiples of ``width`` (VGG16: ``(8, 8)``).
    batch_norm : bool
        Batch normalisation after each convolution.
    dropout : float
        Dropout probability in the head.

    Examples
    --------
    >>> import torch
    >>> net = VGGNetwork((1, 8, 8), classes=3, width=2, stages=VGG16_STAGES, hidden=(8, 8))
    >>> net(torch.zeros(2, 1, 8, 8)).shape
    torch.Size([2, 3])
    """

    def __init__(self, input_shape: Sequence[int], classes: int, width: int = 64,
                 stages: Sequence[Sequence[int]] = VGG7_STAGES, hidden: Sequence[int] = (),
                 batch_norm: bool = True, dropout: float = 0.0):
        super().__init__()
        size = spatial_shape('VGG', input_shape)
        ndim, channels = len(size), input_shape[0]
        parts: list[nn.Module] = []
        for multiplier, convs in stages:
            for _ in range(convs):
                parts.append(conv_block(channels, width * multiplier, ndim, batch_norm=batch_norm))
                channels = width * multiplier
            kernel, size = _halved(size)
            parts.append(layer('max_pool', ndim, kernel))
        self.features = nn.Sequential(*parts)
        head: list[nn.Module] = [layer('avg_pool', ndim, 1), nn.Flatten()]
        for multiplier in hidden:
            head += [nn.Linear(channels, width * multiplier), nn.ReLU(inplace=True)]
            channels = width * multiplier
            if dropout:
                head.append(nn.Dropout(dropout))
        head.append(nn.Linear(channels, classes))
        self.head = nn.Sequential(*head)

    def forward(self, x):
        return self.head(self.features(x))


class ResNetNetwork(nn.Module):
    """A residual network classifier (ResNet18/34 style): a stem, 4 stages of residual blocks, global pooling.

    Parameters
    ----------
    input_shape : tuple of int
        ``(channels, *spatial)``, 1 to 3 spatial axes.
    classes : int
        Number of outputs.
    blocks : sequence of int
        Residual blocks per stage: ``(2, 2, 2, 2)`` is ResNet18, ``(3, 4, 6, 3)`` ResNet34.
    width : int
        Channels of the first stage; each further stage doubles them and halves the resolution.
    stem : {'auto', 'large', 'small'}
        ``'large'``: a 7-wide stride-2 convolution and a stride-2 max pooling
        (for images of 64 pixels and more); ``'small'``: one 3-wide
        convolution, keeping the resolution (for small images such as 32x32).
        ``'auto'`` picks ``'large'`` when every spatial axis has at least 64 pixels.
    batch_norm : bool
        Batch normalisation after each convolution.

    Examples
    --------
    >>> import torch
    >>> net = ResNetNetwork((3, 8, 8), classes=5, width=2)
    >>> net(torch.zeros(2, 3, 8, 8)).shape
    torch.Size([2, 5])
    """

    def __init__(self, input_shape: Sequence[int], classes: int, blocks: Sequence[int] = (2, 2, 2, 2),
                 width: int = 64, stem: str = 'auto', batch_norm: bool = True):
        super().__init__()
        size = spatial_shape('ResNet', input_shape)
        ndim = len(size)
        if stem not in ('auto', 'large', 'small'):
            raise ModelError(f"ResNet: stem must be 'auto', 'large' or 'small', got {stem!r}.", value=stem)
        if stem == 'auto':
            stem = 'large' if min(size) >= 64 else 'small'
        if stem == 'large':
            self.stem = nn.Sequential(conv_block(input_shape[0], width, ndim, stride=2, kernel_size=7,
                                                 batch_norm=batch_norm),
                                      layer('max_pool', ndim, 3, stride=2, padding=1))
        else:
            self.stem = conv_block(input_shape[0], width, ndim, batch_norm=batch_norm)
        stages, channels = [], width
        for index, count in enumerate(blocks):
            out_channels = width * 2 ** index
            for number in range(count):
                stride = 2 if index > 0 and number == 0 else 1
                stages.append(ResidualBlock(channels, out_channels, ndim, stride=stride, batch_norm=batch_norm))
                channels = out_channels
        self.stages = nn.Sequential(*stages)
        self.head = nn.Sequential(layer('avg_pool', ndim, 1), nn.Flatten(), nn.Linear(channels, classes))

    def forward(self, x):
        return self.head(self.stages(self.stem(x)))


class UNetNetwork(nn.Module):
    """A U-Net for segmentation: the output has ``classes`` channels and the input's spatial size.

    The encoder halves the resolution ``depth`` times (odd sizes are rounded
    down), the decoder doubles it back, padding by one pixel where the
    encoder rounded, so any size of at least ``2 ** depth`` pixels per axis
    works.

    Parameters
    ----------
    input_shape : tuple of int
        ``(channels, *spatial)``, 1 to 3 spatial axes.
    classes : int
        Output channels (one logit per class and pixel).
    width : int
        Channels of the first level; each deeper level doubles them.
    depth : int
        Number of poolings.
    batch_norm : bool
        Batch normalisation after each convolution.

    Raises
    ------
    ModelError
        When a spatial axis is shorter than ``2 ** depth``.

    Examples
    --------
    >>> import torch
    >>> net = UNetNetwork((1, 10, 7), classes=2, width=2, depth=2)
    >>> net(torch.zeros(1, 1, 10, 7)).shape
    torch.Size([1, 2, 10, 7])
    """

    def __init__(self, input_shape: Sequence[int], classes: int, width: int = 32, depth: int = 4,
                 batch_norm: bool = True):
        super().__init__()
        size = spatial_shape('UNet', input_shape)
        if min(size) < 2 ** depth:
            raise ModelError(f'UNet with depth {depth} halves the resolution {depth} times, so every spatial axis '
                             f'needs at least {2 ** depth} pixels, but the item shape is {tuple(input_shape)}. '
                             f"Use a smaller depth, e.g. {{'model': {{'name': 'unet', 'depth': "
                             f'{max(int(math.log2(min(size))), 0)}}}}}, or larger inputs.',
                             value=tuple(input_shape))
        ndim, channels = len(size), input_shape[0]
        self.ndim = ndim
        self.down = nn.ModuleList()
        for level in range(depth + 1):
            self.down.append(double_conv(channels, width * 2 ** level, ndim, batch_norm=batch_norm))
            channels = width * 2 ** level
        self.pool = layer('max_pool', ndim, 2)
        self.up = nn.ModuleList()
        self.merge = nn.ModuleList()
        for level in reversed(range(depth)):
            out_channels = width * 2 ** level
            self.up.append(layer('transposed_conv', ndim, channels, out_channels, 2, stride=2))
            self.merge.append(double_conv(2 * out_channels, out_channels, ndim, batch_norm=batch_norm))
            channels = out_channels
        self.out = layer('conv', ndim, channels, classes, 1)

    def forward(self, x):
        skips = []
        for index, block in enumerate(self.down):
            if index:
                x = self.pool(x)
            x = block(x)
            skips.append(x)
        skips.pop()
        for up, merge in zip(self.up, self.merge):
            skip = skips.pop()
            x = up(x)
            missing = [target - have for target, have in zip(skip.shape[2:], x.shape[2:])]
            if any(missing):
                x = functional.pad(x, [pad for axis in reversed(missing) for pad in (0, axis)])
            x = merge(torch.cat([skip, x], dim=1))
        return self.out(x)


ARCHITECTURES: dict[str, tuple[type, dict]] = {
    'mlp': (MLPNetwork, {}),
    'vgg7': (VGGNetwork, {'stages': VGG7_STAGES}),
    'vgg16': (VGGNetwork, {'stages': VGG16_STAGES, 'hidden': (8, 8)}),
    'resnet18': (ResNetNetwork, {'blocks': (2, 2, 2, 2)}),
    'resnet34': (ResNetNetwork, {'blocks': (3, 4, 6, 3)}),
    'unet': (UNetNetwork, {}),
}
"""Architecture name -> (network class, its fixed options)."""


def architecture_names() -> list[str]:
    """The names ``config['model']`` accepts.

    Examples
    --------
    >>> architecture_names()
    ['mlp', 'resnet18', 'resnet34', 'unet', 'vgg16', 'vgg7']
    """
    return sorted(ARCHITECTURES)


def check_architecture(name: str) -> str:
    """Return the canonical (lower case) architecture ``name``, or raise :class:`ModelError` with suggestions.

    Examples
    --------
    >>> check_architecture('ResNet18')
    'resnet18'
    >>> check_architecture('resnet81')  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dagflow.exceptions.ModelError: Unknown architecture 'resnet81'. Did you mean 'resnet18' or 'resnet34'?...
    """
    key = name.lower()
    if key in ARCHITECTURES:
        return key
    raise ModelError(f'Unknown architecture {name!r}.{suggestion_text(key, ARCHITECTURES)} The architectures are '
                     f'{", ".join(architecture_names())}; config["model"] may also be an nn.Module class or '
                     f'instance, or a callable returning one.', name=name)


def make_network(name: str, input_shapes: Sequence[Sequence[int]] | None, classes: int | None,
                 options: Mapping | None = None) -> nn.Module:
    """Build the architecture ``name`` for items of ``input_shapes[0]`` and ``classes`` outputs.

    Parameters
    ----------
    name : str
        A key of :data:`ARCHITECTURES` (any case).
    input_shapes : list of tuple of int
        One shape per network input (the architectures take one).
    classes : int
        Number of outputs (output channels for the UNet).
    options : dict, optional
        Keyword options of the network class (``width``, ``depth``, ...).

    Raises
    ------
    ModelError
        For an unknown name or option, a missing shape or class count.

    Examples
    --------
    >>> make_network('mlp', [(4,)], 2, {'width': 3})
    MLPNetwork(
      (layers): Sequential(
        (0): Flatten(start_dim=1, end_dim=-1)
        (1): Linear(in_features=4, out_features=3, bias=True)
        (2): ReLU(inplace=True)
        (3): Linear(in_features=3, out_features=3, bias=True)
        (4): ReLU(inplace=True)
        (5): Linear(in_features=3, out_features=2, bias=True)
      )
    )
    """
    name = check_architecture(name)
    cls, fixed = ARCHITECTURES[name]
    if not input_shapes:
        raise ModelError(f"Architecture {name!r} needs the shape of its inputs: set config 'inputs', e.g. "
                         f"{{'inputs': {{'images': {{'shape': (3, 32, 32)}}}}}} (without the batch axis), or "
                         f'F(lambda batch: batch.images.shape[1:]) in a dynamic model.', name=name)
    if len(input_shapes) != 1:
        raise ModelError(f'Architecture {name!r} takes one input, but config "inputs" gives {len(input_shapes)} '
                         f'shapes: {list(input_shapes)}.', name=name)
    if not isinstance(classes, int) or isinstance(classes, bool) or classes < 1:
        raise ModelError(f"Architecture {name!r} needs config 'classes', the number of outputs (a positive int), "
                         f'got {classes!r}.', name=name, value=classes)
    options = dict(options or {})
    allowed = [p for p in inspect.signature(cls).parameters if p not in ('input_shape', 'classes', *fixed)]
    for option in options:
        if option not in allowed:
            raise ModelError(f'Architecture {name!r} has no option {option!r}.{suggestion_text(str(option), allowed)} '
                             f'Its options are {", ".join(allowed)}.', name=name, value=option)
    return cls(tuple(input_shapes[0]), classes, **fixed, **options)
