"""The layering of DESIGN.md, checked on module-level imports."""
import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / 'dagflow'

# layer -> packages it must not import at module level
FORBIDDEN = {
    'data': ('dagflow.core', 'dagflow.pipeline', 'dagflow.plan', 'dagflow.engine', 'dask', 'distributed'),
    'expr': ('dagflow.core', 'dagflow.pipeline', 'dagflow.plan', 'dagflow.engine', 'dask', 'distributed'),
    'core': ('dagflow.data', 'dagflow.models', 'dagflow.pipeline', 'dagflow.plan', 'dagflow.engine', 'dagflow.viz',
             'dask', 'distributed'),
    'pipeline': ('dagflow.engine', 'dask', 'distributed'),
    'plan': ('dagflow.engine', 'dask', 'distributed'),
    'models': ('dagflow.pipeline', 'dagflow.plan', 'dagflow.engine', 'dask', 'distributed'),
    'engine': ('dagflow.pipeline.pipeline', 'dagflow.pipeline.registry', 'dagflow.pipeline.running'),
    'viz': ('dagflow.pipeline.pipeline', 'dagflow.pipeline.running', 'dagflow.engine', 'dask', 'distributed'),
}


def _module_level_imports(path: pathlib.Path):
    tree = ast.parse(path.read_text())
    package = '.'.join(path.relative_to(PACKAGE.parent).with_suffix('').parts[:-1])
    for node in tree.body:
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split('.')[:len(package.split('.')) - node.level + 1]
                yield '.'.join([*base, node.module] if node.module else base)
            else:
                yield node.module


@pytest.mark.parametrize('layer', sorted(FORBIDDEN))
def test_layer_imports_point_downward(layer):
    bad = []
    for path in sorted((PACKAGE / layer).rglob('*.py')):
        for name in _module_level_imports(path):
            if any(name == f or name.startswith(f + '.') for f in FORBIDDEN[layer]):
                bad.append(f'{path.name} imports {name}')
    assert not bad, bad
