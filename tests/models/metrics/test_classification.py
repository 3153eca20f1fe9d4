"""ClassificationMetrics against scikit-learn, hand-computed cases, input formats, shapes and errors."""
import warnings

import numpy as np
import pytest

from dagflow.models.metrics import ClassificationMetrics, MetricsError

sk = pytest.importorskip('sklearn.metrics')

SKLEARN_SCORES = {  # our name -> (sklearn function, its extra arguments)
    'precision': (sk.precision_score, {'zero_division': np.nan}),
    'recall': (sk.recall_score, {'zero_division': np.nan}),
    'f1_score': (sk.f1_score, {'zero_division': np.nan}),
    'jaccard': (sk.jaccard_score, {}),  # it has no zero_division=nan; every class occurs in these inputs
}


def random_labels(num_classes, size=400, seed=0, accuracy=0.6):
    rng = np.random.default_rng(seed)
    targets = rng.integers(0, num_classes, size)
    noise = rng.integers(0, num_classes, size)
    predictions = np.where(rng.random(size) < accuracy, targets, noise)
    return targets, predictions


class TestAgainstSklearn:
    @pytest.mark.parametrize('seed', [0, 1, 2])
    @pytest.mark.parametrize('name', sorted(SKLEARN_SCORES))
    def test_two_classes_give_the_positive_class(self, name, seed):
        targets, predictions = random_labels(2, seed=seed)
        fn, extra = SKLEARN_SCORES[name]
        metrics = ClassificationMetrics(targets, predictions, fmt='labels', num_classes=2)
        assert metrics.evaluate(name) == pytest.approx(fn(targets, predictions, **extra))

    @pytest.mark.parametrize('seed', [0, 1])
    @pytest.mark.parametrize('name, multiclass', [
        ('precision', None), ('precision', 'micro'), ('precision', 'macro'),
        ('recall', None), ('recall', 'micro'), ('recall', 'macro'),
        ('f1_score', None), ('f1_score', 'micro'), ('jaccard', None), ('jaccard', 'micro'),
    ])
    def test_multiclass_where_the_definitions_agree(self, name, multiclass, seed):
        targets, predictions = random_labels(5, seed=seed)   # every class occurs and is predicted
        fn, extra = SKLEARN_SCORES[name]
        metrics = ClassificationMetrics(targets, predictions, fmt='labels', num_classes=5)
        expected = fn(targets, predictions, labels=range(5), average=multiclass, **extra)
        np.testing.assert_allclose(metrics.evaluate(name, multiclass=multiclass), expected)

    @pytest.mark.parametrize('seed', [0, 1])
    def test_macro_f1_is_the_harmonic_mean_of_macro_recall_and_macro_precision(self, seed):
        targets, predictions = random_labels(5, seed=seed)
        metrics = ClassificationMetrics(targets, predictions, fmt='labels', num_classes=5)
        recall = sk.recall_score(targets, predictions, average='macro')
        precision = sk.precision_score(targets, predictions, average='macro')
        f1 = 2 * recall * precision / (recall + precision)
        assert metrics.evaluate('f1_score') == pytest.approx(f1)
        assert metrics.evaluate('jaccard') == pytest.approx(f1 / (2 - f1))
        assert metrics.evaluate('f1_score') != pytest.approx(sk.f1_score(targets, predictions, average='macro'))

    @pytest.mark.parametrize('seed', [0, 1])
    @pytest.mark.parametrize('multiclass', ['micro', 'macro', None])
    @pytest.mark.parametrize('name', sorted(SKLEARN_SCORES))
    def test_skip_undefined_is_sklearns_zero_division_nan(self, name, multiclass, seed):
        targets, predictions = random_labels(5, seed=seed)
        fn, extra = SKLEARN_SCORES[name]
        metrics = ClassificationMetrics(targets, predictions, fmt='labels', num_classes=5)
        expected = fn(targets, predictions, labels=range(5), average=multiclass, **extra)
        np.testing.assert_allclose(metrics.evaluate(name, multiclass=multiclass, skip_undefined=True), expected)

    def test_accuracy_and_the_confusion_matrix(self):
        targets, predictions = random_labels(4, seed=3)
        metrics = ClassificationMetrics(targets, predictions, fmt='labels', num_classes=4)
        assert metrics.evaluate('accuracy') == pytest.approx(sk.accuracy_score(targets, predictions))
        # BatchFlow's layout: rows are the predicted classes, the transpose of scikit-learn's
        np.testing.assert_array_equal(metrics.confusion_matrix, sk.confusion_matrix(targets, predictions).T)
        np.testing.assert_array_equal(metrics.confusion_matrices, metrics.confusion_matrix[None])

    def test_counts_are_sklearns_one_vs_rest_confusion_matrices(self):
        targets, predictions = random_labels(4, seed=4)
        per_class = sk.multilabel_confusion_matrix(targets, predictions, labels=range(4))  # [[tn, fp], [fn, tp]]
        metrics = ClassificationMetrics(targets, predictions, fmt='labels', num_classes=4)
        counts = metrics.evaluate(['true_negative', 'false_positive', 'false_negative', 'true_positive'])
        np.testing.assert_array_equal(np.stack(list(counts.values()), axis=1).reshape(4, 2, 2), per_class)

    def test_specificity_is_the_recall_of_the_negative_class(self):
        targets, predictions = random_labels(2, seed=5)
        metrics = ClassificationMetrics(targets, predictions, fmt='labels', num_classes=2)
        assert metrics.evaluate('specificity') == pytest.approx(sk.recall_score(targets, predictions, pos_label=0))
        assert metrics.evaluate('negative_predictive_value') == pytest.approx(
            sk.precision_score(targets, predictions, pos_label=0))

    def test_likelihood_ratios(self):
        targets, predictions = random_labels(2, seed=6)
        metrics = ClassificationMetrics(targets, predictions, fmt='labels', num_classes=2)
        positive, negative = sk.class_likelihood_ratios(targets, predictions)
        assert metrics.evaluate('positive_likelihood_ratio') == pytest.approx(positive)
        assert metrics.evaluate('negative_likelihood_ratio') == pytest.approx(negative)
        assert metrics.evaluate('diagnostics_odds_ratio') == pytest.approx(positive / negative)


