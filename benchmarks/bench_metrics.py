"""How long the metrics take on 10**6 labels in 10 classes (and a few neighbours of that case).

Run from the repository root::

    PYTHONPATH=. python benchmarks/bench_metrics.py            # best of 5 rounds each
    PYTHONPATH=. python benchmarks/bench_metrics.py --rounds 20

Each line is the best wall time of ``--rounds`` repetitions of one case: making
the metrics object from the arrays (checks, conversion to labels, the
``np.bincount`` confusion matrix) and evaluating every metric it knows.  The
arrays are made once, outside the timing.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:   # the dagflow of this checkout, also without PYTHONPATH=.
    sys.path.insert(0, str(ROOT))

from dagflow.models.metrics import (  # noqa: E402
    ClassificationMetrics,
    RegressionMetrics,
    SegmentationMetricsByInstances,
    SegmentationMetricsByPixels,
)

SIZE, CLASSES = 10 ** 6, 10


def cases(rng):
    labels = rng.integers(0, CLASSES, SIZE)
    predicted = np.where(rng.random(SIZE) < 0.7, labels, rng.integers(0, CLASSES, SIZE))
    proba = rng.random((SIZE, CLASSES), dtype=np.float32)
    masks = labels.reshape(100, 100, 100)
    binary_masks = (rng.random((16, 128, 128)) < 0.3).astype(np.int8)
    values = rng.normal(size=SIZE)
    names = ClassificationMetrics.metric_names()
    return {
        'ClassificationMetrics, 10**6 labels, fmt=labels, 10 classes':
            lambda: ClassificationMetrics(labels, predicted, fmt='labels', num_classes=CLASSES)
            .evaluate(names, multiclass='macro'),
        'ClassificationMetrics, 10**6 x 10 probabilities, axis=1':
            lambda: ClassificationMetrics(labels, proba, fmt='proba', axis=1).evaluate(names, multiclass='macro'),
        'SegmentationMetricsByPixels, 100 images of 100x100, 10 classes':
            lambda: SegmentationMetricsByPixels(masks, predicted.reshape(masks.shape), fmt='labels',
                                                num_classes=CLASSES).evaluate(names, multiclass='macro'),
        'SegmentationMetricsByInstances, 16 images of 128x128, 2 classes':
            lambda: SegmentationMetricsByInstances(binary_masks, binary_masks[:, ::-1], fmt='labels', num_classes=2)
            .evaluate(SegmentationMetricsByInstances.metric_names()),
        'RegressionMetrics, 10**6 values (median included)':
            lambda: RegressionMetrics(values, values + 0.1 * labels).evaluate(
                ['mae', 'mse', 'rmse', 'r2', 'explained_variance_ratio', 'median_absolute_error', 'max_error']),
    }


def best_time(fn, rounds: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rounds', type=int, default=5, help='repetitions per case (the best is shown)')
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    print(f'numpy {np.__version__}; best of {args.rounds} rounds')
    for name, fn in cases(rng).items():
        print(f'{best_time(fn, args.rounds) * 1000:9.1f} ms  {name}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
