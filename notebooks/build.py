"""Write (and with ``--execute``, run) the tutorial notebooks from the cells below.

The notebooks are generated so that their code lives in one reviewable
place; ``tests/test_notebooks.py`` runs every notebook top to bottom.

    python notebooks/build.py            # write the .ipynb files, without outputs
    python notebooks/build.py --execute  # write them with their outputs (pictures included)
"""
from __future__ import annotations

import argparse
import pathlib
import sys

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = pathlib.Path(__file__).resolve().parent

QUICKSTART = [
    ('md', """# dagflow quickstart

A pipeline is a fluent chain of steps over batches of a dataset. dagflow
**compiles** the chain into a graph that knows which steps touch shared
state (variables, models), so it can run the rest in parallel and still give
exactly the results of the plain serial loop.

This notebook: a dataset, a batch class with actions, named expressions, a
pipeline, its plan and its picture."""),
    ('code', """import numpy as np
from dagflow import Batch, Dataset, action, B, V, R, F"""),
    ('md', """## A dataset and a batch class

A `Dataset` holds the items (here preloaded arrays); a `Batch` subclass names
the components and defines **actions**: methods that change a batch and
return it."""),
    ('code', """class ImageBatch(Batch):
    components = 'images', 'labels'

    @action
    def normalize(self):
        mean = self.images.mean(axis=(1, 2), keepdims=True)
        self.images = (self.images - mean) / (self.images.std(axis=(1, 2), keepdims=True) + 1e-8)
        return self

    @action
    def add_noise(self, scale):
        self.images = self.images + self.random.normal(0, scale, self.images.shape)  # the batch's own generator
        return self

rng = np.random.default_rng(0)
labels = rng.integers(0, 2, 200)
images = rng.normal(size=(200, 8, 8)) + labels[:, None, None]     # class 1 is brighter
dataset = Dataset(200, batch_class=ImageBatch, preloaded={'images': images, 'labels': labels})
dataset.split(0.8, shuffle=0)
len(dataset.train), len(dataset.test)"""),
    ('md', """## Named expressions

Arguments that are only known when a batch runs are *named expressions*:
`B.images` (a batch component), `V('name')` (a pipeline variable), `R(...)`
(a random draw from the batch's generator), `F(fn)` (a function of the
batch). They print as written."""),
    ('code', """B.images.shape, V('brightness', mode='a'), R('uniform', 0, 0.1)"""),
    ('md', """## A pipeline

`dataset.p` starts a pipeline; every call records a step. Nothing runs until
`run`, `next_batch` or `gen_batch`."""),
    ('code', """pipeline = (dataset.train.p
    .init_variable('brightness', init_on_each_run=list)
    .init_variable('n_items', 0)
    .normalize()
    .add_noise(R('uniform', 0, 0.1))
    .update(V('brightness', mode='a'), F(lambda batch: float(batch.images.mean())))
    .update(V('n_items'), V('n_items') + B.size))
pipeline.run(batch_size=32, n_epochs=2, shuffle=True, seed=1)
pipeline.v('n_items'), len(pipeline.v('brightness'))"""),
    ('md', """## The plan

`compile()` gives the plan: one node per step with the state it reads and
writes. `normalize` and `add_noise` touch nothing shared, so they may run in
parallel for many batches; the two `update` steps write variables, so they
keep the serial order (the *carried* edges link a step to the same step of
the next batch)."""),
    ('code', """print(pipeline.compile())"""),
    ('md', """The same plan as a picture: state edges are coloured and labelled with the
variable, carried (next-batch) edges are dashed, steps that touch state are
drawn apart from pure preprocessing. A pipeline as the last expression of a
cell shows this picture too."""),
    ('code', """pipeline.visualize()"""),
    ('md', """A variable's history, as a plot:"""),
    ('code', """pipeline.plot('brightness');"""),
    ('md', """`to_mermaid()` gives the same graph for Markdown pages and GitHub:"""),
    ('code', """print(pipeline.to_mermaid()[:300])"""),
]

