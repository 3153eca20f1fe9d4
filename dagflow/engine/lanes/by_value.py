"""Sending the user's code by value: what a run ships to other processes works where the user's modules are absent.

A cluster's workers (and spawned worker processes) import what they unpickle
by reference.  The classes, actions and functions of the user's own code --
a script's ``__main__``, the file of ``dagflow run FILE.py:NAME``, a notebook,
a module of the user's own package -- are usually not importable there.
:func:`user_modules` finds the modules a value refers to that count as the
user's; :class:`Shipped` pickles a value with ``cloudpickle``, each top-level
class and function of those modules as a reference that carries its
definition, pickled by value once per run (the module registered with
``cloudpickle.register_pickle_by_value`` only while that definition is
pickled, then left as it was).  The process it came from gets its own object
back -- the driver's classes are never redefined by what workers return --
and a receiver loads the definition once and keeps it.

A module is the user's when it is ``__main__``, or its file lies outside the
Python installation (the standard library, ``site-packages``,
``dist-packages``) and it is not part of dagflow or of the libraries it runs
on (:data:`LIBRARIES`).  An installed package is pickled by reference, as
usual: the workers must have it; when one lacks it, :meth:`Shipped.load`
raises :class:`~dagflow.exceptions.WorkerLoadError`, naming the module, what
of it was used, and what to do.

Examples
--------
>>> import pickle, types
>>> module = types.ModuleType('my_flow')                      # a module no other process can import
>>> exec('class Box:\\n    def __init__(self, x):\\n        self.x = x', module.__dict__)
>>> import sys; sys.modules['my_flow'] = module
>>> sorted(user_modules(module.Box(1)))
['my_flow']
>>> shipped = Shipped(module.Box(1), user_modules(module.Box(1)))
>>> del sys.modules['my_flow']                                  # as in a worker that lacks it
>>> box = pickle.loads(pickle.dumps(shipped)).load('a test')
>>> box.x, type(box).__name__
(1, 'Box')
"""
from __future__ import annotations

import io
import os
import pickle
import sys
import sysconfig
import threading
import types
import uuid
import weakref

import cloudpickle
from dask.sizeof import sizeof

from ...exceptions import WorkerLoadError
from .shipping import pickle_error, send_check

__all__ = ['LIBRARIES', 'Shipped', 'is_users', 'load_error', 'references', 'ship', 'ship_payload',
           'user_modules', 'user_modules_of']

LIBRARIES = frozenset({'dagflow', 'dask', 'distributed', 'cloudpickle', 'numpy', 'pandas', 'scipy', 'torch',
                       'networkx', 'tornado', 'toolz', 'tlz'})
"""Top-level packages that are never the user's, wherever they are installed (an editable dagflow included)."""

_INSTALLED = tuple(dict.fromkeys(
    os.path.realpath(path) for key in ('stdlib', 'platstdlib', 'purelib', 'platlib')
    for path in [sysconfig.get_paths().get(key)] if path))
_SITE = ('site-packages', 'dist-packages')


def is_users(name: str) -> bool:
    """Whether the module ``name`` (imported here) is the user's code: see the module doc.

    Examples
    --------
    >>> is_users('__main__'), is_users('numpy.linalg'), is_users('json'), is_users('dagflow.data')
    (True, False, False, False)
    """
    if name == '__main__':
        return True
    if name.partition('.')[0] in LIBRARIES or name in sys.builtin_module_names:
        return False
    module = sys.modules.get(name)
    path = getattr(module, '__file__', None)
    if module is None or not path:   # made at run time (no spec) or built-in, frozen, a namespace
        return module is not None and getattr(module, '__spec__', None) is None
    path = os.path.realpath(path)
    parts = path.split(os.sep)
    return not any(site in parts for site in _SITE) and not any(
        path.startswith(folder + os.sep) for folder in _INSTALLED)


