"""The errors and warnings of the picture layer."""
from __future__ import annotations

from ..exceptions import DagflowError

__all__ = ['GraphvizNotFoundWarning', 'VizError']


class VizError(DagflowError, ValueError):
    """A picture or plot cannot be made: a wrong argument, or missing data (say, no profile yet).

    Examples
    --------
    >>> VizError('no profile', name='profile').name
    'profile'
    """


class GraphvizNotFoundWarning(UserWarning):
    """No Graphviz program could draw a picture, so it was drawn with matplotlib instead.

    Graphviz's ``dot`` and graphviz-pure were both missing, or the one found
    failed, or a PDF was asked of graphviz-pure (which writes SVG and PNG only).
    """
