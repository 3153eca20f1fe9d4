"""StopPipeline: a step ends the run gracefully, with the serial run's results on every scheduler."""
import threading

import dask
import numpy as np
import pytest

from dagflow import B, Dataset, R, StopPipeline, V, action
from dagflow.exceptions import DagflowError, EmptyBatchSequence
from dagflow.testing import ConformanceModel, assert_same, outcome

from .test_parallel import AugmentBatch

STOP = 5   # the batch (numbered from 0) whose step stops the run


class StopBatch(AugmentBatch):
    @action
    def stop_at(self, number):
        if self.context.iteration.number == number:
            raise StopPipeline(f'enough at batch {number}')
        return self

    @action
    def stop_when_trained(self, steps):
        if len(self.pipeline.v('loss')) >= steps:    # reads the loss history: a state step, in serial order
            raise StopPipeline
        return self


@pytest.fixture
def dataset():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 2))
    return Dataset(96, batch_class=StopBatch, preloaded={'x': x, 'y': x @ np.array([1.0, -2.0])})


WHERE = ['first', 'middle', 'state', 'end']


def stopping_pipeline(dataset, where):
    """A counter, a model trained two ways and predictions, stopped at batch STOP by a step placed at ``where``.

    ``first``: a pure step before any state step; ``middle``: a pure step between two state steps;
    ``state``: an early-stopping step that reads the loss history; ``end``: a pure step after the last
    state step.  The ``after`` section copies the counter.
    """
    p = (dataset.p
         .init_model('lin', ConformanceModel, 'dynamic', config={'size': 2})
         .init_variables({'n': 0, 'loss': [], 'predictions': [], 'after': None})
         .jitter(R('uniform', 0, 0.1)))
    if where == 'first':
        p = p.stop_at(STOP)
    p = p.update(V('n'), V('n') + 1).train_model('lin', B.x, B.y, save_to=V('loss'), mode='a')
    if where == 'middle':
        p = p.stop_at(STOP)
    if where == 'state':
        p = p.stop_when_trained(STOP + 1)
    p = p.jitter(0.01).train_in_batch('lin').predict_model('lin', B.x, save_to=V('predictions'), mode='e')
    if where == 'end':
        p = p.stop_at(STOP).shift(1.0)
    p.after.update(V('after'), V('n'))
    return p


def collect(pipeline, batches=None, **run_args):
    """The :func:`~dagflow.testing.outcome` of a stopped run: batches, variables, the model's weights."""
    batches = pipeline.gen_batch(8, n_epochs=2, shuffle=True, seed=11, **run_args) if batches is None else batches
    return outcome(pipeline, batches, variables=['n', 'loss', 'predictions', 'after'], models=['lin'])


# ---------------------------------------------------------------- the serial run: the reference
@pytest.mark.parametrize('where', WHERE)
def test_the_serial_run_ends_after_the_batch_that_stops(dataset, where):
    result = collect(stopping_pipeline(dataset, where))
    assert len(result['batches']) == STOP and result['error'] is None   # batches 0..STOP-1 come out, and no more
    counted = STOP if where == 'first' else STOP + 1           # batch STOP goes as far as the step that stopped
    state = result['variables']
    assert state['n'] == state['after'] == counted             # ... and after ran, at the end
    assert len(state['loss']) == counted
    assert len(state['predictions']) == 8 * (STOP + 1 if where == 'end' else STOP)


def test_run_returns_the_pipeline_and_no_error_reaches_the_user(dataset):
    p = stopping_pipeline(dataset, 'middle')
    assert p.run(8, n_epochs=2) is p
    assert p.v('n') == p.v('after') == STOP + 1
    assert issubclass(StopPipeline, DagflowError)


@pytest.mark.parametrize('prefetch', [0, 2])
def test_next_batch_ends_where_the_run_stopped(dataset, prefetch):
    p = dataset.p.stop_at(2).run(8, n_epochs=1, prefetch=prefetch, lazy=True)
    assert [p.next_batch().indices[0] for _ in range(2)] == [0, 8]
    with pytest.raises(EmptyBatchSequence):
        p.next_batch()


