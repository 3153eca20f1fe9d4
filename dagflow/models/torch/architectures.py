"""Ready-to-use models: TorchModel classes that build one architecture each.

``init_model('model', ResNet18, 'dynamic', config)`` builds a ResNet18 from
``config`` (the same as ``TorchModel`` with ``{'model': 'resnet18', ...}``);
architecture options go into ``config['model']`` as a dict without a name.

Examples
--------
>>> import numpy as np
>>> model = ResNet18({'inputs': (3, 8, 8), 'classes': 4, 'model': {'width': 2}})
>>> model.predict(np.zeros((2, 3, 8, 8))).shape
(2, 4)
"""
from __future__ import annotations

from .model import TorchModel

__all__ = ['MLP', 'VGG7', 'VGG16', 'ResNet18', 'ResNet34', 'UNet']


class MLP(TorchModel):
    """A multilayer perceptron on flattened items (options ``width``, ``depth``, ``units``, ``dropout``).

    Examples
    --------
    >>> MLP({'inputs': (5,), 'classes': 2, 'model': {'units': [8, 4]}}).network.layers[-1]
    Linear(in_features=4, out_features=2, bias=True)
    """

    architecture = 'mlp'


class VGG7(TorchModel):
    """A VGG classifier with 6 convolutions in 3 stages (options ``width``, ``batch_norm``, ``dropout``).

    Examples
    --------
    >>> VGG7({'inputs': (1, 8, 8), 'classes': 10, 'model': {'width': 4}}).network.head[-1].out_features
    10
    """

    architecture = 'vgg7'


class VGG16(TorchModel):
    """A VGG classifier with 13 convolutions in 5 stages and 3 linear layers (options as :class:`VGG7`).

    Examples
    --------
    >>> VGG16({'inputs': (3, 8, 8), 'classes': 2, 'model': {'width': 2}}).network.head[-1].in_features
    16
    """

    architecture = 'vgg16'


class ResNet18(TorchModel):
    """A ResNet with (2, 2, 2, 2) residual blocks (options ``width``, ``stem``, ``batch_norm``).

    Examples
    --------
    >>> ResNet18({'inputs': (3, 16, 16), 'classes': 10, 'model': {'width': 2}}).network.head[-1]
    Linear(in_features=16, out_features=10, bias=True)
    """

    architecture = 'resnet18'


class ResNet34(TorchModel):
    """A ResNet with (3, 4, 6, 3) residual blocks (options as :class:`ResNet18`).

    Examples
    --------
    >>> len(ResNet34({'inputs': (3, 8, 8), 'classes': 2, 'model': {'width': 2}}).network.stages)
    16
    """

    architecture = 'resnet34'


class UNet(TorchModel):
    """A U-Net for segmentation: per-pixel logits of ``classes`` classes (options ``width``, ``depth``, ``batch_norm``).

    Examples
    --------
    >>> import numpy as np
    >>> model = UNet({'inputs': (1, 12, 12), 'classes': 2, 'model': {'width': 2, 'depth': 2}})
    >>> model.predict(np.zeros((1, 1, 12, 12)), fetches='labels').shape
    (1, 12, 12)
    """

    architecture = 'unet'
