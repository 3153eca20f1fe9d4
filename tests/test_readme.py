"""The README's Python examples run as written."""
import pathlib
import re

import pytest

README = pathlib.Path(__file__).resolve().parents[1] / 'README.md'
BLOCKS = re.findall(r'```python\n(.*?)```', README.read_text(), flags=re.S)


def test_readme_has_python_examples():
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize('number', range(len(BLOCKS)))
def test_readme_example_runs(number, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    exec(compile(BLOCKS[number], f'README.md example {number}', 'exec'), {'__name__': f'readme_{number}'})
    printed = capsys.readouterr().out
    for expected in re.findall(r'print\(.*?\)\s+# (.+)', BLOCKS[number]):
        if not expected.startswith(('the plan', 'train_model')):
            assert expected.strip() in printed, (expected, printed)
