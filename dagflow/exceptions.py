"""The exceptions and warnings dagflow raises, all of them.

Every exception derives from :class:`DagflowError` and keeps the data that
explains it as attributes (the step, the offending name or value, the close
names), so that callers, the command line and tests read them instead of
parsing messages.  Each class declares the attributes it carries in its
``fields``: every one of them exists on every instance (``None`` when the
raise site had nothing to say), and a keyword that is not a field is refused
with a ``TypeError``, so a misspelt field cannot silently drop data.  Most
errors also derive from the matching builtin (``ValueError``, ``TypeError``,
``LookupError``, ``AttributeError``) so existing ``except`` clauses keep
working.  The errors pickle with their fields and with what a run added to
them (``dagflow_step``, ``dagflow_batch``, ``dagflow_source``, notes), so
that an error raised in a worker process arrives whole.

Examples
--------
>>> from dagflow.exceptions import UnknownActionError
>>> err = UnknownActionError("Unknown action 'nromalize'", name='nromalize', suggestions=['normalize'])
>>> err.name, err.suggestions, err.step
('nromalize', ['normalize'], None)
>>> UnknownActionError('typo', nmae='x')
Traceback (most recent call last):
...
TypeError: UnknownActionError got an unexpected field 'nmae'; its fields are: step, source, name, suggestions
"""
from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import ClassVar

__all__ = [
    'DagflowError', 'DatasetIndexError', 'IndexShapeError', 'UnknownIdError', 'EmptyBatchSequence', 'ComponentError',
    'ComponentExistsError', 'ExpressionError', 'DatasetAttributeError', 'UndefinedVariableError', 'UnknownActionError',
    'StepArgumentError', 'PlanError', 'UndeclaredEffectError', 'ActionSpecError', 'RunArgumentError',
    'SkipBatchException', 'StopPipeline',
    'ModelError', 'UnknownModelError', 'UndefinedModelError', 'MetricsError', 'BatchPickleError', 'WorkerLoadError',
    'WorkersLostError', 'StateWorkerLost', 'VizError',
    'TargetError', 'LoadError', 'UsageError', 'ModelConfigWarning', 'GraphvizNotFoundWarning', 'did_you_mean',
    'suggestion_text', 'attach_step_info',
]


class DagflowError(Exception):
    """Base class of dagflow's errors: a message and the facts behind it, as attributes.

    A subclass lists the attributes it adds in ``fields``; they are joined to
    those of its bases (``fields`` on the class is then the whole list).
    Every field is an attribute of every instance, ``None`` unless given.

    Parameters
    ----------
    message : str
        What was wrong, where, and what to do.
    **fields
        Values of the class's ``fields`` (``step=``, ``name=`` ...).  Any other
        keyword raises ``TypeError``.

    Attributes
    ----------
    message : str
        The message, as given.
    step : str, optional
        The step the error is about, as the raise site names it: a label
        (``"main[1] 'train'"``, ``'main[0]'``) or an action name.
    source : str, optional
        The user's ``file:line`` where that step was recorded.
    fields : tuple of str
        The names of the attributes above and of those the subclass adds
        (a class attribute).

    Examples
    --------
    >>> err = DagflowError('bad thing', step='normalize')
    >>> err.step, err.source
    ('normalize', None)
    >>> class PathError(DagflowError):
    ...     fields = ('path',)
    >>> PathError('cannot read', path='a.txt').fields
    ('step', 'source', 'path')
    """

    fields: ClassVar[tuple[str, ...]] = ('step', 'source')

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        inherited = [name for base in cls.__bases__ for name in getattr(base, 'fields', ())]
        cls.fields = tuple(dict.fromkeys([*inherited, *vars(cls).get('fields', ())]))

    def __init__(self, message: str = '', **fields):
        for key in fields:
            if key not in self.fields:
                raise TypeError(f'{type(self).__name__} got an unexpected field {key!r}; its fields are: '
                                f'{", ".join(self.fields)}')
        super().__init__(message)
        self.message = message
        for name in self.fields:
            setattr(self, name, fields.get(name))

    @property
    def data(self) -> dict:
        """The fields and their values, e.g. to raise the same error with another message.

        Examples
        --------
        >>> DagflowError('bad', step='main[0]').data
        {'step': 'main[0]', 'source': None}
        """
        return {name: getattr(self, name) for name in self.fields}

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):
        # the fields go through __init__; what a run added (dagflow_step, notes, ...) is the state
        state = {key: value for key, value in vars(self).items() if key != 'message' and key not in self.fields}
        return (_rebuild, (type(self), self.message, self.data), state or None)


