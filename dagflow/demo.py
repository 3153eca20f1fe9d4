"""The end-to-end example behind ``dagflow demo``: a CNN learns handwritten digits.

The data is scikit-learn's bundled 8x8 digits (1797 images, 10 classes; no
download).  A training pipeline scales and augments every batch (a random
shift and noise drawn from each batch's own generator, so every scheduler
gives the same run), and trains a :class:`~dagflow.models.torch.VGG7` by
``train_model``; with ``prefetch`` the augmentation of the next batches runs
in parallel while the model trains in the serial order.  An inference
pipeline imports the trained model, predicts the test images and gathers
classification metrics over the whole test set.  The demo prints the plan,
the losses, the test accuracy and the per-class metrics, and writes the plan's
picture, the loss curve, the run's timeline and the model to ``out``.

It needs the ``demo`` extra: ``pip install 'dagflow[demo]'`` (torch and
scikit-learn).
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from . import B, Batch, Dataset, F, Pipeline, R, V, action

__all__ = ['DigitsBatch', 'load_digits_dataset', 'train_pipeline', 'inference_pipeline', 'run_demo']


class DigitsBatch(Batch):
    """Digit images (channel first once scaled), their labels and the model's predictions."""

    components = 'images', 'labels', 'predictions'

    @action
    def scale_pixels(self):
        """Images to float32 in [0, 1] with a channel axis: ``(n, 1, 8, 8)``."""
        self.images = (np.asarray(self.images, dtype=np.float32) / 16.0)[:, None]
        return self

    @action
    def random_shift(self, limit: int = 1):
        """Move every image by up to ``limit`` pixels in each direction (zeros come in)."""
        n, _, height, width = self.images.shape
        offsets = self.random.integers(-limit, limit + 1, size=(n, 2))
        padded = np.pad(self.images, ((0, 0), (0, 0), (limit, limit), (limit, limit)))
        rows = (limit - offsets[:, 0])[:, None] + np.arange(height)
        cols = (limit - offsets[:, 1])[:, None] + np.arange(width)
        self.images = padded[np.arange(n)[:, None, None], 0, rows[:, :, None], cols[:, None, :]][:, None]
        return self

    @action
    def add_pixel_noise(self, noise):
        """Add ``noise`` (an array of the images' shape) and clip to [0, 1]."""
        self.images = np.clip(self.images + noise, 0, 1).astype(np.float32)
        return self


