"""Render a scene to SVG, PNG or PDF: with Graphviz's ``dot``, else with graphviz-pure, else with matplotlib.

The Graphviz program is looked up once per call with :func:`find_dot`: the
``DAGFLOW_DOT`` environment variable if set, else Graphviz's own ``dot``, else
``graphviz-pure`` (a port of Graphviz to Rust that pip installs with
``pip install 'dagflow[graphviz]'``; it writes SVG and PNG, not PDF).  Without
either, or when the program fails, the picture is drawn by
:mod:`dagflow.viz.fallback`, and a
:class:`~dagflow.exceptions.GraphvizNotFoundWarning` says once per session how
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
import sys
import sysconfig
import warnings
from pathlib import Path

from .dot import scene_to_dot
from .errors import GraphvizNotFoundWarning, VizError
from .scene import Scene

__all__ = ['FORMATS', 'GRAPHVIZ_HINT', 'PDF_HINT', 'PIP_RENDERER', 'find_dot', 'find_pip_renderer', 'is_pip_renderer',
           'render', 'render_with_graphviz', 'render_with_matplotlib']

#: The output formats: Graphviz and matplotlib both write them.
FORMATS = ('svg', 'png', 'pdf', 'dot')

#: The Graphviz program that pip installs (``pip install 'dagflow[graphviz]'``); it writes SVG and PNG, not PDF.
PIP_RENDERER = 'graphviz-pure'

GRAPHVIZ_HINT = ("Neither Graphviz's `dot` nor graphviz-pure was found, so dagflow drew this picture with matplotlib. "
                 "For the Graphviz layout with pip alone: `pip install 'dagflow[graphviz]'` (graphviz-pure, a port "
                 "of Graphviz, SVG and PNG). Or install Graphviz: `apt-get install graphviz` (Debian, Ubuntu), "
                 "`brew install graphviz` (macOS), `conda install -c conda-forge graphviz`, or "
                 "https://graphviz.org/download/ (or set DAGFLOW_DOT to the path of `dot`).")

PDF_HINT = ("graphviz-pure writes SVG and PNG but not PDF, so dagflow drew this PDF with matplotlib. For a PDF with "
            "the Graphviz layout, install Graphviz's `dot` (https://graphviz.org/download/), or save the picture as "
            ".svg or .png.")

_hinted: set = set()  # each hint is given once per session


def find_dot() -> str | None:
    """The Graphviz program to run: ``$DAGFLOW_DOT`` if set, else ``dot`` on the ``PATH``, else graphviz-pure.

    graphviz-pure is looked up by :func:`find_pip_renderer`.  None when there
    is neither: pictures are then drawn with matplotlib.
    """
    return os.environ.get('DAGFLOW_DOT') or shutil.which('dot') or find_pip_renderer()


def find_pip_renderer() -> str | None:
    """The path of the ``graphviz-pure`` program: on the ``PATH``, else beside this Python, else None.

    Beside this Python means the scripts folder that pip installs into (a
    virtual environment's ``bin``, also when it is not activated) or the
    user's one (``pip install --user``).
    """
    return shutil.which(PIP_RENDERER) or shutil.which(PIP_RENDERER, path=os.pathsep.join(_script_folders()))


def _script_folders() -> list:
    """Where pip puts the programs of this Python's packages: its scripts folder, the user's, the interpreter's."""
    folders = [sysconfig.get_path('scripts'), sysconfig.get_path('scripts', sysconfig.get_preferred_scheme('user')),
               os.path.dirname(sys.executable)]
    return [folder for folder in folders if folder]


def is_pip_renderer(program: str) -> bool:
    """Whether ``program`` is graphviz-pure (by its file name), which cannot write PDF.

    Examples
    --------
    >>> is_pip_renderer('/venv/bin/graphviz-pure'), is_pip_renderer('/usr/bin/dot')
    (True, False)
    """
    return Path(program).name.lower().startswith(PIP_RENDERER)


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
    if dot is None:
        _hint_once(GRAPHVIZ_HINT)
    elif fmt == 'pdf' and is_pip_renderer(dot):
        _hint_once(PDF_HINT)
    else:
        try:
            return render_with_graphviz(scene_to_dot(scene), fmt, dot)
        except (OSError, subprocess.SubprocessError) as exc:
            failed = isinstance(exc, subprocess.CalledProcessError) and exc.stderr
            reason = f'{exc} {exc.stderr}' if failed else str(exc)
            warnings.warn(f'Graphviz failed ({reason}); drawing the picture with matplotlib instead.',
                          GraphvizNotFoundWarning, stacklevel=2)
    return render_with_matplotlib(scene, fmt)


def render_with_graphviz(dot_text: str, format: str, dot: str = 'dot', timeout: float = 60) -> bytes:
    """Run ``dot -T<format>`` on ``dot_text``; raise :class:`subprocess.CalledProcessError` when it fails.

    ``dot`` may be graphviz-pure, which takes the same command line; what it
    writes on stderr when it succeeds (notes on font metrics) is dropped.
    """
    done = subprocess.run([dot, f'-T{format}'], input=dot_text.encode(), capture_output=True, timeout=timeout)
    if done.returncode != 0 or not done.stdout:
        raise subprocess.CalledProcessError(done.returncode, done.args, done.stdout,
                                            done.stderr.decode(errors='replace').strip())
    return done.stdout


def render_with_matplotlib(scene: Scene, format: str) -> bytes:
    """Draw ``scene`` with the matplotlib fallback and return the file's bytes."""
    import matplotlib
    import matplotlib.pyplot as plt

    from .fallback import draw_scene
    figure = draw_scene(scene)
    try:
        buffer = io.BytesIO()
        with matplotlib.rc_context({'svg.hashsalt': 'dagflow'}):  # SVG ids from a fixed salt, not a random one
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


def _hint_once(hint: str):
    if hint not in _hinted:
        _hinted.add(hint)
        warnings.warn(hint, GraphvizNotFoundWarning, stacklevel=3)