class TestUndefinedValues:
    """A 0/0 rate takes BatchFlow's when_zero value; skip_undefined=True makes it nan and leaves it out of means."""

    # class 2 is never predicted, class 3 never occurs; per class (tp, fp, fn): (1, 2, 1), (2, 1, 0), (0, 0, 2), 0s
    targets = np.array([0, 0, 1, 1, 2, 2])
    predictions = np.array([0, 1, 1, 1, 0, 0])

    def metrics(self):
        return ClassificationMetrics(self.targets, self.predictions, fmt='labels', num_classes=4)

    def test_an_absent_class_has_recall_and_precision_1_and_macro_averages_include_them(self):
        metrics = self.metrics()
        np.testing.assert_allclose(metrics.recall(multiclass=None), [1 / 2, 1, 0, 1])
        np.testing.assert_allclose(metrics.precision(multiclass=None), [1 / 3, 2 / 3, 1, 1])
        assert metrics.evaluate('recall') == pytest.approx((1 / 2 + 1 + 0 + 1) / 4)
        assert metrics.evaluate('precision') == pytest.approx((1 / 3 + 2 / 3 + 1 + 1) / 4)
        np.testing.assert_allclose(metrics.evaluate('false_negative_rate', multiclass=None), [1 / 2, 0, 1, 0])

    def test_skip_undefined_leaves_them_out_like_sklearns_zero_division_nan(self):
        metrics = self.metrics()
        np.testing.assert_allclose(metrics.recall(multiclass=None, skip_undefined=True), [1 / 2, 1, 0, np.nan])
        for name, fn in (('precision', sk.precision_score), ('recall', sk.recall_score), ('f1_score', sk.f1_score)):
            expected = fn(self.targets, self.predictions, labels=range(4), average='macro', zero_division=np.nan)
            assert metrics.evaluate(name, skip_undefined=True) == pytest.approx(expected)

    def test_f1_with_nothing_to_find_and_nothing_found_is_inf_and_left_out_of_the_macro_f1(self):
        metrics = self.metrics()
        # per class: 2PR/(P+R); class 2 has R = 0 and no P: 0; class 3 has neither: inf
        np.testing.assert_allclose(metrics.f1_score(multiclass=None), [0.4, 0.8, 0, np.inf])
        np.testing.assert_allclose(metrics.jaccard(multiclass=None), [0.25, 2 / 3, 0, np.inf])
        # macro recall and precision without the undefined classes: (1/2 + 1 + 0) / 3 and (1/3 + 2/3) / 2
        assert metrics.evaluate('f1_score') == pytest.approx(2 * 0.5 * 0.5 / (0.5 + 0.5))
        assert metrics.evaluate('jaccard') == pytest.approx(0.5 / 1.5)

    def test_when_zero_overrides_the_metrics_own(self):
        metrics = self.metrics()
        np.testing.assert_allclose(metrics.recall(multiclass=None, when_zero=(0, 0)), [1 / 2, 1, 0, 0])
        assert metrics.evaluate('recall', when_zero=(0, 0)) == pytest.approx(1.5 / 4)
        # nan is left out of the means, as BatchFlow's mean leaves out what is not finite
        assert metrics.evaluate('precision', when_zero=(np.nan, np.nan)) == pytest.approx(0.5)

    def test_nothing_to_find_in_a_two_class_task(self):
        with warnings.catch_warnings():
            warnings.simplefilter('error')
            metrics = ClassificationMetrics([0, 0, 0], [0, 0, 0], fmt='labels', num_classes=2)
            values = metrics.evaluate(ClassificationMetrics.metric_names())
            skipped = metrics.evaluate(ClassificationMetrics.metric_names(), skip_undefined=True)
        assert values['sensitivity'] == 1 and values['precision'] == 1 and values['miss_rate'] == 0
        assert values['fdr'] == 0 and values['specificity'] == 1 and values['accuracy'] == 1
        assert values['plr'] == np.inf and values['nlr'] == 0 and values['dor'] == np.inf   # TPR 1 / FPR 0
        assert values['f1_score'] == np.inf and values['jaccard'] == np.inf
        assert all(np.isnan(skipped[name]) for name in ('sensitivity', 'precision', 'plr', 'dor', 'f1', 'iou'))
        assert skipped['specificity'] == 1 and skipped['accuracy'] == 1

    def test_items_without_positives_count_in_the_mean_over_items(self):
        targets = np.array([[1, 1, 0], [0, 0, 0]])    # the second item has no positives: its recall is 1
        predictions = np.array([[1, 0, 0], [1, 0, 0]])
        metrics = ClassificationMetrics(targets, predictions, fmt='labels', num_classes=2)
        np.testing.assert_array_equal(metrics.evaluate('recall', agg=None), [0.5, 1.0])
        assert metrics.evaluate('recall') == 0.75
        per_item = metrics.evaluate('recall', agg=None, skip_undefined=True)
        assert per_item[0] == 0.5 and np.isnan(per_item[1])
        assert metrics.evaluate('recall', skip_undefined=True) == 0.5


