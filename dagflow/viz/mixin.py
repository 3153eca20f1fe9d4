"""The picture half of :class:`~dagflow.Pipeline`: plans, lowered graphs, timelines, and Jupyter display.

Examples
--------
>>> from dagflow import Pipeline, V
>>> p = Pipeline().init_variable('n', 0).update(V('n'), V('n') + 1)
>>> print(p.to_mermaid().splitlines()[0])
flowchart TB
>>> sorted(p._repr_mimebundle_())
['image/svg+xml', 'text/html', 'text/plain']
"""
from __future__ import annotations

import html
import os
from collections.abc import Iterable
from pathlib import Path

from ..plan import SECTIONS
from .dask_graph import lowered_scene
from .dot import scene_to_dot
from .errors import VizError
from .mermaid import scene_to_mermaid
from .picture import Picture
from .render import FORMATS, check_format
from .scene import Scene, plan_scene
from .timeline import check_profile, plot_history, plot_timeline, step_times

__all__ = ['VisualMixin']


class VisualMixin:
    """Pictures of a pipeline: ``visualize``, ``to_dot``, ``to_mermaid``, ``visualize_dask``, ``plot_timeline``,
    ``plot``; and its display as the last expression of a Jupyter cell (the plan's picture and a summary)."""

    def visualize(self, filename: str | os.PathLike | None = None, format: str | None = None,
                  sections: Iterable[str] = SECTIONS, rankdir: str = 'TB', timings=False,
                  legend: bool = True) -> Picture:
        """Draw the compiled plan: one box per step, sections as clusters, state and carried edges.

        Pure steps are rounded blue boxes, state steps yellow boxes, model
        steps orange 3-D boxes; the batch flows along solid black arrows,
        state orders steps along coloured arrows labelled with the variable or
        model, and dashed arrows reach into the next batch.  Uses Graphviz's
        ``dot`` when installed, else graphviz-pure (``pip install
        'dagflow[graphviz]'``, SVG and PNG), else matplotlib (and says once
        how to get Graphviz).

        Parameters
        ----------
        filename : str or path, optional
            Also write the picture there.
        format : {'svg', 'png', 'pdf', 'dot'}, optional
            Default: the suffix of ``filename``, else ``'svg'``.
        sections : iterable of str
            Which of ``'before'``, ``'main'``, ``'after'`` to draw.
        rankdir : {'TB', 'LR'}
            Top to bottom or left to right.
        timings : bool or DataFrame
            ``True``: fill boxes by the total time of each step in
            ``pipeline.profile`` (after ``run(..., profile=True)``); or a profile.
        legend : bool
            Whether to draw a legend.

        Returns
        -------
        Picture
            Shows itself in Jupyter; ``.save(path)``, ``.data``, ``.source`` (DOT).

        Examples
        --------
        >>> from dagflow import Pipeline, V
        >>> picture = Pipeline().init_variable('n', 0).update(V('n'), V('n') + 1).visualize(format='dot')
        >>> 'update' in picture.source
        True
        """
        fmt = _format_for(filename, format)
        picture = Picture(self._plan_scene(sections, rankdir, timings, legend), fmt)
        if filename is not None:
            picture.save(filename, fmt)
        return picture

    def to_dot(self, sections: Iterable[str] = SECTIONS, rankdir: str = 'TB', timings=False,
               legend: bool = True) -> str:
        """The Graphviz DOT text of the plan's picture (see :meth:`visualize`).

        Examples
        --------
        >>> from dagflow import Pipeline, V
        >>> Pipeline().init_variable('n', 0).update(V('n'), V('n') + 1).to_dot().startswith('digraph plan {')
        True
        """
        return scene_to_dot(self._plan_scene(sections, rankdir, timings, legend))

    def to_mermaid(self, sections: Iterable[str] = SECTIONS, rankdir: str = 'TB') -> str:
        """The plan as a Mermaid flowchart, for Markdown pages and GitHub (put it in a ```` ```mermaid ```` block).

        Examples
        --------
        >>> from dagflow import Pipeline, V
        >>> text = Pipeline().init_variable('n', 0).update(V('n'), V('n') + 1).to_mermaid()
        >>> text.splitlines()[:2]
        ['flowchart TB', '  subgraph sec_main["main: for every batch"]']
        """
        return scene_to_mermaid(self._plan_scene(sections, rankdir, False, legend=False))

    def visualize_dask(self, n_batches: int = 3, prefetch: int | None = None,
                       filename: str | os.PathLike | None = None, format: str | None = None, rankdir: str = 'LR',
                       legend: bool = True) -> Picture:
        """Draw the Dask graph a run lowers to, for ``n_batches`` batches: one lane per batch.

        Consecutive pure steps are fused into one task per batch: the lanes
        run them in parallel.  Each state step is a task that waits for the
        same step (or the previous conflicting one) of the batch before: the
        state chain, in serial order, runs across the lanes.

        Parameters
        ----------
        n_batches : int
            How many batches to draw.
        prefetch : int, optional
            Also draw the window edges of ``run(..., prefetch=prefetch)``.
        filename, format, rankdir, legend
            As in :meth:`visualize` (``rankdir`` defaults to ``'LR'``: lanes are rows).

        Returns
        -------
        Picture

        Examples
        --------
        >>> from dagflow import Pipeline, V
        >>> picture = Pipeline().init_variable('n', 0).update(V('n'), V('n') + 1).visualize_dask(2, format='dot')
        >>> 'g0_b0 -> g0_b1' in picture.source
        True
        """
        fmt = _format_for(filename, format)
        picture = Picture(lowered_scene(self.compile(), n_batches, prefetch, rankdir, legend), fmt)
        if filename is not None:
            picture.save(filename, fmt)
        return picture

    def plot_timeline(self, ax=None, **kwargs):
        """Draw the last profiled run as a Gantt chart: one lane per worker, bars coloured by step.

        Needs ``run(..., profile=True)`` first.  Keyword arguments go to
        :func:`dagflow.viz.timeline.plot_timeline` (``title``, ``legend``,
        ``batch_labels``); bars of state steps get a dark outline.

        Returns
        -------
        matplotlib.axes.Axes
        """
        profile = check_profile(self._profile())
        return plot_timeline(profile, ax, plan=self.compile(), **kwargs)

    def plot(self, name: str, ax=None, smooth: int | None = None):
        """Plot the history of the variable ``name``: a list of numbers (say, losses) or of arrays.

        Parameters
        ----------
        name : str
            The variable, e.g. one filled by ``save_to=V('loss', mode='a')``.
        ax : matplotlib.axes.Axes, optional
            Where to draw; a new figure by default.
        smooth : int, optional
            Also draw the moving average over this many values.

        Returns
        -------
        matplotlib.axes.Axes

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use('Agg')
        >>> from dagflow import Pipeline
        >>> p = Pipeline().init_variable('loss', [0.9, 0.5, 0.4])
        >>> p.plot('loss').get_ylabel()
        'loss'
        >>> import matplotlib.pyplot as plt; plt.close('all')
        """
        return plot_history(self.get_variable(name), name, ax, smooth=smooth)

    # ------------------------------------------------------------------ Jupyter
    def _repr_mimebundle_(self, include=None, exclude=None):
        try:
            plan = self.compile()
            svg = _inline_svg(Picture(plan_scene(plan), 'svg').render('svg').decode())
        except Exception as exc:  # noqa: BLE001 - a pipeline that cannot compile still shows itself, and why
            text = f'{self!r}\nIt cannot be drawn: {type(exc).__name__}: {exc}'
            return _only({'text/plain': text, 'text/html': f'<pre>{html.escape(text)}</pre>'}, include, exclude)
        summary = _summary(self, plan)
        page = (f'<div><div style="max-width:100%;overflow:auto">{svg}</div>'
                f'<pre style="margin-top:4px">{html.escape(summary)}</pre>'
                f'<details><summary>the plan as text</summary><pre>{html.escape(str(plan))}</pre></details></div>')
        bundle = {'text/plain': f'{summary}\n{plan}', 'text/html': page, 'image/svg+xml': svg}
        return _only(bundle, include, exclude)

    def _repr_html_(self):
        return self._repr_mimebundle_(include=['text/html']).get('text/html')

    def _repr_svg_(self):
        return self._repr_mimebundle_(include=['image/svg+xml']).get('image/svg+xml')

    def _profile(self):
        """``self.profile`` if set (not looked up as an action, as ``Pipeline.__getattr__`` would)."""
        try:
            return object.__getattribute__(self, 'profile')
        except AttributeError:
            return None

    def _plan_scene(self, sections, rankdir, timings, legend) -> Scene:
        times = None
        if timings is True:
            times = step_times(self._profile())
        elif timings is not False and timings is not None:
            times = step_times(timings)
        return plan_scene(self.compile(), sections, rankdir, times, legend)


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


def _summary(pipeline, plan) -> str:
    parts = [repr(pipeline)]
    if plan.variables:
        parts.append('variables: ' + ', '.join(sorted(plan.variables)))
    if plan.models:
        parts.append('models: ' + ', '.join(spec.describe() for _, spec in sorted(plan.models.items())))
    return ' · '.join(parts)


def _only(bundle: dict, include=None, exclude=None) -> dict:
    return {mime: value for mime, value in bundle.items()
            if (not include or mime in include) and (not exclude or mime not in exclude)}
