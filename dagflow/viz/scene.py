"""What a picture shows, independent of who draws it: a :class:`Scene` of boxes, arrows and clusters.

A plan (or a lowered run) is turned into a scene once; the DOT writer
(:mod:`dagflow.viz.dot`), the Mermaid writer (:mod:`dagflow.viz.mermaid`) and
the matplotlib fallback (:mod:`dagflow.viz.fallback`) only draw scenes.  So the
content of a picture — which steps, which labels, which edges, which colours —
is decided in one place, and the three outputs agree.

Examples
--------
>>> from dagflow import Pipeline, V
>>> scene = plan_scene(Pipeline().init_variable('n', 0).update(V('n'), V('n') + 1).compile())
>>> [(node.id, node.title, node.kind.value) for node in scene.nodes]
[('main_0', 'update', 'state')]
>>> [(edge.kind.value, edge.label) for edge in scene.edges]
[('carried', 'var:n\\n(next batch)')]
"""
from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..core import Resource, ResourceKind
from ..core.step import StepKind
from ..plan import SECTIONS
from ..plan.effects import Access
from .errors import VizError

__all__ = ['CLUSTER_LABELS', 'Edge', 'EdgeKind', 'Node', 'NodeKind', 'RESOURCE_COLORS', 'Scene', 'argument_lines',
           'check_rankdir', 'effects_note', 'format_seconds', 'node_id', 'plan_scene', 'resource_colors',
           'section_position', 'short_repr', 'timing_color']


class NodeKind(enum.Enum):
    """What a box stands for; each kind has its own shape and colour."""

    PURE = 'pure'      # touches no shared state: may run in parallel
    STATE = 'state'    # reads or writes variables, locks, config or output
    MODEL = 'model'    # uses a model
    DATA = 'data'      # a batch entering the lowered graph
    EMPTY = 'empty'    # a placeholder for a section without steps


class EdgeKind(enum.Enum):
    """What an arrow stands for; each kind has its own line style."""

    BATCH = 'batch'      # the batch flows from step to step
    STATE = 'state'      # ordered by shared state within one batch
    CARRIED = 'carried'  # ordered by shared state across batches: batch k+1 waits for batch k
    WINDOW = 'window'    # prefetch window: a batch starts when an older one is done
    FLOW = 'flow'        # control passes from one section to the next


#: Readable names of the sections, shown on their clusters.
CLUSTER_LABELS = {'before': 'before: once, before the first batch',
                  'main': 'main: for every batch',
                  'after': 'after: once, after the last batch'}

#: Colours of the resources of state edges, assigned in order (models first, then variables, ...).
RESOURCE_COLORS = ('#c0392b', '#7d3c98', '#1e8449', '#b9770e', '#2e86c1', '#a04000', '#117a65', '#884ea0',
                   '#d35400', '#1a5276')


@dataclass(frozen=True)
class Node:
    """One box.

    Parameters
    ----------
    id : str
        Unique in the scene, a plain identifier (``'main_4'``).
    title : str
        The bold first line (the action name).
    lines : tuple of str
        Further lines (the arguments), drawn as code.
    note : str
        A small last line (effects, timings).
    kind : NodeKind
    cluster : str, optional
        The cluster (section, batch) the box belongs to.
    prefix : str
        Drawn before the title in grey (the step's position).
    fill : str, optional
        A fill colour overriding the kind's (timings).
    lane : int, optional
        For lane layouts: the row (batch) of the box.
    tooltip : str
        Shown when the pointer rests on the box (SVG): the whole step and where it was added.
    """

    id: str
    title: str
    lines: tuple = ()
    note: str = ''
    kind: NodeKind = NodeKind.PURE
    cluster: str | None = None
    prefix: str = ''
    fill: str | None = None
    lane: int | None = None
    tooltip: str = ''


@dataclass(frozen=True)
class Edge:
    """One arrow from ``source`` to ``target`` (node ids), of ``kind``, with an optional label and colour.

    A label may have several lines (``'\\n'``); writers that cannot break lines join them with spaces.
    """

    source: str
    target: str
    kind: EdgeKind = EdgeKind.BATCH
    label: str = ''
    color: str = '#333333'


@dataclass
class Scene:
    """Boxes, arrows and clusters, plus how to lay them out.

    ``clusters`` maps a cluster id to its label, in drawing order; ``notes``
    are extra lines for the legend (e.g. what the timing colours mean).
    ``scale`` is ``(colours, text)`` for a colour scale in the legend (timings).
    ``chain`` says that the batch arrows lay the boxes out as a chain and the
    state and carried arrows are drawn around it (a plan: carried arrows point
    back); False lets every arrow place the boxes (a lowered run, where all
    arrows point forward in time).
    """

    nodes: list = field(default_factory=list)
    edges: list = field(default_factory=list)
    clusters: dict = field(default_factory=dict)
    rankdir: str = 'TB'
    title: str = ''
    legend: bool = True
    notes: tuple = ()
    scale: tuple | None = None
    chain: bool = True

    def node(self, node_id: str) -> Node:
        """The node with ``node_id``."""
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)

    def kinds(self) -> tuple[set, set]:
        """The node kinds and edge kinds present, for the legend."""
        return {n.kind for n in self.nodes}, {e.kind for e in self.edges}


