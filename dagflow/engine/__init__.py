"""The engine: runs a compiled plan over a stream of batches."""
from .serial import batch_random, execute_plan, process_batch, run_section, run_steps

__all__ = ['batch_random', 'execute_plan', 'process_batch', 'run_section', 'run_steps']