_LOCK = threading.RLock()
_USES: dict = {}   # module -> how many picklings in progress registered it (they registered it: it was not)


class _By:
    """Register ``modules`` by value for a block; unregister those it registered.  Re-entrant, thread-safe."""

    def __init__(self, modules):
        self.modules = [name for name in modules if name != '__main__' and name in sys.modules]

    def __enter__(self):
        _LOCK.acquire()
        for name in self.modules:
            if name in _USES:
                _USES[name] += 1
            elif not _registered(name):
                cloudpickle.register_pickle_by_value(sys.modules[name])
                _USES[name] = 1
        return self

    def __exit__(self, *exc):
        try:
            for name in self.modules:
                if name in _USES:
                    _USES[name] -= 1
                    if not _USES[name]:
                        del _USES[name]
                        cloudpickle.unregister_pickle_by_value(sys.modules[name])
        finally:
            _LOCK.release()


def _registered(name: str) -> bool:
    return name in cloudpickle.list_registry_pickle_by_value()


class _Sink:
    def write(self, data) -> int:
        return len(data)


def references(*values) -> dict[str, set[str]]:
    """``{module: {qualified names}}`` of the classes and functions pickling ``values`` refers to.

    The user's modules (:func:`is_users`) are walked by value, as
    :class:`Shipped` sends them, so what their functions use is found too.
    Array data is not copied (protocol 5, buffers out of band).
    """
    try:
        return _walk(values, by_value=True)
    except Exception:  # noqa: BLE001 - some of the user's code cannot go by value: it goes by reference
        return _walk(values, by_value=False)


def _walk(values, by_value: bool) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    registered = []

    class Recorder(cloudpickle.Pickler):
        def reducer_override(self, obj):
            if isinstance(obj, (type, types.FunctionType)):
                module = getattr(obj, '__module__', None)
                if isinstance(module, str):
                    found.setdefault(module, set()).add(getattr(obj, '__qualname__', repr(obj)))
                    if by_value and module not in registered and module != '__main__' and is_users(module):
                        registered.append(module)
                        scope.append(_By([module]).__enter__())
            return super().reducer_override(obj)

    scope: list = []
    try:
        for value in values:
            Recorder(_Sink(), protocol=5, buffer_callback=lambda buffer: False).dump(value)
    finally:
        for block in reversed(scope):
            block.__exit__(None, None, None)
    return found


def user_modules(*values) -> list[str]:
    """The user's modules (:func:`is_users`) that ``values`` refer to: those :class:`Shipped` sends by value."""
    return user_modules_of(references(*values))


def user_modules_of(uses: dict) -> list[str]:
    """The user's modules among the keys of ``uses`` (a :func:`references` result)."""
    return sorted(name for name in uses if is_users(name))


_PROCESS = uuid.uuid4().hex          # this process, where the originals of what it sends live
_ARRIVED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()   # loaded here by value -> its _resolve args
_LOADED: dict = {}                   # (origin, module, qualname) -> (definition, value), in a receiver


class _Pickler(cloudpickle.Pickler):
    """cloudpickle, but a top-level class or function of the user's modules goes as a :func:`_resolve` reference.

    The reference carries the definition (pickled by value, once per run): the
    process it came from gets its own object back, a receiver loads the
    definition once and keeps it.  Unpickling a class by value where the class
    lives would overwrite its methods with copies (cloudpickle's class tracker):
    this way the driver never does.
    """

    def __init__(self, file, modules, definitions: dict, defining=None, **kwargs):
        super().__init__(file, protocol=5, **kwargs)
        self.modules, self.definitions, self.defining = modules, definitions, defining

    def reducer_override(self, obj):
        if isinstance(obj, (type, types.FunctionType)) and obj is not self.defining:
            args = _ARRIVED.get(obj)
            if args is not None:
                return _resolve, args
            module = getattr(obj, '__module__', None)
            if module in self.modules and _lookup(module, getattr(obj, '__qualname__', '')) is obj:
                args = self._definition(obj, module)
                if args is not None:
                    return _resolve, args
        return super().reducer_override(obj)

    def _definition(self, obj, module):
        known = self.definitions.get(id(obj))
        if known is not None:
            return known[1]   # None while it is being defined (a cycle): by value, inline
        self.definitions[id(obj)] = (obj, None)
        sink = io.BytesIO()
        try:
            with _By([module]):
                _Pickler(sink, self.modules, self.definitions, defining=obj).dump(obj)
        except Exception:  # noqa: BLE001 - it uses what cannot be pickled (a lock, an open file...): by reference
            return None    # as before: workers that can import its module run it, the others name the module
        args = (_PROCESS, module, obj.__qualname__, sink.getvalue())
        self.definitions[id(obj)] = (obj, args)
        return args


