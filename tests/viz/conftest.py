"""A realistic training pipeline to draw, profiles made by hand, matplotlib without a display, and fixtures that
choose the renderer: each Graphviz program there is, or none."""
import os
import shutil

import matplotlib
import numpy as np
import pandas as pd
import pytest

import dagflow.viz.render as render_module
from dagflow import B, Batch, Dataset, R, V, action
from dagflow.models import BaseModel

matplotlib.use('Agg')


class Images(Batch):
    components = 'images', 'labels'

    @action
    def load(self, src='disk'):
        return self

    @action
    def resize(self, shape):
        return self

    @action
    def rotate(self, angle):
        return self

    @action
    def normalize(self):
        self.images = self.images - self.images.mean()
        return self


class Net(BaseModel):
    """Remembers how many batches it saw; its loss falls by a tenth each time."""

    def _build(self):
        self.seen = 0

    def train(self, images, labels):
        self.seen += 1
        return 1.0 / self.seen

    def predict(self, images):
        return images.sum(axis=1)


@pytest.fixture
def dataset():
    rng = np.random.default_rng(0)
    return Dataset(16, batch_class=Images, preloaded={'images': rng.random((16, 3)), 'labels': np.zeros(16)})


@pytest.fixture
def training(dataset):
    """init_variable, preprocessing, init_model + train_model(save_to=V('loss', mode='a')), update,
    predict_model, and a before and an after step; the before step's text has quotes and angle brackets."""
    pipeline = (dataset.p
                .init_variable('loss', [])
                .init_variable('n', 0)
                .init_model('cnn', Net)
                .load(src='disk')
                .resize(shape=(32, 32))
                .rotate(angle=R('uniform', -10, 10))
                .normalize()
                .train_model('cnn', B.images, B.labels, save_to=V('loss', mode='a'))
                .update(V('n'), V('n') + 1)
                .predict_model('cnn', B.images, save_to=B.predictions))
    pipeline.before.print('start "run" <now> & go')
    pipeline.after.print(V('n'))
    return pipeline


