"""``dagflow.engine.run``: one entry point that takes a plan and a run state, never a pipeline; the run skeleton
every lane shares; custom lanes."""
import concurrent.futures as cf

import numpy as np
import pytest

from dagflow import B, C, R, V, engine
from dagflow.engine import Lane, SyncLane
from dagflow.engine.lower import to_dask_graph
from dagflow.engine.parallel import stream_segment
from dagflow.engine.serial import StepTable
from dagflow.exceptions import RunArgumentError, StopPipeline
from dagflow.runtime import NO_VALUE, RunState, Variables, VariableSpec
from dagflow.testing import conformance_dataset, outcome

SEED = 7


class Owner:
    """What steps see as their pipeline, with no Pipeline behind it: the variables and config of a RunState."""

    def __init__(self, variables, config):
        self.variables, self.config = variables, config

    def get_variable(self, name, default=NO_VALUE):
        return self.variables.get(name, default)

    def set_variable(self, name, value, mode='w'):
        self.variables.set(name, value, mode)

    def has_variable(self, name):
        return self.variables.has(name)


def template(dataset):
    """Random draws, a config read, a variable in two modes: enough to tell two runs apart."""
    return (dataset.p
            .init_variable('n', 0).init_variable('sums', [])
            .jitter(R('uniform', 0, 0.1))
            .shift(C('offset'))
            .update(V('n'), V('n') + B.size)
            .update(V('sums'), B.x.sum(), mode='a'))


class RecordingLane(Lane):
    """Runs each task at once, in this thread, and records what the loop asked of it."""

    def __init__(self):
        self.log, self.calls = [], []

    def start(self, steps, state, prefetch):
        self.calls.append(('start', prefetch))
        return super().start(steps, state, prefetch)

    def submit(self, group, payload, debug=None, key=None):
        self.log.append(key)
        future = cf.Future()
        try:
            future.set_result(self.run_here(group, payload, debug))
        except Exception as exc:   # noqa: BLE001 - the loop takes it from the future
            future.set_exception(exc)
        return future

    def close(self):
        self.calls.append(('close',))


@pytest.fixture
def dataset():
    return conformance_dataset()


def serial_reference(dataset):
    p = template(dataset).set_config({'offset': 0.5})
    return outcome(p, p.gen_batch(8, n_epochs=1, seed=SEED), variables=['n', 'sums'])


def plain_state(dataset):
    """A RunState of its own stores and an owner that is no Pipeline."""
    variables = Variables()
    variables.declare(VariableSpec('n', 0))
    variables.declare(VariableSpec('sums', []))
    config = {'offset': 0.5}
    return RunState(variables=variables, config=config, dataset=dataset, owner=Owner(variables, config))


def run_plain(dataset, lane, prefetch=0):
    plan = template(dataset).compile()
    state = plain_state(dataset)
    batches = engine.run(plan, state, dataset.gen_batch(8, n_epochs=1), lane, seed=SEED, prefetch=prefetch, total=6)
    taken = [(np.array(batch.indices), {'x': batch.x.copy(), 'y': batch.y.copy()}) for batch in batches]
    return {'error': None, 'batches': taken,
            'variables': {'n': state.variables.get('n'), 'sums': list(state.variables.get('sums'))}, 'models': {}}


@pytest.mark.parametrize('lane, prefetch', [('sync', 0), ('threads', 2), (SyncLane(), 0), (SyncLane(), 3)],
                         ids=['sync', 'threads', 'SyncLane', 'SyncLane-window'])
def test_a_run_state_with_no_pipeline_gives_the_serial_results(dataset, lane, prefetch):
    result, reference = run_plain(dataset, lane, prefetch), serial_reference(dataset)
    assert len(result['batches']) == 6 and result['variables']['n'] == 48
    assert repr(result) == repr(reference)   # batches bit for bit, variables, no error


def test_a_custom_lane_runs_every_group_and_is_started_and_closed(dataset):
    lane = RecordingLane()
    result = run_plain(dataset, lane, prefetch=2)
    assert repr(result) == repr(serial_reference(dataset))
    assert lane.calls == [('start', 2), ('close',)]
    assert sorted({(key[0].rsplit('-', 1)[0], key[1]) for key in lane.log}) == sorted(
        (name, k) for name in ('jitter+shift', 'update', 'update[3]') for k in range(6))   # each group once
    assert lane.log[:3] == [(lane.log[0][0], k) for k in range(3)]   # pure work of 3 batches ran ahead


