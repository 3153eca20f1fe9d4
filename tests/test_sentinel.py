import copy
import pickle

import pytest

from dagflow.data.iteration import DEFAULT_EPOCHS
from dagflow.expr.named import NO_DEFAULT
from dagflow.pipeline.run_args import NOT_GIVEN
from dagflow.runtime.state import NO_VALUE
from dagflow.sentinel import Sentinel


@pytest.mark.parametrize('sentinel, text', [(DEFAULT_EPOCHS, 'DEFAULT_EPOCHS'), (NO_DEFAULT, 'NO_DEFAULT'),
                                            (NOT_GIVEN, '<not given>'), (NO_VALUE, '<no value>')])
def test_a_sentinel_survives_pickling_and_copies_as_itself(sentinel, text):
    assert repr(sentinel) == text
    assert pickle.loads(pickle.dumps(sentinel)) is sentinel
    assert copy.copy(sentinel) is sentinel and copy.deepcopy({'x': [sentinel]})['x'][0] is sentinel


def test_a_sentinel_bound_to_no_module_name_cannot_be_pickled():
    stray = Sentinel('STRAY', __name__)
    with pytest.raises(pickle.PicklingError):
        pickle.dumps(stray)
