"""The dagflow command (parser, errors, ``graph``, ``demo``), called in-process through ``main([...])``."""
import sys
import types

import pytest

from dagflow.cli import build_parser, main, parse_override


class TestUsageErrors:
    @pytest.mark.parametrize('target, message', [
        ('missing.py:pipeline', "File not found: 'missing.py'"),
        ('flow.py', "'flow.py' names no pipeline: expected FILE_OR_MODULE:NAME"),
        ('flow.py:pipelin', "flow.py has no 'pipelin' (from 'flow.py:pipelin'). Did you mean 'pipeline'?"),
        ('flow.py:not_a_pipeline', "'flow.py:not_a_pipeline' is an int, not a Pipeline or a function returning one. "
                                   "It defines: lazy, make_failing, needs_arguments, pipeline, template, total."),
        ('flow.py:data', "'flow.py:data' is a Dataset (its pipelines start at .p, e.g. dataset.p.some_action(...)), "
                         "not a Pipeline"),
        ('flow.py:Numbers', "'flow.py:Numbers' is a class Numbers, not a Pipeline"),
        ('flow.py:needs_arguments', "'flow.py:needs_arguments' is a function that needs arguments (size)"),
        ('flow.py:template', 'flow.py:template is a template (a pipeline without a dataset)'),
        ('flow.py:pipeline', 'flow.py:pipeline has no batch size: give --batch-size N'),
        ('no_such_module_xyz:pipeline', "No module named 'no_such_module_xyz'"),
    ])
    def test_exit_2_with_a_message_naming_the_value(self, flow, capsys, target, message):
        batch_size = [] if target in ('flow.py:pipeline',) else ['--batch-size', '2']
        assert main(['run', target, *batch_size]) == 2
        err = capsys.readouterr().err
        assert err.startswith('dagflow run: error: ') and message in err

    @pytest.mark.parametrize('args, message', [
        (['run', 'flow.py:pipeline', '--batch-size', '0'], "argument --batch-size: expected a positive integer"),
        (['run', 'flow.py:pipeline', '--scheduler', 'thread'], "Unknown scheduler 'thread'"),
        (['run', 'flow.py:pipeline', '--config', 'factor'], 'expected KEY=VALUE'),
        (['run'], 'the following arguments are required: FILE_OR_MODULE:NAME'),
        (['fly'], "invalid choice: 'fly'"),
    ])
    def test_bad_options_exit_2(self, flow, capsys, args, message):
        assert main(args) == 2
        assert message in capsys.readouterr().err

    def test_no_command_prints_help_and_exits_2(self, capsys):
        assert main([]) == 2
        assert 'COMMAND' in capsys.readouterr().err

    @pytest.mark.parametrize('command', ['run', 'check', 'graph', 'demo'])
    def test_help_of_every_command_has_examples(self, command, capsys):
        assert main([command, '--help']) == 0
        out = capsys.readouterr().out
        assert f'usage: dagflow {command}' in out and f'examples:\n  dagflow {command}' in out


class TestGraph:
    def test_writes_the_picture_in_the_suffixs_format(self, flow, tmp_path, capsys):
        assert main(['graph', 'flow.py:pipeline', '-o', 'plan.svg']) == 0
        assert capsys.readouterr().out == 'dagflow graph: wrote plan.svg\n'
        assert '<svg' in (tmp_path / 'plan.svg').read_text()

    def test_dot_text_without_an_output(self, flow, capsys):
        assert main(['graph', 'flow.py:pipeline', '--rankdir', 'LR']) == 0
        out = capsys.readouterr().out
        assert out.startswith('digraph plan {') and 'rankdir=LR' in out

    def test_mermaid_text_to_a_file(self, flow, tmp_path):
        assert main(['graph', 'flow.py:pipeline', '--format', 'mermaid', '-o', 'plan.mmd']) == 0
        assert (tmp_path / 'plan.mmd').read_text().startswith('flowchart TB')

    def test_a_markdown_page_gets_a_mermaid_block(self, flow, tmp_path):
        assert main(['graph', 'flow.py:pipeline', '-o', 'plan.md']) == 0  # the suffix says Mermaid
        text = (tmp_path / 'plan.md').read_text()
        assert text.startswith('```mermaid\nflowchart TB\n') and text.endswith('\n```\n')

    @pytest.mark.parametrize('name', ['plan.mmd', 'plan.gv'])
    def test_the_suffix_names_mermaid_and_dot_too(self, flow, tmp_path, name):
        assert main(['graph', 'flow.py:pipeline', '-o', name]) == 0
        assert (tmp_path / name).read_text().split()[0] == ('flowchart' if name.endswith('mmd') else 'digraph')

    def test_a_suffix_that_names_no_format_is_a_usage_error(self, flow, capsys):
        assert main(['graph', 'flow.py:pipeline', '-o', 'plan.jpg']) == 2
        err = capsys.readouterr().err
        assert "Cannot tell the format of 'plan.jpg'" in err and '--format svg|png|pdf|dot|mermaid' in err
        assert 'format=' not in err  # the Python argument means nothing on the command line

    def test_a_path_that_cannot_be_written_is_a_usage_error(self, flow, tmp_path, capsys):
        assert main(['graph', 'flow.py:pipeline', '-o', str(tmp_path / 'no-such-folder' / 'plan.svg')]) == 2
        err = capsys.readouterr().err
        assert 'cannot write' in err and 'No such file or directory' in err and 'pipeline failed' not in err


