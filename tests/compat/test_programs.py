"""BatchFlow programs run on dagflow with only their imports changed.

Each file in ``programs/`` is a BatchFlow program written from BatchFlow's guides
(it imports ``batchflow``).  The test rewrites its import lines, and nothing
else, to import ``dagflow``, runs it, and checks its ``RESULTS``.  Where the
program is deterministic, the expected figures are those BatchFlow 0.10.1
printed for the same program (run by hand; see ``README.md`` beside this file
for the three places where 0.10.1 itself departs from its guides).
"""
from __future__ import annotations

import re
import types
from pathlib import Path

import numpy as np
import pytest

PROGRAMS = Path(__file__).parent / 'programs'
_IMPORT = re.compile(r'^(from|import)\s+batchflow\b')


def dagflow_source(name: str) -> str:
    """The program's source with its BatchFlow imports made dagflow imports; nothing else changes."""
    lines = (PROGRAMS / f'{name}.py').read_text().splitlines(keepends=True)
    changed = []
    for line in lines:
        if _IMPORT.match(line):
            line = line.replace('batchflow', 'dagflow')
        changed.append(line)
    return ''.join(changed)


def run_program(name: str) -> types.ModuleType:
    """Run the program with dagflow; the module holds its globals (``RESULTS`` among them)."""
    module = types.ModuleType(f'compat_{name}')
    module.__file__ = str(PROGRAMS / f'{name}.py')
    exec(compile(dagflow_source(name), module.__file__, 'exec'), module.__dict__)  # noqa: S102 - our own programs
    return module


@pytest.mark.parametrize('name', sorted(p.stem for p in PROGRAMS.glob('*.py')))
def test_only_the_imports_name_the_library(name):
    original = (PROGRAMS / f'{name}.py').read_text()
    assert 'dagflow' not in original
    changed = [(a, b) for a, b in zip(original.splitlines(), dagflow_source(name).splitlines()) if a != b]
    assert changed, f'{name} imports nothing from batchflow'
    assert all(_IMPORT.match(a) for a, _ in changed)


def test_template_pipelines_static_dynamic_and_imported_models():
    results = run_program('template_models').RESULTS
    assert results['n_losses'] == 30                 # 5 epochs of 6 full batches of 40 (drop_last)
    assert results['last_loss'] < results['first_loss'] / 4
    assert results['shared_is_shared']              # a static model is created once, in the template
    assert results['own_is_separate']               # a dynamic model is created in every linked pipeline
    assert results['own_steps'] == 30
    assert results['shared_steps'] == 33            # 30 in `train`, 3 more in `other` (60 items in batches of 20)
    assert results['n_test'] == 60
    assert results['accuracy'] >= 0.95
    assert results['loaded_same']                   # save_model_now, then load_model_now, predicts the same


def test_metrics_gathered_in_a_pipeline_equal_the_one_shot_figures():
    program = run_program('pipeline_metrics')
    results = program.RESULTS
    # Figures BatchFlow 0.10.1 printed for this program (it has no randomness after the data).
    assert results['gathered'] == pytest.approx(results['one_shot'])
    assert results['gathered'] == pytest.approx(
        {'f1_score': 0.903402268850627, 'recall': 0.9045588141332822, 'specificity': 0.949152120550041})
    assert results['gathered_accuracy'] == pytest.approx(0.9)
    assert results['one_shot_accuracy'] == pytest.approx(0.9)
    assert results['micro_precision'] == pytest.approx(0.9)
    assert results['per_class_recall'] == pytest.approx([0.851063829787234, 0.9166666666666666, 0.9459459459459459])
    assert results['n_history'] == 4
    assert results['history_accuracy'] == pytest.approx([0.9, 0.8666666666666667, 0.9333333333333333, 0.9])
    assert results['labels_accuracy'] == pytest.approx(0.9)
    assert results['mae'] == pytest.approx(0.07538120579630263)
    assert results['r2'] == pytest.approx(0.9992804527611551)
    # the same figures from scikit-learn, where the definitions agree (BatchFlow's macro F1 is the harmonic
    # mean of the macro recall and the macro precision, not scikit-learn's mean of the per-class F1)
    sklearn_metrics = pytest.importorskip('sklearn.metrics')
    predicted = program.model.predict(program.features).argmax(axis=1)
    recall = sklearn_metrics.recall_score(program.labels, predicted, average='macro')
    precision = sklearn_metrics.precision_score(program.labels, predicted, average='macro')
    assert results['gathered']['recall'] == pytest.approx(recall)
    assert results['gathered']['f1_score'] == pytest.approx(2 * recall * precision / (recall + precision))
    assert results['micro_precision'] == pytest.approx(sklearn_metrics.accuracy_score(program.labels, predicted))
    assert results['r2'] == pytest.approx(
        sklearn_metrics.r2_score(program.values, np.array(program.evaluation.v('predicted_values'))))


def test_files_datasets_splits_cross_validation_and_rebatch():
    results = run_program('datasets_rebatch').RESULTS
    # Figures BatchFlow 0.10.1 printed for this program.
    assert results['n_files'] == 23
    assert results['first_id'] == 'item_00'
    assert results['fullpath_name'] == 'item_00.txt'
    assert results['split_sizes'] == [13, 5, 5]
    assert results['rebatched_sizes'] == [4, 4, 4, 4, 4, 4, 2]     # 2 epochs of 13 items, re-cut across the epochs
    assert results['seen'] == list(range(10, 23)) * 2               # the train part is the last 60% when not shuffled
    assert results['total'] == 2 * sum(i * i for i in range(10, 23))
    assert results['cv_test'] == [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert results['cv_train_sizes'] == [6, 7, 7]
    assert results['epoch'] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert results['endless'] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 0, 1], [2, 3, 4, 5]]
    assert results['seeded_equal']
    assert results['index_split'] == [[105, 106, 107, 108, 109], [102, 103, 104], [100, 101]]
