"""dagflow's errors: one module, declared fields, refused typos, pickling, and raise sites that fit."""
import ast
import pathlib
import pickle
import re

import numpy as np
import pytest

import dagflow
from dagflow import exceptions
from dagflow.exceptions import (
    BatchPickleError,
    ComponentError,
    DagflowError,
    LoadError,
    MetricsError,
    ModelError,
    StepArgumentError,
    TargetError,
    UndeclaredEffectError,
    UnknownActionError,
    UnknownIdError,
    VizError,
    attach_step_info,
)

PACKAGE = pathlib.Path(dagflow.__file__).parent
ERRORS = sorted((value for value in vars(exceptions).values()
                 if isinstance(value, type) and issubclass(value, DagflowError)), key=lambda cls: cls.__name__)


def _calls(path: pathlib.Path):
    """Every call ``Name(...)``/``x.Name(...)`` in a source file, with the name."""
    for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
        if isinstance(node, ast.Call):
            name = getattr(node.func, 'id', None) or getattr(node.func, 'attr', None)
            if name:
                yield name, node


class TestOneModule:
    def test_every_exception_class_of_the_package_is_defined_in_exceptions(self):
        elsewhere = []
        for path in PACKAGE.rglob('*.py'):
            if path.name == 'exceptions.py':
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
                if isinstance(node, ast.ClassDef) and not node.name.startswith('_'):
                    bases = [ast.unparse(base) for base in node.bases]
                    if any(base.endswith(('Error', 'Exception', 'Warning')) for base in bases):
                        elsewhere.append(f'{path.relative_to(PACKAGE)}: {node.name}')
        assert elsewhere == []

    @pytest.mark.parametrize('module, name, builtin', [
        ('dagflow.viz', 'VizError', ValueError),
        ('dagflow.viz.errors', 'VizError', ValueError),
        ('dagflow.viz.errors', 'GraphvizNotFoundWarning', UserWarning),
        ('dagflow.models.metrics', 'MetricsError', ValueError),
        ('dagflow.models.metrics.base', 'MetricsError', ValueError),
        ('dagflow.cli.loader', 'LoadError', Exception),
        ('dagflow.cli.loader', 'TargetError', ValueError),
        ('dagflow.engine.lanes', 'BatchPickleError', TypeError),
        ('dagflow.cli.run', 'UsageError', Exception),
    ])
    def test_the_old_import_paths_give_the_same_class(self, module, name, builtin):
        import importlib
        cls = getattr(importlib.import_module(module), name)
        assert cls is getattr(exceptions, name) and issubclass(cls, builtin)
        assert issubclass(cls, DagflowError) or issubclass(cls, Warning)

    def test_batch_pickle_error_is_a_dagflow_error_and_still_a_type_error(self):
        assert issubclass(BatchPickleError, DagflowError) and issubclass(BatchPickleError, TypeError)


class TestFields:
    @pytest.mark.parametrize('cls', ERRORS, ids=lambda cls: cls.__name__)
    def test_every_field_exists_and_is_none_unless_given(self, cls):
        err = cls('message')
        assert str(err) == 'message' and err.message == 'message'
        assert cls.fields[:2] == ('step', 'source')
        assert {name: getattr(err, name) for name in cls.fields} == dict.fromkeys(cls.fields)

    @pytest.mark.parametrize('cls', ERRORS, ids=lambda cls: cls.__name__)
    def test_every_field_is_documented(self, cls):
        text = '\n'.join(klass.__doc__ or '' for klass in cls.__mro__ if issubclass(klass, DagflowError))
        documented = {name.strip() for names in re.findall(r'^ *([\w, ]+) : ', text, re.MULTILINE)
                      for name in names.split(',')}
        assert [name for name in cls.fields if name not in documented] == []

    def test_a_subclass_adds_to_the_fields_of_its_bases(self):
        assert UnknownIdError.fields == ('step', 'source', 'value', 'name', 'lengths', 'duplicates', 'shares', 'size',
                                         'n_splits', 'ids')
        err = UnknownIdError('no such id', ids=[7], name='images')
        assert (err.ids, err.name, err.value) == ([7], 'images', None)
        assert isinstance(err, KeyError) and isinstance(err, IndexError)

    def test_a_users_subclass_declares_its_own(self):
        class PathError(DagflowError, OSError):
            fields = ('path',)

        err = PathError('cannot read a.txt', path='a.txt', step="main[0] 'load'")
        assert PathError.fields == ('step', 'source', 'path') and err.path == 'a.txt'
        assert err.data == {'step': "main[0] 'load'", 'source': None, 'path': 'a.txt'}

    def test_an_unknown_keyword_is_refused_naming_it_and_the_class(self):
        with pytest.raises(TypeError, match=r"ModelError got an unexpected field 'pth'; its fields are: step, source, "
                                            r"name, value, path, resource, suggestions"):
            ModelError('cannot read', pth='a.pt')

    def test_a_field_of_another_class_is_refused(self):
        with pytest.raises(TypeError, match="VizError got an unexpected field 'path'"):
            VizError('bad', path='a.svg')

    def test_data_rebuilds_the_same_error_with_another_message(self):
        err = ModelError('bad mode', name='m', value='x')
        again = type(err)(f'init_model: {err}', **err.data)
        assert str(again) == 'init_model: bad mode' and again.data == err.data

    def test_every_raise_site_passes_fields_its_class_declares(self):
        classes = {cls.__name__: cls for cls in ERRORS}
        wrong = []
        for path in PACKAGE.rglob('*.py'):
            for name, call in _calls(path):
                if name in classes:
                    wrong += [f'{path.relative_to(PACKAGE)}:{call.lineno} {name}({keyword.arg}=)'
                              for keyword in call.keywords
                              if keyword.arg is not None and keyword.arg not in classes[name].fields]
        assert wrong == []


