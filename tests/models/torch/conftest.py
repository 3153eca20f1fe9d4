"""Tiny data and configs for the torch model tests (everything runs in well under a second per test on a CPU)."""
import numpy as np
import pytest

from dagflow import Batch, Dataset, action

torch = pytest.importorskip('torch')

#: Tiny widths for every architecture, so a forward and backward pass take milliseconds.
TINY = {
    'mlp': {'width': 8},
    'vgg7': {'width': 2},
    'vgg16': {'width': 2},
    'resnet18': {'width': 2},
    'resnet34': {'width': 2},
    'unet': {'width': 2, 'depth': 2},
}


class ImagesBatch(Batch):
    components = 'images', 'labels'

    @action
    def flip(self):
        """A random horizontal flip per batch, drawn from the batch's own generator."""
        if self.random.random() < 0.5:
            self.images = np.ascontiguousarray(self.images[..., ::-1])
        return self

    @action
    def add_noise(self, scale=0.05):
        self.images = self.images + self.random.normal(0, scale, self.images.shape)
        return self


def toy_images(n=32, shape=(1, 8, 8), seed=0):
    """Images whose class (0 or 1) is whether the left half is brighter than the right half."""
    rng = np.random.default_rng(seed)
    images = rng.random((n, *shape)).astype(np.float32)
    labels = (images[..., : shape[-1] // 2].mean(axis=tuple(range(1, len(shape) + 1)))
              > images[..., shape[-1] // 2:].mean(axis=tuple(range(1, len(shape) + 1)))).astype(np.int64)
    images[labels == 1, ..., : shape[-1] // 2] += 0.5
    return images, labels


@pytest.fixture
def images_dataset():
    images, labels = toy_images()
    return Dataset(len(images), batch_class=ImagesBatch, preloaded={'images': images, 'labels': labels})


@pytest.fixture
def one_thread():
    """torch on one thread (bit-identical results whoever runs the step); the old setting comes back after."""
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


def config_for(name, shape=(1, 8, 8), classes=2, **extra):
    """A TorchModel config for architecture ``name`` at its tiny width."""
    return {'model': {'name': name, **TINY[name]}, 'inputs': shape, 'classes': classes, 'seed': 0,
            'optimizer': {'name': 'Adam', 'lr': 1e-2}, **extra}


def same_state(first, second):
    """Whether two state dicts hold bit-identical tensors under the same keys."""
    return first.keys() == second.keys() and all(torch.equal(first[key], second[key]) for key in first)
