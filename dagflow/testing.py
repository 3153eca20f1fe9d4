"""One conformance suite every scheduler inherits: its runs must equal the serial run.

dagflow's promise is that ``prefetch`` and ``scheduler`` change only how fast a
run goes: the batches a run yields, its variables, its models and its errors
are those of the plain serial loop (``prefetch=0``).  :class:`SchedulerConformance`
states that promise as tests.  It runs a fixed set of small pipelines -- one
per feature whose ordering a scheduler could get wrong -- on the scheduler a
subclass names, and compares everything with the serial run of the same
pipeline.  Each lane's test file (``tests/engine/lanes/``) is one subclass, and
a new scheduler is one file with one class (the shape of dask's
``GetFunctionTestMixin``).

The tests need ``pytest`` when they run (for ``pytest.raises`` and
``pytest.skip``), not when this module is imported.  The torch case is
skipped where torch is not installed.
"""
from __future__ import annotations

import functools
import numbers
from collections.abc import Callable, Iterable, Mapping

import numpy as np

from .data import Batch, Dataset, action
from .exceptions import SkipBatchException
from .expr import B, R, V
from .models import BaseModel

__all__ = ['ConformanceBatch', 'ConformanceModel', 'SchedulerConformance', 'TorchConformanceModel',
           'assert_same', 'conformance_dataset', 'outcome']

BATCH_SIZE = 8
"""The batch size of every conformance run (48 items: 6 batches an epoch)."""

FAIL_AT = 3
"""The batch (numbered from 0) that fails in the failing-batch case."""


class ConformanceModel(BaseModel):
    """Linear regression trained by one gradient step per call; numpy only, so bit-for-bit comparable.

    Examples
    --------
    >>> model = ConformanceModel({'size': 2})
    >>> model.train(np.ones((4, 2)), np.ones(4)), model.predict(np.ones((1, 2)))
    (1.0, array([0.2]))
    """

    config_keys = ('size', 'lr')

    def _build(self):
        self.w = np.zeros(self.config.get('size', 2))

    def train(self, x, y):
        residual = x @ self.w - y
        self.w = self.w - self.config.get('lr', 0.1) * x.T @ residual / len(y)
        return float((residual ** 2).mean())

    def predict(self, x):
        return x @ self.w

    def parameters(self) -> dict:
        """What the suite compares: the weights."""
        return {'w': self.w.copy()}


class TorchConformanceModel(BaseModel):
    """A tiny torch network (``import torch`` happens when it is built): its parameters must match bit for bit."""

    config_keys = ('seed',)

    def _build(self):
        import torch
        torch.manual_seed(self.config.get('seed', 0))
        self.net = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
        self.optimizer = torch.optim.SGD(self.net.parameters(), lr=0.05)

    def train(self, x, y):
        import torch
        self.net.train()
        self.optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(self.net(torch.as_tensor(x, dtype=torch.float32)).squeeze(1),
                                            torch.as_tensor(y, dtype=torch.float32))
        loss.backward()
        self.optimizer.step()
        return float(loss.detach())

    def predict(self, x):
        import torch
        self.net.eval()
        with torch.no_grad():
            return self.net(torch.as_tensor(x, dtype=torch.float32)).squeeze(1).numpy()

    def parameters(self) -> dict:
        return {name: tensor.detach().numpy().copy() for name, tensor in self.net.state_dict().items()}


class ConformanceBatch(Batch):
    """Two components and the actions the conformance pipelines chain."""

    components = 'x', 'y'

    @action
    def jitter(self, scale):
        self.x = self.x + self.random.normal(0, scale, self.x.shape)   # the batch's generator: seeded per batch
        return self

    @action
    def shift(self, value):
        self.x = self.x + value
        return self

    @action
    def fail_at(self, number):
        if self.context.iteration.number == number:
            raise ValueError(f'batch {number} is broken')
        return self

    @action
    def skip_at(self, number):
        if self.context.iteration.number == number:
            raise SkipBatchException
        return self

    @action
    def with_joined(self, other, factor=1.0):
        self.x = self.x + other.x * factor
        return self

    @action
    def train_in_batch(self, model_name):
        self.get_model_by_name(model_name).train(self.x, self.y)
        return self

    @action(use_lock=True, writes='var:locked')
    def count_locked(self):
        self.pipeline.set_variable('locked', self.pipeline.get_variable('locked') + [int(self.indices[0])])
        return self


def conformance_dataset(size: int = 48, seed: int = 0) -> Dataset:
    """``size`` items of ``x`` (2 features) and ``y = x @ [1, -2]``, as :class:`ConformanceBatch`.

    Examples
    --------
    >>> conformance_dataset().p.shift(1.0).next_batch(8).x.shape
    (8, 2)
    """
    x = np.random.default_rng(seed).normal(size=(size, 2))
    return Dataset(size, batch_class=ConformanceBatch, preloaded={'x': x, 'y': x @ np.array([1.0, -2.0])})


