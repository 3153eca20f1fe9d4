"""``dagflow run`` and ``dagflow check`` against a Dask cluster whose workers never saw the user's files."""
import pytest

from .conftest import FLOW

distributed = pytest.importorskip('distributed')

#: A package installed here (a ``site-packages`` folder beside the file) that the workers lack.
MISSING_PACKAGE = '''\
import sys, pathlib
sys.path.insert(0, str(pathlib.Path(__file__).parent / 'site-packages'))

from extra_numbers import double_all  # noqa: E402

import numpy as np  # noqa: E402

from dagflow import B, Batch, Dataset  # noqa: E402


class Numbers(Batch):
    components = ('x',)


pipeline = Dataset(6, batch_class=Numbers, preloaded={'x': np.arange(6.0)}).p.call(double_all, B.x, save_to=B.x)
'''


def _cannot_import(name):
    import importlib
    return importlib.util.find_spec(name) is None


@pytest.fixture(scope='module')
def address(tmp_path_factory):
    """The address of a LocalCluster of one worker process started elsewhere: it cannot import the tests' files."""
    import os
    here = os.getcwd()
    os.chdir(tmp_path_factory.mktemp('elsewhere'))
    try:
        with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None,
                                      host='127.0.0.1') as cluster:
            os.chdir(here)
            yield cluster.scheduler_address
    finally:
        os.chdir(here)


@pytest.fixture
def workers_lack(address):
    def check(*names):
        with distributed.Client(address, set_as_default=False) as client:
            assert all(all(client.run(_cannot_import, name).values()) for name in names)
    return check


def test_run_sends_the_files_classes_and_functions_to_the_workers(flow, run_dagflow, address, workers_lack):
    workers_lack('flow')
    done = run_dagflow('run', 'flow.py:pipeline', '--batch-size', '4', '--seed', '3', '--config', 'factor=2',
                       '--prefetch', '1', '--scheduler', address, '--no-bar')
    assert done.returncode == 0, done.stderr
    assert 'sums    [12.0, 44.0, 34.0]' in done.stdout          # the serial run's (test_subprocess.py)


def test_run_puts_the_state_on_the_worker_given_by_its_name(flow, run_dagflow, address, workers_lack):
    workers_lack('flow')
    done = run_dagflow('run', 'flow.py:pipeline', '--batch-size', '4', '--seed', '3', '--config', 'factor=2',
                       '--prefetch', '1', '--scheduler', address, '--state-worker', '0', '--no-bar')
    assert done.returncode == 0, done.stderr
    assert 'sums    [12.0, 44.0, 34.0]' in done.stdout          # the serial run's, fetched back from worker 0


def test_run_names_the_workers_when_the_state_worker_is_not_one(flow, run_dagflow, address):
    done = run_dagflow('run', 'flow.py:pipeline', '--batch-size', '4', '--seed', '3', '--prefetch', '1',
                       '--scheduler', address, '--state-worker', '7', '--no-bar')
    assert done.returncode != 0
    assert "state_worker=7 is not a worker of this cluster: its workers are tcp://127.0.0.1:" in done.stderr
    assert 'Traceback' not in done.stderr


def test_check_finds_no_problem_in_the_files_own_code(flow, run_dagflow, address, workers_lack):
    workers_lack('flow')
    done = run_dagflow('check', 'flow.py:pipeline', '--scheduler', address)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1].startswith('check: no problems found in flow.py:pipeline')


def test_check_names_the_step_and_function_of_a_package_the_workers_lack(write_file, run_dagflow, address,
                                                                         workers_lack):
    write_file('site-packages/extra_numbers.py', 'def double_all(x):\n    return x * 2\n')
    write_file('needs.py', MISSING_PACKAGE)
    workers_lack('extra_numbers')
    done = run_dagflow('check', 'needs.py:pipeline', '--scheduler', address)
    assert done.returncode == 1, done.stdout + done.stderr
    problem = done.stdout.splitlines()[0]
    assert problem.startswith('needs.py:15: main[0] call: ') and "cannot import module 'extra_numbers'" in problem
    assert 'extra_numbers.double_all' in problem and "Install 'extra_numbers' on the workers" in problem
    assert done.stdout.splitlines()[-1].startswith('check: 1 problem in needs.py:pipeline')


def test_check_says_when_no_scheduler_answers(flow, run_dagflow, monkeypatch):
    done = run_dagflow('check', 'flow.py:pipeline', '--scheduler', 'tcp://127.0.0.1:9')
    assert done.returncode == 1
    assert "--scheduler: No Dask scheduler answered at 'tcp://127.0.0.1:9' within 5 s" in done.stdout


assert 'class Numbers(Batch)' in FLOW   # the file the tests above send
