"""pipeline.check(): B('name') reads of what the batch does not have."""
import numpy as np
import pytest

from dagflow import B, Batch, Dataset, Pipeline, V, action
from dagflow.plan.check_batch import batch_names, check_batch_names


class Images(Batch):
    components = 'images', 'labels'

    @action
    def make_mask(self):
        self.mask = self.images > 0
        return self

    @action
    def via_helper(self):
        self._fill()
        return self

    def _fill(self):
        setattr(self, 'weights', np.ones(len(self)))  # noqa: B010 - the form the check reads

    @action
    def named(self, dst):
        return self

    @action
    def anything(self, name):
        setattr(self, name, 1)
        return self


class Dynamic(Batch):
    def __getattr__(self, name):
        return name


@pytest.fixture
def ds():
    return Dataset(4, batch_class=Images, preloaded={'images': np.arange(4.0), 'labels': np.zeros(4)})


def messages(report):
    return [(f'{p.node[0]}[{p.node[1]}]', p.message) for p in report]


def reads(pipeline, *names):
    for name in names:
        pipeline = pipeline.call(print, B(name))
    return pipeline


class TestBatchNames:
    def test_a_typo_is_reported_with_the_close_name(self, ds):
        p = ds.p.init_variable('s', 0).update(V('s'), B('imagse').sum())
        assert messages(p.check()) == [('main[0]', "reads B('imagse') but Images has no component or attribute "
                                                   "'imagse' and no earlier step creates it. Did you mean 'images'? "
                                                   "Its components are ('images', 'labels'); declare the component "
                                                   "on the batch class, or create it in an earlier step "
                                                   "(update(B('imagse'), ...))")]

    def test_components_and_attributes(self, ds):
        assert reads(ds.p, 'images', 'labels', 'size', 'indices', 'data').check().ok
        assert ds.p.call(print, B.images[0], B.labels.shape).check().ok

    def test_created_by_an_assignment_before_the_read_not_after(self, ds):
        assert reads(ds.p.update(B('scaled'), B.images * 2), 'scaled').check().ok
        assert reads(ds.p.call(np.ones, 3, save_to=B('ones')), 'ones').check().ok
        late = reads(ds.p, 'scaled').update(B('scaled'), B.images * 2)
        assert [m for m, _ in messages(late.check())] == ['main[0]']

    def test_a_target_that_reads_the_name_first(self, ds):
        assert [m for m, _ in messages(ds.p.update(B('missing')[0], 1).check())] == ['main[0]']

    def test_created_by_an_actions_code_or_its_string_arguments(self, ds):
        assert reads(ds.p.make_mask(), 'mask').check().ok
        assert reads(ds.p.via_helper(), 'weights').check().ok
        assert reads(ds.p.named(dst='features'), 'features').check().ok
        assert not reads(ds.p.make_mask(), 'features').check().ok

    def test_nothing_more_after_a_step_that_could_create_anything(self, ds):
        assert reads(ds.p.anything(B.images.dtype), 'whatever').check().ok
        assert reads(ds.p.call(print, B()), 'whatever').check().ok

    def test_not_checked_without_a_batch_class_or_when_it_answers_any_name(self):
        assert reads(Pipeline(), 'whatever').check().ok
        assert reads(Dataset(4, batch_class=Dynamic).p, 'whatever').check().ok
        assert batch_names(Dataset(4, batch_class=Dynamic)) is None

    def test_the_run_agrees(self, ds):
        from dagflow.exceptions import ComponentError
        with pytest.raises(ComponentError, match="no component or attribute 'imagse'"):
            reads(ds.p, 'imagse').run(batch_size=2)

    def test_check_batch_names_directly(self, ds):
        plan = reads(ds.p, 'nope').compile()
        assert [p.node for p in check_batch_names(plan, ds)] == [('main', 0)]
        assert [p.node for p in check_batch_names(plan, Dataset(2))] == [('main', 0)]   # a plain Batch too
