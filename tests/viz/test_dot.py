"""The DOT text: nodes, edge styles, labels, clusters, escaping; and that Graphviz reads it."""
import re
import subprocess
import xml.etree.ElementTree as ET

from dagflow import C
from dagflow.viz import plan_to_dot
from dagflow.viz.dot import html_escape, quote


def statement(text, head):
    """The one statement of ``text`` that starts with ``head``."""
    found = [line.strip() for line in text.splitlines() if line.strip().startswith(head)]
    assert len(found) == 1, (head, found)
    return found[0]


class TestPlanToDot:
    def test_every_step_is_a_node_in_its_cluster(self, training):
        text = plan_to_dot(training.compile())
        for cluster in ('before', 'main', 'after'):
            assert f'subgraph cluster_{cluster} {{' in text
        for node in ('before_0', 'before_1', *(f'main_{i}' for i in range(7)), 'after_0'):
            assert statement(text, f'{node} [label=<')

    def test_labels_show_actions_and_arguments(self, training):
        text = plan_to_dot(training.compile())
        train = statement(text, 'main_4 [')
        assert '<B>train_model</B>' in train
        assert 'save_to=V(&#39;' not in train and "save_to=V('loss', mode='a')" in train
        assert 'B.images, B.labels' in train

    def test_model_steps_look_different_from_pure_steps(self, training):
        text = plan_to_dot(training.compile())
        pure, model, state = statement(text, 'main_0 ['), statement(text, 'main_4 ['), statement(text, 'main_5 [')
        assert 'shape=box3d' in model and 'shape=box,' in pure and 'shape=box,' in state
        assert len({re.search(r'fillcolor="([^"]+)"', line).group(1) for line in (pure, model, state)}) == 3

    def test_edge_styles(self, training):
        text = plan_to_dot(training.compile())
        batch = statement(text, 'main_3 -> main_4 [')
        assert 'style=' not in batch and 'label=' not in batch
        state = statement(text, 'main_4 -> main_6 [')
        assert 'label="model:cnn"' in state and 'style=' not in state and 'color="#' in state
        carried = statement(text, 'main_6 -> main_4 [')
        assert 'style=dashed' in carried and 'label="model:cnn\\n(next batch)"' in carried
        assert 'constraint=false' in carried
        assert 'style=dashed' in statement(text, 'main_5 -> main_5 [')
        flow = statement(text, 'before_1 -> main_0 [')
        assert 'style=dotted' in flow and 'lhead=cluster_main' in flow

    def test_quotes_and_angle_brackets_are_escaped(self, training):
        text = plan_to_dot(training.compile())
        line = statement(text, 'before_1 [')
        assert "'start &quot;run&quot; &lt;now&gt; &amp; go'" in line
        assert 'tooltip="before 1: print(\'start \\"run\\" <now> & go\')' in line

    def test_the_legend_names_only_what_is_drawn(self, training):
        text = plan_to_dot(training.compile(), sections=['main'])
        legend = statement(text, 'label=<<TABLE')
        assert 'pure step' in legend and 'model step' in legend and 'carried' in legend
        assert 'sections run one after another' not in legend and 'window' not in legend
        assert '\n  label=<<TABLE' not in plan_to_dot(training.compile(), legend=False)

    def test_a_step_reading_the_config_is_a_state_step_only_when_a_step_writes_it(self, dataset):
        constant = plan_to_dot(dataset.p.resize(shape=C('shape', default=8)).compile())
        assert 'fillcolor="#fef3c7"' not in statement(constant, 'main_0 [')          # pure: the config is fixed
        written = plan_to_dot(dataset.p.resize(shape=C('shape', default=8)).update(C('shape'), 16).compile())
        assert 'fillcolor="#fef3c7"' in statement(written, 'main_0 [')               # a state step
        assert 'state step, uses variables, config or output' in statement(written, 'label=<<TABLE')

    def test_left_to_right(self, training):
        assert 'rankdir=LR' in plan_to_dot(training.compile(), rankdir='LR')


def test_html_escape_and_quote():
    assert html_escape('<a href="x">&</a>') == '&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;'
    assert quote('say "hi"\\ now\n') == '"say \\"hi\\"\\\\ now\\n"'


def test_graphviz_reads_the_text_and_draws_the_labels_as_written(training, graphviz):
    done = subprocess.run([graphviz, '-Tsvg'], input=plan_to_dot(training.compile()).encode(), capture_output=True,
                          check=True)
    # graphviz-pure, like Graphviz without cairo, estimates the width of a non-ASCII letter (·, —) and says so
    said = [line for line in done.stderr.decode().splitlines() if 'width of non-ASCII character' not in line]
    assert not [line for line in said if 'Warning' in line or 'Error' in line], said
    root = ET.fromstring(done.stdout)
    texts = [t.text for t in root.iter('{http://www.w3.org/2000/svg}text')]
    assert "'start \"run\" <now> & go'" in texts
    assert "save_to=V('loss', mode='a')" in texts
    assert 'model:cnn' in texts and '(next batch)' in texts
