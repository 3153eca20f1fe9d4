"""The names ``batchflow`` exports: dagflow provides those docs/batchflow.md says it does, and only those."""
import importlib

import pytest

import dagflow

PROVIDED = [
    'Batch', 'Dataset', 'DatasetIndex', 'FilesIndex', 'Pipeline', 'Config', 'action',
    'B', 'C', 'D', 'F', 'I', 'L', 'M', 'P', 'PP', 'R', 'V', 'W', 'NamedExpression', 'eval_expr',
    'SkipBatchException', 'EmptyBatchSequence', 'StopPipeline',
    'save_data_to', 'read_data_from', 'make_rng', 'make_seed_sequence', 'spawn_seed_sequence',
]
NOT_PROVIDED = [
    'inbatch_parallel', 'apply_parallel', 'any_action_failed', 'ImagesBatch', 'Normalizer', 'Quantizer',
    'Sampler', 'ConstantSampler', 'NumpySampler', 'HistoSampler', 'ScipySampler', 'Notifier', 'notifier',
    'Monitor', 'plot', 'Baseset', 'mjit', 'deprecated', 'TelegramMessage', 'pylint_notebook',
    'get_available_gpus', 'set_gpus',
]


@pytest.mark.parametrize('name', PROVIDED)
def test_batchflows_names_import_from_dagflow(name):
    assert name in dagflow.__all__
    assert getattr(dagflow, name) is not None


@pytest.mark.parametrize('module, names', [
    ('dagflow.models', ['BaseModel']),
    ('dagflow.models.torch', ['TorchModel', 'VGG7', 'VGG16', 'ResNet18', 'ResNet34', 'UNet']),
    ('dagflow.models.metrics', ['ClassificationMetrics', 'SegmentationMetricsByPixels',
                                'SegmentationMetricsByInstances', 'RegressionMetrics', 'Loss']),
])
def test_batchflows_model_modules_import_from_dagflow(module, names):
    if module.endswith('torch'):
        pytest.importorskip('torch')
    imported = importlib.import_module(module)
    assert all(hasattr(imported, name) for name in names)


@pytest.mark.parametrize('name', NOT_PROVIDED)
def test_names_dagflow_does_not_provide_are_absent(name):
    """docs/batchflow.md lists these as not provided; a new export must update that page."""
    assert not hasattr(dagflow, name)
