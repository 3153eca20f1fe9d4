"""The timeline of a profile (bars or utilisation, lanes named for what ran there, a legend of what can be seen,
batch numbers that fit), and time per step."""
import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Rectangle

from dagflow.viz import VizError, plot_timeline, step_times
from dagflow.viz.timeline import check_profile


def bars(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle)]


class TestPlotTimeline:
    def test_one_bar_per_row_and_one_lane_per_place(self, profile):
        # the before and after steps of the main thread join the driver's state lane: no lane of two slivers
        ax = plot_timeline(profile)
        assert len(bars(ax)) == len(profile) == 2 + 4 * 7 + 1
        assert lanes(ax) == ['pure steps: worker-0', 'pure steps: worker-1', 'state steps (driver)']
        assert {round(bar.get_y() + bar.get_height() / 2) for bar in bars(ax)} == {0, 1, 2}

    def test_lanes_read_pool_threads_then_the_state_lane(self):
        # first seen in this order: a state thread between two pool threads, and dagflow_10 before dagflow_2;
        # the main thread and the state threads are one lane: state steps run one at a time whichever thread
        workers = ['MainThread', 'dagflow-state_0', 'dagflow_0', 'dagflow-state_1', 'dagflow_10', 'dagflow_2']
        profile = pd.DataFrame({'section': ['before'] + ['main'] * 5, 'position': 0, 'step': 'load',
                                'batch': [None, 1, 2, 3, 4, 5], 'worker': workers, 'start': np.arange(6.0),
                                'end': np.arange(6.0) + 0.5})
        ax = plot_timeline(profile)
        assert lanes(ax) == ['pure steps: thread 1', 'pure steps: thread 3', 'pure steps: thread 11',
                             'state steps (driver)']
        lane_of = {round(bar.get_x()): round(bar.get_y() + bar.get_height() / 2) for bar in bars(ax)}
        assert lane_of == {0: 3, 1: 3, 2: 0, 3: 3, 4: 2, 5: 1}

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


def lanes(ax):
    return [t.get_text() for t in ax.get_yticklabels()]


def legend(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


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


def texts_boxes(ax):
    ax.figure.canvas.draw()
    return [(t.get_text(), t.get_window_extent()) for t in ax.texts]


class TestLanesAndLegend:
    def test_a_threaded_run_reads_pool_threads_then_the_state_lane(self, run_profile):
        ax = plot_timeline(run_profile(10))
        assert lanes(ax) == ['pure steps: thread 1', 'pure steps: thread 2', 'pure steps: thread 3',
                             'state steps (driver)']
        used = {round(bar.get_y() + bar.get_height() / 2) for bar in bars(ax)}
        assert used == set(range(4))       # no lane is empty

    def test_a_cluster_run_draws_the_picture_of_a_threaded_run(self, run_profile):
        threads = plot_timeline(run_profile(10))
        cluster = plot_timeline(run_profile(10, pure='tcp://10.0.0.1:{}0', state='dagflow-state_0'))
        assert lanes(cluster) == ['pure steps: worker 10.0.0.1:00', 'pure steps: worker 10.0.0.1:10',
                                  'pure steps: worker 10.0.0.1:20', 'state steps (driver)']
        assert legend(cluster) == legend(threads)
        assert [b.get_bbox().bounds for b in bars(cluster)] == [b.get_bbox().bounds for b in bars(threads)]
        assert cluster.get_title() == threads.get_title()

    def test_dask_workers_in_their_natural_order(self, run_profile):
        ax = plot_timeline(run_profile(12, threads=3, pure='tcp://10.0.0.{}:8786'))
        assert lanes(ax)[:3] == ['pure steps: worker 10.0.0.0:8786', 'pure steps: worker 10.0.0.1:8786',
                                 'pure steps: worker 10.0.0.2:8786']

    def test_with_a_plan_a_serial_run_has_a_pure_and_a_state_lane(self, training, profile):
        serial = profile.assign(worker='MainThread')
        assert lanes(plot_timeline(serial)) == ['steps (driver)', 'state steps (driver)']
        ax = plot_timeline(serial, plan=training.compile())
        assert lanes(ax) == ['pure steps (driver)', 'state steps (driver)']

    def test_the_title_explains_the_lanes(self, run_profile):
        title = plot_timeline(run_profile(10)).get_title()
        assert title.splitlines() == ['Run timeline, bars view: 10 batches on 4 lanes',
                                      'pure steps run side by side on their lanes; state steps (variables, models) '
                                      'one at a time, in batch order']

    def test_the_legend_lists_visible_steps_and_groups_the_rest(self, run_profile):
        ax = plot_timeline(run_profile(10))
        assert legend(ax) == ['init_model (before)', 'load', 'resize', 'rotate', 'train_model (state)',
                              'predict_model (state)', 'print (after)',
                              'other (too short to see): normalize, update']
        grey = {b.get_facecolor() for c in ax.containers for b in c if c.get_label() in ('normalize', 'update')}
        assert len(grey) == 1              # drawn in the one colour of 'other'

    def test_many_short_steps_are_counted_not_listed(self, run_profile):
        tiny = run_profile(10).assign(end=lambda p: p['start'] + np.where(p['step'] == 'load', 0.03, 1e-6))
        assert legend(plot_timeline(tiny))[-1] == 'other (too short to see): 8 steps'

    def test_state_steps_are_marked_with_a_plan(self, training, profile):
        marked = [t for t in legend(plot_timeline(profile, plan=training.compile())) if t.endswith('(state)')]
        assert marked == ['init_model (before) (state)', 'print (before) (state)', 'train_model (state)',
                          'update (state)', 'predict_model (state)', 'print (after) (state)']


class TestBatchLabels:
    def test_numbers_never_overlap_and_stay_inside_their_bars(self, run_profile):
        ax = plot_timeline(run_profile(30), view='bars')
        boxes = texts_boxes(ax)
        assert 10 < len(boxes) < 30 * 7
        for i, (_, one) in enumerate(boxes):
            for _, other in boxes[i + 1:]:
                assert not one.overlaps(other)
        bar_boxes = [b.get_window_extent() for b in bars(ax)]
        for text, box in boxes:
            assert any(b.x0 <= box.x0 and box.x1 <= b.x1 and b.y0 <= box.y0 + 0.5 and box.y1 <= b.y1 + 0.5
                       for b in bar_boxes), text

    def test_no_numbers_where_bars_are_too_narrow(self, run_profile):
        assert len(plot_timeline(run_profile(150), view='bars').texts) == 0
        assert len(plot_timeline(run_profile(10)).texts) > 10

    def test_long_numbers_in_a_small_figure(self, run_profile):
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=(4, 2))
        late = run_profile(12).assign(batch=lambda p: p['batch'] + 1000)    # batches 1000 to 1011
        boxes = texts_boxes(plot_timeline(late, ax=ax, legend=False))
        assert len(boxes) >= 4
        assert all(not a.overlaps(b) for i, (_, a) in enumerate(boxes) for _, b in boxes[i + 1:])
        bar_boxes = [b.get_window_extent() for b in bars(ax)]
        assert all(any(b.x0 <= box.x0 and box.x1 <= b.x1 for b in bar_boxes) for _, box in boxes)


