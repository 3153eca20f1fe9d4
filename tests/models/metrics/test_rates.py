"""The rates of the counts under BatchFlow's when_zero convention and under skip_undefined, one formula at a time."""
import warnings

import numpy as np
import pytest

from dagflow.models.metrics import MetricsError
from dagflow.models.metrics.counts import Counts
from dagflow.models.metrics.rates import RATES, mean_over, per_item, rate


def counts(*rows):
    """Counts of one item from (tp, fp, fn, tn) per class."""
    tp, fp, fn, tn = (np.array([[row[k] for row in rows]]) for k in range(4))
    return Counts(tp=tp, fp=fp, fn=fn, tn=tn)


# A class with nothing at all (no target, no prediction): BatchFlow's when_zero value of each metric.
WHEN_NOTHING = {
    'true_positive_rate': 1, 'false_positive_rate': 0, 'false_negative_rate': 0, 'true_negative_rate': 1,
    'prevalence': 0, 'positive_predictive_value': 1, 'false_discovery_rate': 0, 'false_omission_rate': 0,
    'negative_predictive_value': 1,
    'positive_likelihood_ratio': np.inf,    # TPR 1 / FPR 0, and 1 > 0
    'negative_likelihood_ratio': 0,         # FNR 0 / TNR 1
    'diagnostics_odds_ratio': np.inf,       # PLR inf / NLR 0
    'f1_score': np.inf, 'jaccard': np.inf,  # nothing to find and nothing found
}


class TestWhenZero:
    @pytest.mark.parametrize('name', RATES)
    def test_the_value_of_every_metric_for_a_class_with_nothing(self, name):
        nothing = Counts(tp=np.zeros((1, 1)), fp=np.zeros((1, 1)), fn=np.zeros((1, 1)), tn=np.zeros((1, 1)))
        with warnings.catch_warnings():
            warnings.simplefilter('error')
            assert rate(name, nothing, multiclass=None)[0, 0] == WHEN_NOTHING[name]
            assert np.isnan(rate(name, nothing, multiclass=None, skip_undefined=True)[0, 0])

    def test_the_value_when_only_the_denominator_is_zero(self):
        # tp 2, no false positive: FPR = 0/0 -> 0, so PLR = TPR / 0 with TPR > 0 -> inf
        perfect = counts((2, 0, 0, 3))
        assert rate('positive_likelihood_ratio', perfect, multiclass=None)[0, 0] == np.inf
        assert rate('positive_likelihood_ratio', perfect, multiclass=None, when_zero=(7, 8))[0, 0] == 7
        none_found = counts((0, 0, 2, 3))   # TPR 0, FPR 0: 0/0 -> 0
        assert rate('positive_likelihood_ratio', none_found, multiclass=None)[0, 0] == 0
        assert rate('positive_likelihood_ratio', none_found, multiclass=None, when_zero=(7, 8))[0, 0] == 8

    def test_f1_is_zero_when_only_one_of_recall_and_precision_is_undefined(self):
        never_predicted, never_present = counts((0, 0, 2, 3)), counts((0, 2, 0, 3))
        assert rate('f1_score', never_predicted, multiclass=None)[0, 0] == 0
        assert rate('f1_score', never_present, multiclass=None)[0, 0] == 0
        assert rate('jaccard', never_present, multiclass=None)[0, 0] == 0

    def test_f1_and_jaccard_refuse_a_when_zero(self):
        with pytest.raises(MetricsError, match=r'jaccard takes no when_zero'):
            rate('jaccard', counts((1, 0, 0, 1)), multiclass=None, when_zero=(0, 0))


