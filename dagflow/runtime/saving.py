"""Storing what a step returned into its ``save_to`` locations."""
from __future__ import annotations

from ..exceptions import StepArgumentError
from ..expr import assign

__all__ = ['save_results']


def save_results(result, save_to, mode, ctx, *, step: str):
    """Store ``result`` into ``save_to``: one location, or a sequence with one location per output."""
    if save_to is None:
        return
    mode = None if mode in (None, 'w', 'write') else mode
    if isinstance(save_to, (list, tuple)):
        outputs = result if isinstance(result, (list, tuple)) else (result,)
        if len(save_to) > len(outputs):
            raise StepArgumentError(
                f'{step}: save_to has {len(save_to)} locations but the call returned {len(outputs)} '
                f'output(s); give one location per output.', step=step)
        for location, value in zip(save_to, outputs):
            assign(location, value, ctx, mode=mode)
    else:
        assign(save_to, result, ctx, mode=mode)
