"""The thread lanes: the serial run's outcome with a narrow and a wide window, and with ``prefetch`` alone."""
import pytest

from dagflow.testing import SchedulerConformance

JOIN_DEFECT = pytest.mark.xfail(
    raises=AssertionError, strict=True,
    reason='the batches joined by join() do not cross a task boundary: join is a state step of its own, so the '
           'next action runs without them (engine/serial.run_steps keeps them in a local)')


class TestThreads(SchedulerConformance):
    scheduler = 'threads'
    prefetch = 1

    @JOIN_DEFECT
    def test_join(self):
        super().test_join()


class TestThreadsWideWindow(TestThreads):
    prefetch = 4
    repeats = 3     # a race gets more chances where more batches are in flight


class TestPrefetchAlone(TestThreads):
    """``prefetch`` without ``scheduler`` means threads."""

    scheduler = None
    prefetch = 2
    repeats = 1
