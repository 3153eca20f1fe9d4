"""Graphviz DOT text of a scene (and so of a plan or a lowered run).

Node labels are HTML-like labels (the action name in bold, the arguments in a
monospace font); every piece of user text is escaped, so a string argument
with quotes or angle brackets draws as written.

Examples
--------
>>> from dagflow import Pipeline, V
>>> text = plan_to_dot(Pipeline().init_variable('n', 0).update(V('n'), V('n') + 1).compile())
>>> text.splitlines()[0]
'digraph plan {'
>>> 'main_0 -> main_0 [' in text and 'style=dashed' in text
True
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..plan import SECTIONS
from .scene import Edge, EdgeKind, Node, NodeKind, Scene, plan_scene
from .style import EDGE_STYLES, FONT, MONO_FONT, MUTED, NODE_STYLES

__all__ = ['html_escape', 'plan_to_dot', 'quote', 'scene_to_dot']


def html_escape(text: str) -> str:
    """Escape ``text`` for a Graphviz HTML-like label.

    Examples
    --------
    >>> html_escape('say "hi" <b> & bye')
    'say &quot;hi&quot; &lt;b&gt; &amp; bye'
    """
    return (str(text).replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
            .replace('"', '&quot;'))


def quote(text: str) -> str:
    """A DOT double-quoted string of ``text`` (backslashes and quotes escaped, newlines as ``\\n``).

    Examples
    --------
    >>> print(quote('a "b"\\\\c'))
    "a \\"b\\"\\\\c"
    """
    escaped = str(text).replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n')
    return f'"{escaped}"'


def plan_to_dot(plan, sections: Iterable[str] = SECTIONS, rankdir: str = 'TB', timings=None, legend: bool = True,
                *, profile=None) -> str:
    """The DOT text of a compiled plan; see :func:`dagflow.viz.scene.plan_scene` for the parameters."""
    return scene_to_dot(plan_scene(plan, sections, rankdir, timings, legend, profile=profile))


def scene_to_dot(scene: Scene, name: str = 'plan') -> str:
    """The DOT text of ``scene``: clusters, boxes, arrows and a legend under the picture."""
    lines = [f'digraph {name} {{',
             f'  graph [rankdir={scene.rankdir}, compound=true, newrank=true, nodesep=0.35, ranksep=0.4, '
             f'fontname="{FONT}", fontsize=11, labelloc=b, labeljust=l];',
             f'  node [fontname="{FONT}", fontsize=11, margin="0.12,0.05"];',
             f'  edge [fontname="{FONT}", fontsize=9, arrowsize=0.7];']
    clustered = {cluster: [n for n in scene.nodes if n.cluster == cluster] for cluster in scene.clusters}
    for cluster, label in scene.clusters.items():
        lines.append(f'  subgraph cluster_{cluster} {{')
        lines.append(f'    label={quote(label)}; style="rounded,filled"; fillcolor="#f9fafb"; color="#9ca3af"; '
                     f'fontcolor="{MUTED}"; labeljust=l; labelloc=t;')
        lines.extend(f'    {_node_statement(node)}' for node in clustered[cluster])
        lines.append('  }')
    lines.extend(f'  {_node_statement(node)}' for node in scene.nodes if node.cluster not in scene.clusters)
    lanes = sorted({n.lane for n in scene.nodes if n.lane is not None})
    if lanes:  # keep the lanes top to bottom in order: their first boxes share a rank, in order
        firsts = [next(n.id for n in scene.nodes if n.lane == lane) for lane in lanes]
        lines.append('  { rank=same; ' + ' '.join(f'{first};' for first in firsts) + ' }')
        lines.extend(f'  {a} -> {b} [style=invis];' for a, b in zip(firsts, firsts[1:]))
    where = {node.id: node.cluster for node in scene.nodes}
    kinds = {node.id: node.kind for node in scene.nodes}
    lines.extend(f'  {_edge_statement(edge, where, kinds, scene.chain)}' for edge in scene.edges)
    if scene.legend or scene.title:
        lines.append(f'  label=<{legend_html(scene)}>;')
    lines.append('}')
    return '\n'.join(lines) + '\n'


def _node_statement(node: Node) -> str:
    style = NODE_STYLES[node.kind]
    rows = [f'<TD ALIGN="LEFT">{_title_html(node)}</TD>']
    rows += [f'<TD ALIGN="LEFT"><FONT FACE="{MONO_FONT}" POINT-SIZE="10">{html_escape(line)}</FONT></TD>'
             for line in node.lines]
    if node.note:
        rows.append(f'<TD ALIGN="LEFT"><FONT POINT-SIZE="9" COLOR="{MUTED}">{html_escape(node.note)}</FONT></TD>')
    label = ('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
             + ''.join(f'<TR>{row}</TR>' for row in rows) + '</TABLE>')
    attrs = [f'label=<{label}>', f'shape={style.shape}', f'style="{style.style}"',
             f'fillcolor="{node.fill or style.fill}"', f'color="{style.border}"', f'penwidth={style.width}']
    if node.lane is not None:  # one group per lane: Graphviz keeps a lane's boxes in one straight row
        attrs.append(f'group=lane{node.lane}')
    if node.tooltip:
        attrs.append(f'tooltip={quote(node.tooltip)}')
    return f'{node.id} [{", ".join(attrs)}];'


def _title_html(node: Node) -> str:
    prefix = f'<FONT COLOR="{MUTED}">{html_escape(node.prefix)}  </FONT>' if node.prefix else ''
    title = html_escape(node.title)
    return prefix + (f'<I>{title}</I>' if node.kind is NodeKind.EMPTY else f'<B>{title}</B>')


def _edge_statement(edge: Edge, where: Mapping, kinds: Mapping, chain: bool = True) -> str:
    style = EDGE_STYLES[edge.kind]
    attrs = [f'color="{edge.color}"', f'penwidth={style.width}']
    if style.line != 'solid':
        attrs.append(f'style={style.line}')
    if edge.kind is EdgeKind.BATCH:  # keep the chain of a batch straight, and its first task next to the batch
        attrs.append('weight=30' if kinds[edge.source] is NodeKind.DATA else 'weight=10')
    if edge.label:
        attrs += [f'label={quote(edge.label)}', f'fontcolor="{edge.color}"']
    if edge.kind in (EdgeKind.STATE, EdgeKind.CARRIED) and chain:
        attrs.append('constraint=false')  # the batch arrows place the boxes; state arrows go around the chain
    if edge.kind is EdgeKind.FLOW:
        attrs += [f'ltail=cluster_{where[edge.source]}', f'lhead=cluster_{where[edge.target]}']
    return f'{edge.source} -> {edge.target} [{", ".join(attrs)}];'


def legend_html(scene: Scene) -> str:
    """The title and legend of ``scene`` as a Graphviz HTML table: only the kinds of boxes and arrows it shows."""
    node_kinds, edge_kinds = scene.kinds() if scene.legend else (set(), set())
    rows = [f'<TD COLSPAN="2" ALIGN="LEFT"><B>{html_escape(scene.title)}</B></TD>'] if scene.title else []
    for kind, style in NODE_STYLES.items():
        if kind in node_kinds and kind is not NodeKind.EMPTY:
            legend = style.legend(colored=scene.scale is None)
            fill = style.fill if scene.scale is None else '#ffffff'
            rows.append(f'<TD BGCOLOR="{fill}" BORDER="1" COLOR="{style.border}" WIDTH="44"> </TD>'
                        f'<TD ALIGN="LEFT">{html_escape(legend)}</TD>')
    # ► (not ▶): graphviz-pure's fonts have it. It (as Graphviz without cairo) takes a non-ASCII letter to be as
    # wide as a space, so a sample starts at the left of a column made wide enough (the boxes' WIDTH) to hold it.
    samples = {'solid': '———►', 'dashed': '– – ►', 'dotted': '·····►'}
    for kind, style in EDGE_STYLES.items():
        if kind in edge_kinds:
            color = '#c0392b' if kind in (EdgeKind.STATE, EdgeKind.CARRIED) else '#333333'
            rows.append(f'<TD ALIGN="LEFT"><FONT COLOR="{color}">{samples[style.line]}</FONT></TD>'
                        f'<TD ALIGN="LEFT">{html_escape(style.legend)}</TD>')
    rows += [f'<TD> </TD><TD ALIGN="LEFT">{html_escape(note)}</TD>' for note in (scene.notes if scene.legend else ())]
    if scene.legend and scene.scale is not None:
        colors, text = scene.scale
        cells = ''.join(f'<TD BGCOLOR="{color}" WIDTH="10" HEIGHT="10"></TD>' for color in colors)
        rows.append(f'<TD><TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" COLOR="#9ca3af"><TR>{cells}</TR></TABLE>'
                    f'</TD><TD ALIGN="LEFT">{html_escape(text)}</TD>')
    return ('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="1">'
            + ''.join(f'<TR>{row}</TR>' for row in rows) + '</TABLE>')
