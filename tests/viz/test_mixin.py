"""The pipeline's picture methods and its display in Jupyter."""
import ast
import pathlib
import pickle
import shutil
import xml.etree.ElementTree as ET

import pytest

from dagflow import B, Pipeline
from dagflow.exceptions import UndefinedVariableError
from dagflow.viz import Picture, VizError

needs_dot = pytest.mark.skipif(shutil.which('dot') is None, reason="Graphviz's dot is not installed")


class TestVisualize:
    def test_returns_a_picture_of_the_plan(self, training):
        picture = training.visualize()
        assert isinstance(picture, Picture) and picture.format == 'svg'
        assert ET.fromstring(picture.data).tag.endswith('svg')
        assert picture.source == training.to_dot()

    @pytest.mark.parametrize('name, magic', [('plan.svg', b'<'), ('plan.png', b'\x89PNG'), ('plan.pdf', b'%PDF'),
                                             ('plan.dot', b'digraph')])
    def test_writes_the_file_its_suffix_names(self, training, tmp_path, name, magic):
        picture = training.visualize(tmp_path / name)
        data = (tmp_path / name).read_bytes()
        assert data.lstrip().startswith(magic) and len(data) > 500
        assert picture.format == name.split('.')[1]

    def test_format_wins_over_the_suffix(self, training, tmp_path):
        training.visualize(tmp_path / 'plan.out', format='png')
        assert (tmp_path / 'plan.out').read_bytes().startswith(b'\x89PNG')

    def test_a_suffix_that_names_no_format(self, training, tmp_path):
        with pytest.raises(VizError, match=r"Cannot tell the format of '.*plan.jpeg'"):
            training.visualize(tmp_path / 'plan.jpeg')
        assert not (tmp_path / 'plan.jpeg').exists()

    def test_options_reach_the_picture(self, training):
        text = training.visualize(format='dot', sections=('main',), rankdir='LR', legend=False).source
        assert 'rankdir=LR' in text and 'cluster_before' not in text and '\n  label=<' not in text

    def test_timings_need_a_profile(self, training):
        with pytest.raises(VizError, match=r'profile=True'):
            training.visualize(timings=True)

    def test_timings_colour_the_steps(self, training, profile):
        training.profile = profile
        text = training.to_dot(timings=True)
        assert '120.0 ms over 4 calls' in text and 'fill: total time of the step' in text
        assert training.to_dot(timings=profile) == text

    def test_the_dot_text_can_be_rendered_by_graphviz(self, training):
        assert training.to_dot().startswith('digraph plan {')


def test_to_mermaid(training):
    text = training.to_mermaid()
    assert text.startswith('flowchart TB\n') and 'main_6 -.->|model:cnn #40;next batch#41;| main_4' in text
    assert training.to_mermaid(rankdir='LR').startswith('flowchart LR')


def test_visualize_dask(training, tmp_path):
    picture = training.visualize_dask(n_batches=2, prefetch=0, filename=tmp_path / 'lowered.png')
    assert (tmp_path / 'lowered.png').read_bytes().startswith(b'\x89PNG')
    assert 'g3_b0 -> g0_b1' in picture.source  # the window edge of prefetch=0
    assert 'rankdir=LR' in picture.source


class TestPlots:
    def test_plot_timeline_needs_a_profile(self, training):
        with pytest.raises(VizError, match=r'run\(\.\.\., profile=True\)'):
            training.plot_timeline()

    def test_plot_timeline(self, training, profile):
        training.profile = profile
        ax = training.plot_timeline(title='training')
        assert ax.get_title() == 'training' and len(ax.patches) == len(profile)

    def test_plot_a_variable_after_a_run(self, training):
        training.run(batch_size=4, n_epochs=1)
        ax = training.plot('loss')
        assert ax.get_lines()[0].get_ydata().tolist() == [1.0, 0.5, 1 / 3, 0.25]

    def test_plot_an_unknown_variable(self, training):
        with pytest.raises(UndefinedVariableError, match="'los'.*Did you mean"):
            training.plot('los')


class TestJupyter:
    def test_a_pipeline_shows_its_picture_and_a_summary(self, training):
        bundle = training._repr_mimebundle_()
        assert set(bundle) == {'text/plain', 'text/html', 'image/svg+xml'}
        assert bundle['image/svg+xml'].startswith('<svg')
        assert bundle['text/html'].count('<svg') == 1
        assert 'variables: loss, n · models: cnn (dynamic Net)' in bundle['text/html']
        assert 'Plan: 10 steps' in bundle['text/plain']
        assert training._repr_svg_() == bundle['image/svg+xml']
        assert training._repr_html_() == bundle['text/html']

    def test_include_and_exclude(self, training):
        assert set(training._repr_mimebundle_(include=['text/plain'])) == {'text/plain'}
        assert set(training._repr_mimebundle_(exclude=['text/html'])) == {'text/plain', 'image/svg+xml'}

    def test_a_pipeline_that_cannot_compile_says_why(self):
        bundle = Pipeline().train_model('nowhere', B.x)._repr_mimebundle_()
        assert set(bundle) == {'text/plain', 'text/html'}
        assert "It cannot be drawn: ModelError: train_model('nowhere', B.x)" in bundle['text/plain']
        assert 'no init_model' in bundle['text/html']

    def test_pictures_leave_the_pipeline_picklable(self, training):
        training.visualize()
        assert pickle.loads(pickle.dumps(training)).to_dot() == training.to_dot()


def test_viz_does_not_import_the_engine_at_module_level():
    package = pathlib.Path(__file__).resolve().parents[2] / 'dagflow' / 'viz'
    for path in sorted(package.glob('*.py')):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ImportFrom):
                assert 'engine' not in (node.module or ''), path.name
                assert node.module not in ('dask', 'distributed', 'matplotlib.pyplot'), path.name
            if isinstance(node, ast.Import):
                assert not any(a.name.split('.')[0] in ('dask', 'distributed') for a in node.names), path.name


def test_a_profiled_run_draws_its_timeline_and_timings(training):
    import inspect
    if 'profile' not in inspect.signature(training.run).parameters:
        pytest.skip('run(..., profile=True) is not there yet')
    training.run(batch_size=4, n_epochs=1, prefetch=1, profile=True, seed=0)
    ax = training.plot_timeline()
    assert len(ax.patches) == len(training.profile) == 2 + 4 * 7 + 1
    assert len(ax.get_yticklabels()) == training.profile['worker'].nunique()
    assert 'over 4 calls' in training.to_dot(timings=True)