class TestDemo:
    """With a stand-in ``dagflow.demo``: importing the real one (torch, a Batch class) is slow and not needed."""

    @pytest.fixture
    def demo(self, monkeypatch):
        def install(run_demo):
            monkeypatch.setitem(sys.modules, 'dagflow.demo', types.SimpleNamespace(run_demo=run_demo))
        return install

    def test_passes_only_the_options_run_demo_takes(self, demo, capsys):
        calls = []

        def run_demo(epochs=2, batch_size=32, seed=42):
            calls.append(dict(epochs=epochs, batch_size=batch_size, seed=seed))
            return 0
        demo(run_demo)
        assert main(['demo', '--epochs', '1', '--prefetch', '2', '--out', 'pictures']) == 0
        assert calls == [dict(epochs=1, batch_size=32, seed=42)]
        assert 'this demo does not take --out, --prefetch; ignored' in capsys.readouterr().err

    def test_passes_new_options_when_run_demo_takes_them(self, demo):
        calls = []
        demo(lambda epochs=2, prefetch=0, scheduler=None, out=None, bar=False:
             calls.append((epochs, prefetch, scheduler, out, bar)) or 0)
        assert main(['demo', '--prefetch', '2', '--scheduler', 'threads', '--out', 'pictures', '--bar']) == 0
        assert calls == [(2, 2, 'threads', 'pictures', True)]

    def test_without_its_extras_it_says_how_to_install_them(self, demo, capsys):
        def run_demo(epochs=2):
            raise ModuleNotFoundError("No module named 'torch'", name='torch')
        demo(run_demo)
        assert main(['demo']) == 2
        assert "the demo needs torch, which is not installed: pip install 'dagflow[demo]'" in capsys.readouterr().err


def test_parse_override_keeps_what_is_not_a_literal():
    assert parse_override('name=adam') == ('name', 'adam')
    assert parse_override('flag=True') == ('flag', True)
    assert parse_override('path=a=b') == ('path', 'a=b')
    assert parse_override('empty=') == ('empty', '')


def test_parser_defaults_leave_run_arguments_to_the_pipeline():
    args = build_parser().parse_args(['run', 'flow.py:p'])
    assert (args.batch_size, args.n_epochs, args.shuffle, args.prefetch, args.scheduler, args.bar) == (None,) * 6


@pytest.mark.parametrize('command', ['run', 'check', 'demo'])
def test_every_command_takes_the_local_cluster_scheduler(command):
    target = [] if command == 'demo' else ['flow.py:p']
    assert build_parser().parse_args([command, *target, '--scheduler', 'local-cluster']).scheduler == 'local-cluster'
    assert 'local-cluster' in build_parser()._subparsers._group_actions[0].choices[command].format_help()


def test_the_console_script_of_pyproject_is_main():
    import importlib
    import pathlib
    import re
    text = (pathlib.Path(__file__).resolve().parents[2] / 'pyproject.toml').read_text()
    module, name = re.search(r'^dagflow = "([\w.]+):(\w+)"$', text, re.MULTILINE).groups()
    assert getattr(importlib.import_module(module), name) is main
