"""Step records: what one call in a fluent chain recorded.

A :class:`Step` is an immutable, slotted, picklable value: its ``args`` are a
tuple and its ``kwargs`` a :class:`~dagflow.frozen.FrozenDict`, so neither the
step nor its argument containers change once recorded (the values in them are
the user's, not copied).  Running a pipeline never writes into it; the planner
reads it and the engine executes it.

Examples
--------
>>> from dagflow.expr import B, V
>>> step = Step('update', StepKind.API, args=(V('n'), V('n') + 1))
>>> step
update(V('n'), (V('n') + 1))
>>> step == Step('update', StepKind.API, args=(V('n'), V('n') + 1))
True
>>> Step('rebatch', StepKind.API, kwargs={'batch_size': 8}).kwargs['batch_size'] = 4  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
TypeError: A recorded step's arguments are read-only: cannot set 'batch_size'. Record a new step instead, or...
"""
from __future__ import annotations

import enum
import os
import sys
from dataclasses import dataclass, field
from typing import Any

from ..expr import structural_key
from ..frozen import FrozenDict

__all__ = ['Step', 'StepKind', 'caller_source', 'format_call']


class StepKind(enum.Enum):
    """How a step is executed.

    ``ACTION``: a batch-class ``@action`` method; ``API``: a pipeline API action
    (``update``, ``call``, ``init_lock`` ...); ``FUNCTION``: a function from a
    namespace, called with the evaluated arguments; ``DATASET``: a method of
    the pipeline's dataset; ``SUB``: a nested sequence of steps (``p @ 0.5``).
    """

    ACTION = 'action'
    API = 'api'
    FUNCTION = 'function'
    DATASET = 'dataset'
    SUB = 'sub'


@dataclass(frozen=True, eq=False, slots=True)
class Step:
    """One recorded step of a pipeline.

    Parameters
    ----------
    name : str
        The action name as the user wrote it (``'normalize'``, ``'update'``).
    kind : StepKind
        How the engine executes it.
    args : tuple
        Positional arguments, named expressions left unevaluated.
    kwargs : mapping
        Keyword arguments, named expressions left unevaluated; kept as a
        read-only :class:`~dagflow.frozen.FrozenDict` (a ``dict``).
    target : object, optional
        What to call: the function for ``FUNCTION`` steps, ``(probability,
        steps)`` for ``SUB`` steps (the steps kept as a tuple); ``None`` for
        actions looked up by name at run time.
    joined : int
        How many joined batches are passed in front of ``args`` (after ``join``).
    source : str, optional
        ``file:line`` in the user's code where the step was added.
    """

    name: str
    kind: StepKind
    args: tuple = ()
    kwargs: FrozenDict = field(default_factory=FrozenDict)
    target: Any = None
    joined: int = 0
    source: str | None = None

    def __post_init__(self):
        object.__setattr__(self, 'args', tuple(self.args))
        if type(self.kwargs) is not FrozenDict:
            object.__setattr__(self, 'kwargs', FrozenDict(self.kwargs))
        if self.kind is StepKind.SUB and type(self.target[1]) is not tuple:
            object.__setattr__(self, 'target', (self.target[0], tuple(self.target[1])))

    def __reduce__(self):
        return Step, (self.name, self.kind, self.args, self.kwargs, self.target, self.joined, self.source)

    @property
    def key(self) -> tuple:
        """A structural key: equal for steps recorded with equal arguments."""
        target = self.target
        if self.kind is StepKind.SUB:
            target = tuple(step.key for step in target[1]), structural_key(target[0])
        elif target is not None:
            target = ('id', id(target))
        return (self.name, self.kind, structural_key(self.args),
                structural_key(self.kwargs), target, self.joined)

    def __eq__(self, other):
        if not isinstance(other, Step):
            return NotImplemented
        return self.key == other.key

    def __hash__(self):
        return hash(self.key)

    def __repr__(self):
        if self.kind is StepKind.SUB:
            probability, steps = self.target
            inner = ' -> '.join(repr(step) for step in steps)
            return f'({inner}) @ {probability!r}'
        return format_call(self.name, self.args, self.kwargs)

    @property
    def label(self) -> str:
        """A short label: the action name, with the probability for ``SUB`` steps."""
        if self.kind is StepKind.SUB:
            return 'sometimes(' + '+'.join(step.name for step in self.target[1]) + ')'
        return self.name


def format_call(name: str, args: tuple, kwargs: dict) -> str:
    """Spell a call as the user wrote it: ``resize(B.images, shape=(8, 8))``."""
    parts = [_short_repr(arg) for arg in args]
    parts += [f'{key}={_short_repr(value)}' for key, value in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def _short_repr(value, limit: int = 60) -> str:
    if callable(value) and hasattr(value, '__qualname__') and not hasattr(value, 'kind'):
        return value.__qualname__
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + '...'


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def caller_source() -> str | None:
    """Return ``file:line`` of the first frame outside the dagflow package."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not os.path.abspath(filename).startswith(_PACKAGE_DIR):
            return f'{os.path.basename(filename)}:{frame.f_lineno}'
        frame = frame.f_back
    return None
