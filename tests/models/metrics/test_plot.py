"""plot_confusion_matrix: the counts (or column shares) drawn with matplotlib, BatchFlow's axes and labels."""
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from dagflow.models.metrics import ClassificationMetrics, MetricsError
from dagflow.models.metrics.plot import plot_confusion_matrix

matplotlib.use('Agg')


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close('all')


@pytest.fixture
def metrics():
    return ClassificationMetrics([0, 1, 2, 2, 2], [0, 2, 2, 2, 1], fmt='labels', num_classes=3)


def test_the_cells_show_the_counts_rows_predicted_columns_actual(metrics):
    figure = metrics.plot_confusion_matrix()
    ax = figure.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ('Actual class', 'Predicted class',
                                                                  'Confusion matrix')
    np.testing.assert_array_equal(ax.images[0].get_array(), metrics.confusion_matrix)
    assert [text.get_text() for text in ax.texts] == ['1', '0', '0', '0', '0', '1', '0', '1', '2']


def test_normalize_divides_each_column_by_its_total(metrics):
    figure = metrics.plot_confusion_matrix(classes=['a', 'b', 'c'], normalize=True, title='shares')
    ax = figure.axes[0]
    np.testing.assert_allclose(ax.images[0].get_array(), [[1, 0, 0], [0, 0, 1 / 3], [0, 1, 2 / 3]])
    assert ax.get_title() == 'shares' and [t.get_text() for t in ax.get_yticklabels()] == ['a', 'b', 'c']


def test_an_empty_column_stays_zero_when_normalized():
    figure = plot_confusion_matrix(np.array([[2, 0], [1, 0]]), normalize=True)
    np.testing.assert_array_equal(figure.axes[0].images[0].get_array(), [[2 / 3, 0], [1 / 3, 0]])


def test_bad_options(metrics):
    with pytest.raises(MetricsError, match=r"takes no option 'titel'. Did you mean 'title'"):
        metrics.plot_confusion_matrix(titel='x')
    with pytest.raises(MetricsError, match=r'classes names 2 classes, but the confusion matrix has 3'):
        metrics.plot_confusion_matrix(classes=['a', 'b'])