MODELS = [
    ('md', """# Models in pipelines

The models guide end to end with a `TorchModel`: a dynamic model whose input
shape comes from the first batch, training with `train_model`, an inference
pipeline that imports the trained model, predictions, metrics over the whole
test set, and saving/loading."""),
    ('code', """import numpy as np
import torch
from dagflow import Batch, Dataset, Pipeline, action, B, V, F
from dagflow.models.torch import TorchModel, VGG7
from dagflow.models.metrics import ClassificationMetrics
torch.set_num_threads(1)"""),
    ('code', """from sklearn.datasets import load_digits

class DigitsBatch(Batch):
    components = 'images', 'labels', 'predictions'

    @action
    def scale(self):
        self.images = (np.asarray(self.images, dtype=np.float32) / 16)[:, None]   # channels first
        return self

digits = load_digits()
dataset = Dataset(len(digits.target), batch_class=DigitsBatch,
                  preloaded={'images': digits.images, 'labels': digits.target,
                             'predictions': np.zeros((len(digits.target), 10), np.float32)})
dataset.split(0.8, shuffle=42)
len(dataset.train), len(dataset.test)"""),
    ('md', """## Training

`init_model('cnn', VGG7, 'dynamic', config)` creates the model when the first
batch arrives, so `F(lambda batch: batch.images.shape[1:])` can read its
shape. `train_model` passes the batch's images and labels to `model.train`,
and `save_to=V('loss_history', mode='a')` appends every loss."""),
    ('code', """config = {'inputs': F(lambda batch: batch.images.shape[1:]), 'classes': 10, 'model': {'width': 32},
          'loss': 'ce', 'optimizer': {'name': 'Adam', 'lr': 2e-3}, 'device': 'auto', 'seed': 0}
train = (dataset.train.p
    .init_model('cnn', VGG7, 'dynamic', config=config)
    .init_variable('loss_history', init_on_each_run=list)
    .scale()
    .train_model('cnn', B.images, B.labels, fetches='loss', save_to=V('loss_history', mode='a'))
    .run(batch_size=64, n_epochs=8, shuffle=True, seed=0))
train.plot('loss_history');"""),
    ('md', """## Inference and metrics

A *template* pipeline (no dataset) imports the model from `train`;
`template << dataset` links it to the test data. `predict_model` writes the
logits into the batch, and `gather_metrics(..., mode='u')` accumulates one
`ClassificationMetrics` over all batches, so the figures are those of the
whole test set, not an average of batch ratios."""),
    ('code', """template = (Pipeline()
    .import_model('cnn', train)
    .init_variable('metrics')
    .scale()
    .predict_model('cnn', B.images, fetches='predictions', save_to=B.predictions)
    .gather_metrics(ClassificationMetrics, targets=B.labels, predictions=B.predictions, fmt='logits',
                    num_classes=10, axis=1, save_to=V('metrics'), mode='u'))
test = (template << dataset.test).run(batch_size=128, n_epochs=1)
metrics = test.v('metrics')
metrics.evaluate(['accuracy', 'f1_score'], multiclass='macro')"""),
    ('code', """import pandas as pd
pd.DataFrame(metrics.evaluate(['precision', 'recall', 'f1_score'], multiclass=None)).round(3)"""),
    ('md', """## Saving and loading

`save_model_now` writes the weights, the optimizer state and the config
(atomically: a crash never leaves half a file). `before.load_model` loads a
model once when a pipeline starts; loading never runs pickled code."""),
    ('code', """import tempfile, os
path = os.path.join(tempfile.mkdtemp(), 'digits.pt')
train.save_model_now('cnn', path=path)

reloaded = (Pipeline()
    .init_variable('metrics')
    .scale()
    .predict_model('cnn', B.images, fetches='predictions', save_to=B.predictions)
    .gather_metrics(ClassificationMetrics, targets=B.labels, predictions=B.predictions, fmt='logits',
                    num_classes=10, axis=1, save_to=V('metrics'), mode='u'))
reloaded.before.load_model('cnn', VGG7, 'static', path=path)
again = (reloaded << dataset.test).run(batch_size=128, n_epochs=1)
float(again.v('metrics').evaluate('accuracy')) == float(metrics.evaluate('accuracy'))"""),
    ('md', """The training plan: the model step is a state step (it writes `model:cnn`
and `var:loss_history`), carried from one batch to the next."""),
    ('code', """train"""),
]