class TestHandComputed:
    # targets/predictions with tp=3, fp=1, fn=2, tn=4 for the positive class
    targets = np.array([1, 1, 1, 1, 1, 0, 0, 0, 0, 0])
    predictions = np.array([1, 1, 1, 0, 0, 1, 0, 0, 0, 0])
    expected = {
        'true_positive': 3, 'false_positive': 1, 'false_negative': 2, 'true_negative': 4,
        'condition_positive': 5, 'condition_negative': 5, 'prediction_positive': 4, 'prediction_negative': 6,
        'total_population': 10, 'sensitivity': 3 / 5, 'fallout': 1 / 5, 'miss_rate': 2 / 5, 'specificity': 4 / 5,
        'prevalence': 5 / 10, 'accuracy': 7 / 10, 'precision': 3 / 4, 'false_discovery_rate': 1 / 4,
        'false_omission_rate': 2 / 6, 'negative_predictive_value': 4 / 6,
        'positive_likelihood_ratio': (3 / 5) / (1 / 5), 'negative_likelihood_ratio': (2 / 5) / (4 / 5),
        'diagnostics_odds_ratio': 3 / 0.5, 'dice': 6 / 9, 'iou': 3 / 6,
    }

    def test_every_metric_of_a_small_binary_case(self):
        metrics = ClassificationMetrics(self.targets, self.predictions, fmt='labels', num_classes=2)
        values = metrics.evaluate(list(self.expected))
        assert values == pytest.approx(self.expected)
        assert values == pytest.approx(metrics.evaluate(list(self.expected), skip_undefined=True))
        assert isinstance(values['true_positive'], int) and isinstance(values['precision'], float)

    def test_every_canonical_name_and_alias_evaluates(self):
        metrics = ClassificationMetrics(self.targets, self.predictions, fmt='labels', num_classes=2)
        values = metrics.evaluate(ClassificationMetrics.metric_names())
        assert values['recall'] == values['sensitivity'] == values['tpr'] == values['true_positive_rate']
        assert values['iou'] == values['jaccard'] and values['dice'] == values['f1'] == values['f1_score']

    def test_micro_sums_the_one_vs_rest_counts(self):
        # 3 classes: per class (tp, fp, fn, tn) = (1, 0, 1, 4), (1, 1, 1, 3), (2, 1, 0, 3)
        metrics = ClassificationMetrics([0, 1, 2, 2, 1, 0], [0, 2, 2, 2, 1, 1], fmt='labels', num_classes=3)
        assert metrics.evaluate('specificity', multiclass='micro') == pytest.approx(10 / 12)
        assert metrics.evaluate('specificity', multiclass='macro') == pytest.approx((1 + 3 / 4 + 3 / 4) / 3)
        assert metrics.evaluate('specificity', multiclass='mean') == pytest.approx((1 + 3 / 4 + 3 / 4) / 3)
        np.testing.assert_allclose(metrics.evaluate('fallout', multiclass=None), [0, 1 / 4, 1 / 4])

    def test_skip_bg_leaves_class_zero_out(self):
        kwargs = {'fmt': 'labels', 'num_classes': 3}
        with_bg = ClassificationMetrics([0, 1, 2, 2, 1, 0], [0, 2, 2, 2, 1, 1], **kwargs)
        without = ClassificationMetrics([0, 1, 2, 2, 1, 0], [0, 2, 2, 2, 1, 1], skip_bg=True, **kwargs)
        np.testing.assert_array_equal(without.evaluate('recall', multiclass=None),
                                      with_bg.evaluate('recall', multiclass=None)[1:])
        np.testing.assert_array_equal(without.evaluate('true_positive'), [1, 2])
        assert without.evaluate('recall') == pytest.approx((1 / 2 + 1) / 2)
        # accuracy counts the positions of classes 1 and 2 classified right, out of all of them, as BatchFlow
        assert with_bg.evaluate('accuracy') == pytest.approx(4 / 6)
        assert without.evaluate('accuracy') == pytest.approx(3 / 6)


