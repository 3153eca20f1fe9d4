"""``dagflow run``, called in-process through ``main([...])``: options, config, summary, failures."""
import csv

from dagflow.cli import main


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

    def test_a_failing_step_exits_1_with_step_batch_and_source_lines(self, flow, capsys, line_of):
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
