"""Draw the pictures of a small training pipeline for the docs: its plan, the matplotlib fallback, its lowered
graph, and the timeline of a run with prefetch (the actions sleep a little, as loading and training would).

Run: PYTHONPATH=. python docs/pictures/plan.py  ->  docs/pictures/plan.svg, plan.png, plan_fallback.png,
plan_lowered.png, timeline.png, plan_timed.png (with Graphviz's `dot`, else graphviz-pure, else all are drawn
with matplotlib).
"""
import inspect
import pathlib
import time

import matplotlib
import numpy as np

from dagflow import B, Batch, Dataset, R, V, action
from dagflow.models import BaseModel
from dagflow.viz import plan_scene
from dagflow.viz.render import render_with_matplotlib

matplotlib.use('Agg')
HERE = pathlib.Path(__file__).parent


class Images(Batch):
    components = 'images', 'labels'

    @action
    def load(self, src='disk'):
        time.sleep(0.02)
        return self

    @action
    def resize(self, shape):
        return self

    @action
    def rotate(self, angle):
        time.sleep(0.01)
        return self

    @action
    def normalize(self):
        return self


class Net(BaseModel):
    def _build(self):
        self.w = 0.0

    def train(self, images, labels):
        time.sleep(0.01)
        self.w += 1.0
        return 1.0 / self.w

    def predict(self, images):
        return images.sum(axis=1)


dataset = Dataset(16, batch_class=Images, preloaded={'images': np.zeros((16, 2)), 'labels': np.zeros(16)})
pipeline = (dataset.p
            .init_variable('loss', [])
            .init_variable('n', 0)
            .init_model('cnn', Net, config={'lr': 0.1})
            .load(src='disk')
            .resize(shape=(32, 32))
            .rotate(angle=R('uniform', -10, 10))
            .normalize()
            .train_model('cnn', B.images, B.labels, save_to=V('loss', mode='a'))
            .update(V('n'), V('n') + 1)
            .predict_model('cnn', B.images, save_to=B.predictions))
pipeline.before.print('start "run" <now>')
pipeline.after.print(V('n'), V('loss'))

if __name__ == '__main__':
    pipeline.visualize(HERE / 'plan.svg')
    pipeline.visualize(HERE / 'plan.png')
    (HERE / 'plan_fallback.png').write_bytes(render_with_matplotlib(plan_scene(pipeline.compile()), 'png'))
    pipeline.visualize_dask(n_batches=3, filename=HERE / 'plan_lowered.png')
    names = ['plan.svg', 'plan.png', 'plan_fallback.png', 'plan_lowered.png']
    if 'profile' in inspect.signature(pipeline.run).parameters:
        pipeline.run(batch_size=2, n_epochs=1, prefetch=2, profile=True, seed=0)
        ax = pipeline.plot_timeline()
        ax.figure.savefig(HERE / 'timeline.png', dpi=90)
        pipeline.visualize(HERE / 'plan_timed.png', timings=True)
        names += ['timeline.png', 'plan_timed.png']
    for name in names:
        print(HERE / name)
