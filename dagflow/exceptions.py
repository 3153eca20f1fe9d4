"""The exceptions dagflow raises.

Every exception derives from :class:`DagflowError` and keeps the data that
explains it as attributes (the step, the batch, the offending name or value),
so that callers and tests can inspect them without parsing messages.  Most
also derive from the matching builtin (``ValueError``, ``TypeError``,
``LookupError``, ``AttributeError``) so existing ``except`` clauses keep
working.

Examples
--------
>>> from dagflow.exceptions import UnknownActionError
>>> err = UnknownActionError("Unknown action 'nromalize'", name='nromalize', suggestions=['normalize'])
>>> err.name, err.suggestions
('nromalize', ['normalize'])
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    'DagflowError', 'DatasetIndexError', 'IndexShapeError', 'UnknownIdError', 'EmptyBatchSequence', 'ComponentError',
    'ComponentExistsError', 'ExpressionError', 'DatasetAttributeError', 'UndefinedVariableError', 'UnknownActionError',
    'StepArgumentError', 'PlanError', 'UndeclaredEffectError', 'RunArgumentError', 'SkipBatchException', 'StopPipeline',
    'ModelError',
    'UnknownModelError', 'ModelConfigWarning', 'did_you_mean',
    'attach_step_info',
]


class DagflowError(Exception):
    """Base class of dagflow's errors; keyword arguments become attributes.

    Parameters
    ----------
    message : str
        What was wrong, where, and what to do.
    **data
        The facts behind the message (``step=``, ``batch=``, ``name=`` ...),
        stored as attributes of the exception.

    Examples
    --------
    >>> err = DagflowError('bad thing', step='normalize')
    >>> err.step
    'normalize'
    """

    def __init__(self, message: str = '', **data):
        super().__init__(message)
        self.message = message
        self._data = data
        for key, value in data.items():
            setattr(self, key, value)

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):
        return (_rebuild, (type(self), self.message, self._data))


def _rebuild(cls, message, data):
    return cls(message, **data)


class DatasetIndexError(DagflowError, ValueError):
    """An index or a split of it is malformed (duplicate ids, shares above 1, ...)."""


class IndexShapeError(DatasetIndexError, TypeError):
    """Ids that are not 1-d (a ``TypeError`` too, as BatchFlow raises)."""


class UnknownIdError(DatasetIndexError, KeyError, IndexError):
    """An item id that is not in the index (a ``KeyError``/``IndexError`` too, as BatchFlow raises)."""


class EmptyBatchSequence(DagflowError, StopIteration):
    """``next_batch`` was called after the last batch of the run."""


class ComponentError(DagflowError, AttributeError):
    """A component name that the batch class does not declare."""


class ComponentExistsError(ComponentError, ValueError):
    """``add_components`` of a name the batch already has (a ``ValueError`` too, as BatchFlow raises)."""


class ExpressionError(DagflowError, ValueError):
    """A named expression is malformed or cannot be evaluated (bad mode, no batch, ...)."""


class DatasetAttributeError(ExpressionError, KeyError):
    """``D('name')`` names an attribute the dataset lacks (a ``KeyError``, as in BatchFlow)."""


class UndefinedVariableError(DagflowError, KeyError):
    """A pipeline variable is read but does not exist (never initialised, or deleted).

    A ``KeyError``, as BatchFlow's ``get_variable`` raises, so ``except KeyError`` keeps working.
    """


class UnknownActionError(DagflowError, AttributeError):
    """An action name that neither the batch class, a namespace nor the pipeline API provides."""


class StepArgumentError(DagflowError, TypeError):
    """A step was recorded with arguments its action cannot take."""


class PlanError(DagflowError):
    """The pipeline cannot be compiled into a plan."""


class UndeclaredEffectError(PlanError):
    """A step touched a variable the plan did not know it touches (it could race under prefetch)."""


class RunArgumentError(DagflowError, ValueError):
    """Arguments of ``run``/``gen_batch`` are invalid (batch size, n_iters and n_epochs, ...)."""


class SkipBatchException(DagflowError):
    """Raise inside an action to drop the current batch and go on with the next one.

    Examples
    --------
    >>> from dagflow import Batch, action, SkipBatchException
    >>> class MyBatch(Batch):
    ...     @action
    ...     def drop_small(self):
    ...         if self.size < 4:
    ...             raise SkipBatchException('too small')
    ...         return self
    """


class StopPipeline(DagflowError):
    """Raise inside any step to end the run gracefully after the current batch.

    The batch stops at the step that raised; no later batch is processed, the
    ``after`` section runs as at the end of the data, ``run()`` returns the
    pipeline and ``gen_batch()`` simply ends, with the variables and models
    as the completed steps left them.  On every scheduler the result is the
    serial run's: work done ahead for later batches is dropped, and no step of
    a later batch that changes variables or models has run (see
    ``docs/architecture.md``).  Raised in ``before``, it skips the batches;
    in ``after``, it ends that section.

    Examples
    --------
    >>> import numpy as np
    >>> from dagflow import Batch, Dataset, StopPipeline, V, action
    >>> class EarlyStop(Batch):
    ...     @action
    ...     def stop_after(self, n):
    ...         if self.pipeline.v('seen') >= n:
    ...             raise StopPipeline(f'{n} batches are enough')
    ...         return self
    >>> p = (Dataset(10, batch_class=EarlyStop).p
    ...      .init_variable('seen', 0).update(V('seen'), V('seen') + 1).stop_after(3))
    >>> p.run(batch_size=2, n_epochs=1).v('seen')
    3
    """


class ModelError(DagflowError, ValueError):
    """A model is used wrongly: bad class, bad mode, bad config, a file that cannot be read or written.

    A ``ValueError``, as BatchFlow's model errors are.
    """


class UnknownModelError(ModelError, KeyError):
    """A model name the pipeline does not know (a ``KeyError``, as BatchFlow's ``get_model_by_name`` raises)."""


class ModelConfigWarning(UserWarning):
    """A model config key that the model does not read (it has no effect): the message says where it belongs."""


def did_you_mean(name: str, candidates: Iterable[str]) -> list[str]:
    """Return the candidates close to ``name``, best first.

    Examples
    --------
    >>> did_you_mean('nromalize', ['normalize', 'resize'])
    ['normalize']
    """
    return difflib.get_close_matches(name, sorted(set(candidates)), n=3, cutoff=0.6)


def suggestion_text(name: str, candidates: Iterable[str]) -> str:
    """Return ``" Did you mean 'x'?"`` or an empty string."""
    close = did_you_mean(name, candidates)
    if not close:
        return ''
    return ' Did you mean ' + ' or '.join(repr(c) for c in close) + '?'


def attach_step_info(exc: BaseException, *, step: str, batch: int | None, source: str | None = None):
    """Annotate an exception raised inside a step, keeping its type and traceback.

    Sets ``exc.dagflow_step`` and ``exc.dagflow_batch`` and adds a note that the
    traceback printout shows under the original message.
    """
    if getattr(exc, 'dagflow_step', None) is not None:
        return exc
    exc.dagflow_step = step
    exc.dagflow_batch = batch
    where = f'in step {step}' + (f' (added at {source})' if source else '')
    where += f', batch {batch}' if batch is not None else ''
    note = f'dagflow: raised {where}'
    if hasattr(exc, 'add_note'):
        exc.add_note(note)
    else:  # Python 3.10
        exc.__notes__ = [*getattr(exc, '__notes__', []), note]
    return exc
