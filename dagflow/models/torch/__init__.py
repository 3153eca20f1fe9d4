"""PyTorch models for dagflow pipelines.

PyTorch is an optional dependency (the ``torch`` extra), so users of other
model libraries do not download it.  Importing this package without torch
installed raises an ``ImportError`` that says how to install it.

:class:`TorchModel` plugs any ``torch.nn.Module`` into pipelines; the
architecture classes (:class:`MLP`, :class:`VGG7`, :class:`VGG16`,
:class:`ResNet18`, :class:`ResNet34`, :class:`UNet`) are TorchModels that
build one architecture for the config's input shape and classes.

Examples
--------
>>> import numpy as np
>>> from dagflow import B, Batch, Dataset, F, V
>>> from dagflow.models.torch import ResNet18
>>> class ImagesBatch(Batch):
...     components = 'images', 'labels'
>>> images = np.random.default_rng(0).random((8, 3, 8, 8))
>>> dataset = Dataset(8, ImagesBatch, preloaded={'images': images, 'labels': np.arange(8) % 2})
>>> config = {'inputs': {'images': {'shape': F(lambda batch: batch.images.shape[1:])}},
...           'classes': 2, 'model': {'width': 2}, 'seed': 0}
>>> pipeline = (dataset.p.init_model('model', ResNet18, 'dynamic', config)
...             .init_variable('loss_history', [])
...             .train_model('model', B.images, B.labels, fetches='loss', save_to=V('loss_history', mode='a'))
...             .run(4, n_epochs=1))
>>> len(pipeline.v('loss_history'))
2
"""
try:
    import torch  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised by a test that hides torch
    raise ImportError(
        "dagflow.models.torch needs PyTorch, which is not installed. Install it with "
        "`pip install 'dagflow[torch]'` (or `pip install torch`; for the CPU-only build see "
        "https://pytorch.org/get-started/locally/)."
    ) from exc

from .architectures import MLP, VGG7, VGG16, ResNet18, ResNet34, UNet  # noqa: E402
from .model import TorchModel  # noqa: E402
from .networks import ARCHITECTURES, MLPNetwork, ResNetNetwork, UNetNetwork, VGGNetwork  # noqa: E402

__all__ = ['TorchModel', 'MLP', 'VGG7', 'VGG16', 'ResNet18', 'ResNet34', 'UNet',
           'ARCHITECTURES', 'MLPNetwork', 'VGGNetwork', 'ResNetNetwork', 'UNetNetwork']
