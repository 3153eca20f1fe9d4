"""Lanes of a timeline: named for what ran there, pure lanes in their natural order, then the state lanes."""
import pandas as pd
import pytest

from dagflow.viz.lanes import DRIVER_LANE, lane_labels, place_name, tracks


def profile_on(*places, sections=None):
    n = len(places)
    return pd.DataFrame({'section': sections or ['main'] * n, 'position': 0, 'step': 'load', 'batch': range(n),
                         'worker': list(places), 'start': 0.0, 'end': 1.0})


class FakePlan:
    """What lane_labels reads of a plan: whether a node is pure."""

    def __init__(self, pure):
        self.nodes = {key: {'pure': value} for key, value in pure.items()}

    def has_node(self, key):
        return key in self.nodes


@pytest.mark.parametrize('worker, name', [
    ('MainThread', 'driver'), ('dagflow-state_3', 'driver'), ('dagflow_0', 'thread 1'), ('dagflow_10', 'thread 11'),
    ('process 4242', 'process 4242'), ('tcp://127.0.0.1:40123', 'worker 127.0.0.1:40123'),
    ('ucx://10.1.1.1:1234', 'worker ucx://10.1.1.1:1234'), ('my-thread', 'my-thread')])
def test_place_names(worker, name):
    assert place_name(worker) == name


class TestLaneLabels:
    def test_state_threads_and_the_main_thread_are_one_lane(self):
        labels, order = lane_labels(profile_on('MainThread', 'dagflow-state_0', 'dagflow-state_1', 'dagflow_0',
                                               sections=['before', 'main', 'main', 'main']))
        assert list(labels) == [DRIVER_LANE, DRIVER_LANE, DRIVER_LANE, 'pure steps: thread 1']
        assert order == ['pure steps: thread 1', DRIVER_LANE]

    def test_processes_and_dask_workers_in_natural_order(self):
        _, order = lane_labels(profile_on('process 900', 'process 1000', 'dagflow-state_0'))
        assert order == ['pure steps: process 900', 'pure steps: process 1000', DRIVER_LANE]
        _, order = lane_labels(profile_on('tcp://10.0.0.1:9999', 'tcp://10.0.0.1:10000', 'tcp://10.0.0.0:10001'))
        assert order == ['pure steps: worker 10.0.0.0:10001', 'pure steps: worker 10.0.0.1:9999',
                         'pure steps: worker 10.0.0.1:10000']

    def test_the_plan_says_which_steps_are_state_steps(self):
        # state steps on a Dask worker (a state worker) get a lane of their own, below the pure lanes
        profile = profile_on('tcp://10.0.0.1:1', 'tcp://10.0.0.2:1').assign(position=[0, 1])
        labels, order = lane_labels(profile, FakePlan({('main', 0): True, ('main', 1): False}))
        assert order == ['pure steps: worker 10.0.0.1:1', 'state steps: worker 10.0.0.2:1']

    def test_a_serial_run(self):
        profile = profile_on('MainThread', 'MainThread').assign(position=[0, 1])
        assert lane_labels(profile)[1] == ['steps (driver)']
        _, order = lane_labels(profile, FakePlan({('main', 0): True, ('main', 1): False}))
        assert order == ['pure steps (driver)', DRIVER_LANE]


class TestTracks:
    def test_bars_that_never_overlap_share_one_track(self):
        assert tracks([0.0, 1.0, 2.0], [1.0, 2.0, 3.0]) == ([0, 0, 0], 1)

    def test_overlapping_bars_take_the_first_free_track(self):
        assert tracks([0.0, 0.5, 0.6, 1.2], [1.0, 2.0, 1.1, 1.3]) == ([0, 1, 2, 0], 3)

    def test_no_bars(self):
        assert tracks([], []) == ([], 1)
