from types import SimpleNamespace

import numpy as np
import pytest

import dagflow
from dagflow.exceptions import ExpressionError
from dagflow.expr import B, C, Context, F, L, R, V, W, initial_value_of, read_data_from, save_data_to


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


class TestReadDataFrom:
    def test_exported_from_dagflow(self):
        assert dagflow.read_data_from is read_data_from

    def test_one_expression_gives_its_value(self, batch, pipeline):
        assert read_data_from(V('n'), pipeline=pipeline) == 3
        np.testing.assert_array_equal(read_data_from(B('images')[0], batch=batch), [0, 1, 2])

    def test_a_value_that_is_no_expression_is_returned_as_it_is(self):
        array = np.ones(2)
        assert read_data_from(array) is array
        value = {'n': V('n')}
        assert read_data_from(value) is value      # a dict is one value, not read (as BatchFlow's)

    def test_a_list_or_tuple_gives_the_same_container_of_values(self, batch, pipeline):
        array = np.zeros(2)
        assert read_data_from([V('n'), array, 'x'], pipeline=pipeline)[::2] == [3, 'x']
        assert read_data_from([V('n'), array], pipeline=pipeline)[1] is array
        read = read_data_from((V('n') + 1, C('model/lr'), B.size), batch=batch)
        assert read == (4, 0.1, 4) and isinstance(read, tuple)

    def test_nested_lists_are_returned_as_they_are(self, pipeline):
        inner = [V('n')]
        assert read_data_from([inner, V('n')], pipeline=pipeline) == [inner, 3]

    def test_the_counterpart_of_save_data_to(self, batch, pipeline):
        locations = [V('loss'), B('note')]
        save_data_to([0.5, 'hello'], locations, batch=batch)
        assert read_data_from(locations, batch=batch) == [0.5, 'hello']

    def test_in_an_action_of_a_run(self):
        class Reading(dagflow.Batch):
            components = ('x',)

            @dagflow.action(reads='var:offset')    # dagflow orders what it is told the action reads
            def read(self):
                self.x = self.x + read_data_from(V('offset'), batch=self)
                return self
        dataset = dagflow.Dataset(4, batch_class=Reading, preloaded={'x': np.zeros(4)})
        p = dataset.p.init_variable('offset', 2.0).read()
        assert [batch.x.tolist() for batch in p.gen_batch(2, n_epochs=1)] == [[2.0, 2.0], [2.0, 2.0]]

    def test_errors_are_those_of_the_expressions(self, batch):
        with pytest.raises(KeyError, match="'missing'"):
            read_data_from([V('missing')], batch=batch)
        with pytest.raises(ExpressionError, match='batch'):
            read_data_from(B('images'))


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