def test_a_stop_in_before_skips_the_batches_and_after_still_runs(dataset):
    def stop():
        raise StopPipeline
    p = dataset.p.init_variables({'n': 0, 'before': 0, 'after': 0}).update(V('n'), V('n') + 1)
    p.before.call(stop)
    p.before.update(V('before'), 1)          # not reached
    p.after.update(V('after'), 1)
    assert list(p.gen_batch(8, n_epochs=1)) == []
    assert (p.v('n'), p.v('before'), p.v('after')) == (0, 0, 1)
    p.set_variable('after', 0).run(8, n_epochs=1, prefetch=2)
    assert (p.v('n'), p.v('after')) == (0, 1)


def test_a_stop_in_after_ends_that_section(dataset):
    def stop():
        raise StopPipeline
    p = dataset.p.init_variables({'n': 0, 'after': 0}).update(V('n'), V('n') + 1)
    p.after.update(V('after'), 1)
    p.after.call(stop)
    p.after.update(V('after'), 2)            # not reached
    assert p.run(8, n_epochs=1) is p and (p.v('n'), p.v('after')) == (12, 1)
    p.set_variable('after', 0)
    p.after.run()                                            # the section alone, stopped the same way
    assert p.v('after') == 1


def test_a_stop_before_a_rebatch_passes_on_what_was_gathered(dataset):
    p = (dataset.p.init_variable('sizes', []).stop_at(3).rebatch(5)
         .update(V('sizes', mode='a'), B.size))
    assert p.run(8, n_epochs=1).v('sizes') == [5, 5, 5, 5, 4]   # batches 0-2 (24 items), as at the end of the data


def test_a_stop_after_a_rebatch_ends_the_run(dataset):
    p = (dataset.p.init_variable('sizes', []).rebatch(5).stop_at(3)
         .update(V('sizes', mode='a'), B.size))
    assert p.run(8, n_epochs=1).v('sizes') == [5, 5, 5]


def rebatched(dataset, where, **run_args):
    """A counter before a rebatch and a stop before or after it: the counter shows how far the run went."""
    p = dataset.p.init_variables({'n': 0, 'sizes': []}).jitter(0.1).update(V('n'), V('n') + 1)
    p = p.stop_at(4).rebatch(5) if where == 'before' else p.rebatch(5).stop_at(3)
    p = p.update(V('sizes', mode='a'), (B.size, V('n')))
    p.run(8, n_epochs=1, seed=3, **run_args)
    return p.v('n'), p.v('sizes')


@pytest.mark.parametrize('where', ['before', 'after'])
@pytest.mark.parametrize('prefetch, scheduler', [(0, 'sync'), (1, 'threads'), (3, 'threads'), (2, 'processes')])
def test_a_stop_around_a_rebatch_ends_where_the_serial_run_ends(dataset, where, prefetch, scheduler):
    n, sizes = rebatched(dataset, where, prefetch=prefetch, scheduler=scheduler)
    if where == 'before':    # batches 0-3 (32 items) gathered, batch 4 counted, then the rest goes on
        assert n == 5 and sizes == [(5, 1), (5, 2), (5, 2), (5, 3), (5, 4), (5, 4), (2, 5)]
    else:                    # merged batches 0-2 done; the 4th stopped: 20 items asked for, 3 batches counted
        assert n == 3 and sizes == [(5, 1), (5, 2), (5, 2)]


# ---------------------------------------------------------------- every scheduler gives the serial run
@pytest.mark.parametrize('where', WHERE)
@pytest.mark.parametrize('prefetch', [1, 4])
def test_threads_stop_where_the_serial_run_stops(dataset, where, prefetch):
    reference = collect(stopping_pipeline(dataset, where))
    for _ in range(3):   # a race would have several chances to show
        assert_same(collect(stopping_pipeline(dataset, where), prefetch=prefetch, scheduler='threads'), reference)
    assert not [t for t in threading.enumerate() if t.name.startswith('dagflow')]


@pytest.mark.parametrize('where', WHERE)
def test_processes_stop_where_the_serial_run_stops(dataset, where):
    reference = collect(stopping_pipeline(dataset, where))
    assert_same(collect(stopping_pipeline(dataset, where), prefetch=2, scheduler='processes'), reference)


@pytest.mark.parametrize('where', ['middle', 'end'])
def test_the_dask_graph_stops_where_the_serial_run_stops(dataset, where):
    reference = collect(stopping_pipeline(dataset, where))
    p = stopping_pipeline(dataset, where)
    (batches,) = dask.compute(p.to_dask(8, n_epochs=2, shuffle=True, seed=11))
    assert_same(collect(p, batches), reference)
