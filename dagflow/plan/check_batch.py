"""The pre-flight check of ``B('name')``: what a step reads from the batch must exist when it runs.

A name exists when the batch class declares it (a component, a property, a
method, a class attribute), when a batch of the dataset has it, or when an
earlier step of the main section creates it: an assignment to ``B('name')``
(``update``, ``save_to=``), an action given the name as a string argument
(``load(dst='features')``, ``add_components('mask')``), or an action whose
code sets ``self.name``.  After a step that could create any name (an action
whose code cannot be read, ``setattr`` with a computed name, a function given
the whole batch), nothing more is reported.

Examples
--------
>>> import numpy as np
>>> from dagflow import Batch, Dataset, B, V
>>> class Images(Batch):
...     components = 'images', 'labels'
>>> ds = Dataset(4, batch_class=Images, preloaded={'images': np.zeros((4, 2)), 'labels': np.zeros(4)})
>>> p = ds.p.init_variable('s', 0).update(V('s'), B('imagse').sum())
>>> print(check_batch_names(p.compile(), ds))  # doctest: +ELLIPSIS
check: 1 problem(s)
  main[0] update (...): reads B('imagse') but Images has no component or attribute 'imagse'... Did you mean 'images'?...
"""
from __future__ import annotations

import ast
import functools
import inspect

from ..core.step import StepKind
from ..exceptions import suggestion_text
from ..expr import walk
from .effects import assigned_arguments
from .learn import _parse, _user_function

__all__ = ['check_batch_names', 'batch_names']

_OPAQUE = None   # what a step creates when it could create anything


def batch_names(dataset) -> frozenset | None:
    """Names a batch of ``dataset`` has before any step runs (None when the dataset cannot tell)."""
    batch_class = getattr(dataset, 'batch_class', None)
    if batch_class is None:
        return None
    if '__getattr__' in {name for cls in batch_class.__mro__ if not _is_dagflow(cls) for name in vars(cls)}:
        return None   # the class answers any name itself
    names = set(dir(batch_class)) | set(getattr(batch_class, 'components', None) or ())
    try:   # components may also come from the data: ask a batch of one item
        sample = dataset.create_batch(dataset.indices[:1])
        names |= set(dir(sample)) | set(getattr(sample, 'components', None) or ())
    except Exception:  # noqa: BLE001 - a dataset that cannot make a batch here: the class must do
        pass
    return frozenset(names)


def check_batch_names(plan, dataset):
    """Report the ``B('name')`` reads in the main section of names the batch will not have.

    Returns a :class:`~dagflow.plan.check.CheckReport` (empty when the
    dataset is unknown or its batch class answers any name).
    """
    from .check import CheckReport, _problem
    report = CheckReport()
    known = batch_names(dataset)
    if known is None:
        return report
    known = set(known)
    batch_class = dataset.batch_class
    for node in plan.section_nodes('main'):
        step = plan.nodes[node]['step']
        for name in sorted(_reads(step) - known):
            components = tuple(getattr(batch_class, 'components', None) or ())
            candidates = [*components, *(n for n in known if not n.startswith('_'))]
            report.append(_problem(plan, node, f'reads B({name!r}) but {batch_class.__name__} has no component or '
                                               f'attribute {name!r} and no earlier step creates it.'
                                               f'{suggestion_text(name, candidates)} Its components are '
                                               f'{components}; declare the component on the batch class, or '
                                               f'create it in an earlier step (update(B({name!r}), ...))'))
        created = _created(step, batch_class)
        if created is _OPAQUE:
            break
        known |= created
    return report


def _reads(step) -> set[str]:
    """The names the step reads from the batch (``B('x')``, ``B('x')[0]`` as a target included)."""
    if step.kind is StepKind.SUB:
        return set().union(*(_reads(sub) for sub in step.target[1])) | _names(step.target[0])
    targets = _targets(step)
    names = set()
    for value in (*step.args, *step.kwargs.values()):
        if any(value is target for target in targets):
            if not _bare_b(value):
                names |= _names(value)
        elif isinstance(value, (list, tuple)) and value and all(any(v is t for t in targets) for v in value):
            names |= set().union(*(_names(v) for v in value if not _bare_b(v)))
        else:
            names |= _names(value)
    return names


def _created(step, batch_class):
    """The names a step creates on the batch, or ``_OPAQUE`` when it could create any."""
    if step.kind is StepKind.SUB:
        parts = [_created(sub, batch_class) for sub in step.target[1]]
        return _OPAQUE if any(part is _OPAQUE for part in parts) else set().union(*parts)
    created = set()
    for target in _targets(step):
        for location in (target if isinstance(target, (list, tuple)) else [target]):
            if _bare_b(location):
                created.add(location.name)
    if step.kind is StepKind.ACTION:
        created |= _strings((step.args, step.kwargs))
        function = batch_class.actions().get(step.name) if batch_class is not None else None
        assigned = _assigned(function, batch_class) if function is not None else _OPAQUE
        if assigned is _OPAQUE:
            return _OPAQUE
        created |= assigned
    elif any(getattr(leaf, 'kind', None) == 'B' and not leaf.name for leaf in walk((step.args, step.kwargs))):
        return _OPAQUE   # a function given the whole batch may set anything on it
    return created


def _targets(step) -> list:
    """The arguments of ``step`` that are assignment targets."""
    return assigned_arguments(step)


def _bare_b(value) -> bool:
    return getattr(value, 'kind', None) == 'B' and bool(getattr(value, 'name', None))


def _names(value) -> set[str]:
    return {leaf.name for leaf in walk(value) if getattr(leaf, 'kind', None) == 'B' and leaf.name}


def _strings(value) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, (list, tuple, set, frozenset)):
        return set().union(*(_strings(item) for item in value)) if value else set()
    if isinstance(value, dict):
        return _strings(list(value.values()))
    return set()


def _is_dagflow(cls) -> bool:
    module = getattr(cls, '__module__', '') or ''
    return module == 'builtins' or module == 'dagflow' or module.startswith('dagflow.')


@functools.lru_cache(maxsize=512)
def _assigned(function, owner, visited=frozenset()):
    """Names ``function`` sets on its batch (``self.x = ...``, ``setattr(self, 'x', ...)``, helpers'), or _OPAQUE."""
    function = inspect.unwrap(getattr(function, '__func__', function))
    if _is_dagflow(function):
        return frozenset()   # dagflow's own actions create only the names they are given
    parsed = _parse(function)
    if parsed is None:
        return _OPAQUE
    node, _ = parsed
    arguments = node.args.posonlyargs + node.args.args
    if not arguments:
        return _OPAQUE
    me = arguments[0].arg
    names = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Attribute) and _is_me(child.value, me) and isinstance(child.ctx, ast.Store):
            names.add(child.attr)
        elif isinstance(child, ast.Call) and isinstance(child.func, ast.Name) and child.func.id == 'setattr' \
                and child.args and _is_me(child.args[0], me):
            name = child.args[1] if len(child.args) > 1 else None
            if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
                return _OPAQUE
            names.add(name.value)
        elif isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute) and _is_me(child.func.value, me):
            helper = _user_function(owner, child.func.attr)
            if helper is not None and helper not in visited and helper is not function:
                inner = _assigned(helper, owner, visited | {function})
                if inner is _OPAQUE:
                    return _OPAQUE
                names |= inner
            names |= {arg.value for arg in [*child.args, *(k.value for k in child.keywords)]
                      if isinstance(arg, ast.Constant) and isinstance(arg.value, str)}
    return frozenset(names)


def _is_me(node, me: str) -> bool:
    return isinstance(node, ast.Name) and node.id == me
