"""A BatchFlow program: metrics gathered in pipelines and evaluated one-shot.

Written from BatchFlow's "Working with models" guide (its metrics section) and
the metrics API: a model's probabilities are gathered over a test set with
``gather_metrics(..., mode='u')``, a per-batch history with ``mode='a'``, and the
same figures are computed one-shot from the whole arrays.  Only the imports name
the library.
"""
import numpy as np
from batchflow import B, Batch, Dataset, V, action
from batchflow.models import BaseModel
from batchflow.models.metrics import ClassificationMetrics, RegressionMetrics


class Prototype(BaseModel):
    """Scores every class by the distance to a fixed prototype (no training needed)."""

    def __init__(self, config=None):
        self.config = dict(config or {})
        self.prototypes = np.asarray(self.config['prototypes'], dtype=float)

    def reset(self):
        pass

    def train(self, *args, **kwargs):
        return None

    def predict(self, x):
        distances = ((x[:, None, :] - self.prototypes[None]) ** 2).sum(axis=-1)
        scores = np.exp(-distances)
        return scores / scores.sum(axis=1, keepdims=True)

    def save(self, path):
        np.save(path, self.prototypes)

    def load(self, path):
        self.prototypes = np.load(path)


class SamplesBatch(Batch):
    components = 'features', 'labels', 'values'

    @action
    def shift(self, by):
        self.features = self.features + by
        return self


rng = np.random.RandomState(7)
prototypes = np.array([[0., 0.], [3., 0.], [0., 3.]])
labels = rng.randint(0, 3, 120)
features = prototypes[labels] + rng.normal(0, 1.0, (120, 2))
values = 2 * features[:, 0] + rng.normal(0, 0.1, 120)
samples = Dataset(120, batch_class=SamplesBatch,
                  preloaded={'features': features, 'labels': labels, 'values': values})

evaluation = (samples.p
              .init_model('proto', Prototype, 'static', config={'prototypes': prototypes})
              .init_variables(['proba', 'metrics'])
              .init_variable('history', init_on_each_run=list)
              .init_variable('predicted_values', init_on_each_run=list)
              .shift(by=0.0)
              .predict_model('proto', B('features'), save_to=V('proba'))
              .gather_metrics(ClassificationMetrics, targets=B('labels'), predictions=V('proba'),
                              fmt='proba', axis=-1, num_classes=3, save_to=V('metrics', mode='u'))
              .gather_metrics('class', targets=B('labels'), predictions=V('proba'),
                              fmt='proba', axis=-1, num_classes=3, save_to=V('history', mode='a'))
              .update(V('predicted_values', mode='e'), B('features')[:, 0] * 2)
              .run(batch_size=30, shuffle=False, n_epochs=1))

gathered = evaluation.get_variable('metrics')
history = evaluation.get_variable('history')

model = evaluation.get_model_by_name('proto')
one_shot = ClassificationMetrics(labels, model.predict(features), fmt='proba', axis=-1, num_classes=3)

regression = RegressionMetrics(values, np.array(evaluation.v('predicted_values')))

RESULTS = {
    'gathered': gathered.evaluate(['f1_score', 'recall', 'specificity'], multiclass='macro'),
    'one_shot': one_shot.evaluate(['f1_score', 'recall', 'specificity'], multiclass='macro'),
    'gathered_accuracy': float(gathered.evaluate('accuracy')),
    'one_shot_accuracy': float(one_shot.evaluate('accuracy')),
    'micro_precision': gathered.evaluate('precision', multiclass='micro'),
    'per_class_recall': list(np.ravel(one_shot.evaluate('recall', multiclass=None))),
    'n_history': len(history),
    'history_accuracy': [float(m.evaluate('accuracy')) for m in history],
    'labels_accuracy': float(ClassificationMetrics(labels, model.predict(features).argmax(axis=1),
                                                   fmt='labels', num_classes=3).evaluate('accuracy')),
    'mae': float(regression.evaluate('mae')),
    'r2': float(regression.evaluate('r2')),
}

if __name__ == '__main__':
    print(RESULTS)
