"""The tutorial notebooks match their source (notebooks/build.py) and run top to bottom.

They run with whichever renderer the machine has (Graphviz's dot, graphviz-pure, or the matplotlib fallback); the
fallback's one-time notice is expected where there is no Graphviz program, any other warning is a failure.
"""
import importlib.util
import pathlib
import re

import pytest

from dagflow.viz.render import GRAPHVIZ_HINT

nbformat = pytest.importorskip('nbformat')
pytest.importorskip('nbclient')
pytest.importorskip('ipykernel')
pytest.importorskip('torch')
pytest.importorskip('sklearn')

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[1] / 'notebooks'
spec = importlib.util.spec_from_file_location('notebook_build', NOTEBOOKS / 'build.py')
build = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build)

# How Python shows the notice: "<file>:<line>: GraphvizNotFoundWarning: <hint>", then the source line if it has it
NOTICE = re.compile(r'[^\n]*GraphvizNotFoundWarning: ' + re.escape(GRAPHVIZ_HINT) + r'\n(?:  [^\n]*\n)?')


@pytest.mark.parametrize('name', sorted(build.NOTEBOOKS))
def test_the_committed_notebook_is_the_built_one(name):
    committed = nbformat.read(NOTEBOOKS / f'{name}.ipynb', as_version=4)
    assert [(c.cell_type, c.source) for c in committed.cells] == \
        [(c.cell_type, c.source) for c in build.build(build.NOTEBOOKS[name]).cells], \
        'run `python notebooks/build.py --execute` after changing notebooks/build.py'


@pytest.mark.parametrize('name', sorted(build.NOTEBOOKS))
def test_the_notebook_runs_and_shows_its_pictures(name, tmp_path, monkeypatch):
    monkeypatch.setenv('PYTHONPATH', str(NOTEBOOKS.parent))   # the kernel imports this checkout's dagflow
    notebook = build.execute(build.build(build.NOTEBOOKS[name]), tmp_path)
    outputs = [output for cell in notebook.cells if cell.cell_type == 'code' for output in cell.outputs]
    assert not [o for o in outputs if o.output_type == 'error']
    pictures = [o for o in outputs if {'image/png', 'image/svg+xml'} & set(o.get('data', {}))]
    assert len(pictures) >= 2, 'each notebook shows pictures where a reader would rather look than read'
    streams = ''.join(o.get('text', '') for o in outputs if o.output_type == 'stream')
    assert len(NOTICE.findall(streams)) <= 1, 'the fallback says once how to get Graphviz'
    streams = NOTICE.sub('', streams)
    assert 'Warning' not in streams and 'IProgress' not in streams, streams
    if name == '03_parallel_and_dask':
        assert '20/20' in streams                           # the progress bar reached the end
