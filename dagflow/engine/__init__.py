"""The engine: runs a compiled plan over a stream of batches with a run state, serially or in parallel.

:func:`run` is the entry point; it takes a plan and a :class:`~dagflow.runtime.RunState`, never a pipeline.
"""
from .execute import run, stream_plan
from .lanes import Lane, SyncLane
from .lower import LoweredRun, fuse_groups, lower_run, previous_waits, to_dask_graph
from .schedulers import SCHEDULERS, check_scheduler, check_state_worker
from .serial import batch_random, process_batch, run_section, run_steps

__all__ = ['Lane', 'LoweredRun', 'SCHEDULERS', 'SyncLane', 'batch_random', 'check_scheduler', 'check_state_worker',
           'fuse_groups', 'lower_run', 'previous_waits', 'process_batch', 'run', 'run_section', 'run_steps',
           'stream_plan', 'to_dask_graph']
