"""A rendered picture that shows itself in Jupyter, saves to a file and keeps its DOT source.

Examples
--------
>>> from dagflow import Pipeline, V
>>> picture = Pipeline().init_variable('n', 0).update(V('n'), V('n') + 1).visualize(format='dot')
>>> picture
<Picture dot: 1 box, 1 arrow>
>>> picture.source.startswith('digraph plan {')
True
"""
from __future__ import annotations

import os
import warnings
from pathlib import Path

from .errors import VizError
from .render import check_format, render
from .scene import Scene

__all__ = ['Picture']

_MIME = {'svg': 'image/svg+xml', 'png': 'image/png', 'pdf': 'application/pdf', 'dot': 'text/vnd.graphviz'}
_SUFFIXES = {'gv': 'dot'}


class Picture:
    """A picture of a plan or of a lowered run.

    It renders lazily and keeps what it rendered: ``data`` is the file's bytes
    in ``format``; ``source`` is the Graphviz DOT text; ``save(path)`` writes
    it (in the format the path's suffix names).  As the last expression of a
    Jupyter cell it shows itself (SVG or PNG).

    Parameters
    ----------
    scene : Scene
        What to draw.
    format : {'svg', 'png', 'pdf', 'dot'}
        The format of ``data``.
    """

    def __init__(self, scene: Scene, format: str = 'svg'):
        self.scene = scene
        self.format = check_format(format)
        self._rendered: dict[str, bytes] = {}

    @property
    def source(self) -> str:
        """The Graphviz DOT text of the picture."""
        return self.render('dot').decode()

    @property
    def data(self) -> bytes:
        """The picture in its ``format``, as bytes."""
        return self.render(self.format)

    def render(self, format: str | None = None) -> bytes:
        """The picture in ``format`` (default: its own), rendered once and kept."""
        fmt = check_format(format or self.format)
        if fmt not in self._rendered:
            self._rendered[fmt] = render(self.scene, fmt)
        return self._rendered[fmt]

    def save(self, path: str | os.PathLike, format: str | None = None) -> Path:
        """Write the picture to ``path`` in ``format`` (default: the path's suffix; ``.gv`` is DOT).

        Returns
        -------
        pathlib.Path
            The path written.

        Raises
        ------
        VizError
            When ``format`` is not given and the suffix names no format this
            picture can be written in (``plan.jpg``, ``plan``).
        """
        path = Path(path)
        suffix = _SUFFIXES.get(path.suffix[1:].lower(), path.suffix[1:].lower())
        if format is None and suffix not in _MIME:
            raise VizError(f'Cannot tell the format of {str(path)!r} from its suffix: use .svg, .png, .pdf, .dot or '
                           f'.gv, or give format= (one of {", ".join(_MIME)}).', name='path', value=str(path))
        path.write_bytes(self.render(format or suffix))
        return path

    def show(self, dpi: int = 100):
        """Show the picture: inline in Jupyter, else in a matplotlib window (its figure is returned).

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use('Agg')
        >>> from dagflow import Pipeline, V
        >>> figure = Pipeline().init_variable('n', 0).update(V('n'), 1).visualize().show()
        >>> figure.axes[0].images[0].get_array().shape[2] in (3, 4)
        True
        """
        try:
            from IPython import get_ipython
            if get_ipython() is not None and 'IPKernelApp' in get_ipython().config:
                from IPython.display import display
                display(self)
                return None
        except ImportError:
            pass
        import io

        import matplotlib.pyplot as plt
        image = plt.imread(io.BytesIO(self.render('png')), format='png')
        height, width = image.shape[:2]
        figure = plt.figure(figsize=(width / dpi, height / dpi), dpi=dpi)
        axes = figure.add_axes((0, 0, 1, 1))
        axes.imshow(image)
        axes.axis('off')
        with warnings.catch_warnings():   # a script on a non-interactive backend (Agg) gets the figure back
            warnings.filterwarnings('ignore', message='.*non-interactive.*')
            plt.show()
        return figure

    # ------------------------------------------------------------------ Jupyter
    def _repr_svg_(self):
        return self.render('svg').decode() if self.format in ('svg', 'dot', 'pdf') else None

    def _repr_png_(self):
        return self.render('png') if self.format == 'png' else None

    def _repr_mimebundle_(self, include=None, exclude=None):
        shown = 'png' if self.format == 'png' else 'svg'
        bundle = {_MIME[shown]: self.render(shown) if shown == 'png' else self.render(shown).decode(),
                  'text/plain': repr(self)}
        if self.format == 'pdf':
            bundle['application/pdf'] = self.data
        return _filter(bundle, include, exclude)

    def __repr__(self):
        boxes, arrows = len(self.scene.nodes), len(self.scene.edges)
        return (f'<Picture {self.format}: {boxes} box{"es" if boxes != 1 else ""}, '
                f'{arrows} arrow{"s" if arrows != 1 else ""}>')


def _filter(bundle: dict, include=None, exclude=None) -> dict:
    """``bundle`` restricted to the MIME types ``include`` names and without those ``exclude`` names."""
    return {mime: value for mime, value in bundle.items()
            if (not include or mime in include) and (not exclude or mime not in exclude)}
