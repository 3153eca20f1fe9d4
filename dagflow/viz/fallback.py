"""Draw a scene with matplotlib alone, for machines without Graphviz.

The layout is layered: every box gets a *rank* (the longest path to it over
the arrows that do not point back), ranks stack top to bottom (``TB``) or left
to right (``LR``), and boxes of one rank sit side by side, or in their lane.
Arrows between neighbouring ranks are straight; the others run along *tracks*
beside the boxes: state arrows on one side, carried (next-batch) arrows on the
other, nested so that they do not cover each other.  Sizes are in inches and
measured from the fonts, so labels fit their boxes.

Examples
--------
>>> import matplotlib
>>> matplotlib.use('Agg')
>>> from dagflow import Pipeline, V
>>> from dagflow.viz.scene import plan_scene
>>> figure = draw_scene(plan_scene(Pipeline().init_variable('n', 0).update(V('n'), V('n') + 1).compile()))
>>> len(figure.axes)
1
>>> import matplotlib.pyplot as plt; plt.close(figure)
"""
from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
from matplotlib.font_manager import FontProperties
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle
from matplotlib.path import Path
from matplotlib.textpath import TextToPath

from .scene import EdgeKind, Node, NodeKind, Scene
from .style import EDGE_STYLES, MUTED, NODE_STYLES

__all__ = ['draw_scene', 'layout_scene']

_FONTS = {'title': FontProperties(family='sans-serif', weight='bold', size=10),
          'prefix': FontProperties(family='sans-serif', size=10),
          'code': FontProperties(family='monospace', size=8.5),
          'note': FontProperties(family='sans-serif', size=7.5),
          'edge': FontProperties(family='sans-serif', size=7.5),
          'cluster': FontProperties(family='sans-serif', size=9),
          'legend': FontProperties(family='sans-serif', size=8)}
_LINE = 1.3           # line height, in font sizes
_PAD = (0.09, 0.06)   # inside a box, inches (x, y)
_RANK_GAP = 0.42      # between ranks
_CLUSTER_GAP = 0.55   # extra, where the cluster changes
_SLOT_GAP = 0.35      # between boxes of one rank
_TRACK_GAP = 0.2      # between tracks of arrows beside the boxes (TB)
_TRACK_GAP_LR = 0.3   # the same left to right, where the labels sit on the tracks
_CLUSTER_PAD = 0.14
_LINESTYLES = {'solid': '-', 'dashed': (0, (4, 3)), 'dotted': (0, (1, 2))}
_measure = TextToPath()


def text_size(text: str, font: str) -> tuple[float, float]:
    """Width and line height of ``text`` in inches, in one of the fonts of this module."""
    prop = _FONTS[font]
    width, _, _ = _measure.get_text_width_height_descent(text, prop, ismath=False)
    return width / 72, prop.get_size_in_points() * _LINE / 72


@dataclass
class Box:
    """A placed node: its size and centre (inches), rank and rank/cross coordinates."""

    node: Node
    width: float
    height: float
    rank: int = 0
    r: float = 0.0
    c: float = 0.0
    x: float = 0.0
    y: float = 0.0


@dataclass
class Route:
    """A placed edge: the points of its line, and its label's text, anchor point and alignment."""

    edge: object
    points: list
    label: str = ''
    label_at: tuple | None = None
    align: tuple = ('center', 'center')  # matplotlib's (ha, va) of the label at label_at

    def label_box(self) -> tuple | None:
        """``(x0, y0, x1, y1)`` of the label, or None."""
        if not self.label or self.label_at is None:
            return None
        lines = self.label.split('\n')
        width = max(text_size(line, 'edge')[0] for line in lines) + 0.04
        height = text_size('x', 'edge')[1] * len(lines) + 0.04
        x, y = self.label_at
        ha, va = self.align
        x0 = {'left': x, 'right': x - width, 'center': x - width / 2}[ha]
        y0 = {'bottom': y, 'top': y - height, 'center': y - height / 2}[va]
        return x0, y0, x0 + width, y0 + height


@dataclass
class Layout:
    """Boxes, routes and cluster frames ``(x0, y0, x1, y1)`` of a scene, in inches, y upwards."""

    boxes: dict = field(default_factory=dict)
    routes: list = field(default_factory=list)
    clusters: dict = field(default_factory=dict)


def _box(node: Node) -> Box:
    rows = [text_size(f'{node.prefix}  ' if node.prefix else '', 'prefix')[0] + text_size(node.title, 'title')[0]]
    height = text_size('x', 'title')[1]
    for line in node.lines:
        width, line_height = text_size(line, 'code')
        rows.append(width)
        height += line_height
    if node.note:
        width, line_height = text_size(node.note, 'note')
        rows.append(width)
        height += line_height
    return Box(node, max(rows) + 2 * _PAD[0], height + 2 * _PAD[1])


