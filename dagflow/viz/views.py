"""What a pipeline shows: its plan, its lowered graph, its last run and its Jupyter display, from values.

Every function here takes a compiled plan or a profile (never the pipeline):
``Pipeline.visualize``, ``visualize_dask`` and the pipeline's Jupyter display
are one-line calls into them (as ``to_dot``, ``to_mermaid``, ``plot_timeline``
and ``plot`` are into :func:`~dagflow.viz.plan_to_dot`,
:func:`~dagflow.viz.plan_to_mermaid`, :func:`~dagflow.viz.plot_timeline` and
:func:`~dagflow.viz.plot_history`).

Examples
--------
>>> from dagflow import Pipeline, V
>>> plan = Pipeline().init_variable('n', 0).update(V('n'), V('n') + 1).compile()
>>> draw_plan(plan, format='dot').source.startswith('digraph plan {')
True
>>> sorted(notebook_bundle('<Pipeline>', lambda: plan))
['image/svg+xml', 'text/html', 'text/plain']
"""
from __future__ import annotations

import html
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from ..plan import SECTIONS
from .dask_graph import lowered_scene
from .errors import VizError
from .picture import Picture
from .render import FORMATS, check_format
from .scene import plan_scene

__all__ = ['draw_plan', 'draw_lowered', 'notebook_bundle']


def draw_plan(plan, filename: str | os.PathLike | None = None, format: str | None = None,
              sections: Iterable[str] = SECTIONS, rankdir: str = 'TB', timings=False, legend: bool = True, *,
              profile=None) -> Picture:
    """Draw a compiled plan: one box per step, sections as clusters, state and carried edges.

    Pure steps are rounded blue boxes, state steps yellow boxes, model
    steps orange 3-D boxes; the batch flows along solid black arrows,
    state orders steps along coloured arrows labelled with the variable or
    model, and dashed arrows reach into the next batch.  Uses Graphviz's
    ``dot`` when installed, else graphviz-pure (``pip install
    'dagflow[graphviz]'``, SVG and PNG), else matplotlib (and says once
    how to get Graphviz).

    Parameters
    ----------
    plan : Plan
        The compiled pipeline.
    filename : str or path, optional
        Also write the picture there.
    format : {'svg', 'png', 'pdf', 'dot'}, optional
        Default: the suffix of ``filename``, else ``'svg'``.
    sections : iterable of str
        Which of ``'before'``, ``'main'``, ``'after'`` to draw.
    rankdir : {'TB', 'LR'}
        Top to bottom or left to right.
    timings : bool or DataFrame
        ``True``: fill boxes by the total time of each step in ``profile``;
        or a profile itself.
    legend : bool
        Whether to draw a legend.
    profile : DataFrame, optional
        The run's profile (``pipeline.profile`` after ``run(..., profile=True)``), for ``timings=True``.

    Returns
    -------
    Picture
        Shows itself in Jupyter; ``.save(path)``, ``.data``, ``.source`` (DOT).

    Examples
    --------
    >>> from dagflow import Pipeline, V
    >>> plan = Pipeline().init_variable('n', 0).update(V('n'), V('n') + 1).compile()
    >>> 'update' in draw_plan(plan, format='dot').source
    True
    """
    fmt = _format_for(filename, format)
    return _saved(Picture(plan_scene(plan, sections, rankdir, timings, legend, profile=profile), fmt), filename, fmt)


def draw_lowered(plan, n_batches: int = 3, prefetch: int | None = None, filename: str | os.PathLike | None = None,
                 format: str | None = None, rankdir: str = 'LR', legend: bool = True) -> Picture:
    """Draw the Dask graph a run of ``plan`` lowers to, for ``n_batches`` batches: one lane per batch.

    Consecutive pure steps are fused into one task per batch: the lanes run
    them in parallel.  Each state step is a task that waits for the same
    step (or the previous conflicting one) of the batch before: the state
    chain, in serial order, runs across the lanes.

    Parameters
    ----------
    plan : Plan
        The compiled pipeline.
    n_batches : int
        How many batches to draw.
    prefetch : int, optional
        Also draw the window edges of ``run(..., prefetch=prefetch)``.
    filename, format, rankdir, legend
        As in :func:`draw_plan` (``rankdir`` defaults to ``'LR'``: lanes are rows).

    Returns
    -------
    Picture

    Examples
    --------
    >>> from dagflow import Pipeline, V
    >>> plan = Pipeline().init_variable('n', 0).update(V('n'), V('n') + 1).compile()
    >>> 'g0_b0 -> g0_b1' in draw_lowered(plan, 2, format='dot').source
    True
    """
    fmt = _format_for(filename, format)
    return _saved(Picture(lowered_scene(plan, n_batches, prefetch, rankdir, legend), fmt), filename, fmt)


def notebook_bundle(title: str, compile_plan: Callable, include=None, exclude=None) -> dict:
    """What Jupyter shows for a pipeline: its plan's picture, a summary and the plan as text.

    ``title`` is the pipeline's ``repr``; ``compile_plan()`` gives its plan.
    A pipeline that cannot compile still shows itself, with the reason.

    Examples
    --------
    >>> bundle = notebook_bundle('<Pipeline>', lambda: 1 / 0)
    >>> print(bundle['text/plain'])
    <Pipeline>
    It cannot be drawn: ZeroDivisionError: division by zero
    """
    try:
        plan = compile_plan()
        svg = _inline_svg(Picture(plan_scene(plan), 'svg').render('svg').decode())
    except Exception as exc:  # noqa: BLE001 - a pipeline that cannot compile still shows itself, and why
        text = f'{title}\nIt cannot be drawn: {type(exc).__name__}: {exc}'
        return _only({'text/plain': text, 'text/html': f'<pre>{html.escape(text)}</pre>'}, include, exclude)
    summary = _summary(title, plan)
    page = (f'<div><div style="max-width:100%;overflow:auto">{svg}</div>'
            f'<pre style="margin-top:4px">{html.escape(summary)}</pre>'
            f'<details><summary>the plan as text</summary><pre>{html.escape(str(plan))}</pre></details></div>')
    bundle = {'text/plain': f'{summary}\n{plan}', 'text/html': page, 'image/svg+xml': svg}
    return _only(bundle, include, exclude)


def _saved(picture: Picture, filename, fmt: str) -> Picture:
    if filename is not None:
        picture.save(filename, fmt)
    return picture


def _format_for(filename, format: str | None) -> str:
    if format is not None:
        return check_format(format)
    if filename is None:
        return 'svg'
    suffix = Path(filename).suffix.lower().lstrip('.')
    if suffix not in FORMATS:
        raise VizError(f'Cannot tell the format of {str(filename)!r} from its suffix: give format= one of '
                       f'{FORMATS}, or a file name ending in one of them.', name='format')
    return suffix


def _inline_svg(svg: str) -> str:
    """An SVG document without its XML prologue, to put inside HTML."""
    start = svg.find('<svg')
    return svg[start:] if start >= 0 else svg


def _summary(title: str, plan) -> str:
    parts = [title]
    if plan.variables:
        parts.append('variables: ' + ', '.join(sorted(plan.variables)))
    if plan.models:
        parts.append('models: ' + ', '.join(spec.describe() for _, spec in sorted(plan.models.items())))
    return ' · '.join(parts)


def _only(bundle: dict, include=None, exclude=None) -> dict:
    return {mime: value for mime, value in bundle.items()
            if (not include or mime in include) and (not exclude or mime not in exclude)}
