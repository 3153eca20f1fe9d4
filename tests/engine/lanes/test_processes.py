"""The process lane: pure steps in worker processes, state steps in the driver, the serial run's outcome."""
import multiprocessing
import os
import sys

import pytest

from dagflow.testing import SchedulerConformance


class TestProcesses(SchedulerConformance):
    scheduler = 'processes'
    prefetch = 2
    repeats = 1     # the driver loop is the threads lanes', which repeat


def test_spawned_workers_get_the_users_code_by_value(user_module, monkeypatch):
    module = user_module()
    sys.path.remove(os.path.dirname(module.__file__))   # spawned workers cannot import it
    monkeypatch.setattr(multiprocessing, 'get_all_start_methods', lambda: ['spawn'])
    reference = module.pipeline().run(4, n_epochs=1).v('sums')
    p = module.pipeline()
    assert p.run(4, n_epochs=1, prefetch=1, scheduler='processes').v('sums') == reference == [18.0, 66.0, 114.0]
    with pytest.raises(module.Boom, match='item 5 is bad') as info:
        module.pipeline(fail_at=5).run(4, n_epochs=1, prefetch=1, scheduler='processes')
    assert info.value.dagflow_batch == 1