PARALLEL = [
    ('md', """# Parallel runs and Dask

`prefetch=N` lets up to `N + 1` batches be in flight: steps that touch no
shared state run in parallel, steps that touch variables or models keep the
serial order. Every scheduler gives the serial results, bit for bit."""),
    ('code', """import time
import numpy as np
import torch
from dagflow import Batch, Dataset, action, B, V, R
from dagflow.models import BaseModel
torch.set_num_threads(1)

class SlowBatch(Batch):
    components = 'x', 'y'

    @action
    def load(self):
        time.sleep(0.02)                                   # stands in for reading files
        return self

    @action
    def augment(self, scale):
        self.x = self.x + self.random.normal(0, scale, self.x.shape)
        return self

class Linear(BaseModel):
    def _build(self):
        self.w = np.zeros(4)

    def train(self, x, y):
        time.sleep(0.01)                                   # stands in for a training step
        grad = x.T @ (x @ self.w - y) / len(y)
        self.w = self.w - 0.1 * grad
        return float(np.mean((x @ self.w - y) ** 2))

rng = np.random.default_rng(0)
x = rng.normal(size=(640, 4))
dataset = Dataset(640, batch_class=SlowBatch, preloaded={'x': x, 'y': x @ np.array([1., -2., 0.5, 3.])})

def make_pipeline():
    return (dataset.p
        .init_model('lin', Linear, 'static')
        .init_variable('loss', init_on_each_run=list)
        .load()
        .augment(R('uniform', 0, 0.05))
        .train_model('lin', B.x, B.y, save_to=V('loss', mode='a')))"""),
    ('md', """## The same run on every scheduler"""),
    ('code', """results = {}
for name, kwargs in {'sync': {}, 'threads, prefetch=2': dict(prefetch=2),
                     'processes, prefetch=2': dict(prefetch=2, scheduler='processes')}.items():
    p = make_pipeline()
    start = time.perf_counter()
    p.run(batch_size=32, n_epochs=1, shuffle=True, seed=0, profile=True, **kwargs)
    results[name] = (time.perf_counter() - start, p.v('loss'), p.m('lin').w.copy(), p)
    print(f'{name:<24} {results[name][0]:.2f} s')
reference = results['sync']
all(r[1] == reference[1] and np.array_equal(r[2], reference[2]) for r in results.values())"""),
    ('md', """`bar=True` shows the progress of finished batches (a widget when
`ipywidgets` is installed, text otherwise):"""),
    ('code', """make_pipeline().run(batch_size=32, n_epochs=1, shuffle=True, seed=0, prefetch=2, bar=True);"""),
    ('md', """## Seeing the speed-up

With `profile=True`, `pipeline.profile` holds one row per step run (worker,
start, end) and `plot_timeline()` draws it: serially every step waits for the
previous one; with `prefetch=2` the loading and augmentation of the next
batches overlap the training, which stays in order on its own lane."""),
    ('code', """import matplotlib.pyplot as plt
fig, axes = plt.subplots(2, 1, figsize=(10, 6), sharex=True)
results['sync'][3].plot_timeline(ax=axes[0])
results['threads, prefetch=2'][3].plot_timeline(ax=axes[1])
axes[0].set_title('sync'); axes[1].set_title('threads, prefetch=2')
fig.tight_layout()"""),
    ('md', """## The lowered Dask graph

Each batch becomes a chain of tasks: one per run of consecutive pure steps
(fused: `load+augment`) and one per state step. The state chain links
`train_model` of each batch to the next; window edges keep at most
`prefetch + 1` batches in flight."""),
    ('code', """make_pipeline().visualize_dask(n_batches=3, prefetch=1)"""),
    ('md', """`to_dask` gives the run as an ordinary Dask collection: its keys read as
the pipeline, and each task names the tasks it waits for."""),
    ('code', """import dask
lowered = make_pipeline().to_dask(batch_size=32, n_iters=4, seed=0, prefetch=1)
graph = dict(lowered.__dask_graph__())
for key in sorted(k for k in graph if isinstance(k, tuple) and k[1] == 2):
    print(key, '<-', sorted(dask.core.get_dependencies(graph, key), key=str))"""),
    ('md', """## A Dask cluster with the dashboard

With a Dask cluster, pure steps run on the cluster's workers and the state
steps here, where the model lives. `scheduler='local-cluster'` starts a
`LocalCluster` for the run (one worker process per core, its dashboard on
127.0.0.1 only) and closes it at the end; a `LocalClusterLane` with
`keep=True` keeps it, and its `client` is the cluster's `distributed.Client`
(any `Client` works as a scheduler too). dagflow prints the dashboard link
once; the task stream shows the pipeline's action names."""),
    ('code', """from dagflow.engine.lanes import LocalClusterLane

with LocalClusterLane(n_workers=2, keep=True) as lane:
    p = make_pipeline().run(batch_size=32, n_epochs=1, shuffle=True, seed=0, prefetch=2, scheduler=lane)
    prefixes = sorted(lane.client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.task_prefixes)))
print(prefixes)
p.v('loss') == reference[1]"""),
]

NOTEBOOKS = {'01_quickstart': QUICKSTART, '02_models': MODELS, '03_parallel_and_dask': PARALLEL}


def build(cells) -> nbformat.NotebookNode:
    """A notebook of ``(kind, source)`` cells."""
    notebook = new_notebook(cells=[new_markdown_cell(source) if kind == 'md' else new_code_cell(source)
                                   for kind, source in cells])
    notebook.metadata['kernelspec'] = {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'}
    notebook.metadata['language_info'] = {'name': 'python'}
    return notebook


def execute(notebook, cwd: pathlib.Path, timeout: int = 300):
    """Run ``notebook`` in ``cwd`` with a python3 kernel; raise on the first failing cell."""
    from nbclient import NotebookClient
    NotebookClient(notebook, timeout=timeout, kernel_name='python3',
                   resources={'metadata': {'path': str(cwd)}}).execute()
    return notebook


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--execute', action='store_true', help='run the notebooks and keep their outputs')
    args = parser.parse_args(argv)
    for name, cells in NOTEBOOKS.items():
        notebook = build(cells)
        if args.execute:
            execute(notebook, HERE)
        path = HERE / f'{name}.ipynb'
        nbformat.write(notebook, path)
        print(f'wrote {path}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
