"""Mermaid flowchart text of a scene, for Markdown pages and GitHub.

Sections become subgraphs; box kinds become classes (``pure``, ``state``,
``model``); batch arrows are solid, state arrows coloured and labelled,
carried arrows dotted (Mermaid's ``-.->``).  User text is written with
Mermaid's entity codes (``#quot;``, ``#lt;``), so quotes and angle brackets in
arguments cannot break the chart.

Examples
--------
>>> from dagflow import Pipeline, V
>>> print(plan_to_mermaid(Pipeline().init_variable('n', 0).update(V('n'), V('n') + 1).compile()))
flowchart TB
  subgraph sec_main["main: for every batch"]
    main_0["0 <b>update</b><br/>V('n'), (V('n') + 1)<br/><small>reads var:n · writes var:n</small>"]
  end
  main_0 -.->|var:n #40;next batch#41;| main_0
  linkStyle 0 stroke:#c0392b,color:#c0392b
  classDef pure fill:#dbeafe,stroke:#2563eb
  classDef state fill:#fef3c7,stroke:#b45309
  classDef model fill:#fdd9b5,stroke:#c2410c,stroke-width:2px
  classDef data fill:#e5e7eb,stroke:#6b7280
  classDef empty fill:#ffffff,stroke:#9ca3af,stroke-dasharray:3
  class main_0 state
"""
from __future__ import annotations

from collections.abc import Iterable

from ..plan import SECTIONS
from .scene import EdgeKind, Node, NodeKind, Scene, plan_scene
from .style import NODE_STYLES

__all__ = ['mermaid_escape', 'plan_to_mermaid', 'scene_to_mermaid']

# Inside a quoted label only these end or format the text; an edge label (between pipes) is not quoted.
_ENTITIES = {'#': '#35;', '"': '#quot;', '<': '#lt;', '>': '#gt;', '&': '#amp;', '`': '#96;'}
_EDGE_ENTITIES = {**_ENTITIES, '|': '#124;', '(': '#40;', ')': '#41;', '[': '#91;', ']': '#93;', '{': '#123;',
                  '}': '#125;'}
# Box shapes by kind: rounded for pure steps, a "subroutine" box for model steps, a stadium for batches.
_SHAPES = {NodeKind.PURE: ('("', '")'), NodeKind.STATE: ('["', '"]'), NodeKind.MODEL: ('[["', '"]]'),
           NodeKind.DATA: ('(["', '"])'), NodeKind.EMPTY: ('["', '"]')}


def mermaid_escape(text: str, edge: bool = False) -> str:
    """Write ``text`` with Mermaid entity codes for the characters that end or format a label.

    ``edge=True`` escapes for an unquoted edge label (brackets and pipes too).

    Examples
    --------
    >>> mermaid_escape('say "hi" <b>')
    'say #quot;hi#quot; #lt;b#gt;'
    >>> mermaid_escape('a|b (c)', edge=True)
    'a#124;b #40;c#41;'
    """
    entities = _EDGE_ENTITIES if edge else _ENTITIES
    return ''.join(entities.get(char, char) for char in str(text))


def plan_to_mermaid(plan, sections: Iterable[str] = SECTIONS, rankdir: str = 'TB') -> str:
    """The Mermaid flowchart of a compiled plan (see :func:`dagflow.viz.scene.plan_scene`)."""
    return scene_to_mermaid(plan_scene(plan, sections, rankdir, legend=False))


def scene_to_mermaid(scene: Scene) -> str:
    """The Mermaid flowchart text of ``scene``."""
    lines = [f'flowchart {scene.rankdir}']
    for cluster, label in scene.clusters.items():
        lines.append(f'  subgraph sec_{cluster}["{mermaid_escape(label)}"]')
        lines.extend(f'    {_node(node)}' for node in scene.nodes if node.cluster == cluster)
        lines.append('  end')
    lines.extend(f'  {_node(node)}' for node in scene.nodes if node.cluster not in scene.clusters)
    styles = []
    for number, edge in enumerate(scene.edges):
        label = ' '.join(edge.label.split('\n'))
        arrow = '-->' if edge.kind in (EdgeKind.BATCH, EdgeKind.STATE) else '-.->'
        text = f'|{mermaid_escape(label, edge=True)}|' if label else ''
        lines.append(f'  {edge.source} {arrow}{text} {edge.target}')
        if edge.kind is not EdgeKind.BATCH:
            styles.append(f'  linkStyle {number} stroke:{edge.color},color:{edge.color}')
    lines.extend(styles)
    for kind, style in NODE_STYLES.items():
        extra = ',stroke-width:2px' if kind is NodeKind.MODEL else ''
        extra += ',stroke-dasharray:3' if kind is NodeKind.EMPTY else ''
        lines.append(f'  classDef {kind.value} fill:{style.fill},stroke:{style.border}{extra}')
    for kind in NodeKind:
        members = [node.id for node in scene.nodes if node.kind is kind]
        if members:
            lines.append(f'  class {",".join(members)} {kind.value}')
    return '\n'.join(lines)


def _node(node: Node) -> str:
    parts = [(f'{mermaid_escape(node.prefix)} ' if node.prefix else '') + f'<b>{mermaid_escape(node.title)}</b>']
    parts += [mermaid_escape(line) for line in node.lines]
    if node.note:
        parts.append(f'<small>{mermaid_escape(node.note)}</small>')
    opening, closing = _SHAPES[node.kind]
    return f"{node.id}{opening}{'<br/>'.join(parts)}{closing}"