def _lookup(module: str, qualname: str):
    value = sys.modules.get(module)
    for part in qualname.split('.'):
        value = getattr(value, part, None)
    return value


def _resolve(origin: str, module: str, qualname: str, definition: bytes):
    """The class or function ``module.qualname``: the original in the process it came from, else its definition."""
    if origin == _PROCESS:
        value = _lookup(module, qualname)
        if value is not None:
            return value
    key = (origin, module, qualname)
    known = _LOADED.get(key)
    if known is not None and known[0] == definition:
        return known[1]
    value = pickle.loads(definition)
    _LOADED[key] = (definition, value)
    _ARRIVED[value] = key + (definition,)
    return value


class Shipped:
    """A value pickled now, the user's ``modules`` by value; :meth:`load` gives it back.

    In this process :meth:`load` returns the value itself (an in-process
    worker gets it without pickling); in another process it unpickles it
    once, and keeps it.  A top-level class or function of ``modules`` travels
    with its definition and comes back, here, as the original object.
    Arrays travel in band (one copy into the pickle): out of band, a run
    that released its finished results crashed in the garbage collector.

    Parameters
    ----------
    value : object
        What is sent.
    modules : iterable of str
        Modules whose classes and functions are sent by value (:func:`user_modules`).
    uses : dict, optional
        ``{module: names}`` the value refers to (:func:`references`), to name
        what a worker lacks when loading fails.
    definitions : dict, optional
        The definitions already pickled in this run, shared by its
        ``Shipped`` values so that each is pickled once.

    Raises
    ------
    Exception
        Whatever pickling ``value`` raises.
    """

    __slots__ = ('value', 'data', 'buffers', 'uses')

    _MISSING = object()

    def __init__(self, value, modules=(), uses=None, definitions=None):
        self.value, self.uses = value, uses or {}
        buffers: list = []
        sink = io.BytesIO()
        # arrays in band: with their buffers out of band (protocol 5) a long cluster run crashed in the
        # garbage collector (a segfault) once finished results were released during the run
        _Pickler(sink, frozenset(modules), {} if definitions is None else definitions).dump(value)
        self.data, self.buffers = sink.getvalue(), buffers

    def __reduce_ex__(self, protocol):
        # out of band where the protocol can (what arrived is kept: Dask may move it on to another worker);
        # the pickled value too: each hop (client, scheduler, worker) passes it on without copying it
        buffers = [pickle.PickleBuffer(buffer) if protocol >= 5 else bytearray(memoryview(buffer))
                   for buffer in self.buffers]
        data = pickle.PickleBuffer(self.data) if protocol >= 5 else bytes(self.data)
        return _arrived, (data, buffers, self.uses)

    def load(self, what: str, worker: str | None = None):
        """The value; when it cannot be unpickled here, :class:`~dagflow.exceptions.WorkerLoadError` about ``what``."""
        if self.value is not Shipped._MISSING:
            return self.value
        try:
            self.value = pickle.loads(self.data, buffers=self.buffers)
        except Exception as exc:
            raise load_error(exc, what, self.uses, worker) from exc
        return self.value


