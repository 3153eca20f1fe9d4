"""The engine: runs a compiled plan over a stream of batches, serially or in parallel."""
from .lower import LoweredRun, fuse_groups, lower_run, to_dask_graph
from .parallel import execute_parallel
from .schedulers import SCHEDULERS, check_scheduler, execute
from .serial import batch_random, execute_plan, process_batch, run_section, run_steps

__all__ = ['LoweredRun', 'SCHEDULERS', 'batch_random', 'check_scheduler', 'execute', 'execute_parallel',
           'execute_plan', 'fuse_groups', 'lower_run', 'process_batch', 'run_section', 'run_steps', 'to_dask_graph']
