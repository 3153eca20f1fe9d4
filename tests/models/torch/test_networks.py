"""The architectures: built for any item shape and number of classes, forward shapes, clear errors."""
import pytest

from dagflow.exceptions import ModelError

from .conftest import TINY

torch = pytest.importorskip('torch')

from dagflow.models.torch.networks import ARCHITECTURES, UNetNetwork, make_network  # noqa: E402


@pytest.mark.parametrize('name', ['mlp', 'vgg7', 'vgg16', 'resnet18', 'resnet34'])
@pytest.mark.parametrize('shape', [(1, 8, 8), (3, 5, 9), (2, 16), (1, 4, 4, 4)])
def test_classifiers_give_one_output_per_class_for_any_item_shape(name, shape):
    net = make_network(name, [shape], 3, TINY[name])
    assert net(torch.zeros(2, *shape)).shape == (2, 3)


@pytest.mark.parametrize('shape', [(1, 8, 8), (3, 9, 13), (2, 11), (1, 4, 5, 6)])
def test_unet_output_has_the_input_size_with_one_channel_per_class(shape):
    net = make_network('unet', [shape], 4, TINY['unet'])
    assert net(torch.zeros(2, *shape)).shape == (2, 4, *shape[1:])


def test_unet_too_small_for_its_depth_says_which_depth_fits():
    with pytest.raises(ModelError, match=r"depth 3 .* at least 8 pixels, but the item shape is \(1, 6, 6\).*"
                                         r"'depth': 2"):
        UNetNetwork((1, 6, 6), classes=2, depth=3)


def test_resnet_stem_is_large_for_large_images_and_small_otherwise():
    small = make_network('resnet18', [(3, 32, 32)], 2, {'width': 2})
    large = make_network('resnet18', [(3, 64, 64)], 2, {'width': 2})
    assert small.stem[0].stride == (1, 1) and large.stem[0][0].stride == (2, 2)


def test_every_architecture_has_a_name_and_width_option():
    assert sorted(ARCHITECTURES) == ['mlp', 'resnet18', 'resnet34', 'unet', 'vgg16', 'vgg7']
    narrow, wide = make_network('vgg7', [(1, 8, 8)], 2, {'width': 2}), make_network('vgg7', [(1, 8, 8)], 2)
    assert sum(p.numel() for p in narrow.parameters()) < sum(p.numel() for p in wide.parameters()) / 100


@pytest.mark.parametrize('name, options, shapes, classes, message', [
    ('resnet81', {}, [(3, 8, 8)], 2, r"Unknown architecture 'resnet81'. Did you mean 'resnet18'"),
    ('vgg7', {'widht': 4}, [(3, 8, 8)], 2, r"'vgg7' has no option 'widht'. Did you mean 'width'"),
    ('vgg7', {}, None, 2, r"'vgg7' needs the shape of its inputs: set config 'inputs'"),
    ('vgg7', {}, [(3, 8, 8), (3, 8, 8)], 2, r"takes one input, but config \"inputs\" gives 2"),
    ('vgg7', {}, [(3, 8, 8)], None, r"needs config 'classes'"),
    ('vgg7', {}, [(16,)], 2, r'VGG needs inputs shaped \(channels, \*spatial\).*got the item shape \(16,\)'),
])
def test_bad_architecture_configs_say_what_to_change(name, options, shapes, classes, message):
    with pytest.raises(ModelError, match=message):
        make_network(name, shapes, classes, options)