@sizeof.register(Shipped)
def _sizeof_shipped(shipped: Shipped) -> int:
    """What a :class:`Shipped` weighs: its pickled bytes (Dask's default, the object alone, is a few dozen bytes).

    Dask's scheduler weighs moving a task's inputs by it: a dataset taken for
    a few bytes would send batches to workers that do not hold it.
    """
    return memoryview(shipped.data).nbytes + sum(memoryview(buffer).nbytes for buffer in shipped.buffers)


def _arrived(data, buffers, uses) -> Shipped:
    shipped = Shipped.__new__(Shipped)
    shipped.value, shipped.data, shipped.buffers, shipped.uses = Shipped._MISSING, data, list(buffers), uses
    return shipped

def ship(steps, worker_pipeline, definitions: dict, where: str) -> tuple:
    """``(steps, worker_pipeline, modules, uses)`` as workers (``where``) get them, :class:`Shipped`.

    ``modules`` are the user's modules they refer to (sent by value), ``uses``
    what they refer to (:func:`references`), to name what a worker lacks.

    Raises
    ------
    BatchPickleError
        When the dataset or the config values pure steps read cannot be pickled.
    """
    uses = references(steps)
    send_check(worker_pipeline, lambda value: uses.update(references(value)), where)
    modules = user_modules_of(uses)
    shipped = [Shipped(value, modules, uses, definitions) for value in (steps, worker_pipeline)]
    return (*shipped, modules, uses)


def ship_payload(payload, modules, uses, where: str, definitions=None) -> Shipped:
    """``payload`` as a :class:`Shipped`; a batch that cannot be pickled is explained (``where`` in the run)."""
    try:
        return Shipped(payload, modules, uses, definitions)
    except Exception as exc:
        raise pickle_error(payload.batch, where, exc, cloudpickle.dumps) from exc


class _Raised(Exception):
    """An error raised by a step where the user's code came by value: it travels :class:`Shipped`.

    Its class may be defined by value there, which stdlib pickle (process
    pools) cannot send and cloudpickle would redefine here; :meth:`original`
    is the error as raised, its class the driver's own.
    """

    def __init__(self, shipped: Shipped):
        super().__init__(shipped)
        self.shipped = shipped

    def __reduce__(self):
        return _Raised, (self.shipped,)

    def original(self) -> BaseException:
        return self.shipped.load('an error a worker raised')

    @classmethod
    def of(cls, exc: BaseException) -> BaseException:
        """``exc`` wrapped to travel; ``exc`` itself when it cannot be pickled (the lane then says so)."""
        try:
            return cls(Shipped(exc))
        except Exception:  # noqa: BLE001 - it goes as it is
            return exc


def load_error(exc: BaseException, what: str, uses: dict, worker: str | None = None) -> WorkerLoadError:
    """The :class:`~dagflow.exceptions.WorkerLoadError` of a worker failing to unpickle ``what``."""
    where = f'worker {worker}' if worker else 'a worker'
    missing = getattr(exc, 'name', None) if isinstance(exc, ImportError) else None
    if missing:
        top = missing.partition('.')[0]
        used = sorted(f'{module}.{name}' for module, names in uses.items()
                      if module == missing or module.partition('.')[0] == top for name in names)
        shown = f' (used here: {", ".join(used[:5])}{", ..." if len(used) > 5 else ""})' if used else ''
        return WorkerLoadError(
            f'{where.capitalize()} cannot load {what}: it cannot import module {missing!r}{shown}. '
            f'Install {top!r} on the workers (the version installed here), or run with a scheduler in this '
            f"process ('threads').", name=missing, where=what, worker=worker)
    return WorkerLoadError(
        f'{where.capitalize()} cannot load {what}: {type(exc).__name__}: {exc}. The workers need the same '
        f"packages (and versions) as this process; install them there, or run with scheduler='threads'.",
        name=None, where=what, worker=worker)
