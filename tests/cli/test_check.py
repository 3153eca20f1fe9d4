"""``dagflow check`` through ``main([...])``, and its pre-flight: the plan checks it adds and how it gathers them."""
import pickle
import threading

import numpy as np
import pytest

from dagflow import B, Batch, C, Dataset, Pipeline, V, action
from dagflow.cli import main
from dagflow.cli.check import pickle_for, preflight
from dagflow.models import BaseModel
from dagflow.plan.check import check_config, check_modes, check_pickling, check_plan


class Items(Batch):
    components = ('x',)

    @action
    def multiply(self, factor):
        self.x = self.x * factor
        return self


class Others(Batch):
    components = ('x',)

    @action
    def shift(self, by):
        return self


@pytest.fixture
def data():
    return Dataset(6, batch_class=Items, preloaded={'x': np.arange(6.0)})


def messages(report):
    return [(problem.node, problem.message) for problem in report]


class TestModes:
    @pytest.mark.parametrize('initial, mode, fits', [
        (0, 'a', False), ('text', 'e', False), ([], 'u', False), ((), 'u', False), (np.zeros(2), 'u', False),
        ([], 'a', True), ((), 'e', True), (set(), 'a', True), ({}, 'u', True), (None, 'u', True),
        (np.zeros((0, 2)), 'a', True), (0, 'w', True),
    ])
    def test_a_mode_meets_the_initial_value(self, initial, mode, fits):
        p = Pipeline().init_variable('v', initial).update(V('v', mode=mode), B.size)
        assert check_modes(p.compile()).ok is fits

    def test_the_message_names_the_variable_mode_value_and_declaration(self):
        p = Pipeline().init_variable('total', 0).update(V('total'), B.size, mode='append')
        (problem,) = check_modes(p.compile())
        assert problem.node == ('main', 0) and problem.action == 'update'
        assert problem.message.startswith("stores into V('total') with mode 'a' (append), which cannot apply to its "
                                          "initial value 0 (int) (declared at test_check.py:")
        assert "declare it with .init_variable('total', init_on_each_run=list) for a list" in problem.message

    def test_save_to_of_call_and_models_and_lists_of_targets(self):
        p = (Pipeline().init_variables({'a': 0, 'b': []})
             .call(len, B.x, save_to=[V('a', mode='e'), V('b', mode='a')]))
        assert [message.split(',')[0] for _, message in messages(check_modes(p.compile()))] == [
            "stores into V('a') with mode 'e' (extend)"]

    def test_a_variable_that_some_step_replaces_is_not_judged(self):
        p = (Pipeline().init_variable('x', 0).update(V('x'), [])
             .update(V('x', mode='a'), 1))
        assert check_modes(p.compile()).ok

    def test_a_variable_an_action_writes_is_not_judged(self):
        p = Pipeline().init_variable('x', 0).update(V('x', mode='a'), 1).update(V('x')[0], 2)
        assert check_modes(p.compile()).ok

    def test_an_unknown_mode_is_reported(self):
        p = Pipeline().init_variable('x', []).update(V('x'), 1, mode='zz')
        assert messages(check_modes(p.compile())) == [
            (('main', 0), "unknown assignment mode 'zz': use 'w' ('write'), 'a' ('append'), 'e' ('extend') or "
                          "'u' ('update')")]

    def test_pipeline_check_includes_modes(self):
        p = Pipeline().init_variable('x', 0).update(V('x', mode='a'), 1)
        assert "mode 'a' (append)" in str(p.check())


class TestConfig:
    def test_a_key_read_without_default_and_missing(self):
        p = Pipeline(config={'model': {'lr': 0.1}}).print(C('model/lr'), C('model/depth'), C('seed', default=0))
        assert messages(check_config(p.compile(), p.config))[0][1].startswith(
            "reads C('model/depth') but the config has no 'model/depth'.")

    def test_a_key_a_step_writes_is_defined(self):
        p = Pipeline().update(C('best'), 1).print(C('best'))
        assert check_config(p.compile(), p.config).ok

    def test_check_plan_checks_the_config_only_when_given_it(self):
        plan = Pipeline().print(C('lr')).compile()
        assert check_plan(plan).ok and not check_plan(plan, config={}).ok


class TestModels:
    def test_check_plan_lists_every_model_nothing_defines(self):
        p = Pipeline().init_model('net', BaseModel).train_model('nett', B.x).predict_model('other', B.x)
        from dagflow.plan import compile_plan
        plan = compile_plan({'main': p.steps('main'), 'before': p.steps('before')}, models=dict(p.models.specs))
        found = messages(check_plan(plan, models=p.models.names()))
        assert [node for node, _ in found] == [('main', 0), ('main', 1)]
        assert "uses model 'nett' but no init_model" in found[0][1] and "Did you mean 'net'?" in found[0][1]