def _rebuild(cls, message, data):
    return cls(message, **data)


# ------------------------------------------------------------------------------------- data
class DatasetIndexError(DagflowError, ValueError):
    """An index or a split of it is malformed (duplicate ids, shares above 1, lengths that differ, ...).

    Attributes
    ----------
    value : object, optional
        The value that is wrong (the ids, the index, the argument).
    name : str, optional
        The component or argument it was given as.
    lengths : tuple of int, optional
        Lengths that should be equal but are not.
    duplicates : list, optional
        The ids that repeat.
    shares : tuple of float, optional
        The split shares given.
    size : int, optional
        The number of items being split.
    n_splits : int, optional
        The number of folds asked for.
    """

    fields = ('value', 'name', 'lengths', 'duplicates', 'shares', 'size', 'n_splits')


class IndexShapeError(DatasetIndexError, TypeError):
    """Ids that are not 1-d (a ``TypeError`` too, as BatchFlow raises); ``value`` holds them."""


class UnknownIdError(DatasetIndexError, KeyError, IndexError):
    """An item id that is not in the index (a ``KeyError``/``IndexError`` too, as BatchFlow raises).

    Attributes
    ----------
    ids : list
        The ids that are not there.
    """

    fields = ('ids',)


class EmptyBatchSequence(DagflowError, StopIteration):
    """``next_batch`` was called after the last batch of the run."""


class ComponentError(DagflowError, AttributeError):
    """A component name that the batch class does not declare.

    Attributes
    ----------
    name : str
        The component asked for.
    batch_class : type, optional
        The batch class that lacks it.
    components : tuple of str, optional
        The components it has.
    """

    fields = ('name', 'batch_class', 'components')


class ComponentExistsError(ComponentError, ValueError):
    """``add_components`` of a name the batch already has (a ``ValueError`` too, as BatchFlow raises)."""


# ------------------------------------------------------------------------------- expressions
class ExpressionError(DagflowError, ValueError):
    """A named expression is malformed or cannot be evaluated (bad mode, no batch, bad save target, ...).

    Attributes
    ----------
    expr : NamedExpression, optional
        The expression that failed.
    name : str, optional
        The name it was given (``V('name')``, ``B('name')``).
    target : object, optional
        Where a value was to be stored (an expression, an array, a container).
    mode : str, optional
        The storing mode (``'w'``, ``'a'``, ``'e'``, ``'u'``).
    current_type, value_type : type, optional
        For a mode that cannot apply: the type of what is stored and of the new value.
    fn : callable, optional
        The function of an ``F``/``L`` expression.
    op : str, optional
        The operator that cannot be applied.
    """

    fields = ('expr', 'name', 'target', 'mode', 'current_type', 'value_type', 'fn', 'op')


class DatasetAttributeError(ExpressionError, KeyError):
    """``D('name')`` names an attribute the dataset lacks (a ``KeyError``, as in BatchFlow)."""


# ---------------------------------------------------------------------------------- pipeline
class UndefinedVariableError(DagflowError, KeyError):
    """A pipeline variable is read but does not exist (never initialised, or deleted).

    A ``KeyError``, as BatchFlow's ``get_variable`` raises, so ``except KeyError`` keeps working.

    Attributes
    ----------
    name : str
        The variable.
    """

    fields = ('name',)


class UnknownActionError(DagflowError, AttributeError):
    """An action name that neither the batch class, a namespace nor the pipeline API provides.

    Attributes
    ----------
    name : str
        The action asked for.
    suggestions : list of str
        The known actions closest to it, best first.
    """

    fields = ('name', 'suggestions')


class StepArgumentError(DagflowError, TypeError):
    """A step was recorded with arguments its action cannot take.

    Attributes
    ----------
    name : str, optional
        The argument or variable that is wrong.
    value : object, optional
        The value given.
    """

    fields = ('name', 'value')


class PlanError(DagflowError):
    """The pipeline cannot be compiled into a plan."""


class UndeclaredEffectError(PlanError):
    """A step touched state the plan did not know it touches (it could race under prefetch).

    Attributes
    ----------
    name : str
        The variable, or the pipeline attribute, that was used.
    resource : str, optional
        The resource (``'var:loss'``) to declare on the action.
    """

    fields = ('name', 'resource')


class ActionSpecError(DagflowError, TypeError):
    """An API action was registered without the facts dagflow needs about it (raised when it is registered).

    Attributes
    ----------
    name : str
        The action.
    missing : str, optional
        The fact that is missing or wrong (``'effects'``, an argument name, ``'sections'`` ...).
    """

    fields = ('name', 'missing')


