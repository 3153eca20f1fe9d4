"""The paragraph -> test map in README.md here names tests that exist."""
import ast
import pathlib
import re

HERE = pathlib.Path(__file__).resolve().parent


def _test_names(path: pathlib.Path) -> set:
    return {node.name for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.FunctionDef)}


def test_every_test_the_map_names_exists():
    text = (HERE / 'README.md').read_text()
    named = re.findall(r'`((?:\.\./plan/)?test_\w+\.py)?::(test_\w+)`', text)
    assert len(named) > 30
    missing, last_file = [], None
    for file, name in named:
        last_file = file or last_file
        if name not in _test_names(HERE / last_file):
            missing.append(f'{last_file}::{name}')
    assert not missing


def test_every_guide_test_is_in_the_map():
    text = (HERE / 'README.md').read_text()
    unmapped = sorted(name for name in _test_names(HERE / 'test_guide.py')
                      if name.startswith('test_') and f'test_guide.py::{name}' not in text)
    assert not unmapped