def test_a_lane_object_is_a_scheduler_of_pipeline_run(dataset):
    lane = RecordingLane()
    p = template(dataset).set_config({'offset': 0.5})
    assert repr(outcome(p, p.gen_batch(8, n_epochs=1, seed=SEED, prefetch=1, scheduler=lane),
                        variables=['n', 'sums'])) == repr(serial_reference(dataset))
    assert lane.calls == [('start', 1), ('close',)] and lane.state.owner is p


def test_a_lane_is_closed_after_a_failed_batch(dataset):
    lane = RecordingLane()
    p = dataset.p.fail_at(2)
    with pytest.raises(ValueError, match='batch 2 is broken'):
        list(p.gen_batch(8, n_epochs=1, prefetch=2, scheduler=lane))
    assert lane.calls == [('start', 2), ('close',)]


@pytest.mark.parametrize('paced', [True, False], ids=['paced', 'unpaced'])
def test_the_streaming_loop_starts_a_task_only_after_its_dask_graph_dependencies(dataset, paced):
    """The loop and the Dask graph take a batch's waits from one rule (``previous_waits``): the loop's order fits
    the graph's edges, also with the consumer's pacing off (``head_only=False``), where only that rule holds."""
    p = (dataset.p.init_variable('n', 0).init_variable('seen', [])
         .jitter(0.1).update(V('seen'), V('n'), mode='a').shift(1.0).update(V('n'), V('n') + 1))
    plan, state = p.compile(), RunState.of(p, dataset)
    lane = RecordingLane().start(StepTable(plan), state, 2)
    stream = stream_segment(plan, plan.section_nodes('main'), enumerate(dataset.gen_batch(8, n_epochs=1)), lane,
                            seed=1, segment=0, prefetch=2, total=None, debug=None, head_only=paced)
    assert len(list(stream)) == 6
    token = lane.log[0][0].rsplit('-', 1)[1]
    graph, _ = to_dask_graph(plan, state, dataset.gen_batch(8, n_epochs=1), seed=1, prefetch=2, token=token)
    assert set(lane.log) == {key for key in graph if not key[0].startswith('batch-')}
    done = set()
    for key in lane.log:
        waits = {dep for dep in graph[key][4:] if not dep[0].startswith('batch-')}
        assert waits <= done, f'{key} started before {waits - done}'
        done.add(key)


@pytest.mark.parametrize('lane', ['sync', 'threads', SyncLane()], ids=['sync', 'threads', 'SyncLane'])
def test_every_lane_runs_before_and_after_once_in_the_one_skeleton(dataset, lane):
    p = (dataset.p.init_variable('log', [])
         .before.update(V('log'), 'before', mode='a')
         .after.update(V('log'), 'after', mode='a')
         .main.update(V('log'), 'batch', mode='a'))
    batches = list(engine.run(p.compile(), RunState.of(p, dataset), dataset.gen_batch(16, n_epochs=1), lane,
                              seed=0, prefetch=1))
    assert len(batches) == 3 and p.v('log') == ['before', 'batch', 'batch', 'batch', 'after']


def stop(batch=None):
    raise StopPipeline


def test_a_stop_in_before_opens_no_lane_and_still_runs_after(dataset):
    lane = RecordingLane()
    p = dataset.p.init_variable('log', []).before.call(stop).after.update(V('log'), 'after', mode='a')
    assert list(engine.run(p.compile(), RunState.of(p, dataset), dataset.gen_batch(16, n_epochs=1), lane,
                           seed=0)) == []
    assert p.v('log') == ['after'] and lane.calls == []


def test_an_unknown_lane_is_refused_with_the_choices(dataset):
    p = dataset.p.shift(1.0)
    with pytest.raises(RunArgumentError, match=r"Unknown scheduler 'thread'.*dagflow.engine.Lane.*Did you mean"):
        engine.run(p.compile(), RunState.of(p, dataset), [], 'thread', seed=0)
    with pytest.raises(RunArgumentError, match=r'Unknown scheduler 3'):
        p.run(8, n_epochs=1, scheduler=3)


def test_process_batch_and_run_section_take_the_state(dataset):
    p = dataset.p.init_variable('n', 0).update(V('n'), V('n') + B.size).before.update(V('n'), 100)
    plan, state = p.compile(), RunState.of(p, dataset)
    assert engine.run_section(plan, 'before', state, seed=0) is False and p.v('n') == 100
    batch = engine.process_batch(plan, plan.section_nodes('main'), state, dataset.next_batch(8), seed=0)
    assert len(batch) == 8 and p.v('n') == 108 and batch.pipeline is p
