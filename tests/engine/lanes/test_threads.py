"""The thread lanes: the serial run's outcome with a narrow and a wide window, and with ``prefetch`` alone."""

from dagflow.testing import SchedulerConformance


class TestThreads(SchedulerConformance):
    scheduler = 'threads'
    prefetch = 1


class TestThreadsWideWindow(TestThreads):
    prefetch = 4
    repeats = 3     # a race gets more chances where more batches are in flight


class TestPrefetchAlone(TestThreads):
    """``prefetch`` without ``scheduler`` means threads."""

    scheduler = None
    prefetch = 2
    repeats = 1