class TestFormats:
    def test_probabilities_of_the_positive_class_with_a_threshold(self):
        targets, proba = np.array([0, 1, 1, 0]), np.array([0.1, 0.8, 0.3, 0.6])
        assert ClassificationMetrics(targets, proba).evaluate('true_positive') == 1
        assert ClassificationMetrics(targets, proba, threshold=0.25).evaluate('true_positive') == 2

    def test_logits_are_thresholded_at_the_logit_of_the_threshold(self):
        targets, logits = np.array([0, 1, 1, 0]), np.array([-2.0, 1.5, -0.1, 0.2])
        by_logits = ClassificationMetrics(targets, logits, fmt='logits', threshold=0.45)
        by_proba = ClassificationMetrics(targets, 1 / (1 + np.exp(-logits)), fmt='proba', threshold=0.45)
        np.testing.assert_array_equal(by_logits.confusion_matrix, by_proba.confusion_matrix)

    @pytest.mark.parametrize('fmt', ['proba', 'logits'])
    @pytest.mark.parametrize('axis', [1, -1])
    def test_a_class_axis_gives_the_argmax(self, fmt, axis):
        rng = np.random.default_rng(7)
        scores = rng.normal(size=(50, 4))
        values = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True) if fmt == 'proba' else scores
        targets = rng.integers(0, 4, 50)
        metrics = ClassificationMetrics(targets, values, fmt=fmt, axis=axis)
        expected = ClassificationMetrics(targets, scores.argmax(axis=1), fmt='labels', num_classes=4)
        np.testing.assert_array_equal(metrics.confusion_matrix, expected.confusion_matrix)
        one_hot_targets = np.eye(4)[targets]
        np.testing.assert_array_equal(ClassificationMetrics(one_hot_targets, values, fmt=fmt, axis=axis)
                                      .confusion_matrix, expected.confusion_matrix)

    def test_two_classes_along_an_axis_use_the_threshold(self):
        proba = np.array([[0.6, 0.4], [0.3, 0.7], [0.55, 0.45]])
        metrics = ClassificationMetrics([1, 1, 0], proba, axis=1, threshold=0.42)
        assert metrics.evaluate(['true_positive', 'false_positive']) == {'true_positive': 1, 'false_positive': 1}
        logits = np.log(proba)
        assert ClassificationMetrics([1, 1, 0], logits, fmt='logits', axis=1, threshold=0.42) \
            .evaluate('true_positive') == 1

    def test_two_class_targets_may_be_logits_too(self):
        logits = np.array([-2.0, 1.5, -0.1, 0.2])
        target_logits = np.array([-1.5, 2.0, 0.3, -0.2])   # sigmoid: 0.18, 0.88, 0.574, 0.45
        metrics = ClassificationMetrics(target_logits, logits, fmt='logits', threshold=0.55)
        np.testing.assert_array_equal(metrics.condition_positive(), 2)
        np.testing.assert_array_equal(metrics.confusion_matrix, [[2, 1], [0, 1]])

    def test_label_targets_stay_labels_with_logits(self):
        # BatchFlow takes 0/1 targets for logits too: sigmoid(0) = 0.5 >= 0.5 makes every target positive
        metrics = ClassificationMetrics([0, 1, 1, 0], [-2.0, 1.5, -0.1, 0.2], fmt='logits')
        assert metrics.condition_positive() == 2 and metrics.true_positive() == 1

    def test_probability_targets_are_thresholded_like_predictions(self):
        metrics = ClassificationMetrics([0.2, 0.9, 0.6], [0.1, 0.8, 0.65], threshold=0.7)
        np.testing.assert_array_equal(metrics.confusion_matrix, [[2, 0], [0, 1]])

    def test_large_logits_give_no_warning(self):
        with warnings.catch_warnings():
            warnings.simplefilter('error')
            metrics = ClassificationMetrics([0, 1], [-1000.0, 1000.0], fmt='logits', threshold=0.9)
        assert metrics.accuracy() == 1.0

    def test_two_classes_along_an_axis_take_the_argmax_at_the_default_threshold(self):
        proba = np.array([[0.5, 0.5], [0.3, 0.7], [0.6, 0.4]])     # a tie goes to class 0, as np.argmax
        metrics = ClassificationMetrics([1, 1, 0], proba, axis=1)
        assert metrics.evaluate(['true_positive', 'false_negative', 'true_negative']) == \
            {'true_positive': 1, 'false_negative': 1, 'true_negative': 1}

    def test_a_single_channel_class_axis_is_the_positive_class(self):
        masks = np.array([[[1, 0], [0, 1]]])
        proba = np.array([[[[0.9, 0.2], [0.7, 0.4]]]])  # (items, 1, height, width)
        channel = ClassificationMetrics(masks, proba, axis=1)
        plain = ClassificationMetrics(masks, proba[:, 0])
        np.testing.assert_array_equal(channel.confusion_matrix, plain.confusion_matrix)
        assert ClassificationMetrics(masks[:, None], proba, axis=1).evaluate('recall') == 0.5


