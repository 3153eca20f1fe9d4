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


def _every_import(path: pathlib.Path):
    """The modules ``path`` imports, at module level or inside functions."""
    package = '.'.join(path.relative_to(PACKAGE.parent).with_suffix('').parts[:-1])
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split('.')[:len(package.split('.')) - node.level + 1] if node.level else []
            yield '.'.join([*base, node.module] if node.module else base)


def test_the_command_line_is_one_package_on_top_that_nothing_imports():
    assert (PACKAGE / 'cli' / '__init__.py').is_file()
    assert sorted(path.name for path in PACKAGE.glob('*.py') if path.stem.startswith('cli') or path.stem == 'loader') \
        == []
    bad = [f'{path.relative_to(PACKAGE)} imports {name}'
           for path in sorted(PACKAGE.rglob('*.py')) if 'cli' not in path.relative_to(PACKAGE).parts[:1]
           and path.name != '__main__.py'
           for name in _every_import(path) if name == 'dagflow.cli' or name.startswith('dagflow.cli.')]
    assert not bad, bad