def _ranks(scene: Scene) -> dict:
    graph = nx.DiGraph()
    graph.add_nodes_from(node.id for node in scene.nodes)
    forward = [(e.source, e.target) for e in scene.edges
               if (e.kind is not EdgeKind.CARRIED or not scene.chain) and e.source != e.target]
    graph.add_edges_from(forward)
    if not nx.is_directed_acyclic_graph(graph):  # keep only the arrows that always point forward
        graph.remove_edges_from(list(graph.edges))
        graph.add_edges_from((e.source, e.target) for e in scene.edges
                             if e.kind in (EdgeKind.BATCH, EdgeKind.FLOW, EdgeKind.WINDOW))
    rank = {}
    for node in nx.topological_sort(graph):
        rank[node] = max((rank[p] + 1 for p in graph.predecessors(node)), default=0)
    return rank


def layout_scene(scene: Scene) -> Layout:
    """Place the boxes and route the arrows of ``scene`` (see the module docstring)."""
    layout = Layout({node.id: _box(node) for node in scene.nodes})
    tb = scene.rankdir == 'TB'
    depth = (lambda b: b.height) if tb else (lambda b: b.width)
    breadth = (lambda b: b.width) if tb else (lambda b: b.height)
    _place(scene, layout, _ranks(scene), depth, breadth)
    to_screen = (lambda r, c: (c, -r)) if tb else (lambda r, c: (r, -c))
    for box in layout.boxes.values():
        box.x, box.y = to_screen(box.r, box.c)
    layout.routes = _routes(scene, layout, depth, breadth, to_screen)
    for cluster, label in scene.clusters.items():
        frame = _cluster_frame(cluster, label, layout)
        if frame is not None:
            layout.clusters[cluster] = frame
    for route in layout.routes:  # arrows between sections start and end at the frames of the sections
        if route.edge.kind is EdgeKind.FLOW:
            _attach_to_frames(route, layout, tb)
    return layout


def _place(scene: Scene, layout: Layout, ranks: dict, depth, breadth):
    """Set the rank coordinate ``r`` (ranks one after another) and the cross coordinate ``c`` of every box."""
    order = {node.id: i for i, node in enumerate(scene.nodes)}
    by_rank: dict = {}
    for node_id, box in layout.boxes.items():
        box.rank = ranks[node_id]
        by_rank.setdefault(box.rank, []).append(box)
    lanes = sorted({b.node.lane for b in layout.boxes.values() if b.node.lane is not None})
    pitch = max((breadth(b) for b in layout.boxes.values()), default=0) + _SLOT_GAP
    label_room: dict = {}  # left to right, a labelled arrow to the next rank needs room for its label
    for edge in scene.edges if scene.rankdir == 'LR' else ():
        if edge.label and ranks[edge.target] == ranks[edge.source] + 1:
            width = text_size(edge_label(edge, False), 'edge')[0] + 0.3
            label_room[ranks[edge.target]] = max(label_room.get(ranks[edge.target], 0.0), width)
    end, previous_clusters = 0.0, None
    for rank in sorted(by_rank):
        members = sorted(by_rank[rank], key=lambda b: (b.node.lane if b.node.lane is not None else -1,
                                                       order[b.node.id]))
        clusters = {b.node.cluster for b in members}
        gap = 0.0 if previous_clusters is None else _RANK_GAP + (_CLUSTER_GAP if clusters != previous_clusters
                                                                 else 0.0)
        gap = max(gap, label_room.get(rank, 0.0))
        thickest = max(depth(b) for b in members)
        centre = end + gap + thickest / 2
        end, previous_clusters = centre + thickest / 2, clusters
        if lanes:
            for box in members:
                box.r, box.c = centre, lanes.index(box.node.lane) * pitch if box.node.lane is not None else 0.0
        else:
            cursor = -(sum(breadth(b) for b in members) + _SLOT_GAP * (len(members) - 1)) / 2
            for box in members:
                box.r, box.c = centre, cursor + breadth(box) / 2
                cursor += breadth(box) + _SLOT_GAP


def _attach_to_frames(route: Route, layout: Layout, tb: bool):
    source = layout.clusters.get(layout.boxes[route.edge.source].node.cluster)
    target = layout.clusters.get(layout.boxes[route.edge.target].node.cluster)
    if source is None or target is None or source == target or len(route.points) != 2:
        return
    (xa, ya), (xb, yb) = route.points
    if tb:
        route.points = [(xa, source[1]), (xb, target[3])]
    else:
        route.points = [(source[2], ya), (target[0], yb)]
    route.label_at = _beside(route.points, tb)


