"""The compiled plan: a ``networkx.DiGraph`` of steps and their effects.

Nodes are ``(section, position)`` tuples, e.g. ``('main', 2)``.  Node attributes:

``step``
    the :class:`~dagflow.core.Step` record;
``section``, ``position``
    where it stands;
``effects``
    a frozenset of :class:`~dagflow.plan.effects.Effect`;
``pure``
    True when the step touches no shared state (it may run in parallel);
``models``
    the names of the models the step uses, sorted (``'*'``: any model).

Edge attributes:

``batch``
    True when the batch (or, in ``before``/``after``, the control) flows along it;
``resources``
    the :class:`~dagflow.core.Resource` s that order the two steps (state edges), sorted;
``carried``
    True when the dependency crosses to the *next* batch: the target step of
    batch *k+1* waits for the source step of batch *k*.
"""
from __future__ import annotations

import networkx as nx

from ..core import Resource, ResourceKind
from ..expr import structural_key
from .effects import Access

__all__ = ['Plan', 'SECTIONS']

SECTIONS = ('before', 'main', 'after')


class Plan(nx.DiGraph):
    """A compiled pipeline.  Print it to read the pipeline; compare two with ``==``.

    Examples
    --------
    >>> from dagflow import Pipeline, V, B
    >>> plan = (Pipeline().init_variable('n', 0).update(V('n'), V('n') + 1)).compile()
    >>> print(plan)
    Plan: 1 step
    main
      0  update(V('n'), (V('n') + 1))           read var:n, write var:n
           carried from 0 (var:n)
    variables: n
    """

    def steps(self, section: str = 'main') -> list:
        """The step records of ``section`` in order."""
        return [self.nodes[node]['step'] for node in self.section_nodes(section)]

    def section_nodes(self, section: str = 'main') -> list:
        """The nodes of ``section`` in order."""
        return sorted(node for node in self.nodes if node[0] == section)

    @property
    def variables(self) -> dict:
        """Declared variables: name -> VariableSpec."""
        return self.graph.get('variables', {})

    @property
    def models(self) -> dict:
        """Declared models: name -> ModelSpec (``init_model``; loaded and imported ones appear as steps)."""
        return self.graph.get('models', {})

    def models_touched(self) -> dict:
        """Model name -> the nodes whose effects involve it (``'*'`` for steps that may use any model).

        Examples
        --------
        >>> from dagflow import Pipeline, B
        >>> from dagflow.models import BaseModel
        >>> p = Pipeline().init_model('m', BaseModel).train_model('m', B.x).predict_model('m', B.x)
        >>> p.compile().models_touched()
        {'m': [('before', 0), ('main', 0), ('main', 1)]}
        """
        found: dict = {}
        for node in sorted(self.nodes):
            for name in sorted({e.resource.name for e in self.nodes[node]['effects']
                                if e.resource.kind is ResourceKind.MODEL}):
                found.setdefault(name, []).append(node)
        return found

    def state_edges(self, carried: bool | None = None) -> list:
        """``(source, target, resources)`` of state edges, optionally only (not) carried ones."""
        return [(u, v, d['resources']) for u, v, d in self.edges(data=True)
                if d['resources'] and (carried is None or d['carried'] == carried)]

    def touching(self, resource: Resource | str) -> list:
        """Nodes whose effects involve ``resource``: a :class:`~dagflow.core.Resource`, or its ``'var:loss'``."""
        resource = Resource.parse(resource)
        return [n for n, d in self.nodes(data=True) if any(e.resource == resource for e in d['effects'])]

    def _signature(self):
        nodes = tuple(sorted((n, d['step'].key, d['effects']) for n, d in self.nodes(data=True)))
        edges = tuple(sorted((u, v, d['batch'], d['resources'], d['carried'])
                             for u, v, d in self.edges(data=True)))
        models = tuple(sorted((name, spec.mode, structural_key((spec.model_class, spec.imported)))
                              for name, spec in self.models.items()))
        return nodes, edges, tuple(sorted(self.variables)), models

    def __eq__(self, other):
        if not isinstance(other, Plan):
            return NotImplemented
        return self._signature() == other._signature()

    __hash__ = None

    def __str__(self):
        total = self.number_of_nodes()
        lines = [f"Plan: {total} step{'s' if total != 1 else ''}"]
        for section in SECTIONS:
            nodes = self.section_nodes(section)
            if not nodes and section != 'main':
                continue
            lines.append(section)
            for node in nodes:
                lines.extend(self._node_lines(node))
        if self.variables:
            lines.append('variables: ' + ', '.join(sorted(self.variables)))
        if self.models:
            lines.append('models: ' + ', '.join(spec.describe() for _, spec in sorted(self.models.items())))
        return '\n'.join(lines)

    def _node_lines(self, node) -> list[str]:
        data = self.nodes[node]
        effects = sorted(data['effects'], key=lambda e: (e.resource, e.access != Access.READ))
        text = f"  {node[1]:<2} {data['step']!r}"
        if effects:
            text = f"{text:<40}    " + ', '.join(str(e) for e in effects)
        lines = [text]
        for source, _, edge in sorted(self.in_edges(node, data=True)):
            if edge['resources']:
                kind = 'carried from' if edge['carried'] else 'after'
                lines.append(f"       {kind} {source[1]} ({', '.join(map(str, edge['resources']))})")
        return lines

    def __repr__(self):
        counts = {s: len(self.section_nodes(s)) for s in SECTIONS}
        return f'<Plan before={counts["before"]} main={counts["main"]} after={counts["after"]}>'
