"""Finding the pipeline a command names: ``FILE_OR_MODULE:NAME``.

``path/to/flow.py:train`` loads the file the way ``python path/to/flow.py``
would run it -- its directory first on ``sys.path``, its functions visible to
the pipeline as a script's are (``__main__``) -- except that its
``if __name__ == '__main__':`` block does not run.  ``pkg.flows:train``
imports the module as ``import pkg.flows`` would, with the current directory
on ``sys.path``.  ``NAME`` (``train``, or a dotted path such as
``flows.train``) is a :class:`~dagflow.Pipeline` or a function that returns
one when called with no arguments.

Examples
--------
>>> parse_target('flows/train.py:pipeline')
('flows/train.py', 'pipeline')
>>> parse_target('pkg.flows:make_pipeline')
('pkg.flows', 'make_pipeline')
"""
from __future__ import annotations

import contextlib
import importlib
import importlib.util
import inspect
import keyword
import os
import re
import sys
from dataclasses import dataclass
from types import ModuleType

from ..exceptions import LoadError, TargetError, did_you_mean, suggestion_text
from ..pipeline import Pipeline

__all__ = ['Target', 'TargetError', 'LoadError', 'parse_target', 'load_target']

_EXAMPLES = 'e.g. flows/train.py:pipeline or mypackage.flows:make_pipeline'


@dataclass(frozen=True)
class Target:
    """A loaded target: what was asked for, where it was found, and the pipeline.

    Parameters
    ----------
    spec : str
        The target as given on the command line.
    module : module
        The module the file was loaded as, or the imported module.
    name : str
        The name of the pipeline (or function) in it.
    pipeline : Pipeline
        The pipeline itself (the function's result for a function).
    path : str, optional
        The absolute path of the file, for a file target.
    """

    spec: str
    module: ModuleType
    name: str
    pipeline: Pipeline
    path: str | None = None


def parse_target(spec: str) -> tuple[str, str]:
    """Split ``FILE_OR_MODULE:NAME`` into its two parts; raise :class:`TargetError` if it is malformed.

    Examples
    --------
    >>> parse_target('flow.py')  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dagflow.exceptions.TargetError: 'flow.py' names no pipeline: expected FILE_OR_MODULE:NAME, e.g. flows/train.py:...
    """
    location, colon, name = spec.rpartition(':')
    if not colon or not location or not name or any(sep in name for sep in ('/', '\\')):
        raise TargetError(f'{spec!r} names no pipeline: expected FILE_OR_MODULE:NAME, {_EXAMPLES}.', value=spec)
    if not all(part.isidentifier() and not keyword.iskeyword(part) for part in name.split('.')):
        raise TargetError(f'{name!r} in {spec!r} is not a Python name: NAME is the variable holding the pipeline, '
                          f'or a function returning one ({_EXAMPLES}).', value=spec)
    return location, name


def load_target(spec: str) -> Target:
    """Load the pipeline that ``spec`` (``FILE_OR_MODULE:NAME``) names.

    Raises
    ------
    TargetError
        When ``spec`` is malformed, the file or module does not exist, ``NAME``
        is missing, or it is neither a pipeline nor a function returning one.
    LoadError
        When the user's code raised while it was loaded or called (the
        original exception is ``error.error``).
    """
    location, name = parse_target(spec)
    path = None
    if _is_file(location):
        path = os.path.abspath(location)
        module = _load_file(location, spec)
    else:
        module = _import_module(location, spec)
    value = _lookup(module, name, spec)
    with _as_main(module if path else None):
        pipeline = _as_pipeline(value, spec, _pipeline_names(module))
    return Target(spec, module, name, pipeline, path)


def _is_file(location: str) -> bool:
    return location.endswith('.py') or '/' in location or os.sep in location or os.path.isfile(location)


def _load_file(location: str, spec: str) -> ModuleType:
    if not os.path.isfile(location):
        where = '' if os.path.isabs(location) else f' (looked in {os.getcwd()})'
        raise TargetError(f'File not found: {location!r}{where}. Give the path of a .py file, or a module name '
                          f'({_EXAMPLES}).', value=spec)
    path = os.path.abspath(location)
    folder = os.path.dirname(path)
    if folder not in sys.path:
        sys.path.insert(0, folder)  # as `python flow.py` does: the file's neighbours import
    name = _module_name(path)
    module_spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(module_spec)
    module.__dagflow_target__ = path
    sys.modules[name] = module  # batches of its classes pickle by reference to it (worker processes)
    try:
        with _as_main(module):
            module_spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(name, None)
        raise LoadError(f'{type(exc).__name__} while loading {location}: {exc}', error=exc, stage='load',
                        target=spec) from exc
    return module


