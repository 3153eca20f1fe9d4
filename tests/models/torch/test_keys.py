"""TorchModel's config keys: BatchFlow's spellings (inputs_shapes, targets_shapes, microbatch_size, output) and
the keys nothing reads, which are reported, never dropped silently."""
import warnings

import numpy as np
import pytest

from dagflow.exceptions import ModelConfigWarning, ModelError

from .conftest import config_for, toy_images

torch = pytest.importorskip('torch')

from dagflow.models.torch import MLP, TorchModel  # noqa: E402


def mlp_config(**extra):
    config = config_for('mlp')
    del config['inputs']
    return {**config, **extra}


class TestBatchFlowSpellings:
    def test_inputs_shapes_builds_the_network_as_inputs_does(self):
        images, labels = toy_images(8)
        by_inputs = MLP(mlp_config(inputs=(1, 8, 8)))
        by_shapes = MLP(mlp_config(inputs_shapes=(1, 8, 8)))
        by_list = MLP(mlp_config(input_shapes=[(1, 8, 8)]))
        assert by_shapes.network is not None and by_shapes.config['inputs'] == (1, 8, 8)
        assert 'inputs_shapes' not in by_shapes.config
        assert by_inputs.train(images, labels) == by_shapes.train(images, labels) == by_list.train(images, labels)

    def test_inputs_and_inputs_shapes_must_agree(self):
        assert MLP(mlp_config(inputs=(1, 8, 8), inputs_shapes=[1, 8, 8])).config['inputs'] == (1, 8, 8)
        with pytest.raises(ModelError, match=r"config gives 'inputs' = \(1, 8, 8\) and 'inputs_shapes' \(BatchFlow's "
                                             r"spelling\) = \(3, 8, 8\); give one"):
            MLP(mlp_config(inputs=(1, 8, 8), inputs_shapes=(3, 8, 8)))

    def test_targets_shapes_gives_the_classes_unless_they_are_given(self):
        config = mlp_config(inputs=(1, 8, 8), targets_shapes=(5,))
        del config['classes']
        assert MLP(config).network.layers[-1].out_features == 5
        assert MLP({**config, 'classes': [3]}).network.layers[-1].out_features == 3
        with pytest.raises(ModelError, match=r"config 'classes' must be one number \(dagflow's networks have one "
                                             r'output\), got \[3, 4\]'):
            MLP({**config, 'classes': [3, 4]})
        with pytest.raises(ModelError, match=r"config 'targets_shapes' must be the shape of one target"):
            MLP({**config, 'targets_shapes': [(5,), (2,)]})

    def test_microbatch_size_is_microbatch(self):
        images, labels = toy_images(8)
        model = MLP(config_for('mlp', microbatch_size=3))
        assert model.config['microbatch'] == 3
        reference = MLP(config_for('mlp', microbatch=3))
        assert model.train(images, labels) == reference.train(images, labels)
        with pytest.raises(ModelError, match=r"'microbatch' = 2 and 'microbatch_size'"):
            MLP(config_for('mlp', microbatch=2, microbatch_size=3))

    def test_a_saved_model_keeps_dagflows_spelling(self, tmp_path):
        model = MLP(mlp_config(inputs_shapes=(1, 8, 8)))
        model.save(tmp_path / 'm.pt')
        assert TorchModel({'load/path': tmp_path / 'm.pt'}).config['inputs'] == [1, 8, 8]


class TestOutputConfig:
    def test_output_aliases_name_extra_outputs(self):
        images, _ = toy_images(4)
        model = MLP(config_for('mlp', output={'probabilities': 'proba', 'top': lambda out: out.argmax(dim=1)}))
        proba, top, labels = model.predict(images, outputs=['probabilities', 'top', 'labels'])
        np.testing.assert_array_equal(proba, model.predict(images, fetches='proba'))
        np.testing.assert_array_equal(top, labels)

    def test_output_names_are_checked_when_the_model_is_made(self):
        assert MLP(config_for('mlp', output=['proba', 'labels'])).config['output'] == ['proba', 'labels']
        with pytest.raises(ModelError, match=r"MLP: config 'output': unknown fetch 'probba'. Did you mean 'proba'"):
            MLP(config_for('mlp', output='probba'))
        with pytest.raises(ModelError, match=r"config 'output' keys name new outputs, got 'proba' \(already a fetch"):
            MLP(config_for('mlp', output={'proba': 'sigmoid'}))


