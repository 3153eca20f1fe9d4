"""``run(..., profile=True)``: one record per step run, with where and when it ran."""
import numpy as np
import pytest

from dagflow import Dataset, V

from .test_parallel import AugmentBatch

COLUMNS = ['section', 'position', 'step', 'batch', 'worker', 'start', 'end']


@pytest.fixture
def pipeline():
    x = np.arange(48.0).reshape(24, 2)
    dataset = Dataset(24, batch_class=AugmentBatch, preloaded={'x': x, 'y': x[:, 0]})
    return (dataset.p
            .before.init_variable('n', 0).update(V('n'), -1)
            .main.jitter(0.1).shift(1.0).update(V('n'), V('n') + 1)
            .after.update(V('n'), V('n') * 10)).pipeline


def check_profile(profile, n_batches=3):
    assert list(profile.columns) == COLUMNS
    main = profile[profile['section'] == 'main']
    assert len(main) == 3 * n_batches and len(profile) == 3 * n_batches + 2
    assert sorted(main['batch'].unique()) == list(range(n_batches))
    assert (profile['start'] >= 0).all() and (profile['end'] >= profile['start']).all()
    assert profile['start'].is_monotonic_increasing
    for _, steps in main.groupby('batch'):        # a batch's steps ran in the plan's order
        assert steps.sort_values('start')['step'].tolist() == ['jitter', 'shift', 'update']
    edges = profile[profile['section'] != 'main']
    assert edges['batch'].isna().all() and edges['section'].tolist() == ['before', 'after']
    return set(profile['worker'])


def test_a_serial_profile(pipeline):
    assert pipeline.profile is None
    pipeline.run(8, n_epochs=1, profile=True)
    assert check_profile(pipeline.profile) == {'MainThread'}
    assert pipeline.v('n') == 20


def test_a_threads_profile_names_the_threads(pipeline):
    pipeline.run(8, n_epochs=1, profile=True, prefetch=2)
    assert all(name.startswith('dagflow') for name in check_profile(pipeline.profile) - {'MainThread'})


def test_a_processes_profile_names_the_processes(pipeline):
    pipeline.run(8, n_epochs=1, profile=True, prefetch=2, scheduler='processes')
    workers = check_profile(pipeline.profile)
    pure = pipeline.profile[pipeline.profile['step'] != 'update']
    assert all(worker.startswith('process ') for worker in pure['worker'])
    assert any(worker.startswith('dagflow-state') for worker in workers)   # state steps stayed here


def test_no_profile_unless_asked_and_a_failed_run_keeps_its_profile(pipeline):
    pipeline.run(8, n_epochs=1)
    assert pipeline.profile is None
    pipeline.run(8, n_epochs=1, profile=True)
    pipeline.run(8, n_epochs=1)
    assert pipeline.profile is None                   # not the records of the run before
    failing = pipeline.fail_at(1)
    with pytest.raises(ValueError, match='batch 1 is broken'):
        failing.run(8, n_epochs=1, profile=True, prefetch=1)
    assert {'jitter', 'fail_at'} <= set(failing.profile['step'])
