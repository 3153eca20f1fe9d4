"""The example pipeline behind ``dagflow demo``.

Synthetic two-class "images": class 1 has a brighter centre.  The pipeline
normalises and augments every batch (noise drawn per batch from the run seed),
extracts a feature, and fits a running nearest-centroid classifier kept in
pipeline variables — all in one fluent chain, compiled to a plan first.
"""
from __future__ import annotations

import numpy as np

from . import B, Batch, Dataset, R, V, action

__all__ = ['DemoBatch', 'make_dataset', 'build_pipeline', 'run_demo']


class DemoBatch(Batch):
    """Images with a label each, and a feature computed from them."""

    components = 'images', 'labels', 'features'

    @action
    def normalize(self):
        """Scale every image to zero mean and unit variance."""
        mean = self.images.mean(axis=(1, 2), keepdims=True)
        std = self.images.std(axis=(1, 2), keepdims=True) + 1e-8
        self.images = (self.images - mean) / std
        return self

    @action
    def add_noise(self, noise):
        """Add per-pixel noise (an array of the images' shape)."""
        self.images = self.images + noise
        return self

    @action
    def centre_feature(self):
        """The mean brightness of the central 4x4 square minus the rest."""
        centre = self.images[:, 2:6, 2:6].mean(axis=(1, 2))
        self.features = centre - self.images.mean(axis=(1, 2))
        return self


def make_dataset(n_items: int = 512, seed: int = 0) -> Dataset:
    """A dataset of 8x8 images whose label says whether the centre is brighter."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n_items)
    images = rng.normal(0, 1, (n_items, 8, 8))
    images[:, 2:6, 2:6] += labels[:, None, None] * 1.5
    return Dataset(n_items, batch_class=DemoBatch,
                   preloaded={'images': images, 'labels': labels, 'features': np.zeros(n_items)})


def _centroid_update(sums, features, labels):
    sums = dict(sums)
    for cls in (0, 1):
        chosen = features[labels == cls]
        total, count = sums.get(cls, (0.0, 0))
        sums[cls] = (total + float(chosen.sum()), count + len(chosen))
    return sums


def build_pipeline(dataset: Dataset):
    """The training pipeline: preprocessing, augmentation, and a running centroid per class."""
    return (dataset.p
            .init_variable('centroids', {})
            .init_variable('batch_sizes', init_on_each_run=list)
            .normalize()
            .add_noise(R('normal', 0, 0.3, size=B.images.shape))
            .centre_feature()
            .call(_centroid_update, V('centroids'), B.features, B.labels, save_to=V('centroids'))
            .update(V('batch_sizes', mode='a'), B.size))


def run_demo(epochs: int = 2, batch_size: int = 32, seed: int = 42) -> int:
    """Build, print, run and evaluate the demo pipeline; return 0."""
    dataset = make_dataset()
    dataset.split(0.8, shuffle=seed)
    pipeline = build_pipeline(dataset.train)
    print('The compiled plan:')
    print(pipeline.compile())
    pipeline.run(batch_size=batch_size, n_epochs=epochs, shuffle=True, seed=seed)
    centroids = {cls: total / count for cls, (total, count) in pipeline.v('centroids').items()}
    test = dataset.test.create_batch(dataset.test.indices).normalize().centre_feature()
    threshold = (centroids[0] + centroids[1]) / 2
    accuracy = float(np.mean((test.features > threshold) == test.labels))
    sizes = pipeline.v('batch_sizes')
    print(f'\nran {len(sizes)} batches ({sum(sizes)} items) over {epochs} epoch(s), seed {seed}')
    print(f'class centroids: {centroids[0]:.3f} / {centroids[1]:.3f}')
    print(f'test accuracy: {accuracy:.3f} on {len(dataset.test)} items')
    return 0