class TestAveraging:
    # per class (tp, fp, fn, tn): class 0 found twice, class 1 absent everywhere, class 2 missed once
    c = counts((2, 1, 0, 3), (0, 0, 0, 6), (1, 0, 1, 4))

    def test_macro_includes_when_zero_values_and_leaves_out_infinite_ones(self):
        assert rate('true_positive_rate', self.c, multiclass='macro')[0] == pytest.approx((1 + 1 + 1 / 2) / 3)
        assert rate('true_positive_rate', self.c, multiclass='mean')[0] == pytest.approx((1 + 1 + 1 / 2) / 3)
        # PLR per class: 1 / (1/4), inf (1 / 0), (1/2) / 0 = inf: the mean of the finite ones
        assert rate('positive_likelihood_ratio', self.c, multiclass='macro')[0] == pytest.approx(4.0)

    def test_micro_pools_counts_for_rates_and_per_class_rates_for_likelihood_ratios(self):
        assert rate('true_positive_rate', self.c, multiclass='micro')[0] == pytest.approx(3 / 4)
        # TPR (1, 1 for the absent class, 1/2) over FPR (1/4, 0, 0)
        assert rate('positive_likelihood_ratio', self.c, multiclass='micro')[0] == pytest.approx(2.5 / 0.25)
        assert rate('negative_likelihood_ratio', self.c, multiclass='micro')[0] == pytest.approx(
            (0 + 0 + 1 / 2) / (3 / 4 + 1 + 1))
        assert rate('positive_likelihood_ratio', self.c, multiclass='micro', skip_undefined=True)[0] == \
            pytest.approx((3 / 4) / (1 / 14))

    def test_macro_f1_is_the_harmonic_mean_of_macro_recall_and_precision(self):
        recall, precision = (1 + 1 / 2) / 2, (2 / 3 + 1) / 2     # the absent class left out of both
        assert rate('f1_score', self.c, multiclass='macro')[0] == pytest.approx(
            2 * recall * precision / (recall + precision))
        per_class = [4 / 5, 2 / 3]                              # 2 tp / (2 tp + fp + fn) of classes 0 and 2
        assert rate('f1_score', self.c, multiclass='macro', skip_undefined=True)[0] == pytest.approx(
            np.mean(per_class))

    def test_mean_over_items(self):
        values = np.array([[1.0, np.inf], [3.0, np.nan], [np.nan, np.nan]])
        np.testing.assert_array_equal(mean_over(values, 0, skip_undefined=False), [2.0, np.inf])
        np.testing.assert_array_equal(mean_over(values[:, :1].T, 1, skip_undefined=True), [2.0])
        np.testing.assert_array_equal(mean_over(values[1:, 1:], 0, skip_undefined=True), [np.nan])

    def test_per_item_shapes(self):
        assert per_item('true_positive', self.c, labels=[0, 2], single=False, multiclass='macro').shape == (1, 2)
        assert per_item('true_positive_rate', self.c, labels=[0, 2], single=False, multiclass=None).shape == (1, 2)
        assert per_item('true_positive_rate', self.c, labels=[2], single=True, multiclass=None).tolist() == [0.5]


class TestNeedsTrueNegatives:
    def test_the_metrics_made_from_true_negatives(self):
        from dagflow.models.metrics.rates import NEEDS_TRUE_NEGATIVES
        assert NEEDS_TRUE_NEGATIVES == {
            'true_negative', 'condition_negative', 'prediction_negative', 'false_positive_rate',
            'true_negative_rate', 'false_omission_rate', 'negative_predictive_value', 'positive_likelihood_ratio',
            'negative_likelihood_ratio', 'diagnostics_odds_ratio'}

    @pytest.mark.parametrize('skip_undefined', [False, True])
    def test_the_derived_set_agrees_with_computing_without_true_negatives(self, skip_undefined):
        from dagflow.models.metrics.counts import COUNTS
        from dagflow.models.metrics.rates import NEEDS_TRUE_NEGATIVES
        given = counts((2, 1, 1, 0), (0, 1, 2, 0))
        instances = Counts(tp=given.tp, fp=given.fp, fn=given.fn, tn=None)
        for name in (*COUNTS, *RATES):
            try:
                with np.errstate(all='ignore'):
                    value = per_item(name, instances, labels=[0, 1], single=False, multiclass='macro',
                                     skip_undefined=skip_undefined)
            except TypeError:   # None + an array
                value = None
            assert (value is None) == (name in NEEDS_TRUE_NEGATIVES), name