def short_repr(value, limit: int = 40) -> str:
    """The repr of an argument as the user wrote it, shortened to ``limit`` characters.

    Named expressions print as written; functions and classes by their name.

    Examples
    --------
    >>> from dagflow import V
    >>> short_repr(V('loss', mode='a')), short_repr(len), short_repr('x' * 50, limit=10)
    ("V('loss', mode='a')", 'len', "'xxxxxx...")
    """
    if callable(value) and hasattr(value, '__qualname__') and not hasattr(value, 'kind'):
        text = value.__qualname__
    else:
        text = repr(value)
    text = ' '.join(text.split())  # no newlines inside a label
    return text if len(text) <= limit else text[:limit - 3] + '...'


def argument_lines(step, width: int = 38) -> tuple[str, ...]:
    """The arguments of ``step`` packed into lines of about ``width`` characters.

    Examples
    --------
    >>> from dagflow import B, V
    >>> from dagflow.core import Step, StepKind
    >>> argument_lines(Step('train_model', StepKind.API, args=('cnn', B.images, B.labels),
    ...                     kwargs={'save_to': V('loss', mode='a')}))
    ("'cnn', B.images, B.labels,", "save_to=V('loss', mode='a')")
    """
    if step.kind is StepKind.SUB:
        probability, steps = step.target
        return (f'with probability {short_repr(probability)}:', *(short_repr(s, width) for s in steps))
    parts = [short_repr(arg) for arg in step.args]
    parts += [f'{key}={short_repr(value)}' for key, value in step.kwargs.items()]
    lines, current = [], ''
    for part in parts:
        candidate = f'{current}, {part}' if current else part
        if current and len(candidate) > width:
            lines.append(current + ',')
            current = part
        else:
            current = candidate
    if current:
        lines.append(current)
    return tuple(lines)


def resource_colors(resources: Iterable[Resource | str]) -> dict:
    """Resource (as its ``'kind:name'`` label) -> colour: models first, then variables, then the rest, each sorted.

    Examples
    --------
    >>> resource_colors(['var:n', Resource(ResourceKind.MODEL, 'cnn')])
    {'model:cnn': '#c0392b', 'var:n': '#7d3c98'}
    """
    order = {ResourceKind.MODEL: 0, ResourceKind.VARIABLE: 1}
    ordered = sorted({Resource.parse(r) for r in resources}, key=lambda r: (order.get(r.kind, 2), r))
    return {str(r): RESOURCE_COLORS[i % len(RESOURCE_COLORS)] for i, r in enumerate(ordered)}


def effects_note(effects) -> str:
    """``'reads var:n · writes var:n'`` for a step's effects."""
    reads = [str(r) for r in sorted(e.resource for e in effects if e.access is Access.READ)]
    writes = [str(r) for r in sorted(e.resource for e in effects if e.access is Access.WRITE)]
    parts = ([f"reads {', '.join(reads)}"] if reads else []) + ([f"writes {', '.join(writes)}"] if writes else [])
    return ' · '.join(parts)


def node_id(node: tuple) -> str:
    """The scene id of a plan node: ``('main', 4)`` -> ``'main_4'``."""
    return f'{node[0]}_{node[1]}'


