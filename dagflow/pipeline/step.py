"""Step records: what one call in a fluent chain recorded.

A :class:`Step` is an immutable, picklable value.  Running a pipeline never
writes into it; the planner reads it and the engine executes it.

Examples
--------
>>> from dagflow.expr import B, V
>>> step = Step('update', StepKind.API, args=(V('n'), V('n') + 1))
>>> step
update(V('n'), (V('n') + 1))
>>> step == Step('update', StepKind.API, args=(V('n'), V('n') + 1))
True
"""
from __future__ import annotations

import enum
import os
import sys
from dataclasses import dataclass, field
from typing import Any

from ..expr import structural_key

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


@dataclass(frozen=True, eq=False)
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
    kwargs : dict
        Keyword arguments, named expressions left unevaluated.
    target : object, optional
        What to call: the function for ``FUNCTION`` steps, the nested steps for
        ``SUB`` steps; ``None`` for actions looked up by name at run time.
    joined : int
        How many joined batches are passed in front of ``args`` (after ``join``).
    source : str, optional
        ``file:line`` in the user's code where the step was added.
    """

    name: str
    kind: StepKind
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    target: Any = None
    joined: int = 0
    source: str | None = None

    def __post_init__(self):
        object.__setattr__(self, 'args', tuple(self.args))
        object.__setattr__(self, 'kwargs', dict(self.kwargs))

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
