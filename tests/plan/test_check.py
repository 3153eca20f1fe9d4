"""pipeline.check(): variables read before anything defines them."""
import numpy as np
import pytest

from dagflow import B, Batch, Dataset, V, action
from dagflow.plan.check import check_variables


@pytest.fixture
def ds():
    return Dataset(4, preloaded=np.arange(4))


def messages(report):
    return [(f'{p.node[0]}[{p.node[1]}]', p.message) for p in report]


class Opaque(Batch):
    @action
    def remember(self):
        pipeline = self.pipeline   # dagflow cannot follow what is done with it: any variable may be written
        pipeline.set_variable('made_here', 1)
        return self


class TestVariables:
    def test_an_update_of_a_variable_never_declared(self, ds):
        p = ds.p.update(V('total'), V('total') + B.size)
        assert messages(p.check()) == [('main[0]', "reads V('total') before anything defines it: this step writes "
                                                   "it only after reading it; declare it with "
                                                   ".init_variable('total', default)")]
        with pytest.raises(LookupError, match='total'):   # what the check foresees
            p.run(batch_size=2)

    def test_declared_it_is_fine(self, ds):
        assert ds.p.init_variable('total', 0).update(V('total'), V('total') + B.size).check().ok

    def test_a_read_before_a_later_write_in_the_batch(self, ds):
        p = ds.p.print(V('loss')).update(V('loss'), B.size)
        assert messages(p.check()) == [('main[0]', "reads V('loss') before anything defines it: main[1] writes it "
                                                   "later, too late for the first batch; declare it with "
                                                   ".init_variable('loss', default)")]

    def test_written_earlier_in_the_batch_or_in_before(self, ds):
        assert ds.p.update(V('x'), 1).print(V('x')).check().ok
        p = ds.p.print(V('y'))
        p.before.update(V('y'), 0)
        assert p.check().ok

    def test_after_reads_what_main_writes(self, ds):
        p = ds.p.update(V('last'), B.size)
        p.after.print(V('last'))
        assert p.check().ok

    def test_never_written(self, ds):
        assert messages(ds.p.print(V('nope')).check()) == [
            ('main[0]', "reads V('nope') but no init_variable or step defines it; add .init_variable('nope', "
                        "default) before it")]

    def test_nothing_after_an_action_that_may_write_any_variable(self):
        ds = Dataset(4, batch_class=Opaque)
        assert ds.p.remember().print(V('made_here')).check().ok
        assert not ds.p.print(V('made_here')).remember().check().ok

    def test_defined_names_and_the_plan_function(self, ds):
        plan = ds.p.print(V('given')).compile()
        assert check_variables(plan, defined={'given'}).ok and not check_variables(plan).ok