class TestPickling:
    def test_names_the_argument_that_will_not_pickle(self):
        lock = threading.Lock()
        p = Pipeline().call(print, B.size, lock=lock).call(lambda x: x, B.size).print(B.size)
        found = messages(check_pickling(p.compile(), pickle.dumps, 'worker processes'))
        assert [node for node, _ in found] == [('main', 0), ('main', 1)]
        assert found[0][1].startswith('its argument lock=<unlocked _thread.lock object')
        assert found[1][1].startswith('its function <lambda> cannot be pickled to send it to worker processes')

    def test_dask_pickle_sends_lambdas_but_not_locks(self):
        dumps, destination, fatal = pickle_for('tcp://127.0.0.1:8786')
        p = Pipeline().call(lambda x: x, B.size).call(print, threading.Lock())
        found = check_pickling(p.compile(), dumps, destination)
        assert fatal and [problem.node for problem in found] == [('main', 1)]
        assert 'to send it to the cluster' in found[0].message

    def test_what_each_scheduler_pickles(self):
        assert pickle_for('sync') == pickle_for('threads') == pickle_for(None) == (None, None, False)
        dumps, _, fatal = pickle_for('processes')
        assert dumps is pickle.dumps
        import multiprocessing
        assert fatal is ('fork' not in multiprocessing.get_all_start_methods())


class TestPreflight:
    def test_gathers_every_problem_in_step_order(self, data):
        template = (Pipeline().init_variable('n', 0).shift(1).update(V('n', mode='a'), V('m'))
                    .train_model('net', B.x))
        result = preflight(template << data)
        assert [finding.where for finding in result.problems] == [
            'main[0] shift', 'main[1] update', 'main[1] update', 'main[2] train_model']
        assert all(finding.source.startswith('test_check.py:') for finding in result.problems)
        assert "Unknown action 'shift'" in result.problems[0].message

    def test_processes_notes_what_would_not_pickle_where_workers_fork(self, data):
        result = preflight(data.p.call(lambda x: x, B.x), scheduler='processes')
        import multiprocessing
        if 'fork' in multiprocessing.get_all_start_methods():
            assert result.ok and 'where they are spawned' in str(result.notes[0])
        else:
            assert not result.ok

    def test_a_template_is_noted(self):
        result = preflight(Pipeline().multiply(2))
        assert result.ok and 'a template (no dataset)' in str(result.notes[0])

    def test_a_clean_pipeline(self, data):
        result = preflight(data.p.init_variable('n', 0).multiply(2).update(V('n'), V('n') + B.size))
        assert result.ok and not result.notes and result.steps == 2


class TestCompileErrors:
    """What stops a pipeline from compiling is read from the error's attributes, never from its message."""

    @staticmethod
    def failing_compile(monkeypatch, error):
        def compile(self):
            raise error
        monkeypatch.setattr(Pipeline, 'compile', compile)

    def test_the_source_is_the_errors_attribute(self, data, monkeypatch):
        from dagflow.exceptions import PlanError
        error = PlanError('the steps do not fit (added at elsewhere.py:1)', source='flow.py:3')
        self.failing_compile(monkeypatch, error)
        (finding,) = preflight(data.p.multiply(2)).problems
        assert finding.source == 'flow.py:3' and finding.message.startswith('PlanError: the steps do not fit')

    def test_an_error_without_a_source_has_none(self, data, monkeypatch):
        from dagflow.exceptions import PlanError
        self.failing_compile(monkeypatch, PlanError('cannot compile (added at flow.py:3)'))
        (finding,) = preflight(data.p.multiply(2)).problems
        assert finding.source is None

    def test_a_model_nothing_defines_is_listed_once_whatever_the_message_says(self, data, monkeypatch):
        from dagflow.exceptions import ModelError, UndefinedModelError
        self.failing_compile(monkeypatch, UndefinedModelError('no such model', name='net', source='flow.py:3'))
        assert preflight(data.p.multiply(2)).ok   # the plan check lists such uses itself (none here)
        self.failing_compile(monkeypatch, ModelError("uses model 'net' in a way that fails", name='net'))
        (finding,) = preflight(data.p.multiply(2)).problems
        assert finding.message == "ModelError: uses model 'net' in a way that fails"

    def test_a_real_undefined_model_is_found_by_the_plan_check_with_its_line(self, data):
        result = preflight(data.p.multiply(2).train_model('net', B.x))
        assert [finding.where for finding in result.problems] == ['main[1] train_model']
        assert result.problems[0].source.startswith('test_check.py:')


def _lines(text):
    return [line for line in text.splitlines() if line.strip()]


class TestCheck:
    def test_reports_every_problem_with_file_line_and_exits_1(self, bad, capsys, line_of):
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

    def test_a_cluster_scheduler_adds_steps_that_will_not_pickle(self, bad, capsys, line_of):
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
