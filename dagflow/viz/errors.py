"""The errors and warnings of the picture layer (defined in :mod:`dagflow.exceptions`, importable from here)."""
from __future__ import annotations

from ..exceptions import GraphvizNotFoundWarning, VizError

__all__ = ['GraphvizNotFoundWarning', 'VizError']
