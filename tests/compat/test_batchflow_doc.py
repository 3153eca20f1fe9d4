"""docs/batchflow.md, the migration page: every row is pinned by tests that exist.

A row's third column names tests as ``path::Class::test`` (or a module for its
doctests).  A row that is not "not provided" must name at least one.
"""
import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / 'docs' / 'batchflow.md'
STATUSES = ('same', 'both spellings accepted', 'deliberately different', 'different', 'dagflow only',
            'not provided', 'as the guide')


def rows():
    """(line number, BatchFlow, dagflow, tests) of every row of the page's three-column tables."""
    found, in_table = [], False
    for number, line in enumerate(PAGE.read_text().splitlines(), 1):
        if line.startswith('| BatchFlow | dagflow | pinned by |'):
            in_table = True
            continue
        if not line.startswith('|'):
            in_table = False
            continue
        if in_table and not line.startswith('| ---'):
            cells = [cell.strip() for cell in line.strip().strip('|').split(' | ')]
            assert len(cells) == 3, f'docs/batchflow.md:{number} has {len(cells)} cells'
            found.append((number, *cells))
    return found


def exists(node: str) -> bool:
    path, *names = node.split('::')
    if not (ROOT / path).is_file():
        return False
    scope = ast.parse((ROOT / path).read_text()).body
    for name in names:
        match = [n for n in scope if isinstance(n, (ast.ClassDef, ast.FunctionDef)) and n.name == name]
        if not match:
            return False
        scope = match[0].body
    return True


ROWS = rows()


def test_the_page_has_its_tables_and_the_readme_links_it():
    assert len(ROWS) > 200
    assert 'docs/batchflow.md' in (ROOT / 'README.md').read_text()


@pytest.mark.parametrize('number, batchflow, dagflow, tests', ROWS, ids=[f'line{row[0]}' for row in ROWS])
def test_every_row_has_a_status_and_existing_tests(number, batchflow, dagflow, tests):
    status = dagflow.lower().lstrip('*')
    assert status.startswith(STATUSES), f'docs/batchflow.md:{number}: unknown status {dagflow!r}'
    nodes = re.findall(r'`([^`]+)`', tests)
    if not status.startswith('not provided'):
        assert nodes, f'docs/batchflow.md:{number}: {batchflow!r} is {dagflow!r} but names no test'
    missing = [node for node in nodes if not exists(node)]
    assert not missing, f'docs/batchflow.md:{number}: no such test {missing}'
