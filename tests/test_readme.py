"""The README's Python examples run as written, in order, in one namespace (as in a notebook)."""
import pathlib
import re
import sys
import types

README = pathlib.Path(__file__).resolve().parents[1] / 'README.md'
BLOCKS = re.findall(r'```python\n(.*?)```', README.read_text(), flags=re.S)


def test_readme_has_python_examples():
    assert len(BLOCKS) >= 3


def test_readme_examples_run_in_order(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    # run as a user's script: classes live in __main__ (Dask sends those to workers by value)
    module = types.ModuleType('__main__')
    monkeypatch.setitem(sys.modules, '__main__', module)
    for number, block in enumerate(BLOCKS):
        exec(compile(block, f'README.md example {number}', 'exec'), module.__dict__)
        printed = capsys.readouterr().out
        for expected in re.findall(r'print\(.*?\)\s+# (.+)', block):
            if not expected.startswith(('the plan', 'train_model')):
                assert expected.strip() in printed, (number, expected, printed)
