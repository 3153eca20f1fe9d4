"""How each kind of box and arrow looks, shared by the Graphviz, Mermaid and matplotlib drawings.

Examples
--------
>>> NODE_STYLES[NodeKind.MODEL].fill, EDGE_STYLES[EdgeKind.CARRIED].line
('#fdd9b5', 'dashed')
"""
from __future__ import annotations

from dataclasses import dataclass

from .scene import EdgeKind, NodeKind

__all__ = ['EDGE_STYLES', 'EdgeStyle', 'FONT', 'MONO_FONT', 'MUTED', 'NODE_STYLES', 'NodeStyle']

FONT = 'Helvetica'
MONO_FONT = 'Courier'
MUTED = '#6b7280'  # grey of positions, notes and cluster labels


@dataclass(frozen=True)
class NodeStyle:
    """The look of a box: Graphviz ``shape`` and ``style``, colours, border width, and words for the legend."""

    shape: str
    style: str
    fill: str
    border: str
    width: float
    look: str      # the shape in words
    color: str     # the fill in words
    meaning: str

    def legend(self, colored: bool = True) -> str:
        """``'rounded, blue: pure step ...'``; without the colour when fills mean something else (timings)."""
        return f'{self.look}, {self.color}: {self.meaning}' if colored else f'{self.look}: {self.meaning}'


@dataclass(frozen=True)
class EdgeStyle:
    """The look of an arrow: ``line`` is ``'solid'``, ``'dashed'`` or ``'dotted'``; its legend text."""

    line: str
    width: float
    legend: str


NODE_STYLES = {
    NodeKind.PURE: NodeStyle('box', 'rounded,filled', '#dbeafe', '#2563eb', 1.0, 'rounded', 'blue',
                             'pure step, no shared state; batches run it in parallel'),
    NodeKind.STATE: NodeStyle('box', 'filled', '#fef3c7', '#b45309', 1.2, 'square', 'yellow',
                              'state step, uses variables, config or output; runs in serial order'),
    NodeKind.MODEL: NodeStyle('box3d', 'filled', '#fdd9b5', '#c2410c', 2.0, '3-D', 'orange',
                              'model step, uses a model; runs in serial order'),
    NodeKind.DATA: NodeStyle('box', 'rounded,filled', '#e5e7eb', '#6b7280', 1.0, 'rounded', 'grey',
                             'a batch entering the graph'),
    NodeKind.EMPTY: NodeStyle('box', 'dashed', '#ffffff', '#9ca3af', 1.0, 'dashed', 'white', 'no steps'),
}

EDGE_STYLES = {
    EdgeKind.BATCH: EdgeStyle('solid', 1.3, 'batch: the batch goes on to the next step'),
    EdgeKind.STATE: EdgeStyle('solid', 1.6, 'state, same batch: waits for that step (colour: variable/model)'),
    EdgeKind.CARRIED: EdgeStyle('dashed', 1.6, 'carried: the step of batch k+1 waits for this step of batch k'),
    EdgeKind.WINDOW: EdgeStyle('dotted', 1.2, 'window: a batch starts when batch k-prefetch-1 is done'),
    EdgeKind.FLOW: EdgeStyle('dotted', 1.2, 'sections run one after another'),
}
