"""Variables and locks stores: derived stores start from the declarations; locks are shared."""
import pickle

import numpy as np
import pytest

from dagflow.exceptions import StepArgumentError, UndefinedVariableError
from dagflow.runtime.state import NO_VALUE, Locks, Variables, VariableSpec


class TestVariables:
    def test_a_declaration_without_init_on_each_run_stays_so_when_pickled(self):
        spec = pickle.loads(pickle.dumps(VariableSpec('total', 0)))
        assert spec.init_on_each_run is NO_VALUE and not spec.per_run
        assert pickle.loads(pickle.dumps(NO_VALUE)) is NO_VALUE and repr(NO_VALUE) == '<no value>'

    def test_a_fresh_copy_starts_from_the_declarations(self):
        store = Variables()
        store.declare(VariableSpec('history', []))
        store.set('history', 1, mode='a')
        store.set('undeclared', 5)
        fresh = store.copy_fresh()
        assert fresh.get('history') == [] and not fresh.has('undeclared')
        fresh.set('history', 2, mode='a')
        assert store.get('history') == [1] and fresh.get('history') == [2]

    def test_a_fresh_copy_copies_no_default_until_it_is_used(self):
        class Counted:
            copies = 0

            def __deepcopy__(self, memo):
                Counted.copies += 1
                return Counted()

        store = Variables()
        store.declare(VariableSpec('big', Counted()))
        copies = Counted.copies
        chain = store
        for _ in range(50):
            chain = chain.copy_fresh()
        assert Counted.copies == copies            # 50 derived stores, no default copied
        assert isinstance(chain.get('big'), Counted)
        assert Counted.copies == copies + 1        # the store in use creates its value once

    def test_a_fresh_copy_declares_and_deletes_after_creating_its_values(self):
        store = Variables()
        store.declare(VariableSpec('a', 1))
        fresh = store.copy_fresh()
        fresh.declare(VariableSpec('b', 2))
        assert fresh.values == {'a': 1, 'b': 2}
        fresh = store.copy_fresh()
        assert fresh.delete('a') and not fresh.has('a') and not fresh.delete('a')
        assert store.get('a') == 1

    def test_missing_is_a_key_error(self):
        with pytest.raises(KeyError, match="Variable 'x' is not defined"):
            Variables().get('x')
        assert issubclass(UndefinedVariableError, KeyError)

    def test_a_fresh_copy_pickles_with_its_values(self):
        store = Variables()
        store.declare(VariableSpec('w', np.zeros(2)))
        again = pickle.loads(pickle.dumps(store.copy_fresh()))
        assert np.array_equal(again.get('w'), np.zeros(2))


class TestLocks:
    def test_a_shared_copy_holds_the_same_locks(self):
        locks = Locks()
        lock = locks.create('io')
        copy = locks.shared_copy()
        assert copy.get('io') is lock and 'io' in copy
        copy.create('other')
        assert 'other' not in locks

    def test_share_adds_the_other_stores_locks(self):
        mine, theirs = Locks(), Locks()
        own, same_name, other = mine.create('a'), theirs.create('a'), theirs.create('b')
        mine.share(theirs)
        assert mine.get('a') is own and mine.get('b') is other and same_name is not own

    def test_delete_and_clear(self):
        locks = Locks()
        locks.create('a'), locks.create('b')
        assert locks.delete('a') and not locks.delete('a')
        locks.clear()
        assert locks.names() == [] and [] not in locks

    def test_releasing_a_lock_not_held_is_explained(self):
        with pytest.raises(StepArgumentError, match=r"Cannot release lock 'io': it is not held"):
            Locks().release('io')
