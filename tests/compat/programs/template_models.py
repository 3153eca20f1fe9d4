"""A BatchFlow program: template pipelines, static and dynamic models, import_model.

Written from BatchFlow's "Working with models" and pipeline guides: a template
training pipeline is linked to two datasets, its trained model is imported by an
inference template, and the model is saved and loaded again.  Only the imports
name the library.
"""
import os
import tempfile

import numpy as np
from batchflow import B, Batch, C, Dataset, DatasetIndex, F, Pipeline, V, action
from batchflow.models import BaseModel


class Softmax(BaseModel):
    """Multinomial logistic regression trained by plain gradient descent."""

    def __init__(self, config=None):
        self.config = dict(config or {})
        if self.config.get('load'):
            self.load(**self.config['load'])
        else:
            self.reset()

    def reset(self):
        rng = np.random.RandomState(self.config.get('seed', 0))
        self.weights = rng.normal(0, 0.01, (self.config['features'], self.config['classes']))
        self.bias = np.zeros(self.config['classes'])
        self.steps = 0

    def _proba(self, x):
        logits = x @ self.weights + self.bias
        logits = logits - logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def train(self, x, y):
        proba = self._proba(x)
        loss = -np.log(proba[np.arange(len(y)), y] + 1e-12).mean()
        grad = proba
        grad[np.arange(len(y)), y] -= 1
        grad /= len(y)
        self.weights -= self.config.get('lr', 0.5) * x.T @ grad
        self.bias -= self.config.get('lr', 0.5) * grad.sum(axis=0)
        self.steps += 1
        return float(loss)

    def predict(self, x):
        return self._proba(x).argmax(axis=1)

    def save(self, path):
        np.savez(path, weights=self.weights, bias=self.bias)

    def load(self, path):
        arrays = np.load(path)
        self.weights, self.bias = arrays['weights'], arrays['bias']


class PointsBatch(Batch):
    components = 'features', 'labels'

    @action
    def normalize(self):
        self.features = (self.features - self.features.mean(axis=0)) / (self.features.std(axis=0) + 1e-8)
        return self

    @action
    def jitter(self, scale):
        self.features = self.features + self.random.normal(0, scale, self.features.shape)
        return self


def make_points(n, seed):
    rng = np.random.RandomState(seed)
    centers = np.array([[0., 0.], [4., 4.], [0., 4.]])
    labels = rng.randint(0, 3, n)
    features = centers[labels] + rng.normal(0, 0.6, (n, 2))
    return features, labels


features, labels = make_points(300, seed=0)
points = Dataset(DatasetIndex(np.arange(300)), batch_class=PointsBatch, preloaded=(features, labels))
points.split(0.8, shuffle=42)

# A template: no dataset yet.  The static model is created now and shared by every
# pipeline made from the template; the dynamic one is created in each of them from
# its first batch.
train_template = (Pipeline()
                  .init_variable('loss_history', init_on_each_run=list)
                  .init_model('shared', Softmax, 'static', config={'features': 2, 'classes': 3, 'lr': 0.5})
                  .init_model('own', Softmax, 'dynamic',
                              config={'features': F(lambda batch: batch.features.shape[1]), 'classes': 3,
                                      'lr': C('lr')})
                  .normalize()
                  .jitter(scale=0.05)
                  .train_model('shared', B('features'), B('labels'), save_to=V('loss_history', mode='a'))
                  .train_model('own', B('features'), B('labels')))

train = (train_template << {'lr': 0.5}) << points.train
train.run(batch_size=40, shuffle=True, n_epochs=5, drop_last=True)

losses = train.get_variable('loss_history')
shared_model = train.get_model_by_name('shared')
own_model = train.get_model_by_name('own')

# Linking the template to another dataset gives another dynamic model, the same static one.
other = (train_template << {'lr': 0.5}) << points.test
other.run(batch_size=20, n_epochs=1)

inference_template = (Pipeline()
                      .import_model('shared', train)
                      .init_variable('predictions', init_on_each_run=list)
                      .init_variable('targets', init_on_each_run=list)
                      .normalize()
                      .predict_model('shared', B('features'), save_to=V('predictions', mode='e'))
                      .update(V('targets', mode='e'), B('labels')))

test = (inference_template << points.test).run(batch_size=20, shuffle=False, n_epochs=1)
accuracy = np.mean(np.array(test.v('predictions')) == np.array(test.v('targets')))

# Save the trained model, then load it into a fresh inference pipeline.
with tempfile.TemporaryDirectory() as folder:
    path = os.path.join(folder, 'shared.npz')
    train.save_model_now('shared', path=path)
    loaded = (Pipeline()
              .init_variable('predictions', init_on_each_run=list)
              .normalize()
              .predict_model('restored', B('features'), save_to=V('predictions', mode='e'))
              << points.test)
    loaded.load_model_now('restored', Softmax, 'static', path=path)
    loaded.run(batch_size=20, n_epochs=1)

RESULTS = {
    'n_losses': len(losses),
    'first_loss': losses[0],
    'last_loss': losses[-1],
    'shared_is_shared': other.get_model_by_name('shared') is shared_model,
    'own_is_separate': other.get_model_by_name('own') is not own_model,
    'own_steps': own_model.steps,
    'shared_steps': shared_model.steps,
    'accuracy': float(accuracy),
    'n_test': len(test.v('targets')),
    'loaded_same': loaded.v('predictions') == test.v('predictions'),
}

if __name__ == '__main__':
    print(RESULTS)
