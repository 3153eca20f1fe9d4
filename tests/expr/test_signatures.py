"""The signature cache of F(fn) and of the model steps: facts read once, callables held weakly."""
import gc
import weakref

from dagflow.expr import Context, F, evaluate
from dagflow.expr.signatures import signature_fact


def counting():
    calls = []

    def fact(signature):
        calls.append(signature)
        return None if signature is None else tuple(signature.parameters)
    return fact, calls


class Model:
    def train(self, x, fetches=None):
        return x


class TestSignatureFact:
    def test_a_fact_is_read_once_per_callable(self):
        fact, calls = counting()

        def fn(batch):
            return batch
        assert signature_fact(fn, fact) == signature_fact(fn, fact) == ('batch',)
        assert len(calls) == 1

    def test_a_bound_method_is_read_once_for_every_instance(self):
        fact, calls = counting()
        assert signature_fact(Model().train, fact) == signature_fact(Model().train, fact) == ('x', 'fetches')
        assert signature_fact(Model.train, fact) == ('self', 'x', 'fetches')
        assert len(calls) == 2

    def test_callables_that_cannot_be_cached_are_read_every_time(self):
        class Unhashable:
            __hash__ = None

            def __call__(self, batch):
                return batch
        fact, calls = counting()
        unhashable = Unhashable()
        assert signature_fact(unhashable, fact) == signature_fact(unhashable, fact) == ('batch',)
        assert len(calls) == 2

    def test_an_unreadable_signature_gives_none_to_the_fact(self):
        fact, _ = counting()
        assert signature_fact(max, fact) is None


class TestHeldWeakly:
    def test_a_closure_given_to_f_is_freed_with_its_data(self):
        class Data:
            pass

        def make_closure(data):
            def closure(batch):
                return data
            return closure
        data = Data()
        closure = make_closure(data)
        expr = F(closure)
        assert evaluate(expr, Context(batch=object())) is data
        watched = weakref.ref(data), weakref.ref(closure)
        del expr, closure, data
        gc.collect()
        assert watched[0]() is None and watched[1]() is None

    def test_a_model_whose_method_was_read_is_freed(self):
        from dagflow.runtime.model_actions import outputs_spelling
        model = Model()
        assert outputs_spelling(model.train, {'outputs': 'loss'}, 'train_model') == {'fetches': 'loss'}
        watched = weakref.ref(model)
        del model
        gc.collect()
        assert watched() is None
