"""Building blocks of the architectures: convolutions for 1, 2 or 3 spatial axes.

Every block takes ``ndim``, the number of spatial axes of its input (1 for
signals ``(channels, length)``, 2 for images ``(channels, height, width)``,
3 for volumes), so one architecture serves them all.

Examples
--------
>>> import torch
>>> block = conv_block(3, 8, ndim=2)
>>> block(torch.zeros(2, 3, 5, 5)).shape
torch.Size([2, 8, 5, 5])
"""
from __future__ import annotations

from collections.abc import Sequence

from torch import nn

from ...exceptions import ModelError

__all__ = ['layer', 'conv_block', 'double_conv', 'ResidualBlock', 'spatial_shape']

_LAYERS = {
    'conv': (nn.Conv1d, nn.Conv2d, nn.Conv3d),
    'transposed_conv': (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d),
    'batch_norm': (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d),
    'max_pool': (nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d),
    'avg_pool': (nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d, nn.AdaptiveAvgPool3d),
}


def layer(kind: str, ndim: int, *args, **kwargs) -> nn.Module:
    """A torch layer of ``kind`` (``'conv'``, ``'batch_norm'``, ...) for ``ndim`` spatial axes.

    Examples
    --------
    >>> layer('conv', 1, 2, 4, kernel_size=3)
    Conv1d(2, 4, kernel_size=(3,), stride=(1,))
    """
    return _LAYERS[kind][ndim - 1](*args, **kwargs)


def spatial_shape(name: str, input_shape: Sequence[int]) -> tuple[int, ...]:
    """Check that ``input_shape`` is ``(channels, *spatial)`` with 1 to 3 spatial axes; return the spatial part.

    Examples
    --------
    >>> spatial_shape('VGG7', (3, 16, 16))
    (16, 16)
    >>> spatial_shape('VGG7', (16,))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dagflow.exceptions.ModelError: VGG7 needs inputs shaped (channels, *spatial) with 1 to 3 spatial axes, ...
    """
    shape = tuple(input_shape)
    if not 2 <= len(shape) <= 4:
        raise ModelError(f'{name} needs inputs shaped (channels, *spatial) with 1 to 3 spatial axes, e.g. '
                         f'(3, 32, 32) for RGB images, but got the item shape {shape}. Add a channel axis to '
                         f'grayscale images ((1, height, width)), or use the mlp architecture.', value=shape)
    return shape[1:]


def conv_block(in_channels: int, out_channels: int, ndim: int, stride: int = 1, kernel_size: int = 3,
               batch_norm: bool = True) -> nn.Sequential:
    """Convolution (``same`` padding), optional batch norm, ReLU.

    Examples
    --------
    >>> import torch
    >>> conv_block(1, 4, ndim=1, stride=2)(torch.zeros(1, 1, 9)).shape
    torch.Size([1, 4, 5])
    """
    parts = [layer('conv', ndim, in_channels, out_channels, kernel_size, stride=stride,
                   padding=kernel_size // 2, bias=not batch_norm)]
    if batch_norm:
        parts.append(layer('batch_norm', ndim, out_channels))
    parts.append(nn.ReLU(inplace=True))
    return nn.Sequential(*parts)


def double_conv(in_channels: int, out_channels: int, ndim: int, batch_norm: bool = True) -> nn.Sequential:
    """Two :func:`conv_block` in a row: the unit of every UNet level.

    Examples
    --------
    >>> len(double_conv(3, 8, ndim=2))
    2
    """
    return nn.Sequential(conv_block(in_channels, out_channels, ndim, batch_norm=batch_norm),
                         conv_block(out_channels, out_channels, ndim, batch_norm=batch_norm))


class ResidualBlock(nn.Module):
    """Two 3-wide convolutions with a shortcut: ``relu(x' + shortcut(x))``, the unit of ResNet18/34.

    The shortcut is the identity, or a 1-wide strided convolution when the
    block changes the width or the resolution.

    Parameters
    ----------
    in_channels, out_channels : int
        Widths of the input and the output.
    ndim : int
        Number of spatial axes.
    stride : int
        Stride of the first convolution (2 halves the resolution).
    batch_norm : bool
        Whether convolutions are followed by batch normalisation.

    Examples
    --------
    >>> import torch
    >>> ResidualBlock(4, 8, ndim=2, stride=2)(torch.zeros(1, 4, 6, 6)).shape
    torch.Size([1, 8, 3, 3])
    """

    def __init__(self, in_channels: int, out_channels: int, ndim: int, stride: int = 1, batch_norm: bool = True):
        super().__init__()
        norm = (lambda channels: layer('batch_norm', ndim, channels)) if batch_norm else (lambda _: nn.Identity())
        self.conv1 = layer('conv', ndim, in_channels, out_channels, 3, stride=stride, padding=1, bias=not batch_norm)
        self.norm1 = norm(out_channels)
        self.conv2 = layer('conv', ndim, out_channels, out_channels, 3, padding=1, bias=not batch_norm)
        self.norm2 = norm(out_channels)
        self.relu = nn.ReLU(inplace=True)
        self.shortcut = nn.Identity()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(
                layer('conv', ndim, in_channels, out_channels, 1, stride=stride, bias=not batch_norm),
                norm(out_channels))

    def forward(self, x):
        out = self.relu(self.norm1(self.conv1(x)))
        out = self.norm2(self.conv2(out))
        return self.relu(out + self.shortcut(x))
