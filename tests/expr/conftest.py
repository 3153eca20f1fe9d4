"""A tiny fake batch and pipeline: the duck-typed objects expressions are evaluated against."""
import numpy as np
import pytest

from dagflow.config import Config
from dagflow.exceptions import UndefinedVariableError
from dagflow.expr import Context, IterationInfo


class FakePipeline:
    def __init__(self, variables=None, config=None, dataset=None):
        self.variables = dict(variables or {})
        self.config = Config(config or {})
        self.dataset = dataset

    def get_variable(self, name):
        if name not in self.variables:
            raise UndefinedVariableError(f'Variable {name!r} is not defined', name=name)
        return self.variables[name]

    def set_variable(self, name, value):
        self.variables[name] = value

    def has_variable(self, name):
        return name in self.variables


class FakeBatch:
    components = ('images', 'labels')

    def __init__(self, images, labels, pipeline=None, dataset=None):
        self.images = images
        self.labels = labels
        self.pipeline = pipeline
        self.dataset = dataset

    def __len__(self):
        return len(self.images)

    @property
    def size(self):
        return len(self)


class FakeDataset:
    def __init__(self):
        self.classes = 3
        self.path = '/data'


@pytest.fixture
def pipeline():
    return FakePipeline(variables={'n': 3, 'history': [1], 'stats': {'loss': 1.0}, 'name': 'labels'},
                        config={'model': {'lr': 0.1, 'depth': 4}, 'epochs': 2}, dataset=FakeDataset())


@pytest.fixture
def batch(pipeline):
    return FakeBatch(images=np.arange(12.0).reshape(4, 3), labels=[0, 1, 0, 1], pipeline=pipeline)


@pytest.fixture
def ctx(batch, pipeline):
    return Context(batch=batch, pipeline=pipeline, iteration=IterationInfo(number=3, total=10),
                   random=np.random.default_rng(7))


@pytest.fixture
def make_batch():
    return FakeBatch


@pytest.fixture
def make_pipeline():
    return FakePipeline
