"""A variable's history."""
import numpy as np
import pytest

from dagflow.viz import VizError, plot_history


class TestPlotHistory:
    def test_numbers(self):
        ax = plot_history([3, 2, 1.5], 'loss')
        (line,) = ax.get_lines()
        assert line.get_ydata().tolist() == [3, 2, 1.5] and line.get_xdata().tolist() == [0, 1, 2]
        assert ax.get_ylabel() == 'loss' and ax.get_title() == 'loss: 3 values'

    def test_scalars_of_any_kind(self):
        ax = plot_history([np.float32(1), np.array(2.0), 3], 'x')
        assert ax.get_lines()[0].get_ydata().tolist() == [1, 2, 3]

    def test_small_arrays_draw_a_line_each(self):
        ax = plot_history([np.array([1, 2]), np.array([3, 4]), np.array([5, 6])], 'metrics')
        assert [line.get_label() for line in ax.get_lines()] == ['metrics[0]', 'metrics[1]']
        assert ax.get_lines()[1].get_ydata().tolist() == [2, 4, 6]

    def test_large_arrays_draw_mean_and_band(self):
        ax = plot_history([np.arange(20) * k for k in range(4)], 'w')
        assert [line.get_label() for line in ax.get_lines()] == ['mean of w']
        assert len(ax.collections) == 1

    def test_smoothing(self):
        ax = plot_history([4.0, 2.0, 3.0, 1.0], 'loss', smooth=2)
        assert ax.get_lines()[1].get_ydata().tolist() == [3.0, 2.5, 2.0]
        assert len(plot_history([1.0, 2.0], 'loss', smooth=10).get_lines()) == 2

    @pytest.mark.parametrize('values, match', [
        ([], 'is empty'), (5.0, 'holds one number'), (['a', 'b'], 'not numbers'),
        ([np.zeros(2), np.zeros(3)], 'different shapes'), ({'a': 1}, 'holds a dict')])
    def test_what_cannot_be_plotted(self, values, match):
        with pytest.raises(VizError, match=match):
            plot_history(values, 'v')

    def test_bad_smoothing(self):
        with pytest.raises(VizError, match='smooth must be'):
            plot_history([1.0], 'v', smooth=0)
