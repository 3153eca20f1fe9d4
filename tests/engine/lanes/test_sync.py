"""The serial lane (``scheduler='sync'``): the oracle itself, run again, gives the same outcome every time.

:class:`~dagflow.engine.SyncLane` is the same lane as an object: the streaming loop runs every task inline.
It goes through the same run skeleton as ``'sync'`` and gives the serial outcome, with and without a window.
"""
from dagflow.engine import SyncLane
from dagflow.testing import SchedulerConformance


class TestSync(SchedulerConformance):
    scheduler = 'sync'
    prefetch = 0


class TestSyncLaneInTheLoop(SchedulerConformance):
    scheduler = SyncLane()
    prefetch = 0
    repeats = 1


class TestSyncLaneWithAWindow(TestSyncLaneInTheLoop):
    prefetch = 2