class RunArgumentError(DagflowError, ValueError):
    """Arguments of ``run``/``gen_batch`` are invalid (batch size, n_iters and n_epochs, ...).

    Attributes
    ----------
    name : str, optional
        The argument.
    value : object, optional
        The value given.
    suggestions : list of str, optional
        The known arguments closest to a misspelt one.
    """

    fields = ('name', 'value', 'suggestions')


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


# ------------------------------------------------------------------------------------ models
class ModelError(DagflowError, ValueError):
    """A model is used wrongly: bad class, bad mode, bad config, a file that cannot be read or written.

    A ``ValueError``, as BatchFlow's model errors are.

    Attributes
    ----------
    name : str, optional
        The model.
    value : object, optional
        The value that is wrong (a class, a mode, a config entry).
    path : str, optional
        The file that cannot be read or written.
    resource : str, optional
        For a model a step used without declaring it: the resource to declare (``'model:m'``).
    suggestions : list of str, optional
        The known names closest to a misspelt one.
    """

    fields = ('name', 'value', 'path', 'resource', 'suggestions')


class UnknownModelError(ModelError, KeyError):
    """A model name the pipeline does not know (a ``KeyError``, as BatchFlow's ``get_model_by_name`` raises)."""


class UndefinedModelError(ModelError):
    """A step uses a model that no ``init_model``, ``load_model`` or ``import_model`` of the pipeline defines.

    Raised when the plan is compiled (``step`` and ``source`` say which step);
    ``pipeline.check()`` reports every such use at once.
    """


class MetricsError(DagflowError, ValueError):
    """Bad input to a metrics class: shapes, labels, options, metric names, or metrics that cannot combine.

    Attributes
    ----------
    name : str, optional
        The metric or option.
    value : object, optional
        The value that is wrong.
    suggestions : list of str, optional
        The known metric names closest to a misspelt one.
    shape : tuple, optional
        A shape that is wrong.
    shapes : tuple, optional
        The shapes of targets and predictions, which do not fit together.
    size : int, optional
        A size that is wrong (of the weights, say).
    num_classes : int, optional
        The number of classes, when a label is outside it.
    settings : tuple, optional
        The settings of two metrics objects that cannot be combined.

    Examples
    --------
    >>> err = MetricsError('bad', name='sensitivty', suggestions=['sensitivity'])
    >>> err.suggestions
    ['sensitivity']
    """

    fields = ('name', 'value', 'suggestions', 'shape', 'shapes', 'size', 'num_classes', 'settings')


# ------------------------------------------------------------------------------------ engine
class BatchPickleError(DagflowError, TypeError):
    """A batch (or the dataset, or config values) cannot be sent to a worker process.

    A ``TypeError``, as pickle's own errors mostly are.

    Attributes
    ----------
    component : str, optional
        The batch component that does not pickle, when one was found.
    where : str, optional
        Where in the run it was sent: ``"before 'normalize'"``, ``'worker processes'``.
    """

    fields = ('component', 'where')


class WorkerLoadError(DagflowError, ImportError):
    """A worker process or a Dask worker cannot load what a run sent it: a module it lacks, mostly.

    An ``ImportError``, as the failure behind it mostly is.  Raised in the
    driver with the step and batch of the task (``dagflow_step``,
    ``dagflow_batch``), or reported by ``dagflow check --scheduler ADDRESS``.

    Attributes
    ----------
    name : str, optional
        The module the worker could not import, when that was the cause.
    where : str, optional
        What it was loading: ``"the steps of 'resize+crop'"``, ``'batch 3'``.
    worker : str, optional
        The worker's address.
    """

    fields = ('name', 'where', 'worker')


class WorkersLostError(DagflowError, RuntimeError):
    """A cluster run cannot go on: the Dask workers running its tasks died, again and again.

    A worker that dies costs only recomputation (Dask runs its tasks again
    elsewhere); this is raised when a task's workers kept dying (Dask's
    ``KilledWorker``: the task itself may kill them, by running out of memory
    say), with the step and batch of that task (``dagflow_step``,
    ``dagflow_batch``).  The variables and models hold the serial run's state
    after the batches before it.

    Attributes
    ----------
    where : str, optional
        The steps whose task lost its workers: ``"the steps 'resize+crop'"``.
    """

    fields = ('where',)


