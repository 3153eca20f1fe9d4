"""Finding the pipeline that FILE_OR_MODULE:NAME names."""
import sys

import pytest

from dagflow import Pipeline
from dagflow.cli.loader import LoadError, TargetError, load_target, parse_target


class TestParseTarget:
    @pytest.mark.parametrize('spec, parts', [
        ('flow.py:pipeline', ('flow.py', 'pipeline')),
        ('dir/flow.py:make', ('dir/flow.py', 'make')),
        ('pkg.mod:pipelines.train', ('pkg.mod', 'pipelines.train')),
    ])
    def test_splits_at_the_last_colon(self, spec, parts):
        assert parse_target(spec) == parts

    @pytest.mark.parametrize('spec, message', [
        ('flow.py', 'names no pipeline: expected FILE_OR_MODULE:NAME'),
        ('flow.py:', 'names no pipeline'),
        (':pipeline', 'names no pipeline'),
        ('flow.py:2fast', "'2fast' in 'flow.py:2fast' is not a Python name"),
    ])
    def test_malformed_targets(self, spec, message):
        with pytest.raises(TargetError, match=message):
            parse_target(spec)


class TestLoadFile:
    def test_loads_a_pipeline_without_running_the_main_block(self, flow):
        target = load_target('flow.py:pipeline')
        assert isinstance(target.pipeline, Pipeline) and target.path == str(flow)
        assert target.module.__name__ == 'flow' and sys.modules['flow'] is target.module

    def test_a_path_in_another_folder_and_its_neighbours_import(self, write_file):
        write_file('jobs/helpers.py', 'SIZE = 6\n')
        write_file('jobs/job.py', '''
            import numpy as np
            from helpers import SIZE
            from dagflow import Dataset
            pipeline = Dataset(SIZE, preloaded=np.zeros(SIZE)).p
        ''')
        assert len(load_target('jobs/job.py:pipeline').pipeline.dataset) == 6

    def test_the_files_functions_are_usable_as_steps_as_in_a_script(self, write_file):
        write_file('script.py', '''
            import numpy as np
            from dagflow import B, Dataset, V
            def double(x):
                return 2 * x
            pipeline = (Dataset(4, preloaded=np.ones(4)).p.init_variable('out', None)
                        .double(B.data.sum(), save_to=V('out')))
        ''')
        pipeline = load_target('script.py:pipeline').pipeline.run(batch_size=4)
        assert pipeline.v('out') == 8

    def test_a_file_named_like_a_library_module_does_not_replace_it(self, write_file):
        import json
        write_file('json.py', '''
            import numpy as np
            from dagflow import Dataset
            pipeline = Dataset(2, preloaded=np.zeros(2)).p
        ''')
        target = load_target('json.py:pipeline')
        assert target.module.__name__ == '_dagflow_target_json' and sys.modules['json'] is json

    def test_a_dotted_name_inside_the_file(self, write_file):
        write_file('ns.py', '''
            import types
            import numpy as np
            from dagflow import Dataset
            pipelines = types.SimpleNamespace(train=Dataset(2, preloaded=np.zeros(2)).p)
        ''')
        assert isinstance(load_target('ns.py:pipelines.train').pipeline, Pipeline)

    def test_an_error_in_the_file_is_a_load_error_with_the_original(self, write_file):
        write_file('broken.py', 'x = 1 / 0\n')
        with pytest.raises(LoadError, match='ZeroDivisionError while loading broken.py') as info:
            load_target('broken.py:x')
        assert isinstance(info.value.error, ZeroDivisionError) and info.value.stage == 'load'
        assert 'broken' not in sys.modules

    def test_an_error_in_the_function_is_a_load_error_of_the_call(self, write_file):
        write_file('calls.py', 'def make():\n    raise RuntimeError("no data")\n')
        with pytest.raises(LoadError, match=r'RuntimeError while calling calls.py:make\(\): no data') as info:
            load_target('calls.py:make')
        assert info.value.stage == 'call'

    def test_a_function_returning_something_else(self, write_file):
        write_file('other.py', 'def make():\n    return [1]\n')
        with pytest.raises(TargetError, match=r'other.py:make\(\) returned a list, not a Pipeline'):
            load_target('other.py:make')


class TestLoadModule:
    def test_imports_a_dotted_module_from_the_current_folder(self, write_file):
        write_file('tests_cli_pkg/__init__.py', '')
        write_file('tests_cli_pkg/flows.py', '''
            import numpy as np
            from dagflow import Dataset
            def make():
                return Dataset(3, preloaded=np.zeros(3)).p
        ''')
        target = load_target('tests_cli_pkg.flows:make')
        assert target.path is None and len(target.pipeline.dataset) == 3

    def test_a_missing_module_is_a_usage_error(self, workdir):
        with pytest.raises(TargetError, match="No module named 'tests_cli_nothing'"):
            load_target('tests_cli_nothing.flows:make')

    def test_a_missing_import_inside_the_module_is_the_users_error(self, write_file):
        write_file('tests_cli_pkg/__init__.py', '')
        write_file('tests_cli_pkg/needs.py', 'import tests_cli_not_installed\n')
        with pytest.raises(LoadError, match="No module named 'tests_cli_not_installed'"):
            load_target('tests_cli_pkg.needs:pipeline')
