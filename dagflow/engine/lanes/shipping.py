"""Sending batches and run data to other processes: stripping, pickling checks, and the errors that explain them."""
from __future__ import annotations

import copy
import pickle

from ...exceptions import BatchPickleError

__all__ = ['BatchPickleError', 'strip_batch', 'send_check', 'pickle_error', 'failed_to_send', 'stdlib_dumps',
           'dask_dumps']


def send_check(worker_pipeline, dumps, where: str):
    """Raise a clear error when the dataset or config the workers need cannot be pickled."""
    try:
        dumps(worker_pipeline)
    except Exception as exc:
        raise BatchPickleError(
            f'The dataset or the config values that pure steps read cannot be sent to {where}: '
            f'{type(exc).__name__}: {exc}. Keep data that pickles in the dataset and in the config keys those '
            f"steps read, or use scheduler='threads'.", where=where) from exc


def strip_batch(batch, where: str = '', dumps=None):
    """A copy of ``batch`` without its dataset and run context; with ``dumps``, checked to pickle.

    Raises
    ------
    BatchPickleError
        Naming the component that cannot be pickled and ``where`` in the pipeline it was.
    """
    light = copy.copy(batch)
    light._dataset, light.context = None, None
    if dumps is not None:
        try:
            dumps(light)
        except Exception as exc:
            raise pickle_error(light, where, exc, dumps) from exc
    return light


def stdlib_dumps(obj) -> bytes:
    return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)


def dask_dumps(obj) -> bytes:
    from distributed.protocol.pickle import dumps  # pickles what a user's __main__ defines by value
    return dumps(obj)


def pickle_error(batch, where, exc, dumps=stdlib_dumps) -> BatchPickleError:
    for name in getattr(batch, 'components', None) or ():
        try:
            dumps(getattr(batch, name))
        except Exception as inner:
            return BatchPickleError(f'Batch component {name!r} cannot be sent to a worker process ({where}): '
                                    f'{type(inner).__name__}: {inner}. Keep picklable data in batches, or use '
                                    f"scheduler='threads'.", component=name, where=where)
    return BatchPickleError(f'A batch cannot be sent to a worker process ({where}): {type(exc).__name__}: {exc}. '
                            f"Keep picklable data in batches, or use scheduler='threads'.", where=where)


def failed_to_send(exc) -> bool:
    """Whether ``exc`` is the pool failing to pickle a task (not an error raised by a step)."""
    if hasattr(exc, 'dagflow_step') or isinstance(exc, BatchPickleError):
        return False
    return isinstance(exc, pickle.PicklingError) or (
        isinstance(exc, (TypeError, AttributeError)) and 'pickle' in str(exc).lower())
