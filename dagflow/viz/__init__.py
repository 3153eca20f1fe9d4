"""Pictures of plans and runs: Graphviz and Mermaid text, SVG/PNG/PDF files, timelines and histories.

Most users reach these through the pipeline (``pipeline.visualize()``,
``pipeline.visualize_dask()``, ``pipeline.plot_timeline()``,
``pipeline.plot('loss')``); the functions here take a compiled plan or a
profile directly.

Examples
--------
>>> from dagflow import Pipeline, V
>>> from dagflow.viz import plan_to_dot
>>> plan = Pipeline().init_variable('n', 0).update(V('n'), V('n') + 1).compile()
>>> plan_to_dot(plan).startswith('digraph')
True
"""
from .dask_graph import lowered_scene
from .dot import plan_to_dot, scene_to_dot
from .errors import GraphvizNotFoundWarning, VizError
from .history import plot_history
from .mermaid import plan_to_mermaid, scene_to_mermaid
from .picture import Picture
from .render import find_dot, render_with_graphviz, render_with_matplotlib
from .scene import Edge, EdgeKind, Node, NodeKind, Scene, plan_scene
from .timeline import plot_timeline, step_times
from .views import draw_lowered, draw_plan, notebook_bundle

__all__ = ['Edge', 'EdgeKind', 'GraphvizNotFoundWarning', 'Node', 'NodeKind', 'Picture', 'Scene', 'VizError',
           'draw_lowered', 'draw_plan', 'find_dot', 'lowered_scene', 'notebook_bundle', 'plan_scene', 'plan_to_dot',
           'plan_to_mermaid', 'plot_history', 'plot_timeline', 'render_with_graphviz', 'render_with_matplotlib',
           'scene_to_dot', 'scene_to_mermaid', 'step_times']
