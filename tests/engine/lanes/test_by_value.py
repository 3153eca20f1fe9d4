"""The user's code by value: which modules count as the user's, and what pickling them leaves behind."""
import os
import pickle
import sys

import cloudpickle
import numpy as np
import pytest

from dagflow.engine.lanes.by_value import Shipped, is_users, references, user_modules
from dagflow.exceptions import WorkerLoadError


def test_the_users_modules_are_those_outside_the_installation(user_module, tmp_path):
    mine = user_module()
    installed = user_module(folder=tmp_path / 'lib' / 'site-packages')
    assert is_users(mine.__name__) and is_users('__main__')
    assert not is_users(installed.__name__)                         # an installed package: by reference
    assert not any(map(is_users, ('numpy', 'json', 'dagflow.engine', 'distributed.protocol')))
    assert user_modules(mine.pipeline(), installed.total) == [mine.__name__]


def test_what_a_users_function_uses_is_found_through_it(user_module):
    module = user_module()
    uses = references(module.Numbers)
    assert {'Numbers', 'Numbers.triple'} <= uses[module.__name__]   # walked by value: its methods too
    assert 'Boom' in uses[module.__name__]                          # named in a method's code


def test_a_shipped_value_comes_back_here_as_the_original_objects(user_module):
    module = user_module()
    batch = module.Numbers(np.arange(3))
    triple = module.Numbers.triple
    back = pickle.loads(pickle.dumps(Shipped([batch, module.total], [module.__name__]))).load('a test')
    assert type(back[0]) is module.Numbers and back[1] is module.total
    assert module.Numbers.triple is triple          # the class was not redefined (its methods not replaced)


def test_where_the_module_is_missing_the_definition_travels(user_module):
    module = user_module()
    data = pickle.dumps(Shipped(module.total, [module.__name__]))
    del sys.modules[module.__name__]                  # as in a worker that never saw the file
    total = pickle.loads(data).load('a test')
    assert total is not module.total and total([1.0, 2.0]) == 3.0


def test_the_registration_is_left_as_it_was(user_module):
    module = user_module()
    before = set(cloudpickle.list_registry_pickle_by_value())
    Shipped(module.pipeline(), [module.__name__])
    references(module.pipeline())
    assert set(cloudpickle.list_registry_pickle_by_value()) == before
    cloudpickle.register_pickle_by_value(module)     # registered by someone else: it stays so
    try:
        Shipped(module.pipeline(), [module.__name__])
        assert module.__name__ in cloudpickle.list_registry_pickle_by_value()
    finally:
        cloudpickle.unregister_pickle_by_value(module)


def test_a_missing_package_is_named_with_what_uses_it(user_module, tmp_path):
    installed = user_module(folder=tmp_path / 'site-packages')
    name = installed.__name__
    shipped = pickle.loads(pickle.dumps(Shipped(installed.total, [], references(installed.total))))
    del sys.modules[name]
    sys.path.remove(str(tmp_path / 'site-packages'))
    with pytest.raises(WorkerLoadError, match=rf"cannot import module '{name}' \(used here: {name}.total\)"
                                              rf".*Install '{name}' on the workers") as info:
        shipped.load('step main[2] call', 'tcp://w:1')
    assert info.value.name == name and info.value.worker == 'tcp://w:1'


def test_old_protocols_get_the_arrays_in_band(user_module):
    module = user_module()
    batch = module.Numbers(np.arange(4))
    batch.x = np.arange(4.0)
    shipped = Shipped(batch, [module.__name__])
    back = pickle.loads(pickle.dumps(shipped, protocol=4)).load('a test')
    assert back.x.tolist() == [0.0, 1.0, 2.0, 3.0] and back.x.flags.writeable


def test_a_function_using_what_cannot_be_pickled_goes_by_reference(user_module):
    module = user_module(text='import threading\nLOCK = threading.Lock()\n\n\ndef locked(x):\n'
                              '    with LOCK:\n        return x\n')
    assert module.__name__ in references(module.locked)                 # found, though not by value
    shipped = Shipped(module.locked, [module.__name__])                 # as before: workers that import it run it
    assert pickle.loads(pickle.dumps(shipped)).load('a test') is module.locked
    del sys.modules[module.__name__]
    sys.path.remove(os.path.dirname(module.__file__))
    with pytest.raises(WorkerLoadError, match=f"cannot import module '{module.__name__}'"):   # the others name it
        pickle.loads(pickle.dumps(shipped)).load('a test')
