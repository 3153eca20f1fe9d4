"""Loss: the losses of batches averaged by their sizes, as BatchFlow's Loss metrics."""
import pickle

import numpy as np
import pytest

from dagflow.models.metrics import Loss, MetricsError


def test_the_mean_is_weighted_by_batch_sizes():
    losses = sum([Loss(1.0, 2), Loss(4.0, 6), Loss(0.0, 2)])
    assert losses.evaluate('loss') == pytest.approx((1 * 2 + 4 * 6 + 0 * 2) / 10)
    np.testing.assert_array_equal(losses.evaluate('loss', agg='batchwise'), [1.0, 4.0, 0.0])
    np.testing.assert_array_equal(losses.evaluate('loss', agg=None), [[1.0, 4.0, 0.0], [2, 6, 2]])
    np.testing.assert_array_equal(losses.loss(), losses.evaluate('loss', agg=None))


def test_append_and_update_gather_the_batches():
    appended, updated = Loss(1.0, 1), Loss(1.0, 1)
    appended.append(Loss(3.0, 3))
    updated.update(Loss(3.0, 3))
    assert appended.evaluate('loss') == updated.evaluate('loss') == 2.5
    assert repr(appended) == '<Loss: 2 batches, 4 items>'
    assert pickle.loads(pickle.dumps(appended)).evaluate('loss') == 2.5


def test_bad_input():
    with pytest.raises(MetricsError, match=r"loss must be a number .*, got 'high'"):
        Loss('high', 3)
    with pytest.raises(MetricsError, match=r'batch_len must be the number of items in the batch, got -1'):
        Loss(1.0, -1)
    with pytest.raises(MetricsError, match=r"agg must be 'mean' .*, 'batchwise' or None, got 'sum'"):
        Loss(1.0, 1).evaluate('loss', agg='sum')