class TestShapes:
    def test_a_vector_is_one_item(self):
        metrics = ClassificationMetrics([0, 1, 2, 1], [0, 1, 1, 1], fmt='labels', num_classes=3)
        assert np.shape(metrics.evaluate('recall', multiclass=None)) == (3,)
        assert np.shape(metrics.evaluate('recall')) == ()
        assert np.shape(metrics.evaluate('recall', agg=None)) == ()
        assert metrics.confusion_matrix.shape == (3, 3) and metrics.confusion_matrices.shape == (1, 3, 3)

    def test_multidimensional_inputs_have_one_value_per_item_or_their_mean(self):
        rng = np.random.default_rng(8)
        targets, predictions = rng.integers(0, 3, (4, 5, 6)), rng.integers(0, 3, (4, 5, 6))
        metrics = ClassificationMetrics(targets, predictions, fmt='labels', num_classes=3)
        per_item = metrics.evaluate('recall', agg=None)
        assert per_item.shape == (4,)
        assert np.shape(metrics.evaluate('recall', agg=None, multiclass=None)) == (4, 3)
        assert np.shape(metrics.evaluate('recall', multiclass=None)) == (3,)
        assert metrics.evaluate('recall') == pytest.approx(per_item.mean())
        for item in range(4):
            alone = ClassificationMetrics(targets[item].ravel(), predictions[item].ravel(), fmt='labels',
                                          num_classes=3)
            assert per_item[item] == pytest.approx(alone.evaluate('recall'))

    def test_counts_of_one_item_stay_per_class_with_the_mean_over_items(self):
        metrics = ClassificationMetrics([[0, 1, 2, 2]], [[0, 1, 1, 2]], fmt='labels', num_classes=3)
        np.testing.assert_array_equal(metrics.evaluate('true_positive'), [1, 1, 1])   # BatchFlow: their mean, 1
        np.testing.assert_array_equal(metrics.true_positive(), [[1, 1, 1]])

    def test_the_confusion_matrices_are_read_only(self):
        metrics = ClassificationMetrics([0, 1], [1, 1], fmt='labels', num_classes=2)
        with pytest.raises(ValueError, match='read-only'):
            metrics.confusion_matrices[0, 0, 0] = 5