def _index_sums(indices, x) -> dict:
    """``{item: sum of its row}``: a dict to store with mode ``'u'``."""
    return {int(i): float(row.sum()) for i, row in zip(indices, x)}


def outcome(pipeline, batches: Iterable, *, variables: Iterable[str] = (), models: Iterable[str] = ()) -> dict:
    """Everything a run made: its batches (taken from ``batches`` until it ends or raises), state and error.

    ``batches`` is the run (a generator of batches); an exception it raises is
    recorded as ``error`` (its type, message, ``dagflow_batch`` and
    ``dagflow_step``), so a failed run is compared like a finished one.
    ``variables`` are read with ``pipeline.v``; ``models`` are the names of
    models with a ``parameters()`` method returning a dict of arrays (as the
    suite's :class:`ConformanceModel` and :class:`TorchConformanceModel`).

    Examples
    --------
    >>> p = conformance_dataset().p.init_variable('n', 0).update(V('n'), V('n') + 1).fail_at(2)
    >>> result = outcome(p, p.gen_batch(8, n_epochs=1), variables=['n'])
    >>> len(result['batches']), result['variables'], result['error'][:3]
    (2, {'n': 3}, ('ValueError', 'batch 2 is broken', 2))
    """
    taken, error = [], None
    try:
        for batch in batches:
            taken.append((np.array(batch.indices), {name: _copy(getattr(batch, name)) for name in batch.components}))
    except Exception as exc:  # noqa: BLE001 (the error is part of the outcome)
        error = (type(exc).__name__, str(exc), getattr(exc, 'dagflow_batch', None),
                 getattr(exc, 'dagflow_step', None))
    return {'error': error, 'batches': taken,
            'variables': {name: _copy(pipeline.v(name)) for name in variables},
            'models': {name: pipeline.m(name).parameters() for name in models}}


def _copy(value):
    return value.copy() if isinstance(value, np.ndarray) else _plain(value)


def _plain(value):
    """A deep copy of lists, tuples and dicts of values, so later changes do not show."""
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(item) for item in value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value.copy() if isinstance(value, np.ndarray) else value


def assert_same(result, reference, where: str = 'outcome') -> None:
    """Assert that ``result`` equals ``reference`` exactly (arrays bit for bit), naming the first difference.

    Examples
    --------
    >>> assert_same({'w': np.array([1.0, 2.0])}, {'w': np.array([1.0, 2.0])})
    >>> assert_same({'w': [1, 2]}, {'w': [2, 1]})
    Traceback (most recent call last):
    ...
    AssertionError: outcome['w'][0]: 1 != 2 (the serial run)
    """
    if isinstance(reference, np.ndarray) or isinstance(result, np.ndarray):
        same = np.shape(result) == np.shape(reference) and np.array_equal(result, reference)
        _expect(same, f'{where}: {result!r} != {reference!r} (the serial run)')
    elif isinstance(reference, Mapping):
        _expect(isinstance(result, Mapping) and list(result) == list(reference),
                f'{where}: keys {list(result)} != {list(reference)} (the serial run)')
        for key in reference:
            assert_same(result[key], reference[key], f'{where}[{key!r}]')
    elif isinstance(reference, (list, tuple)):
        _expect(isinstance(result, (list, tuple)) and len(result) == len(reference),
                f'{where}: {len(result)} items != {len(reference)} (the serial run)')
        for number, (item, expected) in enumerate(zip(result, reference)):
            assert_same(item, expected, f'{where}[{number}]')
    else:
        same = result == reference or (isinstance(reference, numbers.Real) and isinstance(result, numbers.Real)
                                       and np.isnan(result) and np.isnan(reference))
        _expect(same, f'{where}: {result!r} != {reference!r} (the serial run)')


def _expect(condition, message: str) -> None:
    """``assert``, but also under ``python -O``."""
    if not condition:
        raise AssertionError(message)


