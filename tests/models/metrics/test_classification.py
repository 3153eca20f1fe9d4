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
    @pytest.mark.parametrize('multiclass', ['micro', 'macro', None])
    @pytest.mark.parametrize('name', sorted(SKLEARN_SCORES))
    def test_multiclass_micro_macro_and_per_class(self, name, multiclass, seed):
        targets, predictions = random_labels(5, seed=seed)
        fn, extra = SKLEARN_SCORES[name]
        metrics = ClassificationMetrics(targets, predictions, fmt='labels', num_classes=5)
        expected = fn(targets, predictions, labels=range(5), average=multiclass, **extra)
        np.testing.assert_allclose(metrics.evaluate(name, multiclass=multiclass), expected)

    def test_accuracy_and_the_confusion_matrix(self):
        targets, predictions = random_labels(4, seed=3)
        metrics = ClassificationMetrics(targets, predictions, fmt='labels', num_classes=4)
        assert metrics.evaluate('accuracy') == pytest.approx(sk.accuracy_score(targets, predictions))
        np.testing.assert_array_equal(metrics.confusion_matrix[0], sk.confusion_matrix(targets, predictions))

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

    def test_macro_skips_classes_where_a_metric_is_undefined_like_zero_division_nan(self):
        targets = np.array([0, 0, 1, 1, 2, 2])
        predictions = np.array([0, 1, 1, 1, 0, 0])  # class 2 is never predicted, class 3 never occurs
        metrics = ClassificationMetrics(targets, predictions, fmt='labels', num_classes=4)
        for name, fn in (('precision', sk.precision_score), ('recall', sk.recall_score)):
            expected = fn(targets, predictions, labels=range(4), average='macro', zero_division=np.nan)
            assert metrics.evaluate(name, multiclass='macro') == pytest.approx(expected)


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
        np.testing.assert_allclose(metrics.evaluate('fallout', multiclass=None), [0, 1 / 4, 1 / 4])

    def test_skip_bg_leaves_class_zero_out(self):
        kwargs = {'fmt': 'labels', 'num_classes': 3}
        with_bg = ClassificationMetrics([0, 1, 2, 2, 1, 0], [0, 2, 2, 2, 1, 1], **kwargs)
        without = ClassificationMetrics([0, 1, 2, 2, 1, 0], [0, 2, 2, 2, 1, 1], skip_bg=True, **kwargs)
        np.testing.assert_array_equal(without.evaluate('recall', multiclass=None),
                                      with_bg.evaluate('recall', multiclass=None)[1:])
        np.testing.assert_array_equal(without.evaluate('true_positive'), [1, 2])
        assert without.evaluate('recall') == pytest.approx((1 / 2 + 1) / 2)
        assert without.evaluate('accuracy') == with_bg.evaluate('accuracy')

    def test_zero_denominators_give_nan_without_warnings(self):
        metrics = ClassificationMetrics([0, 0, 0], [0, 0, 0], fmt='labels', num_classes=2)
        with warnings.catch_warnings():
            warnings.simplefilter('error')
            values = metrics.evaluate(ClassificationMetrics.metric_names())
            itemwise = ClassificationMetrics(np.zeros((3, 4)), np.zeros((3, 4)), fmt='labels', num_classes=3)
            macro = itemwise.evaluate(ClassificationMetrics.metric_names(), multiclass='macro')
            per_class = itemwise.evaluate(ClassificationMetrics.metric_names(), multiclass=None)
        assert np.isnan(values['sensitivity']) and np.isnan(values['precision']) and np.isnan(values['plr'])
        assert values['specificity'] == 1.0 and values['accuracy'] == 1.0
        # only class 0 occurs: its sensitivity alone is defined, its specificity alone is not
        assert np.isnan(per_class['sensitivity'][1:]).all() and np.isnan(per_class['specificity'][0])
        assert macro['sensitivity'] == 1.0 and macro['specificity'] == 1.0


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
        assert metrics.confusion_matrix.shape == (1, 3, 3)

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

    def test_items_where_a_metric_is_undefined_are_left_out_of_the_mean(self):
        targets = np.array([[1, 1, 0], [0, 0, 0]])    # the second item has no positives
        predictions = np.array([[1, 0, 0], [1, 0, 0]])
        metrics = ClassificationMetrics(targets, predictions, fmt='labels', num_classes=2)
        per_item = metrics.evaluate('recall', agg=None)
        assert per_item[0] == 0.5 and np.isnan(per_item[1])
        assert metrics.evaluate('recall') == 0.5

    def test_the_confusion_matrix_is_read_only(self):
        metrics = ClassificationMetrics([0, 1], [1, 1], fmt='labels', num_classes=2)
        with pytest.raises(ValueError, match='read-only'):
            metrics.confusion_matrix[0, 0, 0] = 5


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
        with pytest.raises(MetricsError, match=r"targets hold 2, but a 2-class task"):
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
        ({'multiclass': 'weighted'}, r"multiclass must be None, 'micro' or 'macro', got 'weighted'"),
        ({'multiclass': 'Macro'}, r"multiclass must be None, 'micro' or 'macro', got 'Macro'"),
        ({'agg': 'sum'}, r"agg must be 'mean' .* or None .*, got 'sum'"),
    ])
    def test_bad_evaluate_options(self, options, message):
        metrics = ClassificationMetrics([0, 1, 2], [0, 1, 1], fmt='labels', num_classes=3)
        with pytest.raises(MetricsError, match=message):
            metrics.evaluate('recall', **options)