def load_digits_dataset(seed: int = 7) -> Dataset:
    """scikit-learn's digits as a dataset split 80/20 into ``.train`` and ``.test``.

    Examples
    --------
    >>> ds = load_digits_dataset()
    >>> len(ds.train), len(ds.test)
    (1438, 359)
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError as exc:  # pragma: no cover - the demo extra installs it
        raise ImportError("The demo needs scikit-learn and torch: pip install 'dagflow[demo]'.") from exc
    digits = load_digits()
    dataset = Dataset(len(digits.target), batch_class=DigitsBatch,
                      preloaded={'images': digits.images, 'labels': digits.target,
                                 'predictions': np.zeros((len(digits.target), 10), np.float32)})
    dataset.split(0.8, shuffle=seed)
    return dataset


def train_pipeline(dataset: Dataset, width: int = 32, lr: float = 2e-3, device: str = 'auto') -> Pipeline:
    """Scale, augment, train a VGG7 on the images; losses go to ``V('loss_history')``."""
    from .models.torch import VGG7
    config = {'inputs': F(lambda batch: batch.images.shape[1:]), 'classes': 10, 'model': {'width': width},
              'loss': 'ce', 'optimizer': {'name': 'Adam', 'lr': lr}, 'device': device, 'seed': 0}
    return (dataset.p
            .init_model('cnn', VGG7, 'dynamic', config=config)
            .init_variable('loss_history', init_on_each_run=list)
            .scale_pixels()
            .random_shift(limit=1)
            .add_pixel_noise(R('normal', 0, 0.05, size=B.images.shape))
            .train_model('cnn', B.images, B.labels, fetches='loss', save_to=V('loss_history', mode='a')))


def inference_pipeline(dataset: Dataset, train: Pipeline) -> Pipeline:
    """Predict with the model of ``train`` and gather the metrics of the whole run in ``V('metrics')``."""
    from .models.metrics import ClassificationMetrics
    return (dataset.p
            .import_model('cnn', train)
            .init_variable('metrics')
            .scale_pixels()
            .predict_model('cnn', B.images, fetches='predictions', save_to=B.predictions)
            .gather_metrics(ClassificationMetrics, targets=B.labels, predictions=B.predictions, fmt='logits',
                            num_classes=10, axis=1, save_to=V('metrics'), mode='u'))


def _write(what: str, path: Path, make) -> str:
    """Call ``make(path)``; return the line that says where it went (or why it did not)."""
    try:
        make(path)
    except Exception as exc:  # noqa: BLE001 - a picture that fails must not lose the trained model
        return f'  {what}: not written ({type(exc).__name__}: {exc})'
    return f'  {what}: {path}'


def run_demo(epochs: int = 10, batch_size: int = 64, seed: int = 7, prefetch: int = 2,
             scheduler: str | None = None, out: str | Path = 'dagflow-demo', bar: bool = False) -> int:
    """Train on the digits, evaluate, print the results and write the outputs; return 0.

    Parameters
    ----------
    epochs : int
        Passes over the training images.
    batch_size : int
        Images per batch.
    seed : int
        The run seed (augmentation, shuffling) and the split's.
    prefetch : int
        Batches augmented ahead while the model trains (0: serial).
    scheduler : str, optional
        ``'sync'``, ``'threads'``, ``'processes'``, ``'local-cluster'`` or a Dask scheduler address.
    out : path
        Directory for the plan picture, the loss curve, the timeline, the
        metrics (JSON) and the model.
    bar : bool
        Show a progress bar.
    """
    import torch
    threads = torch.get_num_threads()
    torch.set_num_threads(1)   # one core trains, the others augment the next batches
    try:
        return _demo(epochs, batch_size, seed, prefetch, scheduler, Path(out), bar)
    finally:
        torch.set_num_threads(threads)


def _demo(epochs, batch_size, seed, prefetch, scheduler, out: Path, bar) -> int:
    """The body of :func:`run_demo`."""
    out.mkdir(parents=True, exist_ok=True)
    dataset = load_digits_dataset(seed)
    train = train_pipeline(dataset.train)
    print(f'digits: {len(dataset.train)} training and {len(dataset.test)} test images of 8x8, 10 classes')
    print('\nThe training plan:')
    print(train.compile())

    started = time.perf_counter()
    train.run(batch_size=batch_size, n_epochs=epochs, shuffle=True, seed=seed, prefetch=prefetch,
              scheduler=scheduler, bar=bar, profile=True)
    seconds = time.perf_counter() - started
    losses = np.asarray(train.v('loss_history'), dtype=float)
    per_epoch = np.array_split(losses, epochs)
    print(f'\ntrained {len(losses)} batches in {seconds:.1f} s (prefetch={prefetch}, '
          f"scheduler={scheduler or ('threads' if prefetch else 'sync')}); mean loss per epoch: "
          + ' '.join(f'{part.mean():.3f}' for part in per_epoch))

    test = inference_pipeline(dataset.test, train).run(batch_size=128, n_epochs=1, seed=seed)
    metrics = test.v('metrics')
    names = ['precision', 'recall', 'f1_score']
    per_class = metrics.evaluate(names, multiclass=None)
    accuracy = float(metrics.evaluate('accuracy'))
    print(f'\ntest accuracy: {accuracy:.3f} on {len(dataset.test)} images')
    if epochs < 3:
        print(f'(with {epochs} epoch{"s" if epochs != 1 else ""} the batch-norm statistics of the network have '
              f'not settled yet: the default, 10 epochs, reaches about 0.99)')
    print('class  precision  recall  f1')
    for cls in range(10):
        print(f'{cls:>5}  {per_class["precision"][cls]:9.3f}  {per_class["recall"][cls]:6.3f}  '
              f'{per_class["f1_score"][cls]:.3f}')
    macro = metrics.evaluate(names, multiclass='macro')
    print('macro  ' + '  '.join(f'{name} {float(value):.3f}' for name, value in macro.items()))

    print(f'\nwritten to {out}/:')
    lines = [
        _write('the training plan', out / 'train_plan.svg',
               lambda path: train.visualize(filename=str(path), format='svg')),
        _write('the loss curve', out / 'loss_history.png', lambda path: _save_figure(train.plot('loss_history'), path)),
        _write('the run timeline', out / 'timeline.png', lambda path: _save_figure(train.plot_timeline(), path)),
        _write('the model', out / 'digits_vgg7.pt', lambda path: train.save_model_now('cnn', path=str(path))),
    ]
    (out / 'metrics.json').write_text(json.dumps(
        {'accuracy': accuracy, 'epochs': epochs, 'seconds': seconds,
         **{name: [float(v) for v in values] for name, values in per_class.items()}}, indent=2))
    lines.append(f'  the metrics: {out / "metrics.json"}')
    print('\n'.join(lines))
    return 0


def _save_figure(axes, path: Path) -> None:
    import matplotlib.pyplot as plt
    figure = axes.figure if hasattr(axes, 'figure') else axes
    figure.savefig(path, dpi=110, bbox_inches='tight')
    plt.close(figure)
