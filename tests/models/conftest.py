"""Tiny models and data for the model tests."""
import numpy as np
import pytest

from dagflow import Batch, Dataset, action
from dagflow.models import BaseModel, load_arrays, save_arrays


class LinearModel(BaseModel):
    """Linear regression trained by gradient steps; numpy only.  Records how it was made."""

    created = []  # (config) of every instance, in order

    def __init__(self, config=None, *args, **kwargs):
        self.trained_on = []
        super().__init__(config, *args, **kwargs)
        LinearModel.created.append(self.config.flatten())

    def _build(self):
        self.w = np.zeros(self.config.get('size', 2))
        self.builds = getattr(self, 'builds', 0) + 1

    def train(self, x, y, lr=0.1):
        self.trained_on.append(len(y))
        residual = x @ self.w - y
        self.w = self.w - lr * x.T @ residual / len(y)
        return float((residual ** 2).mean())

    def predict(self, x):
        return x @ self.w

    def save(self, path):
        save_arrays(path, {'w': self.w})

    def load(self, path):
        self.w = load_arrays(path)['w']

    def reset(self):
        self.w = np.zeros_like(self.w)


class TwoOutputModel(LinearModel):
    """``train`` returns (loss, accuracy-like) so save_to can take two locations."""

    def train(self, x, y, lr=0.1):
        loss = super().train(x, y, lr)
        return loss, float(np.mean(np.abs(x @ self.w - y) < 0.5))


class ModelBatch(Batch):
    components = 'x', 'y'

    @action
    def train_in_batch(self, model_name):
        model = self.get_model_by_name(model_name)
        model.train(self.x, self.y)
        return self

    @action
    def train_linked_model(self, model_name, lr=0.1):
        self.get_model_by_name(model_name).train(self.x, self.y, lr=lr)
        return self

    @action
    def double(self):
        self.x = self.x * 2
        return self


TRUE_W = np.array([1.0, -2.0])


@pytest.fixture(autouse=True)
def _clear_created():
    LinearModel.created.clear()


@pytest.fixture
def linear_data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 2))
    return {'x': x, 'y': x @ TRUE_W}


@pytest.fixture
def linear_dataset(linear_data):
    return Dataset(40, batch_class=ModelBatch, preloaded=linear_data)
