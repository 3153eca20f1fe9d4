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
    """Graphviz's ``dot`` program is missing, so a picture was drawn with matplotlib instead."""
