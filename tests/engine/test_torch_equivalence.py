"""A torch model trained by train_model and by a custom action comes out bit-identical on every scheduler."""
import numpy as np
import pytest

from dagflow import B, Dataset, R, V, action
from dagflow.models import BaseModel

from .test_parallel import AugmentBatch

torch = pytest.importorskip('torch')
distributed = pytest.importorskip('distributed')


class TorchLinear(BaseModel):
    def _build(self):
        torch.manual_seed(self.config.get('seed', 0))
        self.net = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
        self.optimizer = torch.optim.SGD(self.net.parameters(), lr=0.05)

    def train(self, x, y):
        self.net.train()
        self.optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(self.net(torch.as_tensor(x, dtype=torch.float32)).squeeze(1),
                                            torch.as_tensor(y, dtype=torch.float32))
        loss.backward()
        self.optimizer.step()
        return float(loss.detach())

    def predict(self, x):
        self.net.eval()
        with torch.no_grad():
            return self.net(torch.as_tensor(x, dtype=torch.float32)).squeeze(1).numpy()


class TorchBatch(AugmentBatch):
    @action
    def train_torch_in_batch(self, model_name):
        self.get_model_by_name(model_name).train(self.x, self.y)
        return self


@pytest.fixture(scope='module')
def dataset():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(64, 2))
    return Dataset(64, batch_class=TorchBatch, preloaded={'x': x, 'y': np.sin(x[:, 0]) - x[:, 1]})


def torch_pipeline(dataset):
    return (dataset.p.init_model('net', TorchLinear, 'dynamic', config={'seed': 3})
            .init_variables({'loss': [], 'predictions': []})
            .jitter(R('uniform', 0, 0.1))
            .train_model('net', B.x, B.y, save_to=V('loss'), mode='a')
            .jitter(0.01)
            .train_torch_in_batch('net')
            .predict_model('net', B.x, save_to=V('predictions'), mode='e'))


def outcome(p):
    return p.v('loss'), np.array(p.v('predictions')), {k: v.clone() for k, v in p.m('net').net.state_dict().items()}


@pytest.fixture(scope='module')
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        yield client


def test_torch_parameters_are_bit_identical_on_every_scheduler(dataset, client):
    losses, predictions, state = outcome(torch_pipeline(dataset).run(8, n_epochs=3, shuffle=True, seed=5))
    for run_args in [dict(prefetch=1), dict(prefetch=4), dict(prefetch=2, scheduler='processes'),
                     dict(prefetch=2, scheduler=client)]:
        for _ in range(2):
            other = outcome(torch_pipeline(dataset).run(8, n_epochs=3, shuffle=True, seed=5, **run_args))
            assert other[0] == losses, run_args
            np.testing.assert_array_equal(other[1], predictions)
            assert all(torch.equal(other[2][name], tensor) for name, tensor in state.items()), run_args
