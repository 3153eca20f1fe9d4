"""The engine: runs a compiled plan over a stream of batches, serially or in parallel."""
from .lower import fuse_groups, to_dask_graph
from .parallel import execute_parallel
from .schedulers import SCHEDULERS, check_scheduler, execute
from .serial import batch_random, execute_plan, process_batch, run_section, run_steps

__all__ = ['SCHEDULERS', 'batch_random', 'check_scheduler', 'execute', 'execute_parallel', 'execute_plan',
           'fuse_groups', 'process_batch', 'run_section', 'run_steps', 'to_dask_graph']
