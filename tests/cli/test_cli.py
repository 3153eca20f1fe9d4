"""The dagflow command, called in-process through ``main([...])``."""
import csv
import sys
import types

import pytest

from dagflow.cli import build_parser, main, parse_override


def _lines(text):
    return [line for line in text.splitlines() if line.strip()]


def line_of(path, needle: str) -> int:
    """The number of the first line of ``path`` holding ``needle``."""
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


class TestRun:
    def test_runs_and_prints_batches_seed_and_variables(self, flow, capsys):
        assert main(['run', 'flow.py:pipeline', '--batch-size', '4', '--seed', '7']) == 0
        out = capsys.readouterr().out
        assert 'dagflow run flow.py:pipeline: 3 batches in' in out
        assert '(scheduler sync, prefetch 0, seed 7)' in out
        assert 'sums    [6.0, 22.0, 17.0]' in out

    def test_config_values_reach_c_expressions(self, flow, capsys):
        assert main(['run', 'flow.py:pipeline', '--batch-size', '5', '--config', 'factor=3']) == 0
        out = capsys.readouterr().out
        assert 'factor  3\n' in out and 'sums    [30.0, 105.0]' in out

    def test_a_config_key_no_step_reads_is_an_error(self, flow, capsys):
        assert main(['run', 'flow.py:pipeline', '--batch-size', '5', '--config', 'facter=3']) == 2
        err = capsys.readouterr().err
        assert ("dagflow run: error: --config facter=...: no step reads 'facter' (as C('facter')), nor a model config "
                "or the run arguments, so the value would be dropped. Did you mean 'factor'?") in err
        assert "The keys the pipeline reads: 'factor'." in err

    def test_keys_read_by_the_run_arguments_or_the_dataset_count(self, write_file, capsys):
        write_file('lazy_config.py', '''
            import numpy as np
            from dagflow import B, C, Dataset, Pipeline, V
            template = Pipeline().init_variable('n', 0).update(V('n'), V('n') + B.size)
            pipeline = ((template << C('data') << {'data': Dataset(6, preloaded=np.zeros(6)), 'size': 2})
                        .run(C('size'), n_epochs=C('epochs', default=1), lazy=True))
        ''')
        assert main(['run', 'lazy_config.py:pipeline', '--config', 'size=3', '--config', 'epochs=2']) == 0
        assert '4 batches' in capsys.readouterr().out
        assert main(['run', 'lazy_config.py:pipeline', '--config', 'dat=1']) == 2
        assert "Did you mean 'data'?" in capsys.readouterr().err

    def test_a_pipeline_that_reads_the_whole_config_is_not_judged(self, write_file, capsys):
        write_file('whole.py', '''
            import numpy as np
            from dagflow import C, Dataset
            pipeline = Dataset(4, preloaded=np.zeros(4)).p.call(print, C())
        ''')
        assert main(['run', 'whole.py:pipeline', '--batch-size', '4', '--config', 'anything=1']) == 0

    def test_nested_config_keys_and_strings(self, write_file, capsys):
        write_file('nested.py', '''
            import numpy as np
            from dagflow import C, Dataset, V
            pipeline = (Dataset(4, preloaded=np.zeros(4)).p.init_variable('seen', None)
                        .update(V('seen'), [C('model/lr'), C('model/name'), C('shape')]))
        ''')
        args = ['run', 'nested.py:pipeline', '--batch-size', '4', '--config', 'model/lr=0.01',
                '--config', 'model/name=adam', '--config', 'shape=(8, 8)']
        assert main(args) == 0
        assert "seen  [0.01, 'adam', (8, 8)]" in capsys.readouterr().out

    def test_the_files_lazy_run_arguments_are_defaults(self, flow, capsys):
        assert main(['run', 'flow.py:lazy']) == 0
        assert '7 batches' in capsys.readouterr().out  # 10 items, batch_size=3, n_epochs=2
        assert main(['run', 'flow.py:lazy', '--n-iters', '2']) == 0
        out = capsys.readouterr().out
        assert '2 batches' in out and 'n  6' in out
        assert main(['run', 'flow.py:lazy', '--prefetch', '1']) == 0
        assert '(scheduler threads, prefetch 1,' in capsys.readouterr().out

    def test_a_file_that_runs_its_pipeline_while_loading_is_noted(self, write_file, capsys):
        write_file('eager.py', '''
            import numpy as np
            from dagflow import B, Dataset, V
            pipeline = (Dataset(4, preloaded=np.zeros(4)).p.init_variable('n', 0).update(V('n'), V('n') + B.size)
                        .run(batch_size=2))
        ''')
        assert main(['run', 'eager.py:pipeline', '--batch-size', '4']) == 0
        captured = capsys.readouterr()
        assert 'eager.py:pipeline ran the pipeline while the file was loaded' in captured.err
        assert 'run(..., lazy=True)' in captured.err and 'n  8' in captured.out    # it ran twice

    def test_a_file_whose_run_fails_while_loading_says_to_make_it_lazy(self, write_file, capsys):
        write_file('eager_fails.py', '''
            import numpy as np
            from dagflow import C, Dataset, V
            pipeline = Dataset(4, preloaded=np.zeros(4)).p.init_variable('n', 0).update(V('n'), C('step'))
            pipeline.run(batch_size=2)
        ''')
        assert main(['run', 'eager_fails.py:pipeline', '--batch-size', '4', '--config', 'step=1']) == 1
        err = capsys.readouterr().err
        assert 'while loading eager_fails.py' in err and 'end its chain with run(..., lazy=True)' in err

    def test_a_function_returning_a_pipeline_is_called(self, flow, capsys):
        assert main(['run', 'flow.py:make_failing', '--batch-size', '5', '--n-iters', '1']) == 0
        assert 'seen  5' in capsys.readouterr().out

    def test_a_failing_step_exits_1_with_step_batch_and_source_lines(self, flow, capsys):
        assert main(['run', 'flow.py:make_failing', '--batch-size', '4']) == 1
        err = capsys.readouterr().err
        assert 'dagflow run: the pipeline failed' in err
        assert 'ValueError: item 7 is bad' in err
        step_line = line_of(flow, '.explode(7)')
        assert f"in step main[1] 'explode' (added at flow.py:{step_line}), batch 1" in err
        assert f"raised at flow.py:{line_of(flow, 'raise ValueError')} in explode" in err
        assert '1 batch finished before it' in err
        assert 'Traceback' not in err and '--traceback' in err

    def test_a_pipeline_refused_before_its_first_batch_counts_no_batches(self, write_file, capsys):
        write_file('nomodel.py', """
            import numpy as np
            from dagflow import B, Dataset
            pipeline = Dataset(4, preloaded=np.zeros(4)).p.train_model('net', B.data)
        """)
        assert main(['run', 'nomodel.py:pipeline', '--batch-size', '2']) == 1
        err = capsys.readouterr().err
        assert "ModelError: train_model('net', B.data)" in err and 'uses model' in err
        assert 'finished before it' not in err  # no batch was made: "0 batches finished" would mislead

    def test_ctrl_c_exits_130_saying_how_far_the_run_got(self, write_file, capsys):
        write_file('stop.py', """
            import numpy as np
            from dagflow import Batch, Dataset, action

            class Items(Batch):
                @action
                def stop_at(self, item):
                    if item in self.indices:
                        raise KeyboardInterrupt
                    return self

            pipeline = Dataset(8, batch_class=Items, preloaded=np.zeros(8)).p.stop_at(5)
        """)
        assert main(['run', 'stop.py:pipeline', '--batch-size', '2']) == 130
        assert capsys.readouterr().err == 'dagflow run: interrupted after 2 batches\n'

    def test_traceback_on_request(self, flow, capsys):
        assert main(['run', 'flow.py:make_failing', '--batch-size', '4', '--traceback']) == 1
        err = capsys.readouterr().err
        assert 'Traceback (most recent call last)' in err and 'ValueError: item 7 is bad' in err

    def test_an_error_while_loading_the_file_exits_1_with_its_line(self, write_file, capsys):
        write_file('typo.py', '''
            import numpy as np
            from dagflow import Dataset
            pipeline = Dataset(4, preloaded=np.zeros(4)).p
            oops = undefined_name + 1
        ''')
        assert main(['run', 'typo.py:pipeline', '--batch-size', '2']) == 1
        err = capsys.readouterr().err
        assert 'dagflow run: error while loading typo.py:pipeline' in err
        assert "NameError: name 'undefined_name' is not defined" in err and 'raised at typo.py:5' in err

    def test_profile_is_written_as_csv(self, flow, tmp_path, capsys):
        out_file = tmp_path / 'profile.csv'
        assert main(['run', 'flow.py:pipeline', '--batch-size', '5', '--profile-out', str(out_file)]) == 0
        assert f'profile: 6 rows written to {out_file}' in capsys.readouterr().out
        with open(out_file) as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) == 6  # 3 steps x 2 batches
        assert {'section', 'position', 'step', 'batch', 'worker', 'start', 'end'} <= set(rows[0])
        assert [row['step'] for row in rows[:3]] == ['multiply', 'update', 'call']


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