class TestBadInput:
    def test_mismatched_shapes(self):
        with pytest.raises(MetricsError, match=r'same shape, got \(3,\) and \(4,\)'):
            ClassificationMetrics([0, 1, 1], [0, 1, 1, 0], fmt='labels', num_classes=2)
        with pytest.raises(MetricsError, match=r'give axis='):
            ClassificationMetrics([0, 1], np.ones((2, 3)) / 3)
        with pytest.raises(MetricsError, match=r'label targets have the shape of predictions without that axis'):
            ClassificationMetrics([0, 1, 2], np.ones((2, 3)) / 3, axis=1)

    def test_labels_outside_the_range_name_the_value_and_the_range(self):
        with pytest.raises(MetricsError, match=r'targets hold the label 3, outside \[0, 3\) for num_classes=3') as info:
            ClassificationMetrics([0, 3, 1], [0, 1, 1], fmt='labels', num_classes=3)
        assert info.value.value == 3
        with pytest.raises(MetricsError, match=r'predictions hold the label -1, outside \[0, 2\)'):
            ClassificationMetrics([0, 1], [0, -1], fmt='labels', num_classes=2)
        with pytest.raises(MetricsError, match=r'targets hold the label 4, outside \[0, 3\)'):
            ClassificationMetrics([0, 4], np.ones((2, 3)) / 3, axis=1)

    def test_non_integer_labels_and_non_probabilities(self):
        with pytest.raises(MetricsError, match=r"targets must hold integer class labels, got 0.5"):
            ClassificationMetrics([0.5, 1.0], [0, 1], fmt='labels', num_classes=2)
        with pytest.raises(MetricsError, match=r"predictions hold 1.5, not a probability .* fmt='logits'"):
            ClassificationMetrics([0, 1], [0.2, 1.5])
        with pytest.raises(MetricsError, match=r"targets hold 2, but a 2-class task .* for logits use fmt='logits'"):
            ClassificationMetrics([0, 2], [0.2, 0.5])

    @pytest.mark.parametrize('fmt', ['proba', 'logits'])
    @pytest.mark.parametrize('classes', [2, 3])
    def test_nan_scores_along_a_class_axis_are_refused_not_taken_for_a_class(self, fmt, classes):
        predictions = np.full((3, classes), 0.2)
        predictions[1, 0] = np.nan  # np.argmax would call this class 0, a threshold class 0 or 1
        with pytest.raises(MetricsError, match=r'predictions hold nan'):
            ClassificationMetrics([0, 1, 1], predictions, fmt=fmt, axis=1)
        with pytest.raises(MetricsError, match=r'targets hold nan'):
            ClassificationMetrics(predictions, np.full((3, classes), 0.2), fmt=fmt, axis=1)

    def test_nan_logits_without_a_class_axis_are_refused(self):
        with pytest.raises(MetricsError, match=r'predictions hold nan'):
            ClassificationMetrics([0, 1], [0.5, np.nan], fmt='logits')
        with pytest.raises(MetricsError, match=r'targets hold nan'):
            ClassificationMetrics([-0.3, np.nan], [0.5, 0.2], fmt='logits')
        with pytest.raises(MetricsError, match=r'targets hold nan, but a 2-class task'):
            ClassificationMetrics([0.3, np.nan], [0.5, 0.2])

    def test_multiclass_probabilities_outside_zero_one_are_refused(self):
        with pytest.raises(MetricsError, match=r"predictions hold 3.0, not a probability .* fmt='logits'"):
            ClassificationMetrics([0, 2], [[0.1, 0.2, 3.0], [0.5, 0.2, 0.3]], axis=1)

    def test_labels_without_num_classes(self):
        with pytest.raises(MetricsError, match=r"fmt='labels' needs num_classes="):
            ClassificationMetrics([0, 1], [0, 1], fmt='labels')

    @pytest.mark.parametrize('options, message', [
        ({'fmt': 'probs'}, r"fmt must be one of 'proba', 'logits' or 'labels', got 'probs'. Did you mean 'proba'"),
        ({'num_classes': 1, 'fmt': 'labels'}, r'num_classes must be an integer of at least 2, got 1'),
        ({'threshold': 1.5}, r'threshold must be a probability in \[0, 1\], got 1.5'),
        ({'fmt': 'labels', 'num_classes': 2, 'axis': 1}, r'labels have no class axis'),
        ({'num_classes': 3}, r"without axis means 2 classes .* but num_classes=3"),
        ({'axis': 1, 'num_classes': 3}, r'axis=1 is out of range for predictions of shape \(2,\)'),
        ({'skip_bg': 'yes'}, r"skip_bg must be True or False, got 'yes'"),
    ])
    def test_bad_options(self, options, message):
        with pytest.raises(MetricsError, match=message):
            ClassificationMetrics([0, 1], [0.2, 0.9], **options)

    def test_a_class_axis_that_disagrees_with_num_classes(self):
        with pytest.raises(MetricsError, match=r'num_classes=4 but predictions have 3 classes along axis 1'):
            ClassificationMetrics([0, 1], np.ones((2, 3)) / 3, axis=1, num_classes=4)

    def test_unknown_metric_names_suggest_close_ones(self):
        metrics = ClassificationMetrics([0, 1], [0, 1], fmt='labels', num_classes=2)
        with pytest.raises(MetricsError, match=r"Unknown metric 'specifity' .* Did you mean 'specificity'") as info:
            metrics.evaluate(['recall', 'specifity'])
        assert info.value.suggestions[0] == 'specificity'
        with pytest.raises(MetricsError, match=r"Unknown metric 'f2_score'.*Did you mean 'f1_score'"):
            metrics.evaluate('f2_score')

    @pytest.mark.parametrize('names', [None, 3, ['recall', None]])
    def test_evaluate_takes_names_only(self, names):
        metrics = ClassificationMetrics([0, 1], [0, 1], fmt='labels', num_classes=2)
        with pytest.raises(MetricsError, match=r'evaluate takes a metric name or a list of names, got'):
            metrics.evaluate(names)

    @pytest.mark.parametrize('options, message', [
        ({'multiclass': 'weighted'}, r"multiclass must be None, 'micro' or 'macro' \('mean' is 'macro'\), got "
                                     r"'weighted'"),
        ({'multiclass': 'Macro'}, r"multiclass must be None, 'micro' or 'macro' .*got 'Macro'"),
        ({'agg': 'sum'}, r"agg must be 'mean' .* or None .*, got 'sum'"),
        ({'when_zero': 1}, r'when_zero must be a pair of numbers, .* got 1'),
        ({'when_zero': (0, 'x')}, r"when_zero must be a pair of numbers"),
        ({'when_zero': (0, 1), 'skip_undefined': True}, r'both say what a 0/0 rate is: give one of them'),
        ({'skip_undefined': 'yes'}, r"skip_undefined must be True or False, got 'yes'"),
        ({'label': 3}, r'label must be a class in \[0, 3\) or a list of them, got 3'),
        ({'label': []}, r'label must be a class in \[0, 3\) or a list of them, got \[\]'),
    ])
    def test_bad_evaluate_options(self, options, message):
        metrics = ClassificationMetrics([0, 1, 2], [0, 1, 1], fmt='labels', num_classes=3)
        with pytest.raises(MetricsError, match=message):
            metrics.evaluate('recall', **options)

    def test_f1_and_jaccard_take_no_when_zero(self):
        metrics = ClassificationMetrics([0, 1, 2], [0, 1, 1], fmt='labels', num_classes=3)
        with pytest.raises(MetricsError, match=r'f1_score takes no when_zero: .* give skip_undefined=True'):
            metrics.evaluate(['recall', 'f1s'], when_zero=(0, 0))


