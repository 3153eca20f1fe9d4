import dataclasses
import pickle
from types import SimpleNamespace

import numpy as np
import pytest

from dagflow.expr import Context, IterationInfo, make_context


class TestIterationInfo:
    def test_numbered_as_batchflow(self):
        first, last = IterationInfo(number=0, total=4), IterationInfo(number=3, total=4)
        assert (first.current, first.max, first.ratio) == (1, 4, 0.25)
        assert (last.current, last.max, last.ratio) == (4, 4, 1.0)

    def test_endless(self):
        info = IterationInfo(number=3)
        assert (info.current, info.max, info.ratio) == (4, None, None)

    def test_frozen(self):
        with pytest.raises(dataclasses.FrozenInstanceError):
            IterationInfo(number=1).number = 2


class TestContext:
    def test_defaults(self):
        ctx = Context()
        assert (ctx.batch, ctx.pipeline, ctx.dataset, ctx.iteration, ctx.random) == (None,) * 5

    def test_from_batch_without_own_context(self):
        batch = SimpleNamespace(pipeline='p')
        assert Context.from_batch(batch) == Context(batch=batch, pipeline='p')
        assert Context.from_batch(object()).pipeline is None

    def test_from_batch_with_own_context(self):
        rng = np.random.default_rng(0)
        batch = SimpleNamespace(context=Context(pipeline='p', random=rng, iteration=IterationInfo(2, 5)))
        ctx = Context.from_batch(batch)
        assert ctx.batch is batch
        assert (ctx.pipeline, ctx.random, ctx.iteration.number) == ('p', rng, 2)

    def test_get_dataset_fallbacks(self):
        pipeline = SimpleNamespace(dataset='pipeline ds')
        batch = SimpleNamespace(dataset='batch ds')
        assert Context(dataset='own', pipeline=pipeline, batch=batch).get_dataset() == 'own'
        assert Context(pipeline=pipeline, batch=batch).get_dataset() == 'pipeline ds'
        assert Context(pipeline=SimpleNamespace(dataset=None), batch=batch).get_dataset() == 'batch ds'
        assert Context().get_dataset() is None

    def test_frozen_and_picklable(self):
        ctx = Context(pipeline='p', iteration=IterationInfo(1, 2), random=np.random.default_rng(3))
        with pytest.raises(dataclasses.FrozenInstanceError):
            ctx.pipeline = 'q'
        clone = pickle.loads(pickle.dumps(ctx))
        assert (clone.pipeline, clone.iteration) == ('p', IterationInfo(1, 2))
        assert clone.random.integers(1000) == np.random.default_rng(3).integers(1000)


class TestMakeContext:
    def test_nothing(self):
        assert make_context() == Context()

    def test_batch_alone_uses_from_batch(self):
        batch = SimpleNamespace(pipeline='p')
        assert make_context(batch) == Context(batch=batch, pipeline='p')

    def test_pipeline_overrides(self):
        batch = SimpleNamespace(pipeline='p')
        assert make_context(batch, pipeline='q').pipeline == 'q'
        assert make_context(pipeline='q', context=Context(pipeline='p')).pipeline == 'q'

    def test_batch_replaces_the_contexts(self):
        ctx = Context(batch='old', iteration=IterationInfo(0))
        made = make_context('new', context=ctx)
        assert (made.batch, made.iteration) == ('new', IterationInfo(0))
        assert make_context(context=ctx) is ctx