class TestCheck:
    def test_reports_every_problem_with_file_line_and_exits_1(self, bad, capsys):
        assert main(['check', 'bad.py:pipeline']) == 1
        lines = _lines(capsys.readouterr().out)
        at = {needle: line_of(bad, needle) for needle in ('.shift(1)', '.update(', '.print(', '.train_model(')}
        assert lines[0].startswith(f"bad.py:{at['.shift(1)']}: main[0] shift: Unknown action 'shift'")
        assert lines[1].startswith(f"bad.py:{at['.update(']}: main[2] update: stores into V('count') with mode 'a' "
                                   f"(append), which cannot apply to its initial value 0 (int)")
        assert lines[2].startswith(f"bad.py:{at['.print(']}: main[3] print: reads V('missing') but no init_variable")
        assert lines[3].startswith(f"bad.py:{at['.print(']}: main[3] print: reads C('lr') but the config has no 'lr'")
        assert lines[4].startswith(f"bad.py:{at['.train_model(']}: main[5] train_model: uses model 'net' but no "
                                   f"init_model")
        assert lines[5] == 'check: 5 problems in bad.py:pipeline (6 steps, scheduler sync)'

    def test_a_config_key_no_step_reads_is_a_problem(self, flow, capsys):
        assert main(['check', 'flow.py:pipeline', '--config', 'factr=2', '--config', 'factor=2']) == 1
        lines = _lines(capsys.readouterr().out)
        assert lines[0].startswith("--config: factr=...: no step reads 'factr'") and "Did you mean 'factor'" in lines[0]
        assert lines[1] == 'check: 1 problem in flow.py:pipeline (3 steps, scheduler sync)'

    def test_config_given_on_the_command_line_counts(self, bad, capsys):
        main(['check', 'bad.py:pipeline', '--config', 'lr=0.1'])
        assert "C('lr')" not in capsys.readouterr().out

    def test_a_cluster_scheduler_adds_steps_that_will_not_pickle(self, bad, capsys):
        assert main(['check', 'bad.py:pipeline', '--scheduler', 'tcp://127.0.0.1:8786']) == 1
        out = capsys.readouterr().out
        assert f"bad.py:{line_of(bad, '.call(')}: main[4] call: its argument 2 (<unlocked _thread.lock" in out
        assert 'cannot be pickled to send it to the cluster' in out
        assert '<lambda>' not in out  # Dask's pickle sends lambdas
        assert 'check: 6 problems' in out

    def test_a_clean_pipeline_exits_0(self, flow, capsys):
        assert main(['check', 'flow.py:pipeline']) == 0
        assert capsys.readouterr().out == 'check: no problems found in flow.py:pipeline (3 steps, scheduler sync)\n'

    def test_a_file_that_fails_to_load_is_the_problem(self, write_file, capsys):
        write_file('typo.py', '''
            import numpy as np
            from dagflow import Batch, Dataset, action
            class Numbers(Batch):
                components = ('x',)
                @action
                def scale(self, factor):
                    return self
            pipeline = (Dataset(4, batch_class=Numbers, preloaded={'x': np.zeros(4)}).p
                        .scale(2)
                        .sclae(3))
        ''')
        assert main(['check', 'typo.py:pipeline']) == 1
        out = capsys.readouterr().out
        assert out.startswith("typo.py:11: UnknownActionError: Unknown action 'sclae'")
        assert "Did you mean 'scale'" in out and 'could not be loaded (1 problem)' in out


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