class SchedulerConformance:
    """Tests that a scheduler gives the serial run's batches, variables, models and errors.

    Subclass it in a test module (a name starting with ``Test``) and say how to
    run: the class attributes :attr:`scheduler` and :attr:`prefetch`, or a
    fixture that sets them on ``self`` (a cluster's client), or override
    :meth:`batches` for a run that is not ``gen_batch`` (the Dask graph).
    Every test builds one small pipeline, runs it serially (``prefetch=0``,
    the oracle), then :attr:`repeats` times on the subclass's scheduler, and
    compares the :func:`outcome` of each run with the serial one.  The
    pipelines cover variables in every mode (``w``, ``a``, ``e``, ``u``),
    static and dynamic models, ``R`` draws seeded by the run and by their own
    seed, ``SkipBatchException``, ``rebatch`` with state on both sides,
    ``join`` and ``merge``, a failing batch (the batches before it and the
    state the serial run had when it failed), locked actions, and a torch
    model (skipped without torch).  The tests need ``pytest`` to run.

    Attributes
    ----------
    scheduler : str or object
        Passed as ``scheduler=`` to ``gen_batch`` (``'sync'``, ``'threads'``,
        ``'processes'``, a ``distributed.Client`` or its address, or a
        :class:`dagflow.engine.Lane` object).
    prefetch : int
        Passed as ``prefetch=``.
    repeats : int
        Runs on the scheduler per test: a race gets several chances to show.
    streams : bool
        Whether the scheduler yields batches as they finish.  A run computed
        all at once (a Dask graph) yields nothing when it fails, so the
        batches before a failure are not compared.
    rebatches : bool
        Whether the scheduler runs pipelines that ``rebatch`` (a Dask graph
        does not: those tests are skipped).

    Examples
    --------
    A new scheduler's test file, ``tests/engine/lanes/test_myscheduler.py``::

        from dagflow.testing import SchedulerConformance

        class TestMyScheduler(SchedulerConformance):
            scheduler = 'myscheduler'
            prefetch = 2

    A scheduler that needs a resource gets it from a fixture::

        class TestCluster(SchedulerConformance):
            prefetch = 2

            @pytest.fixture(autouse=True)
            def _on_the_cluster(self, client):
                self.scheduler = client

    One test can also be run by hand, without pytest:

    >>> class Threads(SchedulerConformance):
    ...     scheduler, prefetch = 'threads', 2
    >>> Threads().test_variables_in_every_mode()
    """

    scheduler: object = 'sync'
    prefetch: int = 0
    repeats: int = 2
    streams: bool = True
    rebatches: bool = True

    # ------------------------------------------------------------ how a run is made and compared
    def batches(self, pipeline, batch_size: int, **run_args) -> Iterable:
        """The batches of a run of ``pipeline`` on this scheduler (default: ``gen_batch``)."""
        return pipeline.gen_batch(batch_size, prefetch=self.prefetch, scheduler=self.scheduler, **run_args)

    def check(self, make: Callable, *, variables: Iterable[str] = (), models: Iterable[str] = (),
              **run_args) -> dict:
        """Run ``make()`` serially and on this scheduler; assert the outcomes are the same; return the serial one."""
        run_args = {'n_epochs': 2, 'shuffle': True, 'seed': 11, **run_args}
        variables, models = tuple(variables), tuple(models)
        serial = make()
        reference = outcome(serial, serial.gen_batch(BATCH_SIZE, prefetch=0, scheduler='sync', **run_args),
                            variables=variables, models=models)
        for _ in range(self.repeats):
            pipeline = make()
            result = outcome(pipeline, self.batches(pipeline, BATCH_SIZE, **run_args),
                             variables=variables, models=models)
            if not self.streams and reference['error'] is not None:
                result['batches'] = reference['batches']
            assert_same(result, reference)
        return reference

    def _needs_rebatch(self) -> None:
        if not self.rebatches:
            import pytest
            pytest.skip(f'{type(self).__name__} does not run pipelines that rebatch')

    # ------------------------------------------------------------ the pipelines
    def test_variables_in_every_mode(self):
        def make():
            return (conformance_dataset().p
                    .init_variables({'n': 0, 'last': None, 'sums': [], 'seen': [], 'rows': {}})
                    .jitter(0.1)
                    .update(V('n'), V('n') + 1)
                    .update(V('last'), B.x.mean())
                    .update(V('sums', mode='a'), B.x.sum())
                    .update(V('seen', mode='e'), B.indices)
                    .call(_index_sums, B.indices, B.x, save_to=V('rows'), mode='u')
                    .shift(V('n')))          # a pure step reading a variable: runs after the write
        reference = self.check(make, variables=['n', 'last', 'sums', 'seen', 'rows'])
        assert reference['variables']['n'] == 12 and len(reference['variables']['rows']) == 48

    def test_static_and_dynamic_models(self):
        def make():
            return (conformance_dataset().p
                    .init_model('dyn', ConformanceModel, 'dynamic', config={'size': 2})
                    .init_model('stat', ConformanceModel, 'static', config={'size': 2, 'lr': 0.05})
                    .init_variables({'loss': [], 'predictions': []})
                    .jitter(0.1)
                    .train_model('dyn', B.x, B.y, save_to=V('loss'), mode='a')
                    .jitter(0.01)
                    .train_in_batch('stat')
                    .predict_model('dyn', B.x, save_to=V('predictions'), mode='e'))
        reference = self.check(make, variables=['loss', 'predictions'], models=['dyn', 'stat'])
        assert len(reference['variables']['loss']) == 12 and reference['models']['stat']['w'].any()

    def test_random_draws_seeded_by_the_run_and_by_their_own_seed(self):
        def make():
            return (conformance_dataset().p
                    .init_variable('draws', [])
                    .jitter(R('uniform', 0, 0.1))
                    .shift(R('normal', 0, 1, seed=7))
                    .update(V('draws', mode='a'), (R('uniform'), R('integers', 10, seed=3))))
        reference = self.check(make, variables=['draws'])
        assert len(set(reference['variables']['draws'])) == 12

    def test_a_skipped_batch(self):
        def make():
            return (conformance_dataset().p.init_variables({'n': 0, 'sizes': []})
                    .jitter(0.1).update(V('n'), V('n') + 1).skip_at(2)
                    .update(V('sizes', mode='a'), (B.size, V('n'))))
        reference = self.check(make, variables=['n', 'sizes'])
        assert len(reference['batches']) == 11 and reference['variables']['n'] == 12

    def test_rebatch_with_state_on_both_sides(self):
        self._needs_rebatch()

        def make():
            return (conformance_dataset().p.init_variables({'n': 0, 'm': 0, 'seen': [], 'sizes': []})
                    .jitter(R('uniform', 0, 1)).update(V('n'), V('n') + 1).skip_at(1)
                    .rebatch(20).update(V('m'), V('m') + 1).update(V('seen', mode='a'), (V('n'), V('m')))
                    .shift(1.0)
                    .rebatch(7).update(V('sizes', mode='a'), (B.size, V('n'), V('m'), B.x.sum())))
        reference = self.check(make, variables=['n', 'm', 'seen', 'sizes'], n_epochs=1, shuffle=False)
        assert reference['variables']['seen'] == [(4, 1), (6, 2)]   # the rebatch asks for more only when needed

    def test_join(self):
        def make():
            return (conformance_dataset().p.init_variable('sums', [])
                    .jitter(0.1).join(conformance_dataset(seed=1)).with_joined(factor=10.0)
                    .update(V('sums', mode='a'), B.x.sum()))
        self.check(make, variables=['sums'], n_epochs=1)

    def test_merge(self):
        def make():
            other = conformance_dataset(seed=1).p.jitter(0.1).run(BATCH_SIZE, n_epochs=None, seed=5, lazy=True)
            return conformance_dataset().p.init_variable('sizes', []).merge(other).update(V('sizes', mode='a'), B.size)
        reference = self.check(make, variables=['sizes'], n_epochs=1)
        assert reference['variables']['sizes'] == [16] * 6

    def test_a_failing_batch_keeps_what_the_serial_run_had(self):
        def make(middle):
            p = (conformance_dataset().p
                 .init_model('lin', ConformanceModel, 'dynamic', config={'size': 2})
                 .init_variables({'seen': [], 'loss': [], 'predictions': []})
                 .jitter(R('uniform', 0, 0.1))
                 .update(V('seen', mode='e'), B.indices)
                 .train_model('lin', B.x, B.y, save_to=V('loss'), mode='a'))
            p = p.fail_at(FAIL_AT) if middle else p
            p = p.train_in_batch('lin').predict_model('lin', B.x, save_to=V('predictions'), mode='e')
            return p if middle else p.fail_at(FAIL_AT)
        for middle in (False, True):     # the failure after every state step of its batch, or between two
            reference = self.check(functools.partial(make, middle), variables=['seen', 'loss', 'predictions'],
                                   models=['lin'])
            assert reference['error'][:3] == ('ValueError', f'batch {FAIL_AT} is broken', FAIL_AT)
            assert len(reference['batches']) == FAIL_AT                   # batches 0-2 came out, then 3 failed
            assert len(reference['variables']['seen']) == BATCH_SIZE * (FAIL_AT + 1)   # ... after its state step

    def test_locked_actions(self):
        def make():
            return (conformance_dataset().p.init_variables({'n': 0, 'locked': []})
                    .jitter(0.1).acquire_lock('io').update(V('n'), V('n') + 1).release_lock('io')
                    .count_locked().shift(1.0))
        reference = self.check(make, variables=['n', 'locked'])
        assert len(reference['variables']['locked']) == 12

    def test_a_torch_model(self):
        import pytest
        pytest.importorskip('torch')

        def make():
            return (conformance_dataset().p
                    .init_model('net', TorchConformanceModel, 'dynamic', config={'seed': 3})
                    .init_variables({'loss': [], 'predictions': []})
                    .jitter(R('uniform', 0, 0.1))
                    .train_model('net', B.x, B.y, save_to=V('loss'), mode='a')
                    .jitter(0.01)
                    .train_in_batch('net')
                    .predict_model('net', B.x, save_to=V('predictions'), mode='e'))
        self.check(make, variables=['loss', 'predictions'], models=['net'], n_epochs=1)
