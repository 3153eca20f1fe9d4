"""torch is an optional extra: without it, dagflow imports and models.torch says how to install it."""
import importlib
import os
import pathlib
import subprocess
import sys

import pytest


def test_missing_torch_gives_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, 'torch', None)
    monkeypatch.delitem(sys.modules, 'dagflow.models.torch', raising=False)
    with pytest.raises(ImportError, match=r"pip install 'dagflow\[torch\]'"):
        importlib.import_module('dagflow.models.torch')


def test_dagflow_does_not_import_torch():
    code = 'import sys, dagflow; print("torch" in sys.modules)'
    root = str(pathlib.Path(__file__).resolve().parents[2])
    env = {**os.environ, 'PYTHONPATH': root}
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == 'False'
