"""Files: Graphviz when installed, the matplotlib fallback (with one hint) when not, and the Picture object."""
import shutil
import warnings
import xml.etree.ElementTree as ET

import pytest

import dagflow.viz.render as render_module
from dagflow.viz import GraphvizNotFoundWarning, Picture, VizError, plan_scene
from dagflow.viz.render import render

needs_dot = pytest.mark.skipif(shutil.which('dot') is None, reason="Graphviz's dot is not installed")
MAGIC = {'png': b'\x89PNG\r\n\x1a\n', 'pdf': b'%PDF'}


def assert_is(data: bytes, fmt: str):
    assert len(data) > 1000
    if fmt == 'svg':
        assert ET.fromstring(data).tag == '{http://www.w3.org/2000/svg}svg'
    else:
        assert data.startswith(MAGIC[fmt])


@pytest.fixture
def no_graphviz(monkeypatch):
    """As on a machine without Graphviz; the hint has not been given yet."""
    monkeypatch.setattr(render_module, 'find_dot', lambda: None)
    monkeypatch.setattr(render_module, '_hinted', False)


@needs_dot
@pytest.mark.parametrize('fmt', ['svg', 'png', 'pdf'])
def test_graphviz_writes_each_format(training, fmt):
    with warnings.catch_warnings():
        warnings.simplefilter('error')  # no fallback, no hint
        assert_is(render(plan_scene(training.compile()), fmt), fmt)


@pytest.mark.parametrize('fmt', ['svg', 'png', 'pdf'])
def test_fallback_writes_each_format(training, no_graphviz, fmt):
    with pytest.warns(GraphvizNotFoundWarning, match='apt-get install graphviz'):
        data = render(plan_scene(training.compile()), fmt)
    assert_is(data, fmt)


def test_fallback_says_once_how_to_get_graphviz(training, no_graphviz):
    scene = plan_scene(training.compile())
    with pytest.warns(GraphvizNotFoundWarning):
        render(scene, 'svg')
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        render(scene, 'png')


def test_a_failing_graphviz_falls_back_with_its_reason(training, monkeypatch):
    monkeypatch.setattr(render_module, 'find_dot', lambda: shutil.which('false') or '/bin/false')
    with pytest.warns(GraphvizNotFoundWarning, match='Graphviz failed'):
        data = render(plan_scene(training.compile()), 'png')
    assert_is(data, 'png')


def test_the_dot_program_can_be_named(monkeypatch):
    monkeypatch.setenv('DAGFLOW_DOT', '/opt/graphviz/bin/dot')
    assert render_module.find_dot() == '/opt/graphviz/bin/dot'


def test_dot_format_is_the_text(training):
    assert render(plan_scene(training.compile()), 'DOT').startswith(b'digraph plan {')


def test_unknown_format(training):
    with pytest.raises(VizError, match=r"format 'jpg': expected one of \('svg', 'png', 'pdf', 'dot'\)"):
        render(plan_scene(training.compile()), 'jpg')


class TestPicture:
    def test_it_renders_once_and_keeps_it(self, training, monkeypatch):
        picture = Picture(plan_scene(training.compile()), 'svg')
        calls = []
        original = render_module.render
        monkeypatch.setattr('dagflow.viz.picture.render', lambda *a: calls.append(a) or original(*a))
        assert picture.data == picture.data
        assert len(calls) == 1

    def test_jupyter_shows_svg_or_png(self, training):
        svg = Picture(plan_scene(training.compile()), 'svg')
        assert svg._repr_svg_().lstrip().startswith('<') and svg._repr_png_() is None
        bundle = svg._repr_mimebundle_()
        assert set(bundle) == {'image/svg+xml', 'text/plain'}
        png = Picture(plan_scene(training.compile()), 'png')
        assert png._repr_png_().startswith(MAGIC['png']) and png._repr_svg_() is None
        assert set(png._repr_mimebundle_()) == {'image/png', 'text/plain'}
        assert set(png._repr_mimebundle_(include=['text/plain'])) == {'text/plain'}

    def test_pdf_also_shows_as_svg(self, training):
        bundle = Picture(plan_scene(training.compile()), 'pdf')._repr_mimebundle_()
        assert set(bundle) == {'image/svg+xml', 'application/pdf', 'text/plain'}

    def test_save_follows_the_suffix(self, training, tmp_path):
        picture = Picture(plan_scene(training.compile()), 'svg')
        assert_is(picture.save(tmp_path / 'plan.png').read_bytes(), 'png')
        assert picture.save(tmp_path / 'plan.svg').read_bytes() == picture.data
        assert picture.save(tmp_path / 'plan.gv').read_text() == picture.source          # .gv is DOT
        assert picture.save(tmp_path / 'plan.txt', format='dot').read_text() == picture.source
        for name in ('plan.jpg', 'plan'):
            with pytest.raises(VizError, match=rf"Cannot tell the format of '.*{name}' from its suffix: use .svg"):
                picture.save(tmp_path / name)
        assert not (tmp_path / 'plan.jpg').exists()

    def test_repr(self, training):
        assert repr(Picture(plan_scene(training.compile()), 'png')) == '<Picture png: 10 boxes, 13 arrows>'
