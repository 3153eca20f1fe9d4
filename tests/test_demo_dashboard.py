"""The demo's training as a user watching the Dask dashboard sees it (issue 13).

A slice of the demo's training pipeline runs on a 2-worker LocalCluster under
``performance_report`` and ``get_task_stream``: the task stream must show the
preprocessing *and* the training, named by the pipeline's actions, account for
the training time dagflow's own profile measured in the same run, and the model
must come out as from a serial run.
"""
import re
from collections import defaultdict

import pytest

torch = pytest.importorskip('torch')
pytest.importorskip('sklearn')
distributed = pytest.importorskip('distributed')

from dagflow.demo import load_digits_dataset, train_pipeline  # noqa: E402

SLICE = {'batch_size': 64, 'n_iters': 6, 'shuffle': True, 'seed': 3}   # a few seconds of the demo's 1st epoch
PREPROCESSING = 'scale_pixels+random_shift+add_pixel_noise'             # the demo's pure steps, fused in one task

@pytest.fixture(autouse=True)
def one_torch_thread():
    """As ``run_demo``: one torch thread (the run is bit-identical to the serial one), given back after."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope='module')
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=':0') as cluster, \
            distributed.Client(cluster, set_as_default=False) as client:
        yield client


@pytest.fixture(scope='module')
def dataset():
    return load_digits_dataset()


@pytest.fixture(scope='module')
def serial(dataset):
    """The slice trained with ``scheduler='sync'``: the parameters the cluster run must reproduce."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return train_pipeline(dataset.train, device='cpu').run(**SLICE, scheduler='sync')
    finally:
        torch.set_num_threads(threads)


def _compute_seconds(stream: list) -> tuple[dict, dict, dict]:
    """Per key prefix of a task stream: the summed compute seconds, the batch numbers and the workers."""
    seconds, batches, workers = defaultdict(float), defaultdict(list), defaultdict(set)
    for record in stream:
        key = record['key']
        prefix = (key[0] if isinstance(key, tuple) else key).rsplit('-', 1)[0]
        seconds[prefix] += sum(part['stop'] - part['start'] for part in record['startstops']
                               if part['action'] == 'compute')
        batches[prefix].append(key[1] if isinstance(key, tuple) else None)
        workers[prefix].add(record['worker'])
    return seconds, batches, workers


def test_the_dashboard_shows_the_demo_training_and_its_time(client, dataset, serial, tmp_path):
    p = train_pipeline(dataset.train, device='cpu')
    report = tmp_path / 'report.html'
    with client.as_current(), distributed.performance_report(filename=str(report)), \
            distributed.get_task_stream(client) as stream:
        p.run(**SLICE, prefetch=2, scheduler=client, profile=True)
    seconds, batches, workers = _compute_seconds(stream.data)

    # the task stream shows the preprocessing and the training, a task per batch, named by the pipeline's actions
    n = SLICE['n_iters']
    assert sorted(batches[PREPROCESSING]) == list(range(n))
    assert sorted(batches['train_model']) == list(range(n)), sorted(seconds)
    actions = set(p.profile['step'])
    named = {prefix for prefix in seconds if not prefix.startswith('dagflow-')}
    assert all(set(prefix.split('+')) <= actions for prefix in named), named
    assert len(workers['train_model']) == 1     # the training chain: one place, the model's
    text = report.read_text()                   # and so does the report a user keeps
    assert re.search(r'train_model-[0-9a-f]{8}', text) and re.search(re.escape(PREPROCESSING) + '-[0-9a-f]{8}', text)

    # the stream accounts for the training time dagflow's profile measured in the same run: a training task's
    # compute encloses the step (and the batch's loading and shipping), so it is at least the step's own time
    profile = p.profile
    took = (profile['end'] - profile['start']).groupby(profile['step']).sum()
    assert seconds['train_model'] >= 0.95 * took['train_model'] > 0
    assert seconds[PREPROCESSING] >= 0.95 * took[['scale_pixels', 'random_shift', 'add_pixel_noise']].sum()
    state_steps = took.drop(['scale_pixels', 'random_shift', 'add_pixel_noise']).sum()   # incl. init_model
    assert seconds['train_model'] >= 0.9 * state_steps                    # the training is (nearly) all of it
    assert sum(seconds.values()) >= 0.9 * took.sum()                      # nothing of the run is left out

    # and placing the training on the state worker changed nothing: the serial run's losses and parameters
    assert p.v('loss_history') == serial.v('loss_history')
    for (name, expected), got in zip(serial.m('cnn').network.state_dict().items(),
                                     p.m('cnn').network.state_dict().values()):
        assert torch.equal(expected, got), name