class TestBatchFlowNames:
    ALIASES = {  # every alias of BatchFlow's ClassificationMetrics
        'sensitivity': 'true_positive_rate', 'recall': 'true_positive_rate', 'tpr': 'true_positive_rate',
        'fallout': 'false_positive_rate', 'fpr': 'false_positive_rate', 'miss_rate': 'false_negative_rate',
        'fnr': 'false_negative_rate', 'specificity': 'true_negative_rate', 'tnr': 'true_negative_rate',
        'prv': 'prevalence', 'acc': 'accuracy', 'precision': 'positive_predictive_value',
        'ppv': 'positive_predictive_value', 'fdr': 'false_discovery_rate', 'for': 'false_omission_rate',
        'npv': 'negative_predictive_value', 'plr': 'positive_likelihood_ratio', 'nlr': 'negative_likelihood_ratio',
        'dor': 'diagnostics_odds_ratio', 'dice': 'f1_score', 'f1s': 'f1_score', 'iou': 'jaccard', 'jac': 'jaccard',
    }
    METHODS = ('true_positive', 'false_positive', 'true_negative', 'false_negative', 'condition_positive',
               'condition_negative', 'prediction_positive', 'prediction_negative', 'total_population',
               'true_positive_rate', 'false_positive_rate', 'false_negative_rate', 'true_negative_rate', 'prevalence',
               'accuracy', 'positive_predictive_value', 'false_discovery_rate', 'false_omission_rate',
               'negative_predictive_value', 'positive_likelihood_ratio', 'negative_likelihood_ratio',
               'diagnostics_odds_ratio', 'f1_score', 'jaccard')
    metrics = ClassificationMetrics([0, 1, 2, 2, 1, 0, 2], [0, 2, 2, 2, 1, 0, 1], fmt='labels', num_classes=3)

    @pytest.mark.parametrize('alias', sorted(ALIASES))
    def test_every_alias_is_its_metric_by_name_and_as_a_method(self, alias):
        canonical = self.ALIASES[alias]
        for multiclass in (None, 'micro', 'macro'):
            expected = self.metrics.evaluate(canonical, multiclass=multiclass)
            np.testing.assert_array_equal(self.metrics.evaluate(alias, multiclass=multiclass), expected)
            np.testing.assert_array_equal(getattr(self.metrics, alias)(multiclass=multiclass), expected)

    @pytest.mark.parametrize('name', METHODS)
    def test_every_metric_is_a_method_without_the_mean_over_items(self, name):
        items = ClassificationMetrics(np.array([[0, 1, 2], [2, 2, 1]]), np.array([[0, 2, 2], [2, 1, 1]]),
                                      fmt='labels', num_classes=3)
        np.testing.assert_array_equal(getattr(items, name)(), items.evaluate(name, agg=None))

    def test_count_methods_give_one_count_per_class(self):
        # per class (tp, fp, fn, tn): (2, 0, 0, 5), (1, 1, 1, 4), (2, 1, 1, 3)
        m = self.metrics
        np.testing.assert_array_equal(m.true_positive(), [2, 1, 2])
        np.testing.assert_array_equal(m.condition_positive(), [2, 2, 3])
        np.testing.assert_array_equal(m.prediction_positive(), [2, 2, 3])
        np.testing.assert_array_equal(m.true_negative(), [5, 4, 3])
        np.testing.assert_array_equal(m.false_negative(), [0, 1, 1])
        assert m.total_population() == 7

    def test_count_methods_of_two_classes_and_of_items(self):
        binary = ClassificationMetrics([0, 1, 1, 0], [0.1, 0.8, 0.3, 0.6])
        assert (binary.true_positive(), binary.condition_positive(), binary.prediction_positive(),
                binary.true_negative(), binary.total_population()) == (1, 2, 2, 1, 4)
        items = ClassificationMetrics([[0, 1, 1], [1, 1, 1]], [[0, 1, 0], [1, 0, 0]], fmt='labels', num_classes=2)
        np.testing.assert_array_equal(items.true_positive(), [1, 1])
        np.testing.assert_array_equal(items.total_population(), [3, 3])
        assert items.evaluate('true_positive') == 1.0   # the mean over items

    def test_label_picks_classes(self):
        m = self.metrics
        assert m.true_positive(2) == 2 and m.true_positive(label=0) == 2
        np.testing.assert_array_equal(m.true_positive([1, 2]), [1, 2])
        assert m.recall(1) == 0.5 and m.evaluate('recall', 'mean', 2) == pytest.approx(2 / 3)
        assert m.recall([1, 2]) == pytest.approx((1 / 2 + 2 / 3) / 2)                  # macro over those two
        assert m.recall([1, 2], 'micro') == pytest.approx(3 / 5)
        np.testing.assert_allclose(m.recall([1, 2], None), [1 / 2, 2 / 3])
        binary = ClassificationMetrics([0, 1, 1, 0], [0, 1, 0, 0], fmt='labels', num_classes=2)
        assert binary.recall(label=0) == 1.0 and binary.recall() == 0.5           # the negative class, then class 1

    def test_the_for_alias_is_reached_with_getattr(self):
        assert getattr(self.metrics, 'for')(multiclass='micro') == pytest.approx(2 / 14)

    def test_micro_likelihood_ratios_are_ratios_of_summed_per_class_rates(self):
        # TPR (1, 1/2, 2/3), FPR (0, 1/5, 1/4), FNR (0, 1/2, 1/3), TNR (1, 4/5, 3/4)
        m = self.metrics
        assert m.plr(multiclass='micro') == pytest.approx((1 + 1 / 2 + 2 / 3) / (0 + 1 / 5 + 1 / 4))
        assert m.nlr(multiclass='micro') == pytest.approx((0 + 1 / 2 + 1 / 3) / (1 + 4 / 5 + 3 / 4))
        assert m.dor(multiclass='micro') == np.inf                  # the PLR of class 0 is 1 / 0
        # per class PLR (inf, 5/2, 8/3), NLR (0, 5/8, 4/9), DOR (inf, 4, 6); macro leaves inf out
        assert m.plr() == pytest.approx((5 / 2 + 8 / 3) / 2)
        assert m.dor() == pytest.approx(5.0)
        # skipping undefined values: from the pooled counts tp 5, fp 2, fn 2, tn 12
        assert m.plr(multiclass='micro', skip_undefined=True) == pytest.approx((5 / 7) / (2 / 14))
        assert m.dor(multiclass='micro', skip_undefined=True) == pytest.approx(5 / (1 / 3))

    def test_one_hot_free_and_copy(self):
        m = self.metrics.copy()
        np.testing.assert_array_equal(m.one_hot([1, 0]), [[0, 1, 0], [1, 0, 0]])
        binary = ClassificationMetrics([0, 1], [0, 1], fmt='labels', num_classes=2)
        np.testing.assert_array_equal(binary.one_hot([1, 0]), [1, 0])
        assert m.free() is None and m.accuracy() == pytest.approx(5 / 7)
