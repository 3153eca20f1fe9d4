"""The dataset of ``pipeline << named_expression``: a named expression evaluated when each run starts."""
from __future__ import annotations

from ..exceptions import RunArgumentError
from ..expr import Context, evaluate, is_expression

__all__ = ['DatasetExpression']


class DatasetExpression:
    """The dataset of ``pipeline << named_expression``: the expression is evaluated when each run starts.

    Until the first run the pipeline behaves as a template (no batch class);
    afterwards attributes read through to the dataset the last run used.
    Every pipeline has its own (a pipeline derived from this one gets a
    :meth:`fresh` one), so pipelines made from one template, each with its
    own config, never see each other's dataset.  A run resolves it once, when
    it starts, and hands the dataset it got down to the engine.

    Examples
    --------
    >>> import numpy as np
    >>> from dagflow import C, Dataset, Pipeline, V, B
    >>> template = Pipeline().init_variable('n', 0).update(V('n'), V('n') + B.size)
    >>> p = template << C('dataset')
    >>> p.dataset
    DatasetExpression(C('dataset'))
    >>> p.set_config({'dataset': Dataset(5)}).run(batch_size=2).v('n')
    5
    """

    __slots__ = ('expression', 'current')

    def __init__(self, expression):
        self.expression = expression
        self.current = None

    def fresh(self) -> DatasetExpression:
        """The same expression, not evaluated yet: the dataset of a pipeline derived from this one."""
        return DatasetExpression(self.expression)

    def resolve(self, pipeline):
        """Evaluate the expression against ``pipeline`` (its config and variables) and keep the dataset."""
        value = evaluate(self.expression, Context(pipeline=pipeline))
        if is_expression(value) or not (hasattr(value, 'create_batch') and hasattr(value, 'index')):
            raise RunArgumentError(f'The dataset of this pipeline, {self.expression!r}, evaluated to '
                                   f'{type(value).__name__} {value!r:.60}, not a dataset: make it give a Dataset '
                                   f'(e.g. set the config key or variable it reads before the run).',
                                   name='dataset', value=value)
        self.current = value
        return value

    def __getattr__(self, name):
        if name.startswith('__') or name in DatasetExpression.__slots__:
            raise AttributeError(name)
        current = self.current
        if current is None:
            raise AttributeError(f'{name!r}: the dataset {self.expression!r} is evaluated when the run starts')
        return getattr(current, name)

    def __len__(self):
        if self.current is None:
            raise TypeError(f'The dataset {self.expression!r} has no length before a run evaluates it.')
        return len(self.current)

    def __reduce__(self):
        return (_rebuild_expression, (self.expression, self.current))

    def __repr__(self):
        return f'DatasetExpression({self.expression!r})'


def _rebuild_expression(expression, current):
    dataset = DatasetExpression(expression)
    dataset.current = current
    return dataset
