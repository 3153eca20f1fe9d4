"""Pipeline files for the command-line tests, written to a temporary folder (no torch: they start fast)."""
import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]

FLOW = '''\
import numpy as np

from dagflow import B, Batch, C, Dataset, Pipeline, V, action


class Numbers(Batch):
    components = ('x',)

    @action
    def multiply(self, factor):
        self.x = self.x * factor
        return self

    @action
    def explode(self, at):
        if at in self.indices:
            raise ValueError(f'item {at} is bad')
        return self


def total(xs):
    return float(np.sum(xs))


data = Dataset(10, batch_class=Numbers, preloaded={'x': np.arange(10.0)})

pipeline = (data.p
            .init_variable('sums', init_on_each_run=list)
            .init_variable('factor', None)
            .multiply(C('factor', default=1))
            .update(V('factor'), C('factor', default=1))
            .call(total, B.x, save_to=V('sums', mode='a')))

lazy = (data.p
        .init_variable('n', 0)
        .update(V('n'), V('n') + B.size)
        .run(batch_size=3, n_epochs=2, lazy=True))


def make_failing():
    return data.p.init_variable('seen', 0).update(V('seen'), V('seen') + B.size).explode(7)


def needs_arguments(size):
    return data.p


template = Pipeline().multiply(2)
not_a_pipeline = 42

if __name__ == '__main__':
    raise SystemExit('the main block must not run when dagflow loads this file')
'''

BAD = '''\
import threading

import numpy as np

from dagflow import B, Batch, C, Dataset, Pipeline, V, action


class Numbers(Batch):
    components = ('x',)

    @action
    def multiply(self, factor):
        self.x = self.x * factor
        return self


class Other(Batch):
    components = ('x',)

    @action
    def shift(self, by):
        self.x = self.x + by
        return self


data = Dataset(10, batch_class=Numbers, preloaded={'x': np.arange(10.0)})
template = (Pipeline()
            .init_variable('count', 0)
            .shift(1)
            .multiply(lambda x: x)
            .update(V('count', mode='a'), B.size)
            .print(V('missing'), C('lr'))
            .call(print, threading.Lock())
            .train_model('net', B.x))
pipeline = template << data
'''


def _write(folder: pathlib.Path, name: str, text: str) -> pathlib.Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A temporary current folder; ``sys.path`` and ``sys.modules`` entries the loader adds are undone."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, 'path', list(sys.path))
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        if getattr(sys.modules[name], '__dagflow_target__', None) or name.startswith('tests_cli_pkg'):
            del sys.modules[name]


@pytest.fixture
def write_file(workdir):
    """``write_file(name, text)`` writes a file in the current (temporary) folder and returns its path."""
    return lambda name, text: _write(workdir, name, text)


@pytest.fixture
def flow(write_file):
    """``flow.py`` (a working pipeline and friends) in the current (temporary) folder."""
    return write_file('flow.py', FLOW)


@pytest.fixture
def bad(write_file):
    """``bad.py``: a pipeline with one problem of every kind ``dagflow check`` reports."""
    return write_file('bad.py', BAD)


@pytest.fixture
def run_dagflow(workdir):
    """``run_dagflow(*args)``: ``python -m dagflow ARGS`` in a subprocess, in the current folder."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get('PYTHONPATH')])))

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, '-m', 'dagflow', *args], cwd=workdir, env=env, capture_output=True,
                              text=True, timeout=120)
    return run


@pytest.fixture
def line_of():
    """``line_of(path, needle)``: the number of the first line of ``path`` holding ``needle``."""
    return lambda path, needle: next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)
