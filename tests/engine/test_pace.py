"""The consumer paces the state steps: a batch's state steps run only once the consumer asked for that batch.

So a ``gen_batch`` loop that stops after ``k`` batches, or ``next_batch`` calls
with a reset in between, leave the state of the serial run (``prefetch=0``) on
every scheduler; pure steps still run ahead.
"""
import concurrent.futures as cf

import numpy as np
import pytest

from dagflow import Dataset, V
from dagflow.engine import lanes
from dagflow.engine.lanes import Lane
from dagflow.testing import assert_same

from .test_parallel import AugmentBatch, full_pipeline


@pytest.fixture
def dataset():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 2))
    return Dataset(96, batch_class=AugmentBatch, preloaded={'x': x, 'y': x @ np.array([1.0, -2.0])})


class RecordingLanes(Lane):
    """Runs every task at once, in the driver, and records ``(group name, batch number, pure)`` in order."""

    def __init__(self):
        self.log = []
        RecordingLanes.last = self

    def submit(self, group, payload, debug=None, key=None):
        self.log.append((group.name, payload.number, group.pure))
        future = cf.Future()
        future.set_result(self.run_here(group, payload, debug))
        return future


def state_tasks(log) -> list:
    return [(name, k) for name, k, pure in log if not pure]


def test_the_state_steps_of_a_batch_wait_until_the_consumer_asks_for_it(dataset, monkeypatch):
    monkeypatch.setitem(lanes.LANES, 'threads', RecordingLanes)
    p = dataset.p.init_variable('n', 0).jitter(0.1).update(V('n'), V('n') + 1).shift(1.0)
    generator = p.gen_batch(8, n_epochs=1, prefetch=2, scheduler='threads')
    next(generator)
    log = RecordingLanes.last.log
    assert state_tasks(log) == [('update', 0)] and p.v('n') == 1
    assert {k for name, k, _ in log if name == 'jitter'} == {0, 1, 2}    # pure steps ran ahead
    next(generator)
    assert state_tasks(log) == [('update', 0), ('update', 1)] and p.v('n') == 2
    generator.close()
    assert p.v('n') == 2


def state_of(p) -> dict:
    return {'n': p.v('n'), 'loss': list(p.v('loss')), 'predictions': np.array(p.v('predictions')),
            'w': p.m('lin').w.copy()}


def stop_after(dataset, k, **run_args) -> tuple[dict, dict]:
    """The state right after the loop took ``k`` batches and broke, and after the generator was closed."""
    p = full_pipeline(dataset)
    generator = p.gen_batch(8, n_epochs=2, shuffle=True, seed=11, **run_args)
    for i, _ in enumerate(generator):
        if i == k - 1:
            break
    taken = state_of(p)
    generator.close()
    return taken, state_of(p)


def reset_between(dataset, **run_args) -> list[dict]:
    """The state after each of: two next_batch calls, one with reset='variables', one more, one resetting models."""
    p = full_pipeline(dataset).run(8, n_epochs=2, shuffle=True, seed=11, lazy=True, **run_args)
    p.next_batch()
    p.next_batch()
    states = [state_of(p)]
    for reset in ('variables', None, ['models', 'variables'], None):
        p.next_batch(reset=reset) if reset else p.next_batch()
        states.append(state_of(p))
    p.reset('iter')
    return states


PARALLEL = [(2, 'threads'), (5, 'threads'), (2, 'processes')]


@pytest.mark.parametrize('k', [1, 3])
@pytest.mark.parametrize('prefetch, scheduler', PARALLEL)
def test_a_loop_that_breaks_leaves_the_serial_state(dataset, k, prefetch, scheduler):
    reference, _ = stop_after(dataset, k)
    taken, closed = stop_after(dataset, k, prefetch=prefetch, scheduler=scheduler)
    assert reference['n'] == k
    assert_same(taken, reference)
    assert_same(closed, reference)


@pytest.mark.parametrize('prefetch, scheduler', PARALLEL)
def test_a_reset_between_next_batch_calls_gives_the_serial_state(dataset, prefetch, scheduler):
    reference = reset_between(dataset)
    assert [state['n'] for state in reference] == [2, 1, 2, 1, 2]
    for state, expected in zip(reset_between(dataset, prefetch=prefetch, scheduler=scheduler), reference):
        assert_same(state, expected)
