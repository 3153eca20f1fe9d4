"""``python -m dagflow`` end to end, as a batch script calls it: output, messages and exit codes."""


def test_run_prints_a_summary_and_exits_0(flow, run_dagflow):
    done = run_dagflow('run', 'flow.py:pipeline', '--batch-size', '4', '--seed', '3', '--config', 'factor=2',
                       '--prefetch', '1', '--no-bar')
    assert done.returncode == 0, done.stderr
    assert 'dagflow run flow.py:pipeline: 3 batches in' in done.stdout
    assert '(scheduler threads, prefetch 1, seed 3)' in done.stdout
    assert 'factor  2\n' in done.stdout and 'sums    [12.0, 44.0, 34.0]' in done.stdout
    assert 'must not run' not in done.stdout + done.stderr


def test_a_failing_pipeline_exits_1_naming_the_error_step_batch_and_line(flow, run_dagflow):
    done = run_dagflow('run', 'flow.py:make_failing', '--batch-size', '4')
    assert done.returncode == 1
    assert done.stdout == ''
    lines = done.stderr.splitlines()
    assert lines[0] == 'dagflow run: the pipeline failed'
    assert lines[1] == 'ValueError: item 7 is bad'
    assert lines[2].startswith("  in step main[1] 'explode' (added at flow.py:") and lines[2].endswith(', batch 1')
    assert lines[3].startswith('  raised at flow.py:') and lines[3].endswith(' in explode')
    assert 'Traceback' not in done.stderr


def test_a_usage_error_exits_2(flow, run_dagflow):
    done = run_dagflow('run', 'flow.py:pipelin', '--batch-size', '4')
    assert done.returncode == 2
    assert done.stderr.startswith("dagflow run: error: flow.py has no 'pipelin'")
    assert "Did you mean 'pipeline'?" in done.stderr


def test_check_reports_problems_with_file_and_line_and_exits_1(bad, run_dagflow):
    done = run_dagflow('check', 'bad.py:pipeline')
    assert done.returncode == 1
    problems = done.stdout.splitlines()[:-1]
    assert len(problems) == 5 and all(line.startswith('bad.py:') for line in problems)
    assert done.stdout.splitlines()[-1] == 'check: 5 problems in bad.py:pipeline (6 steps, scheduler sync)'