def make_profile(plan, n_batches=4, workers=('worker-0', 'worker-1')):
    """A profile as a threaded run writes it: batches alternate workers, state steps in batch order."""
    rows, clock = [], 0.0
    for node in plan.section_nodes('before'):
        rows.append(('before', node[1], plan.nodes[node]['step'].name, None, 'MainThread', clock, clock + 0.01))
        clock += 0.01
    state_free = clock
    for k in range(n_batches):
        worker, now = workers[k % len(workers)], clock + 0.05 * (k // len(workers))
        for node in plan.section_nodes('main'):
            data = plan.nodes[node]
            start = now if data['pure'] else max(now, state_free)
            end = start + (0.02 if data['pure'] else 0.03)
            rows.append(('main', node[1], data['step'].name, k, worker, start, end))
            now = end
            state_free = end if not data['pure'] else state_free
    for node in plan.section_nodes('after'):
        rows.append(('after', node[1], plan.nodes[node]['step'].name, None, 'MainThread', state_free,
                     state_free + 0.005))
    return pd.DataFrame(rows, columns=['section', 'position', 'step', 'batch', 'worker', 'start', 'end'])


#: The steps of :func:`threaded_profile`: (name, pure, seconds); normalize and update are far too short to see.
RUN_STEPS = (('load', True, 0.030), ('resize', True, 0.004), ('rotate', True, 0.012), ('normalize', True, 0.00002),
             ('train_model', False, 0.020), ('update', False, 0.00001), ('predict_model', False, 0.003))


def threaded_profile(n_batches=10, threads=3, pure='dagflow_{}', state='dagflow-state_{}'):
    """A profile as the threads lane writes it (prefetch ``threads - 1``): batch k's pure steps on the first free
    pool thread, once batch ``k - threads`` is done; state steps in batch order on the state threads; an
    ``init_model`` before and a ``print`` after on the main thread.  ``pure`` and ``state`` name the places
    (``pure='tcp://10.0.0.1:{}'`` for Dask workers)."""
    rows = [('before', 0, 'init_model', None, 'MainThread', 0.0, 0.002)]
    free, done, chain = [0.002] * threads, {}, 0.002
    for k in range(n_batches):
        lane = int(np.argmin(free))
        now = max(free[lane], done.get(k - threads, 0.0))
        for position, (name, is_pure, seconds) in enumerate(RUN_STEPS):
            seconds *= 1 + 0.1 * ((k * 7 + position) % 3)
            if is_pure:
                rows.append(('main', position, name, k, pure.format(lane), now, now + seconds))
                now += seconds
                free[lane] = now
            else:
                start = max(now, chain)
                rows.append(('main', position, name, k, state.format(k % threads), start, start + seconds))
                now = chain = start + seconds
        done[k] = chain
    rows.append(('after', 0, 'print', None, 'MainThread', chain, chain + 0.001))
    return pd.DataFrame(rows, columns=['section', 'position', 'step', 'batch', 'worker', 'start', 'end'])


@pytest.fixture
def run_profile():
    """``run_profile(n_batches=10, threads=3, pure=..., state=...)``: a threaded run's profile (see
    :func:`threaded_profile`)."""
    return threaded_profile


@pytest.fixture
def profile_of():
    """``profile_of(plan, n_batches=4, workers=(...))`` -> a profile DataFrame."""
    return make_profile


@pytest.fixture
def profile(training):
    return make_profile(training.compile())


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt
    plt.close('all')


def _installed(pip_renderer: bool):
    """Graphviz's own ``dot`` (``pip_renderer=False``) or graphviz-pure: $DAGFLOW_DOT if it names that one, else
    the program found as dagflow looks for it; None when it is not installed."""
    named = os.environ.get('DAGFLOW_DOT')
    if named and render_module.is_pip_renderer(named) == pip_renderer:
        return named
    return render_module.find_pip_renderer() if pip_renderer else shutil.which('dot')


RENDERERS = {'dot': _installed(pip_renderer=False), 'graphviz-pure': _installed(pip_renderer=True)}
WHERE = {'dot': "Graphviz's dot is not installed (apt-get install graphviz, or set DAGFLOW_DOT to its path)",
         'graphviz-pure': "graphviz-pure is not installed (pip install 'dagflow[graphviz]')"}


def _use(monkeypatch, name: str) -> str:
    program = RENDERERS[name]
    if program is None:
        pytest.skip(WHERE[name])
    monkeypatch.setenv('DAGFLOW_DOT', program)
    monkeypatch.setattr(render_module, '_hinted', set())
    return program


@pytest.fixture(params=sorted(RENDERERS))
def graphviz(request, monkeypatch):
    """Each Graphviz program in turn, Graphviz's ``dot`` and graphviz-pure, as the one dagflow runs (its path);
    skipped where it is not installed."""
    return _use(monkeypatch, request.param)


@pytest.fixture
def graphviz_dot(monkeypatch):
    """Graphviz's own ``dot`` as the program dagflow runs (its path); skipped where it is not installed."""
    return _use(monkeypatch, 'dot')


@pytest.fixture
def no_graphviz(monkeypatch):
    """As on a machine with neither Graphviz's dot nor graphviz-pure; no hint has been given yet."""
    monkeypatch.setattr(render_module, 'find_dot', lambda: None)
    monkeypatch.setattr(render_module, '_hinted', set())


@pytest.fixture
def programs(tmp_path, monkeypatch):
    """``programs(folder, *names)`` makes stand-in programs (they fail when run) in ``tmp_path/folder`` and returns
    the folder; ``DAGFLOW_DOT`` is unset, and nothing is found beside this Python unless a test says so."""
    monkeypatch.delenv('DAGFLOW_DOT', raising=False)
    monkeypatch.setattr(render_module, '_script_folders', lambda: [])
    monkeypatch.setattr(render_module, '_hinted', set())

    def make(folder, *names):
        where = tmp_path / folder
        where.mkdir(exist_ok=True)
        for name in names:
            (where / name).write_text('#!/bin/sh\necho "stand-in $0 was run" >&2\nexit 3\n')
            (where / name).chmod(0o755)
        return where
    return make