def _cluster_frame(cluster: str, label: str, layout: Layout) -> tuple | None:
    members = [b for b in layout.boxes.values() if b.node.cluster == cluster]
    if not members:
        return None
    inside = {b.node.id for b in members}
    xs = [x for b in members for x in (b.x - b.width / 2, b.x + b.width / 2 + 0.05)]
    ys = [y for b in members for y in (b.y - b.height / 2 - 0.05, b.y + b.height / 2)]
    for route in layout.routes:
        if route.edge.source in inside and route.edge.target in inside:
            xs += [x for x, _ in route.points]
            ys += [y for _, y in route.points]
            box = route.label_box()
            if box is not None:
                xs += [box[0] - 0.04, box[2] + 0.04]
                ys += [box[1] - 0.04, box[3] + 0.04]
    label_width, label_height = text_size(label, 'cluster')
    x0, x1 = min(xs) - _CLUSTER_PAD, max(xs) + _CLUSTER_PAD
    y0, y1 = min(ys) - _CLUSTER_PAD, max(ys) + _CLUSTER_PAD + label_height
    return x0, y0, max(x1, x0 + label_width + 2 * _CLUSTER_PAD), y1


def _routes(scene, layout, depth, breadth, to_screen) -> list:
    boxes = layout.boxes
    tb = scene.rankdir == 'TB'
    routes, tracked = [], []
    placed: list = []  # label boxes of diagonal arrows, kept apart
    for edge in scene.edges:
        s, t = boxes[edge.source], boxes[edge.target]
        between = [b for b in boxes.values() if abs(b.c - s.c) < 1e-9 and s.rank < b.rank < t.rank]
        chain = edge.kind in (EdgeKind.BATCH, EdgeKind.FLOW, EdgeKind.WINDOW)
        if chain and edge.source != edge.target and abs(s.c - t.c) < 1e-9 and t.rank > s.rank and not between:
            points = [to_screen(s.r + depth(s) / 2, s.c), to_screen(t.r - depth(t) / 2, t.c)]
            routes.append(Route(edge, points, edge_label(edge, tb), _beside(points, tb),
                                ('left', 'center') if tb else ('center', 'bottom')))
        elif edge.source != edge.target and abs(s.c - t.c) >= 1e-9:
            points = [_clip(s, t), _clip(t, s)]
            route = Route(edge, points, edge_label(edge, tb))
            (xa, ya), (xb, yb) = points
            for share in (0.5, 0.35, 0.65, 0.2, 0.8):
                route.label_at = (xa + share * (xb - xa), ya + share * (yb - ya))
                box = route.label_box()
                if box is None or not any(_overlap(box, other) for other in placed):
                    break
            if route.label_box() is not None:
                placed.append(route.label_box())
            routes.append(route)
        else:
            tracked.append(edge)
    routes.extend(_track_routes(tracked, boxes, depth, breadth, to_screen, tb))
    return routes