class StateWorkerLost(DagflowError, RuntimeError):
    """The Dask worker that held a run's state (``run(..., state_worker=ADDRESS)``) left the cluster mid-run.

    The run's variables and models lived on that worker and are lost with it:
    the pipeline keeps the values it had when the run started.  The run
    fails as soon as the scheduler reports the loss, and its tasks are
    cancelled.  A ``RuntimeError``.

    Attributes
    ----------
    worker : str, optional
        The state worker's address.
    last_batch : int, optional
        The last batch whose state steps had all finished on it (None: none had).

    Examples
    --------
    >>> err = StateWorkerLost('the state worker left', worker='tcp://10.0.0.7:40123', last_batch=2)
    >>> err.worker, err.last_batch, isinstance(err, RuntimeError)
    ('tcp://10.0.0.7:40123', 2, True)
    """

    fields = ('worker', 'last_batch')

# --------------------------------------------------------------------------------------- viz
class VizError(DagflowError, ValueError):
    """A picture or plot cannot be made: a wrong argument, or missing data (say, no profile yet).

    Attributes
    ----------
    name : str, optional
        The argument or the missing thing.
    value : object, optional
        The value given.

    Examples
    --------
    >>> VizError('no profile', name='profile').name
    'profile'
    """

    fields = ('name', 'value')


# --------------------------------------------------------------------------------------- cli
class TargetError(DagflowError, ValueError):
    """The target of a command cannot be used: malformed, missing, or not a pipeline (a usage error).

    Attributes
    ----------
    value : str or object, optional
        The target as given, or what it named.
    suggestions : list of str, optional
        The names in the module closest to a misspelt one.
    """

    fields = ('value', 'suggestions')


class LoadError(DagflowError):
    """The user's code raised while its file was loaded or its function was called.

    Attributes
    ----------
    error : BaseException
        The original exception, with its traceback.
    stage : str
        ``'load'`` (the file or module) or ``'call'`` (the function named).
    target : str
        The target as given.
    """

    fields = ('error', 'stage', 'target')


class UsageError(DagflowError):
    """A command was given something it cannot use; the message says what to do (exit code 2)."""


# ---------------------------------------------------------------------------------- warnings
class ModelConfigWarning(UserWarning):
    """A model config key that the model does not read (it has no effect): the message says where it belongs."""


class GraphvizNotFoundWarning(UserWarning):
    """No Graphviz program could draw a picture, so it was drawn with matplotlib instead.

    Graphviz's ``dot`` and graphviz-pure were both missing, or the one found
    failed, or a PDF was asked of graphviz-pure (which writes SVG and PNG only).
    """


# ----------------------------------------------------------------------------------- helpers
def did_you_mean(name: str, candidates: Iterable[str]) -> list[str]:
    """Return the candidates close to ``name``, best first.

    Examples
    --------
    >>> did_you_mean('nromalize', ['normalize', 'resize'])
    ['normalize']
    """
    return difflib.get_close_matches(name, sorted(set(candidates)), n=3, cutoff=0.6)


def suggestion_text(name: str, candidates: Iterable[str]) -> str:
    """Return ``" Did you mean 'x'?"`` or an empty string.

    Examples
    --------
    >>> suggestion_text('nromalize', ['normalize', 'resize'])
    " Did you mean 'normalize'?"
    """
    close = did_you_mean(name, candidates)
    if not close:
        return ''
    return ' Did you mean ' + ' or '.join(repr(c) for c in close) + '?'


def attach_step_info(exc: BaseException, *, step: str, batch: int | None, source: str | None = None):
    """Annotate an exception raised inside a step, keeping its type and traceback.

    Sets ``exc.dagflow_step``, ``exc.dagflow_batch`` and ``exc.dagflow_source``
    (the user's ``file:line`` of the step, or None) and adds a note that the
    traceback printout shows under the original message.  An exception
    already annotated (by an inner step) is left as it is.

    Examples
    --------
    >>> err = attach_step_info(ValueError('bad'), step="main[0] 'check'", batch=2, source='flow.py:7')
    >>> err.dagflow_step, err.dagflow_batch, err.dagflow_source
    ("main[0] 'check'", 2, 'flow.py:7')
    >>> err.__notes__
    ["dagflow: raised in step main[0] 'check' (added at flow.py:7), batch 2"]
    """
    if getattr(exc, 'dagflow_step', None) is not None:
        return exc
    exc.dagflow_step = step
    exc.dagflow_batch = batch
    exc.dagflow_source = source
    where = f'in step {step}' + (f' (added at {source})' if source else '')
    where += f', batch {batch}' if batch is not None else ''
    note = f'dagflow: raised {where}'
    if hasattr(exc, 'add_note'):
        exc.add_note(note)
    else:  # Python 3.10
        exc.__notes__ = [*getattr(exc, '__notes__', []), note]
    return exc
