"""What a named expression is evaluated against: the batch, the pipeline, the run.

A :class:`Context` is a small frozen value.  The engine builds one per batch
(with the batch's own random generator and iteration number); actions that
evaluate expressions themselves get one from :meth:`Context.from_batch` or
:func:`make_context`.

The pipeline is duck-typed: evaluation only calls ``get_variable(name)``,
``set_variable(name, value)``, ``has_variable(name)`` and reads ``config`` and
``dataset``.

Examples
--------
>>> from types import SimpleNamespace
>>> ctx = Context(batch=SimpleNamespace(size=4), iteration=IterationInfo(number=2, total=10))
>>> ctx.iteration.current, ctx.iteration.ratio
(3, 0.3)
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

__all__ = ['IterationInfo', 'Context', 'make_context']


@dataclass(frozen=True, slots=True)
class IterationInfo:
    """Where the run is: the position of the current batch in the stream and the number of batches.

    ``number`` is 0-based (batch *k* of the stream, the key its random
    generator is derived from); ``current``, ``max`` and ``ratio`` are what
    ``I('current')``, ``I('max')`` and ``I('ratio')`` give, numbered as in
    BatchFlow: the first batch is 1 and ``ratio == current / max``.  They come
    from the batch's position, never from a shared counter, so every scheduler
    sees the numbers of the serial run.

    Parameters
    ----------
    number : int
        The 0-based position of the batch in the run.
    total : int or None
        How many batches the run makes, or None when it is endless.

    Examples
    --------
    >>> info = IterationInfo(number=0, total=4)
    >>> info.current, info.max, info.ratio
    (1, 4, 0.25)
    >>> IterationInfo(number=3).ratio is None
    True
    """

    number: int
    total: int | None = None

    @property
    def current(self) -> int:
        """The 1-based number of the batch: 1 for the first batch of the run."""
        return self.number + 1

    @property
    def max(self) -> int | None:
        """The number of batches of the run (None when it is endless)."""
        return self.total

    @property
    def ratio(self) -> float | None:
        """``current / max``: the share of the run done once this batch is; None without a max."""
        if not self.total:
            return None
        return self.current / self.total


@dataclass(frozen=True, slots=True)
class Context:
    """The batch, pipeline, dataset, iteration and random generator an expression is evaluated with.

    Parameters
    ----------
    batch : object, optional
        The current batch, or None (a static model config, before the run).
    pipeline : object, optional
        The pipeline (duck-typed: ``get_variable``, ``set_variable``,
        ``has_variable``, ``config``, ``dataset``), or None.
    dataset : object, optional
        The dataset; when None, :meth:`get_dataset` falls back to
        ``pipeline.dataset`` and then ``batch.dataset``.
    iteration : IterationInfo, optional
        Where the run is, for ``I(...)``.
    random : numpy.random.Generator, optional
        The generator ``R(...)`` draws from; a fresh unseeded one is used when None.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> batch = SimpleNamespace(pipeline='my pipeline')
    >>> Context.from_batch(batch).pipeline
    'my pipeline'
    """

    batch: object = None
    pipeline: object = None
    dataset: object = None
    iteration: IterationInfo | None = None
    random: np.random.Generator | None = None

    @classmethod
    def from_batch(cls, batch) -> Context:
        """Return the batch's own context (with ``batch`` set to it) or a new one around the batch.

        A batch made by the engine carries its context in ``batch.context``;
        any other object gets ``Context(batch=batch, pipeline=batch.pipeline)``.

        Examples
        --------
        >>> from types import SimpleNamespace
        >>> batch = SimpleNamespace(context=Context(iteration=IterationInfo(3, 10)))
        >>> ctx = Context.from_batch(batch)
        >>> ctx.batch is batch, ctx.iteration.current
        (True, 4)
        """
        own = getattr(batch, 'context', None)
        if isinstance(own, Context):
            return dataclasses.replace(own, batch=batch)
        return cls(batch=batch, pipeline=getattr(batch, 'pipeline', None))

    def get_dataset(self):
        """Return ``dataset``, else ``pipeline.dataset``, else ``batch.dataset``, else None.

        Examples
        --------
        >>> from types import SimpleNamespace
        >>> Context(pipeline=SimpleNamespace(dataset='ds')).get_dataset()
        'ds'
        """
        for source in (self.dataset, getattr(self.pipeline, 'dataset', None),
                       getattr(self.batch, 'dataset', None)):
            if source is not None:
                return source
        return None


def make_context(batch=None, pipeline=None, context: Context | None = None) -> Context:
    """Build a context from whatever is given, the way ``expr.get(...)`` and ``expr.set(...)`` do.

    Parameters
    ----------
    batch : object, optional
        The batch; alone, it gives :meth:`Context.from_batch`.
    pipeline : object, optional
        The pipeline; overrides the one the batch or the context has.
    context : Context, optional
        A context to start from; ``batch`` and ``pipeline``, when given, replace its own.

    Examples
    --------
    >>> make_context(pipeline='p')
    Context(batch=None, pipeline='p', dataset=None, iteration=None, random=None)
    """
    if context is None:
        context = Context() if batch is None else Context.from_batch(batch)
    elif batch is not None:
        context = dataclasses.replace(context, batch=batch)
    if pipeline is not None:
        context = dataclasses.replace(context, pipeline=pipeline)
    return context