class TestViews:
    def test_a_short_run_is_drawn_in_bars(self, run_profile):
        ax = plot_timeline(run_profile(10))
        assert 'bars view' in ax.get_title() and len(bars(ax)) == len(run_profile(10))

    def test_a_long_run_is_drawn_as_shares_and_says_why(self, run_profile):
        ax = plot_timeline(run_profile(1000))
        title = ax.get_title()
        assert title.startswith('Run timeline, utilisation view: 1000 batches on 4 lanes')
        assert "1000 batches are too many for a bar each: view='bars'" in title
        assert len(bars(ax)) < 1000 * 7 / 5   # windows, not a bar per step and batch
        assert lanes(ax)[-1] == 'state steps (driver)'
        assert legend(ax) == ['load', 'resize', 'rotate', 'train_model (state)', 'predict_model (state)',
                              'other (too short to see): 4 steps']   # init_model, print: one sliver each

    def test_the_demo_sized_run_is_drawn_as_shares(self, run_profile):
        assert 'utilisation view: 225 batches' in plot_timeline(run_profile(225)).get_title()

    def test_shares_stay_inside_their_lane(self, run_profile):
        ax = plot_timeline(run_profile(1000))
        for bar in bars(ax):
            box = bar.get_bbox()
            lane = round((box.y0 + box.y1) / 2)
            assert lane - 0.4 - 1e-9 <= min(box.y0, box.y1) and max(box.y0, box.y1) <= lane + 0.4 + 1e-9

    def test_either_view_can_be_forced(self, run_profile):
        assert 'bars view' in plot_timeline(run_profile(150), view='bars', batch_labels=False).get_title()
        assert 'utilisation view' in plot_timeline(run_profile(150)).get_title()
        forced = plot_timeline(run_profile(10), view='utilisation').get_title()
        assert 'utilisation view' in forced and 'too many' not in forced

    def test_a_window_of_batches_in_bars(self, run_profile):
        whole = plot_timeline(run_profile(1000))
        ax = plot_timeline(run_profile(1000), window=(990, 1000))
        assert ax.get_title().startswith('Run timeline, bars view: batches 990 to 999 of 1000 on 4 lanes')
        assert len(bars(ax)) == 10 * 7
        assert sorted({t.get_text() for t in ax.texts}) == [str(k) for k in range(990, 1000)]
        colour = {c.get_label(): c[0].get_facecolor() for c in ax.containers}
        assert colour['load'] == next(p.get_facecolor() for p in whole.get_legend().get_patches()
                                      if p.get_label() == 'load')    # a window keeps the steps' colours
        assert 'init_model (before)' not in legend(ax)

    @pytest.mark.parametrize('view, match', [('bar', "got 'bar' instead. Did you mean 'bars'"),
                                             ('utilization', "Did you mean 'utilisation'"),
                                             ('gantt', r"one of \('auto', 'bars', 'utilisation'\)")])
    def test_an_unknown_view(self, profile, view, match):
        with pytest.raises(VizError, match=match):
            plot_timeline(profile, view=view)

    @pytest.mark.parametrize('window, match', [((3, 1), r'0 <= start < stop, but got \(3, 1\)'),
                                               (5, 'window must be'), ((0.5, 2), 'two batch numbers'),
                                               ((10, 20), r'No batch of the window \(10, 20\) ran: the run had '
                                                          'batches 0 to 3')])
    def test_a_bad_window(self, profile, window, match):
        with pytest.raises(VizError, match=match):
            plot_timeline(profile, window=window)
