"""What the command prints: short values and errors explained without a traceback."""
import numpy as np
import pytest

from dagflow.cli import main
from dagflow.cli.output import describe_error, short_value, variables_lines


@pytest.mark.parametrize('value, text', [
    (3, '3'),
    ([1.5, 2.5], '[1.5, 2.5]'),
    (list(range(100)), 'list of 100, last 99'),
    ({'k': list(range(40))}, 'dict of 1 keys: \'k\''),
    (np.float32(0.5), '0.5'),
    (np.arange(3), 'array([0, 1, 2])'),
    (np.zeros((20, 3), dtype=np.float32), 'ndarray (20, 3) float32'),
    ('x' * 100, "'" + 'x' * 56 + '...'),
])
def test_short_value(value, text):
    assert short_value(value) == text


def test_variables_are_aligned_and_sorted():
    assert variables_lines({'b': 1, 'long_name': [1]}) == ['  b          1', '  long_name  [1]']


def test_an_error_outside_a_step_is_its_type_and_message():
    assert describe_error(KeyError('model/lr')) == ["KeyError: 'model/lr'"]


def test_the_users_line_comes_from_a_worker_processs_traceback(flow, capsys):
    args = ['run', 'flow.py:make_failing', '--batch-size', '4', '--scheduler', 'processes', '--prefetch', '1']
    assert main(args) == 1
    err = capsys.readouterr().err
    assert 'ValueError: item 7 is bad' in err and "in step main[1] 'explode'" in err
    assert 'raised at flow.py:' in err and ' in explode' in err


def test_a_steps_line_is_its_attribute_not_parsed_from_its_notes():
    from dagflow.exceptions import attach_step_info
    err = attach_step_info(ValueError('bad'), step="main[1] 'explode'", batch=2, source='flow.py:12')
    assert describe_error(err) == ['ValueError: bad', "  in step main[1] 'explode' (added at flow.py:12), batch 2"]
    err.__notes__ = ['dagflow: raised in step main[1] (added at other.py:1)']   # the notes are not read
    err.dagflow_source = None
    assert describe_error(err) == ['ValueError: bad', "  in step main[1] 'explode', batch 2"]
