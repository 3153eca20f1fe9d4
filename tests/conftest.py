"""Shared fixtures: a tiny batch class and datasets of synthetic images."""
import numpy as np
import pytest

from dagflow import Batch, Dataset, action


class ImageBatch(Batch):
    """Images and labels, with the actions the tests chain."""

    components = 'images', 'labels'

    @action
    def normalize(self):
        self.images = (self.images - self.images.mean()) / (self.images.std() + 1e-8)
        return self

    @action
    def scale(self, factor=2.0):
        self.images = self.images * factor
        return self

    @action
    def add(self, value):
        self.images = self.images + value
        return self

    @action
    def fail_on(self, item_id):
        if item_id in self.indices:
            raise ValueError(f'bad item {item_id}')
        return self

    @action
    def skip_if_contains(self, item_id):
        from dagflow import SkipBatchException
        if item_id in self.indices:
            raise SkipBatchException(f'skipping {item_id}')
        return self

    @action
    def forget_return(self):
        self.images = self.images + 0

    @action(writes=('var:counter',))
    def count_in_pipeline(self):
        self.pipeline.set_variable('counter', self.pipeline.get_variable('counter') + 1)
        return self

    @action
    def with_joined(self, other, factor=1):
        self.images = self.images + other.images * factor
        return self


@pytest.fixture
def images_dataset():
    rng = np.random.default_rng(0)
    data = {'images': rng.random((20, 4, 4)), 'labels': rng.integers(0, 3, 20)}
    return Dataset(20, batch_class=ImageBatch, preloaded=data)


@pytest.fixture
def ranges_dataset():
    """Item i has images filled with i: sums reveal which items a batch holds."""
    images = np.arange(10, dtype=float)[:, None, None] * np.ones((10, 2, 2))
    return Dataset(10, batch_class=ImageBatch, preloaded={'images': images, 'labels': np.arange(10)})
