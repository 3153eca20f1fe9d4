"""The Gantt chart of a profile, time per step, and a variable's history."""
import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Rectangle

from dagflow.viz import VizError, plot_history, plot_timeline, step_times
from dagflow.viz.timeline import check_profile


def bars(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle)]


class TestPlotTimeline:
    def test_one_bar_per_row_and_one_lane_per_worker(self, profile):
        ax = plot_timeline(profile)
        assert len(bars(ax)) == len(profile) == 2 + 4 * 7 + 1
        assert [t.get_text() for t in ax.get_yticklabels()] == ['MainThread', 'worker-0', 'worker-1']
        lanes = {round(bar.get_y() + bar.get_height() / 2) for bar in bars(ax)}
        assert lanes == {0, 1, 2}

    def test_lanes_read_main_thread_then_workers_then_state_lanes(self):
        # first seen in this order: a state lane between two pool threads, and dagflow_10 before dagflow_2
        workers = ['MainThread', 'dagflow-state_0', 'dagflow_0', 'dagflow-state_1', 'dagflow_10', 'dagflow_2']
        profile = pd.DataFrame({'section': 'main', 'position': 0, 'step': 'load', 'batch': range(6),
                                'worker': workers, 'start': np.arange(6.0), 'end': np.arange(6.0) + 0.5})
        ax = plot_timeline(profile)
        assert [t.get_text() for t in ax.get_yticklabels()] == [
            'MainThread', 'dagflow_0', 'dagflow_2', 'dagflow_10', 'dagflow-state_0', 'dagflow-state_1']
        lane_of = {round(bar.get_x()): round(bar.get_y() + bar.get_height() / 2) for bar in bars(ax)}
        assert lane_of == {0: 0, 1: 4, 2: 1, 3: 5, 4: 3, 5: 2}

    def test_bars_sit_where_the_steps_ran(self, profile):
        ax = plot_timeline(profile)
        spans = sorted((round(b.get_x(), 6), round(b.get_x() + b.get_width(), 6)) for b in bars(ax))
        assert spans == sorted((round(s, 6), round(e, 6)) for s, e in zip(profile['start'], profile['end']))

    def test_colours_by_step_with_a_legend(self, profile):
        ax = plot_timeline(profile)
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert labels == ['init_model (before)', 'print (before)', 'load', 'resize', 'rotate', 'normalize',
                          'train_model', 'update', 'predict_model', 'print (after)']
        colors = []
        for container in ax.containers:  # one per step: its bars share one colour of their own
            assert len({bar.get_facecolor() for bar in container}) == 1
            colors.append(container[0].get_facecolor())
        assert [len(c) for c in ax.containers] == [1, 1, 4, 4, 4, 4, 4, 4, 4, 1]
        assert len(set(colors)) == 10

    def test_batches_are_written_on_the_bars(self, profile):
        texts = [t.get_text() for t in plot_timeline(profile).texts]
        assert sorted(set(texts)) == ['0', '1', '2', '3']
        assert texts.count('0') == 7
        assert len(plot_timeline(profile, batch_labels=False).texts) == 0

    def test_state_steps_are_outlined_with_a_plan(self, training, profile):
        ax = plot_timeline(profile, plan=training.compile())
        outlined = [b for b in bars(ax) if b.get_linewidth() > 0]
        assert len(outlined) == len(profile) - 4 * 4  # all but the pure preprocessing

    def test_an_axes_can_be_given(self, profile):
        import matplotlib.pyplot as plt
        _, (left, right) = plt.subplots(1, 2)
        assert plot_timeline(profile, ax=right, legend=False, title='run') is right
        assert right.get_title() == 'run' and right.get_legend() is None and not left.patches

    def test_repeated_actions_are_told_apart(self, profile):
        twice = profile.copy()
        twice.loc[twice['step'] == 'resize', 'step'] = 'load'
        labels = [t.get_text() for t in plot_timeline(twice).get_legend().get_texts()]
        assert labels[2:4] == ['load [0]', 'load [1]']


class TestProfileChecks:
    def test_no_profile_says_how_to_get_one(self):
        with pytest.raises(VizError, match=r'run the pipeline with run\(\.\.\., profile=True\) first'):
            plot_timeline(None)

    def test_missing_columns_are_named(self, profile):
        with pytest.raises(VizError, match=r"lacks \('worker',\)"):
            check_profile(profile.drop(columns='worker'))

    def test_an_empty_profile(self, profile):
        with pytest.raises(VizError, match='empty'):
            plot_timeline(profile.iloc[:0])


def test_step_times_sum_per_plan_node(profile):
    times = step_times(profile)
    assert times[('main', 4)] == (pytest.approx(4 * 0.03), 4)
    assert times[('before', 0)] == (pytest.approx(0.01), 1)
    assert len(times) == 10


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
