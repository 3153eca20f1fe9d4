"""Render a scene to SVG, PNG or PDF: with Graphviz's ``dot`` when it is installed, else with matplotlib.

The Graphviz program is looked up once per call with :func:`find_dot` (the
``DAGFLOW_DOT`` environment variable may name it).  Without it, or when it
fails, the picture is drawn by :mod:`dagflow.viz.fallback`, and a
:class:`~dagflow.viz.errors.GraphvizNotFoundWarning` says once per session how
to get the Graphviz rendering.

Examples
--------
>>> from dagflow import Pipeline, V
>>> from dagflow.viz.scene import plan_scene
>>> scene = plan_scene(Pipeline().init_variable('n', 0).update(V('n'), V('n') + 1).compile())
>>> render(scene, 'dot').startswith(b'digraph')
True
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import warnings

from .dot import scene_to_dot
from .errors import GraphvizNotFoundWarning, VizError
from .scene import Scene

__all__ = ['FORMATS', 'GRAPHVIZ_HINT', 'find_dot', 'render', 'render_with_graphviz', 'render_with_matplotlib']

#: The output formats: Graphviz and matplotlib both write them.
FORMATS = ('svg', 'png', 'pdf', 'dot')

GRAPHVIZ_HINT = ("Graphviz's `dot` program was not found, so dagflow drew this picture with matplotlib. For the "
                 "Graphviz layout, install Graphviz: `apt-get install graphviz` (Debian, Ubuntu), `brew install "
                 "graphviz` (macOS), `conda install -c conda-forge graphviz`, or https://graphviz.org/download/ "
                 "(or set DAGFLOW_DOT to the path of `dot`).")

_hinted = False  # the hint is given once per session


def find_dot() -> str | None:
    """The path of Graphviz's ``dot`` program: ``$DAGFLOW_DOT`` if set, else ``dot`` on the ``PATH``, else None."""
    return os.environ.get('DAGFLOW_DOT') or shutil.which('dot')


def check_format(format: str) -> str:
    """``format`` in lower case, or a :class:`VizError` naming the formats there are."""
    fmt = str(format).lower().lstrip('.')
    if fmt not in FORMATS:
        raise VizError(f'Cannot draw a picture in format {format!r}: expected one of {FORMATS}.', name='format')
    return fmt


def render(scene: Scene, format: str = 'svg') -> bytes:
    """The picture of ``scene`` in ``format`` (``'svg'``, ``'png'``, ``'pdf'`` or ``'dot'`` text), as bytes."""
    fmt = check_format(format)
    if fmt == 'dot':
        return scene_to_dot(scene).encode()
    dot = find_dot()
    if dot is not None:
        try:
            return render_with_graphviz(scene_to_dot(scene), fmt, dot)
        except (OSError, subprocess.SubprocessError) as exc:
            warnings.warn(f'Graphviz failed ({exc}); drawing the picture with matplotlib instead.',
                          GraphvizNotFoundWarning, stacklevel=2)
    else:
        _hint_once()
    return render_with_matplotlib(scene, fmt)


def render_with_graphviz(dot_text: str, format: str, dot: str = 'dot', timeout: float = 60) -> bytes:
    """Run ``dot -T<format>`` on ``dot_text``; raise :class:`subprocess.CalledProcessError` when it fails."""
    done = subprocess.run([dot, f'-T{format}'], input=dot_text.encode(), capture_output=True, timeout=timeout)
    if done.returncode != 0 or not done.stdout:
        raise subprocess.CalledProcessError(done.returncode, done.args, done.stdout,
                                            done.stderr.decode(errors='replace').strip())
    return done.stdout


def render_with_matplotlib(scene: Scene, format: str) -> bytes:
    """Draw ``scene`` with the matplotlib fallback and return the file's bytes."""
    import matplotlib.pyplot as plt

    from .fallback import draw_scene
    figure = draw_scene(scene)
    try:
        buffer = io.BytesIO()
        figure.savefig(buffer, format=format, metadata=_reproducible(format))
        return buffer.getvalue()
    finally:
        plt.close(figure)


def _reproducible(format: str) -> dict:
    """Metadata that keeps the bytes of two drawings of one scene equal (no dates)."""
    if format == 'svg':
        return {'Date': None}
    if format == 'pdf':
        return {'CreationDate': None}
    return {}


def _hint_once():
    global _hinted
    if not _hinted:
        _hinted = True
        warnings.warn(GRAPHVIZ_HINT, GraphvizNotFoundWarning, stacklevel=3)
