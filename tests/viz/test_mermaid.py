"""Mermaid flowchart text: subgraphs, shapes, arrows, styles and escaping."""
import re

from dagflow import Pipeline
from dagflow.viz import plan_to_mermaid
from dagflow.viz.mermaid import mermaid_escape


def test_structure(training):
    lines = plan_to_mermaid(training.compile()).splitlines()
    assert lines[0] == 'flowchart TB'
    assert [line.strip() for line in lines if line.strip().startswith('subgraph')] == [
        'subgraph sec_before["before: once, before the first batch"]',
        'subgraph sec_main["main: for every batch"]',
        'subgraph sec_after["after: once, after the last batch"]']
    assert sum(line.strip() == 'end' for line in lines) == 3


def test_shapes_tell_pure_state_and_model_steps_apart(training):
    text = plan_to_mermaid(training.compile())
    assert re.search(r'^    main_0\("0 <b>load</b><br/>src=\'disk\'"\)$', text, re.M)
    assert re.search(r'^    main_4\[\["4 <b>train_model</b>.*"\]\]$', text, re.M)
    assert re.search(r'^    main_5\["5 <b>update</b>.*"\]$', text, re.M)
    assert '  class main_0,main_1,main_2,main_3 pure' in text
    assert '  class before_0,main_4,main_6 model' in text


def test_arrows_and_their_styles(training):
    lines = plan_to_mermaid(training.compile()).splitlines()
    arrows = [line.strip() for line in lines if '->' in line]
    assert 'main_3 --> main_4' in arrows
    assert 'main_4 -->|model:cnn| main_6' in arrows
    assert 'main_6 -.->|model:cnn #40;next batch#41;| main_4' in arrows
    assert 'before_1 -.->|then for every batch| main_0' in arrows
    styled = {int(m.group(1)) for m in (re.match(r'\s*linkStyle (\d+) ', line) for line in lines) if m}
    assert styled == {number for number, arrow in enumerate(arrows) if '|' in arrow}


def test_labels_cannot_break_the_chart(training):
    text = plan_to_mermaid(training.compile())
    line = next(line for line in text.splitlines() if line.strip().startswith('before_1'))
    assert "'start #quot;run#quot; #lt;now#gt; #amp; go'" in line
    assert line.count('"') == 2


def test_escape():
    assert mermaid_escape('a "b" <c> #1') == 'a #quot;b#quot; #lt;c#gt; #35;1'
    assert mermaid_escape('x|y [z]', edge=True) == 'x#124;y #91;z#93;'


def test_empty_pipeline():
    assert 'main_empty["<b>(no steps)</b>"]' in plan_to_mermaid(Pipeline().compile())
