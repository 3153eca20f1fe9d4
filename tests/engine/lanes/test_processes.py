"""The process lane: pure steps in worker processes, state steps in the driver, the serial run's outcome."""
from dagflow.testing import SchedulerConformance


class TestProcesses(SchedulerConformance):
    scheduler = 'processes'
    prefetch = 2
    repeats = 1     # the driver loop is the threads lanes', which repeat