class TestPickling:
    @pytest.mark.parametrize('err', [
        UnknownActionError("Unknown action 'nromalize'", name='nromalize', suggestions=['normalize'],
                           step='main[2]', source='flow.py:9'),
        ComponentError('no component imagse', name='imagse', components=('images',)),
        MetricsError('shapes differ', shapes=((2, 3), (2, 4))),
        BatchPickleError("component 'lock' cannot be sent", component='lock', where="before 'scale'"),
        UndeclaredEffectError('used pipeline.set_variable', name='set_variable', step="main[1] 'count'"),
        TargetError("no 'pipelne' in flow.py", value='flow.py:pipelne', suggestions=['pipeline']),
        LoadError('ValueError while loading flow.py', error=ValueError('boom'), stage='load', target='flow.py:p'),
        UnknownIdError('no such id', ids=[7]),
    ], ids=lambda err: type(err).__name__)
    def test_an_error_comes_back_with_its_type_message_and_fields(self, err):
        again = pickle.loads(pickle.dumps(err))
        assert type(again) is type(err) and str(again) == str(err)
        assert {key: repr(value) for key, value in again.data.items()} == \
            {key: repr(value) for key, value in err.data.items()}

    def test_what_a_run_added_comes_back_too(self):
        err = attach_step_info(StepArgumentError('bad', name='x'), step="main[0] 'f'", batch=3, source='flow.py:4')
        again = pickle.loads(pickle.dumps(err))
        assert (again.dagflow_step, again.dagflow_batch, again.dagflow_source) == ("main[0] 'f'", 3, 'flow.py:4')
        assert again.__notes__ == err.__notes__ and again.name == 'x'


class TestStepInfo:
    def test_the_source_is_an_attribute(self):
        err = attach_step_info(ValueError('bad'), step="main[0] 'f'", batch=None, source='flow.py:4')
        assert err.dagflow_source == 'flow.py:4' and err.__notes__ == ["dagflow: raised in step main[0] 'f' "
                                                                        "(added at flow.py:4)"]

    def test_an_inner_steps_annotation_stays(self):
        err = attach_step_info(ValueError('bad'), step='inner', batch=1, source='a.py:1')
        attach_step_info(err, step='outer', batch=2, source='b.py:2')
        assert (err.dagflow_step, err.dagflow_batch, err.dagflow_source) == ('inner', 1, 'a.py:1')


class TestRaiseSites:
    def test_a_batch_that_will_not_pickle_names_the_component(self):
        from dagflow import Batch
        from dagflow.engine.lanes import strip_batch

        class Held(Batch):
            components = ('x', 'fn')

        batch = Held(np.arange(2), preloaded={'x': np.zeros(2), 'fn': [lambda v: v] * 2})
        with pytest.raises(BatchPickleError, match=r"Batch component 'fn' cannot be sent .*\(before 'scale'\)") as info:
            strip_batch(batch, "before 'scale'", dumps=pickle.dumps)
        assert (info.value.component, info.value.where) == ('fn', "before 'scale'")

    def test_a_compile_error_names_the_steps_source(self):
        from dagflow import B, Pipeline
        from dagflow.exceptions import UndefinedModelError
        with pytest.raises(UndefinedModelError, match="uses model 'm'") as info:
            Pipeline().train_model('m', B.x).compile()
        assert info.value.source.startswith('test_exceptions.py:') and info.value.step == 'main[0]'
        assert isinstance(info.value, ModelError) and info.value.name == 'm'
