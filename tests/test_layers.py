"""The layering of docs/architecture.md, checked on every import: at module level and inside functions."""
import ast
import pathlib

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / 'dagflow'

#: The import order, lowest first: a module may import its own layer, the layers of its group and lower ones.
ORDER = (
    ('exceptions', 'frozen', 'sentinel', 'seeds'),
    ('config',),
    ('data', 'expr'),
    ('core',),
    ('models', 'plan'),
    ('runtime',),
    ('engine',),
    ('viz',),
    ('pipeline',),
    ('cli', 'testing', 'demo', '__init__', '__main__'),
)
RANK = {layer: rank for rank, group in enumerate(ORDER) for layer in group}

#: The one arrow against the order: ``Dataset.pipeline()`` / ``Dataset.p`` make a pipeline (BatchFlow's API).
ALLOWED = {('data/dataset.py', 'dagflow.pipeline')}

#: Third-party packages only the engine (and what sits above it) may import, at any level.
ENGINE_ONLY = ('dask', 'distributed')


def _layer_of(path: pathlib.Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix('').parts
    return parts[0]


def every_import(path: pathlib.Path):
    """``(line, module)`` for each import in ``path``, at module level or inside functions.

    ``from .. import viz`` gives ``dagflow.viz`` (the module it names), not ``dagflow``.
    """
    package = '.'.join(path.relative_to(PACKAGE.parent).with_suffix('').parts[:-1])
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = package.split('.')[:len(package.split('.')) - node.level + 1] if node.level else []
            if node.module:
                yield node.lineno, '.'.join([*base, node.module])
            else:
                for alias in node.names:
                    yield node.lineno, '.'.join([*base, alias.name])


def _dagflow_layer(module: str) -> str | None:
    parts = module.split('.')
    if parts[0] != 'dagflow':
        return None
    return parts[1] if len(parts) > 1 else '__init__'


def _arrows_against_the_order():
    for path in sorted(PACKAGE.rglob('*.py')):
        me, where = _layer_of(path), path.relative_to(PACKAGE).as_posix()
        for line, module in every_import(path):
            target = _dagflow_layer(module)
            if target is not None and target in RANK and RANK[target] > RANK[me]:
                yield where, line, module


def test_every_layer_has_a_place_in_the_order():
    layers = {_layer_of(path) for path in PACKAGE.rglob('*.py')}
    assert sorted(layers - set(RANK)) == []


def test_no_import_points_up_the_order():
    bad = [f'{where}:{line} imports {module}' for where, line, module in _arrows_against_the_order()
           if (where, '.'.join(module.split('.')[:2])) not in ALLOWED]
    assert not bad, bad


def test_the_allowed_exception_is_still_needed():
    used = {(where, '.'.join(module.split('.')[:2])) for where, _, module in _arrows_against_the_order()}
    assert used == ALLOWED


def test_dask_stays_in_the_engine_and_above():
    bad = [f'{path.relative_to(PACKAGE)}:{line} imports {module}'
           for path in sorted(PACKAGE.rglob('*.py')) if RANK[_layer_of(path)] < RANK['engine']
           for line, module in every_import(path) if module.split('.')[0] in ENGINE_ONLY]
    assert not bad, bad


def test_the_command_line_is_one_package_on_top_that_nothing_imports():
    assert (PACKAGE / 'cli' / '__init__.py').is_file()
    assert sorted(path.name for path in PACKAGE.glob('*.py') if path.stem.startswith('cli') or path.stem == 'loader') \
        == []
    bad = [f'{path.relative_to(PACKAGE)} imports {name}'
           for path in sorted(PACKAGE.rglob('*.py')) if 'cli' not in path.relative_to(PACKAGE).parts[:1]
           and path.name != '__main__.py'
           for _, name in every_import(path) if name == 'dagflow.cli' or name.startswith('dagflow.cli.')]
    assert not bad, bad
