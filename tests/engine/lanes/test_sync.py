"""The serial lane (``scheduler='sync'``): the oracle itself, run again, gives the same outcome every time."""
from dagflow.testing import SchedulerConformance


class TestSync(SchedulerConformance):
    scheduler = 'sync'
    prefetch = 0