def _module_name(path: str) -> str:
    """The file's stem, unless that would hide (or be hidden by) another module."""
    stem = os.path.splitext(os.path.basename(path))[0]
    if stem.isidentifier() and not keyword.iskeyword(stem):
        existing = sys.modules.get(stem)
        if existing is not None:
            if getattr(existing, '__dagflow_target__', None) is not None:
                return stem  # loaded by an earlier command in this process: replace it
        else:
            try:
                found = importlib.util.find_spec(stem)
            except (ImportError, ValueError):
                found = None
            if found is None or (found.origin and os.path.abspath(found.origin) == path):
                return stem
    return '_dagflow_target_' + re.sub(r'\W', '_', stem)


def _import_module(location: str, spec: str) -> ModuleType:
    if not all(part.isidentifier() for part in location.split('.')):
        raise TargetError(f'{location!r} (from {spec!r}) is neither a .py file nor a module name ({_EXAMPLES}).',
                          value=spec)
    if os.getcwd() not in sys.path and '' not in sys.path:
        sys.path.insert(0, os.getcwd())  # as `python -m` does
    importlib.invalidate_caches()  # a module written since the last import is found
    try:
        return importlib.import_module(location)
    except ModuleNotFoundError as exc:
        if exc.name and (location == exc.name or location.startswith(exc.name + '.')):
            raise TargetError(f'No module named {exc.name!r} (from {spec!r}). Give a module importable from '
                              f'{os.getcwd()}, or the path of a .py file ({_EXAMPLES}).', value=spec) from None
        raise LoadError(f'{type(exc).__name__} while importing {location}: {exc}', error=exc, stage='load',
                        target=spec) from exc
    except Exception as exc:
        raise LoadError(f'{type(exc).__name__} while importing {location}: {exc}', error=exc, stage='load',
                        target=spec) from exc


def _lookup(module: ModuleType, name: str, spec: str):
    value = module
    for depth, part in enumerate(name.split('.')):
        try:
            value = getattr(value, part)
        except AttributeError:
            owner = '.'.join(name.split('.')[:depth]) or _module_label(module)
            choices = _pipeline_names(value)
            candidates = choices or [key for key in dir(value) if not key.startswith('_')]
            listed = f' It defines: {", ".join(choices)}.' if choices else ''
            raise TargetError(f'{owner} has no {part!r} (from {spec!r}).{suggestion_text(part, candidates)}'
                              f'{listed} NAME is a pipeline, or a function returning one.',
                              value=spec, suggestions=did_you_mean(part, candidates)) from None
    return value


def _module_label(module: ModuleType) -> str:
    path = getattr(module, '__dagflow_target__', None)
    return os.path.basename(path) if path else module.__name__


def _pipeline_names(namespace) -> list[str]:
    """Names in ``namespace`` holding a pipeline or a function defined there (candidates for NAME)."""
    found = []
    module_name = getattr(namespace, '__name__', None)
    for key, value in sorted(vars(namespace).items()) if hasattr(namespace, '__dict__') else ():
        if key.startswith('_'):
            continue
        if isinstance(value, Pipeline) or (inspect.isfunction(value) and value.__module__ == module_name):
            found.append(key)
    return found


def _as_pipeline(value, spec: str, candidates=()) -> Pipeline:
    if isinstance(value, Pipeline):
        return value
    if isinstance(value, type) or not callable(value):
        kind = f'class {value.__name__}' if isinstance(value, type) else type(value).__name__
        hint = ' (its pipelines start at .p, e.g. dataset.p.some_action(...))' if hasattr(value, 'p') else ''
        listed = f' It defines: {", ".join(candidates)}.' if candidates else ''
        article = 'an' if kind[0] in 'aeiou' else 'a'
        raise TargetError(f'{spec!r} is {article} {kind}{hint}, not a Pipeline or a function returning one.{listed}',
                          value=spec)
    try:
        signature = inspect.signature(value)
    except (TypeError, ValueError):
        signature = None
    required = [p.name for p in (signature.parameters.values() if signature else ())
                if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if required:
        raise TargetError(f'{spec!r} is a function that needs arguments ({", ".join(required)}), but it is called '
                          f'with none: give them defaults, or name a pipeline.', value=spec)
    try:
        result = value()
    except Exception as exc:
        raise LoadError(f'{type(exc).__name__} while calling {spec}(): {exc}', error=exc, stage='call',
                        target=spec) from exc
    if not isinstance(result, Pipeline):
        raise TargetError(f'{spec}() returned a {type(result).__name__}, not a Pipeline.', value=spec)
    return result


@contextlib.contextmanager
def _as_main(module: ModuleType | None):
    """Make ``module`` the ``__main__`` whose functions a pipeline may use as steps, for the block."""
    if module is None:
        yield
        return
    main = sys.modules.get('__main__')
    sys.modules['__main__'] = module
    try:
        yield
    finally:
        if main is None:
            sys.modules.pop('__main__', None)
        else:
            sys.modules['__main__'] = main
