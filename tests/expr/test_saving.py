from types import SimpleNamespace

import numpy as np
import pytest

import dagflow
from dagflow.exceptions import ExpressionError
from dagflow.expr import B, Context, F, L, R, V, W, initial_value_of, save_data_to


class TestSaveDataTo:
    def test_exported_from_dagflow(self):
        assert dagflow.save_data_to is save_data_to

    def test_one_location(self, pipeline):
        save_data_to([1, 2], V('pair'), pipeline=pipeline)
        assert pipeline.variables['pair'] == [1, 2]

    def test_a_list_of_locations_uses_their_own_modes(self, batch, pipeline):
        total = np.zeros(3)
        save_data_to((5, np.ones(3), 'x'), [V('history', mode='a'), total, B('note')], batch=batch)
        assert pipeline.variables['history'] == [1, 5]
        np.testing.assert_array_equal(total, [1, 1, 1])
        assert batch.note == 'x'

    def test_plain_entries_of_a_list_or_dict_are_replaced(self):
        slots = [None, 0]
        save_data_to(['a', 'b'], slots)
        assert slots == ['a', 'b']

    def test_a_dict(self, pipeline):
        out = np.zeros(2)
        dst = {'loss': V('loss'), 'grads': out, 'note': None}
        save_data_to({'loss': 0.5, 'grads': [1, 2], 'note': 'n', 'unused': 0}, dst, context=Context(pipeline=pipeline))
        assert pipeline.variables['loss'] == 0.5 and out.tolist() == [1, 2] and dst['note'] == 'n'

    def test_item_wise_location(self, make_batch):
        batch = make_batch(images=[SimpleNamespace(tag=0), SimpleNamespace(tag=0)], labels=None)
        save_data_to([[1, 2]], [L('images').tag], batch=batch)
        assert [item.tag for item in batch.images] == [1, 2]

    def test_errors(self, pipeline):
        with pytest.raises(KeyError, match=r"dst has the key 'acc', which data lacks"):
            save_data_to({'loss': 1}, {'acc': V('acc')}, pipeline=pipeline)
        with pytest.raises(ExpressionError, match=r'data is a dict, so dst must be a dict'):
            save_data_to({'loss': 1}, [V('loss')], pipeline=pipeline)
        with pytest.raises(ExpressionError, match=r'2 value\(s\) for 3 location\(s\)'):
            save_data_to([1, 2], [V('a'), V('b'), V('c')], pipeline=pipeline)
        with pytest.raises(ExpressionError, match=r"dst must be a named expression, a numpy array, or a list"):
            save_data_to(1, 'loss')
        with pytest.raises(ExpressionError, match=r'entry 0 of the dst tuple is None, which names no location'):
            save_data_to([1], (None,))
        with pytest.raises(ExpressionError, match=r'mismatch|Cannot write'):
            save_data_to(np.ones(3), np.zeros(2))


class TestInitialValue:
    def test_named_expressions_are_evaluated_without_a_batch(self):
        assert initial_value_of(F(lambda: 'made')) == 'made'
        assert initial_value_of({'start': F(lambda: 1)}) == {'start': 1}
        assert initial_value_of(R('uniform', seed=3)) == np.random.default_rng(3).uniform()
        assert repr(initial_value_of(W(V('x')))) == "V('x')"

    def test_callables_are_called_only_per_run(self):
        assert initial_value_of(list, per_run=True) == []
        assert initial_value_of(list) is list

    def test_plain_values_are_copied(self):
        value = {'a': [1]}
        copied = initial_value_of(value)
        assert copied == value and copied['a'] is not value['a']

    def test_an_f_that_needs_the_batch(self):
        with pytest.raises(ExpressionError, match=r'needs a batch, but there is none here'):
            initial_value_of(F(lambda batch: batch.size))