def _overlap(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _beside(points, tb: bool) -> tuple:
    """Where the label of a straight arrow goes: right of its middle (TB) or above it (LR)."""
    (xa, ya), (xb, yb) = points[0], points[-1]
    return ((xa + xb) / 2 + 0.06, (ya + yb) / 2) if tb else ((xa + xb) / 2, (ya + yb) / 2 + 0.04)


def edge_label(edge, multiline: bool = True) -> str:
    """The label of an arrow, on one line unless ``multiline``."""
    return edge.label if multiline else ' '.join(edge.label.split('\n'))


def _clip(box: Box, other: Box) -> tuple:
    """Where the line from the centre of ``box`` to the centre of ``other`` leaves ``box``."""
    dx, dy = other.x - box.x, other.y - box.y
    scale = min(box.width / 2 / abs(dx) if dx else float('inf'), box.height / 2 / abs(dy) if dy else float('inf'))
    return box.x + dx * scale, box.y + dy * scale


def _track_routes(edges, boxes, depth, breadth, to_screen, tb: bool) -> list:
    """Arrows that skip ranks, point back or loop: out to a track beside the boxes, along it, and back in.

    Short arrows get the inner tracks; a track and its label push the tracks of
    longer arrows over the same ranks further out, so lines and labels do not cross.
    """
    taken: dict = {1: [], -1: []}  # side -> [(low rank, high rank, outer edge of the track and its label)]
    gap = _TRACK_GAP if tb else _TRACK_GAP_LR
    routes = []
    for edge in sorted(edges, key=lambda e: (abs(boxes[e.target].rank - boxes[e.source].rank),
                                             boxes[e.source].rank)):
        s, t = boxes[edge.source], boxes[edge.target]
        side = -1 if edge.kind is EdgeKind.CARRIED else 1
        low, high = sorted((s.rank, t.rank))
        spanned = [b for b in boxes.values() if low <= b.rank <= high]
        outer = [b.c + side * breadth(b) / 2 for b in spanned]
        outer += [edge for lo, hi, edge in taken[side] if lo <= high and low <= hi]
        c_track = (max(outer) if side > 0 else min(outer)) + side * gap
        down = t.rank > s.rank or (t.rank == s.rank and side > 0)
        r_s = s.r + (depth(s) / 5 if down else -depth(s) / 5)
        r_t = t.r + (-depth(t) / 5 if down else depth(t) / 5)
        if s is t:
            r_s, r_t = s.r + depth(s) / 5, s.r - depth(s) / 5
        points = [to_screen(r_s, s.c + side * breadth(s) / 2), to_screen(r_s, c_track),
                  to_screen(r_t, c_track), to_screen(r_t, t.c + side * breadth(t) / 2)]
        x, y = to_screen((r_s + r_t) / 2, c_track)
        if tb:
            label_at, align = (x + side * 0.05, y), ('left' if side > 0 else 'right', 'center')
        else:
            label_at, align = (x, y - side * 0.03), ('center', 'top' if side > 0 else 'bottom')
        route = Route(edge, points, edge_label(edge, tb), label_at, align)
        box = route.label_box()
        reach = 0.0 if box is None else (box[2] - box[0] if tb else box[3] - box[1]) + 0.05
        taken[side].append((low, high, c_track + side * reach))
        routes.append(route)
    return routes


def draw_scene(scene: Scene, ax=None):
    """Draw ``scene`` with matplotlib; return the Figure (a new one sized to fit, unless ``ax`` is given)."""
    import matplotlib.pyplot as plt

    layout = layout_scene(scene)
    extent = _Extent()
    own = ax is None
    if own:
        figure = plt.figure(figsize=(1, 1))
        ax = figure.add_axes((0, 0, 1, 1))
    artists = []
    for cluster, frame in layout.clusters.items():
        artists += _draw_cluster(ax, scene.clusters[cluster], frame, extent)
    for route in layout.routes:
        artists += _draw_route(ax, route, extent)
    for box in layout.boxes.values():
        artists += _draw_box(ax, box, extent)
    if scene.title:
        extent.add(extent.x0, extent.y1 + 0.3)
        ax.text(extent.x0, extent.y1, scene.title, fontproperties=_FONTS['cluster'], va='top')
    if scene.legend:
        _draw_legend(ax, scene, extent)
    x0, y0, x1, y1 = extent.x0 - 0.15, extent.y0 - 0.15, extent.x1 + 0.15, extent.y1 + 0.15
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect('equal')
    ax.axis('off')
    if own:
        figure.set_size_inches(x1 - x0, y1 - y0)
    return ax.figure


class _Extent:
    """The bounding box of what was drawn, in inches."""

    def __init__(self):
        self.x0 = self.y0 = float('inf')
        self.x1 = self.y1 = float('-inf')

    def add(self, x, y):
        self.x0, self.x1 = min(self.x0, x), max(self.x1, x)
        self.y0, self.y1 = min(self.y0, y), max(self.y1, y)


def _draw_box(ax, box: Box, extent: _Extent) -> list:
    style = NODE_STYLES[box.node.kind]
    left, bottom = box.x - box.width / 2, box.y - box.height / 2
    artists = []
    if box.node.kind is NodeKind.MODEL:  # a shadow, like Graphviz's box3d
        artists.append(ax.add_patch(Rectangle((left + 0.05, bottom - 0.05), box.width, box.height,
                                              facecolor=style.border, edgecolor=style.border, zorder=2)))
    rounded = 'rounded' in style.style
    artists.append(ax.add_patch(FancyBboxPatch(
        (left, bottom), box.width, box.height,
        boxstyle='round,pad=0,rounding_size=0.08' if rounded else 'square,pad=0',
        facecolor=box.node.fill or style.fill, edgecolor=style.border, linewidth=style.width,
        linestyle='--' if 'dashed' in style.style else '-', zorder=3)))
    extent.add(left, bottom - 0.05)
    extent.add(left + box.width + 0.05, bottom + box.height)
    x, y = left + _PAD[0], bottom + box.height - _PAD[1]
    line_height = text_size('x', 'title')[1]
    if box.node.prefix:
        prefix = f'{box.node.prefix}  '
        artists.append(ax.text(x, y, prefix, fontproperties=_FONTS['prefix'], color=MUTED, va='top', zorder=4))
        x_title = x + text_size(prefix, 'prefix')[0]
    else:
        x_title = x
    artists.append(ax.text(x_title, y, box.node.title, fontproperties=_FONTS['title'], va='top', zorder=4,
                           style='italic' if box.node.kind is NodeKind.EMPTY else 'normal'))
    y -= line_height
    for line in box.node.lines:
        artists.append(ax.text(x, y, line, fontproperties=_FONTS['code'], va='top', zorder=4))
        y -= text_size(line, 'code')[1]
    if box.node.note:
        artists.append(ax.text(x, y, box.node.note, fontproperties=_FONTS['note'], color=MUTED, va='top', zorder=4))
    return artists


def _draw_route(ax, route: Route, extent: _Extent) -> list:
    edge = route.edge
    style = EDGE_STYLES[edge.kind]
    for x, y in route.points:
        extent.add(x, y)
    arrow = FancyArrowPatch(path=Path(route.points), arrowstyle='-|>,head_length=5,head_width=2.5',
                            color=edge.color, linewidth=style.width, linestyle=_LINESTYLES[style.line],
                            zorder=1 if edge.kind is EdgeKind.BATCH else 2)
    artists = [ax.add_patch(arrow)]
    box = route.label_box()
    if box is not None:
        extent.add(box[0], box[1])
        extent.add(box[2], box[3])
        artists.append(ax.text(*route.label_at, route.label, fontproperties=_FONTS['edge'], color=edge.color,
                               ha=route.align[0], va=route.align[1], zorder=5, linespacing=1.1,
                               bbox={'boxstyle': 'square,pad=0.1', 'facecolor': 'white', 'edgecolor': 'none',
                                     'alpha': 0.85}))
    return artists


def _draw_cluster(ax, label: str, frame: tuple, extent: _Extent) -> list:
    x0, y0, x1, y1 = frame
    extent.add(x0, y0)
    extent.add(x1, y1)
    patch = ax.add_patch(FancyBboxPatch((x0, y0), x1 - x0, y1 - y0, boxstyle='round,pad=0,rounding_size=0.1',
                                        facecolor='#f9fafb', edgecolor='#9ca3af', linewidth=0.8, zorder=0))
    text = ax.text(x0 + _CLUSTER_PAD, y1 - _CLUSTER_PAD / 2, label, fontproperties=_FONTS['cluster'], color=MUTED,
                   va='top', zorder=1)
    return [patch, text]


def _draw_legend(ax, scene: Scene, extent: _Extent):
    node_kinds, edge_kinds = scene.kinds()
    rows = [('node', kind) for kind in NODE_STYLES if kind in node_kinds and kind is not NodeKind.EMPTY]
    rows += [('edge', kind) for kind in EDGE_STYLES if kind in edge_kinds]
    rows += [('note', note) for note in scene.notes]
    rows += [('scale', scene.scale)] if scene.scale is not None else []
    x, y = extent.x0, extent.y0 - 0.3
    step = text_size('x', 'legend')[1] + 0.05
    for what, item in rows:
        if what == 'node':
            style = NODE_STYLES[item]
            ax.add_patch(Rectangle((x, y - 0.06), 0.32, 0.13, facecolor=style.fill if scene.scale is None else 'white',
                                   edgecolor=style.border, linewidth=style.width))
            text = style.legend(colored=scene.scale is None)
        elif what == 'scale':
            colors, text = item
            for i, color in enumerate(colors):
                ax.add_patch(Rectangle((x + i * 0.32 / len(colors), y - 0.06), 0.32 / len(colors), 0.13,
                                       facecolor=color, edgecolor='none'))
            ax.add_patch(Rectangle((x, y - 0.06), 0.32, 0.13, facecolor='none', edgecolor='#9ca3af', linewidth=0.8))
        elif what == 'edge':
            style = EDGE_STYLES[item]
            color = '#c0392b' if item in (EdgeKind.STATE, EdgeKind.CARRIED) else '#333333'
            ax.add_patch(FancyArrowPatch((x, y), (x + 0.32, y), arrowstyle='-|>,head_length=5,head_width=2.5',
                                         color=color, linewidth=style.width, linestyle=_LINESTYLES[style.line]))
            text = style.legend
        else:
            text = item
        ax.text(x + 0.42, y, text, fontproperties=_FONTS['legend'], va='center')
        extent.add(x + 0.42 + text_size(text, 'legend')[0], y - step / 2)
        y -= step
