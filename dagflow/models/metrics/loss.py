"""BatchFlow's ``Loss``: the losses of batches as a metrics object, averaged by batch size."""
from __future__ import annotations

import numbers

import numpy as np

from .base import Metrics, MetricsError, plain, safe_divide

__all__ = ['Loss']


class Loss(Metrics):
    """The loss of each batch and its size; ``evaluate('loss')`` is their mean weighted by the sizes.

    Parameters
    ----------
    loss : float
        The loss of one batch (a mean over its items).
    batch_len : int
        The number of items in the batch.

    Notes
    -----
    ``append``, ``update``, ``+`` and ``sum`` gather the batches, so the mean
    loss of a run is that of all its items.  ``evaluate('loss', agg=...)``:
    ``'mean'`` (the default) the mean weighted by batch sizes, ``'batchwise'``
    the loss of each batch, None the losses and the sizes as two rows.

    Examples
    --------
    >>> losses = Loss(0.5, batch_len=10) + Loss(2.0, batch_len=30)
    >>> losses.evaluate('loss')
    1.625
    >>> losses.evaluate('loss', agg='batchwise')
    array([0.5, 2. ])
    """

    METRICS = ('loss',)

    def __init__(self, loss, batch_len):
        if not isinstance(loss, numbers.Real) or isinstance(loss, bool):
            raise MetricsError(f'loss must be a number (the loss of one batch), got {loss!r}.', value=loss)
        if not isinstance(batch_len, numbers.Integral) or isinstance(batch_len, bool) or batch_len < 0:
            raise MetricsError(f'batch_len must be the number of items in the batch, got {batch_len!r}.',
                               value=batch_len)
        self.losses = [float(loss)]
        self.batch_lengths = [int(batch_len)]

    def _settings(self) -> dict:
        return {}

    def _merge(self, other: Loss, keep_apart: bool) -> None:
        self.losses = [*self.losses, *other.losses]
        self.batch_lengths = [*self.batch_lengths, *other.batch_lengths]

    def evaluate(self, metrics, agg='mean'):
        """The loss: ``'mean'`` weighted by batch sizes, ``'batchwise'`` per batch, None losses and sizes.

        Examples
        --------
        >>> Loss(1.0, 4).evaluate('loss', agg=None)
        array([1., 4.])
        """
        if not (agg is None or isinstance(agg, str) and agg in ('mean', 'batchwise')):
            raise MetricsError(f"agg must be 'mean' (weighted by batch sizes), 'batchwise' or None, got {agg!r}.",
                               value=agg)
        losses, sizes = np.array(self.losses), np.array(self.batch_lengths, dtype=float)

        def compute(name):
            if agg == 'mean':
                return plain(safe_divide((losses * sizes).sum(), sizes.sum()))
            if agg == 'batchwise':
                return losses
            return np.squeeze(np.stack([losses, sizes]))
        return self._evaluate_names(metrics, compute)

    def __repr__(self):
        return f'<Loss: {len(self.losses)} batches, {sum(self.batch_lengths)} items>'