class TestUnreadKeys:
    @pytest.mark.parametrize('key, value, where', [
        ('lr', 0.01, r"an optimizer option belongs in 'optimizer': \{'name': 'Adam', 'lr': ...\}"),
        ('decay', {'name': 'exp'}, r"it is BatchFlow's learning-rate decay; use 'scheduler'"),
        ('body', {'layout': 'cna'},
         r"BatchFlow builds networks from blocks; dagflow's TorchModel builds the network that 'model' names"),
        ('sync_frequency', 2, r"it is an option of BatchFlow's TorchModel that dagflow's TorchModel does not provide"),
        ('comment', 'mine', r"the keys MLP reads are model, inputs, classes.*, build, load. If MLP reads 'comment' "
                            r"itself, declare it in the class: config_keys = \('comment',\)"),
    ])
    def test_a_key_nothing_reads_is_reported_with_where_it_belongs(self, key, value, where):
        with pytest.warns(ModelConfigWarning, match=rf"MLP: config key '{key}' is not read by MLP, so it has "
                                                    rf'no effect: {where}'):
            MLP(config_for('mlp', **{key: value}))

    def test_a_misspelt_key_is_an_error(self):
        with pytest.raises(ModelError, match=r"unknown config key 'optimiser'. Did you mean 'optimizer'"):
            MLP(config_for('mlp', optimiser='SGD'))
        with pytest.raises(ModelError, match=r"unknown config key 'clases'. Did you mean 'classes'"):
            MLP(config_for('mlp', clases=3))

    def test_known_keys_warn_nothing(self):
        with warnings.catch_warnings():
            warnings.simplefilter('error')
            MLP(config_for('mlp', scheduler={'name': 'StepLR', 'step_size': 2}, microbatch=2, output='proba'))

    def test_a_model_in_a_pipeline_reports_the_key(self, images_dataset):
        from dagflow import B
        pipeline = (images_dataset.p.init_model('m', MLP, 'dynamic', config_for('mlp', lr=0.5))
                    .train_model('m', B.images, B.labels))
        with pytest.warns(ModelConfigWarning, match="config key 'lr' is not read"):
            pipeline.run(8, n_epochs=1)


class HeadNet(TorchModel):
    """A subclass with keys of its own, some close to TorchModel's (losses/loss, model_path/model, input/inputs)."""

    config_keys = ('dropout', 'head_size', 'losses', 'model_path', 'input', 'seeds', 'classes_weights')

    def _build(self):
        self.read = {key: self.config.get(key) for key in type(self).config_keys}
        super()._build()


class TestSubclassKeys:
    OWN = {'dropout': 0.1, 'head_size': 4, 'losses': ['ce'], 'model_path': 'net.pt', 'input': 'images',
           'seeds': [1, 2], 'classes_weights': [1.0, 2.0]}

    def test_a_subclass_reads_its_own_keys_without_a_warning(self):
        with warnings.catch_warnings():
            warnings.simplefilter('error')
            model = HeadNet(config_for('mlp', **self.OWN))
        assert model.read == self.OWN
        assert model.network is not None

    def test_its_keys_add_to_torchmodels(self):
        from dagflow.models.base import config_keys_of
        assert config_keys_of(HeadNet)[:2] == ('dropout', 'head_size')
        assert set(config_keys_of(TorchModel)) < set(config_keys_of(HeadNet))

    def test_undeclared_keys_close_to_a_known_key_are_still_refused_with_the_way_to_declare_them(self):
        with pytest.raises(ModelError, match=r"MLP: unknown config key 'model_path'. Did you mean 'model'\?.* If MLP "
                                             r"reads 'model_path' itself, declare it in the class: config_keys = "
                                             r"\('model_path',\)"):
            MLP(config_for('mlp', model_path='net.pt'))
        with pytest.raises(ModelError, match=r"HeadNet: unknown config key 'dropuot'. Did you mean 'dropout'"):
            HeadNet(config_for('mlp', dropuot=0.1))

    def test_a_key_the_subclass_does_not_declare_is_reported(self):
        with pytest.warns(ModelConfigWarning, match=r"HeadNet: config key 'comment' is not read by HeadNet.* "
                                                    r'the keys HeadNet reads are dropout, head_size'):
            HeadNet(config_for('mlp', comment='mine'))

    def test_config_keys_must_be_a_tuple_of_names(self):
        class Bad(TorchModel):
            config_keys = 'dropout'
        with pytest.raises(ModelError, match=r"Bad.config_keys must be a tuple of key names \(str\), got 'dropout'"):
            Bad(config_for('mlp'))


def test_every_key_the_torch_package_reads_is_declared():
    """TorchModel's config_keys sit next to the code that reads them; this keeps them in step."""
    import ast
    import pathlib

    from dagflow.models.base import config_keys_of
    package = pathlib.Path(TorchModel.__module__.replace('.', '/')).parent
    root = pathlib.Path(__file__).resolve().parents[3]
    read = set()
    for path in (root / package).glob('*.py'):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == 'get' \
                    and isinstance(node.func.value, ast.Attribute | ast.Name) \
                    and getattr(node.func.value, 'attr', getattr(node.func.value, 'id', None)) == 'config' \
                    and node.args and isinstance(node.args[0], ast.Constant):
                read.add(node.args[0].value)
    assert 'microbatch' in read and 'classes' in read
    assert read <= set(config_keys_of(TorchModel)), read - set(config_keys_of(TorchModel))