def plan_scene(plan, sections: Iterable[str] = SECTIONS, rankdir: str = 'TB',
               timings=None, legend: bool = True, *, profile=None) -> Scene:
    """The scene of a compiled plan: one box per step, sections as clusters.

    Parameters
    ----------
    plan : Plan
        The compiled pipeline.
    sections : iterable of str
        The sections to draw; ``before``/``after`` are drawn only when they have steps.
    rankdir : {'TB', 'LR'}
        Top to bottom or left to right.
    timings : bool, DataFrame or mapping, optional
        Fill boxes by the total time of each step: ``True`` for the times in
        ``profile``, a profile itself, or plan node -> ``(total seconds,
        count)`` (see :func:`dagflow.viz.timeline.step_times`).
    legend : bool
        Whether to draw a legend.
    profile : DataFrame, optional
        A run's profile (``run(..., profile=True)``), read when ``timings=True``.

    Returns
    -------
    Scene
    """
    sections = _check_sections(sections)
    scene = Scene(rankdir=check_rankdir(rankdir), legend=legend)
    nodes = [n for s in sections for n in plan.section_nodes(s)]
    colors = resource_colors(r for _, _, resources in plan.state_edges() for r in resources)
    timings = _step_times(timings, profile)
    fills = _timing_fills(timings, nodes) if timings is not None else {}
    firsts, lasts = {}, {}
    for section in sections:
        members = plan.section_nodes(section)
        if not members and section != 'main':
            continue
        scene.clusters[section] = CLUSTER_LABELS[section]
        if not members:
            scene.nodes.append(Node('main_empty', '(no steps)', kind=NodeKind.EMPTY, cluster='main'))
            firsts[section] = lasts[section] = 'main_empty'
            continue
        firsts[section], lasts[section] = node_id(members[0]), node_id(members[-1])
        for node in members:
            scene.nodes.append(_plan_node(plan, node, fills.get(node), timings))
    present = [s for s in SECTIONS if s in scene.clusters]
    for previous, section in zip(present, present[1:]):
        label = 'then for every batch' if section == 'main' else 'after the last batch'
        scene.edges.append(Edge(lasts[previous], firsts[section], EdgeKind.FLOW, label, '#7f8c8d'))
    kept = set(nodes)
    for source, target, data in sorted(plan.edges(data=True), key=_edge_order):
        if source not in kept or target not in kept:
            continue
        if data['batch']:
            scene.edges.append(Edge(node_id(source), node_id(target), EdgeKind.BATCH))
        if data['resources']:  # one arrow per pair of steps, labelled with all it carries: no stacked loops
            kind = EdgeKind.CARRIED if data['carried'] else EdgeKind.STATE
            resources = sorted(map(str, data['resources']), key=list(colors).index)
            label = ', '.join(resources) + ('\n(next batch)' if data['carried'] else '')
            scene.edges.append(Edge(node_id(source), node_id(target), kind, label, colors[resources[0]]))
    if timings is not None:
        top = max((timings.get(n, (0.0, 0))[0] for n in nodes), default=0.0)
        scene.scale = (tuple(timing_color(share) for share in (0.0, 0.25, 0.5, 0.75, 1.0)),
                       f'fill: total time of the step, from none to {format_seconds(top)}')
    return scene


def _plan_node(plan, node, fill, timings) -> Node:
    data = plan.nodes[node]
    step = data['step']
    if data['models']:
        kind = NodeKind.MODEL
    else:
        kind = NodeKind.PURE if data['pure'] else NodeKind.STATE
    note = effects_note(data['effects'])
    if timings is not None:
        total, count = timings.get(node, (0.0, 0))
        timing = f'{format_seconds(total)} over {count} call{"s" if count != 1 else ""}'
        note = f'{note} · {timing}' if note else timing
    tooltip = f'{section_position(node)}: {step!r}' + (f' (added at {step.source})' if step.source else '')
    return Node(node_id(node), step.label, argument_lines(step), note, kind, node[0], str(node[1]), fill,
                tooltip=tooltip)


def section_position(node: tuple) -> str:
    """``('main', 4)`` -> ``'main 4'``."""
    return f'{node[0]} {node[1]}'


def _edge_order(edge):
    source, target, data = edge
    return (not data['batch'], data['carried'], SECTIONS.index(source[0]), source[1], target[1])


def timing_color(share: float) -> str:
    """The fill of a step that took ``share`` (0 to 1) of the slowest step's time: white to orange.

    The scale stops at orange so that the text on the box stays readable.

    Examples
    --------
    >>> timing_color(0.0), timing_color(1.0) != timing_color(0.5)
    ('#ffffff', True)
    """
    from matplotlib import colormaps, colors
    return colors.to_hex(colormaps['YlOrRd'](0.5 * share)) if share > 0 else '#ffffff'


def _timing_fills(timings: Mapping, nodes) -> dict:
    top = max((timings.get(n, (0.0, 0))[0] for n in nodes), default=0.0)
    return {node: timing_color(timings.get(node, (0.0, 0))[0] / top if top > 0 else 0.0) for node in nodes}


def format_seconds(seconds: float) -> str:
    """``0.0123`` -> ``'12.3 ms'``.

    Examples
    --------
    >>> format_seconds(0.0123), format_seconds(2.5), format_seconds(4e-6)
    ('12.3 ms', '2.50 s', '4.0 µs')
    """
    if seconds >= 1:
        return f'{seconds:.2f} s'
    if seconds >= 1e-3:
        return f'{seconds * 1e3:.1f} ms'
    return f'{seconds * 1e6:.1f} µs'


def _step_times(timings, profile) -> Mapping | None:
    """Plan node -> ``(seconds, count)`` from what ``timings`` says (None: no timings)."""
    if timings is None or timings is False:
        return None
    if isinstance(timings, Mapping):
        return timings
    from .timeline import step_times  # pandas is read only when timings are drawn
    return step_times(profile if timings is True else timings)


def _check_sections(sections) -> tuple:
    if isinstance(sections, str):
        sections = (sections,)
    sections = tuple(sections)
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        raise VizError(f'Unknown section {unknown[0]!r}: expected some of {SECTIONS}.', name=unknown[0])
    return tuple(s for s in SECTIONS if s in sections)


def check_rankdir(rankdir: str) -> str:
    """``rankdir`` if it is 'TB' or 'LR', else a :class:`VizError`."""
    if rankdir not in ('TB', 'LR'):
        raise VizError(f"rankdir must be 'TB' (top to bottom) or 'LR' (left to right), got {rankdir!r}.",
                       name='rankdir')
    return rankdir
