"""Reading a TorchModel config: the input shapes and classes, and which network to build.

Examples
--------
>>> parse_inputs({'images': {'shape': (3, 8, 8)}, 'labels': {'classes': 10}})
([(3, 8, 8)], 10)
>>> spec = network_spec({'name': 'vgg7', 'width': 8})
>>> spec.kind.value, spec.target, spec.options
('architecture', 'vgg7', {'width': 8})
"""
from __future__ import annotations

import inspect
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from torch import nn

from ...exceptions import ModelError
from .networks import architecture_names, check_architecture, make_network

__all__ = ['parse_inputs', 'classes_of', 'NetworkKind', 'NetworkSpec', 'network_spec', 'build_network']

_SHAPE_HELP = ("Give the shape of one item without the batch axis: (3, 32, 32), a list of shapes for several "
               "inputs, or {'images': {'shape': (3, 32, 32)}, 'labels': {'classes': 10}}.")


def _is_shape(value) -> bool:
    return (isinstance(value, Sequence) and not isinstance(value, str)
            and all(isinstance(n, numbers.Integral) and not isinstance(n, bool) for n in value))


def _shape(value, where: str) -> tuple[int, ...]:
    if not _is_shape(value) or any(int(n) < 1 for n in value):
        raise ModelError(f"config 'inputs'{where}: {value!r} is not a shape of positive ints. {_SHAPE_HELP}",
                         value=value)
    return tuple(int(n) for n in value)


def _is_spec(value) -> bool:
    return isinstance(value, Mapping) and any(key in value and not isinstance(value[key], Mapping)
                                              for key in ('shape', 'classes'))


def parse_inputs(value) -> tuple[list[tuple[int, ...]] | None, int | None]:
    """The input shapes and the number of classes that config ``'inputs'`` gives (None where it gives none).

    Examples
    --------
    >>> parse_inputs((1, 8, 8))
    ([(1, 8, 8)], None)
    >>> parse_inputs([(4,), (2,)])
    ([(4,), (2,)], None)
    >>> parse_inputs({'shape': (4,), 'classes': 3})
    ([(4,)], 3)
    """
    if value is None:
        return None, None
    if _is_shape(value):
        return [_shape(value, '')], None
    if _is_spec(value):
        specs = [('', value)]
    elif isinstance(value, Mapping):
        specs = [(f'[{key!r}]', spec) for key, spec in value.items()]
    elif isinstance(value, Sequence) and not isinstance(value, str):
        specs = [(f'[{index}]', spec) for index, spec in enumerate(value)]
    else:
        raise ModelError(f"config 'inputs' must be a shape, a list of shapes or a dict, got {value!r}. {_SHAPE_HELP}",
                         value=value)
    shapes, classes = [], None
    for where, spec in specs:
        if _is_shape(spec):
            shapes.append(_shape(spec, where))
        elif isinstance(spec, Mapping) and ('shape' in spec or 'classes' in spec):
            if spec.get('shape') is not None:
                shapes.append(_shape(spec['shape'], where))
            if spec.get('classes') is not None:
                classes = spec['classes']
        else:
            raise ModelError(f"config 'inputs'{where}: expected a shape or a dict with 'shape' or 'classes', got "
                             f'{spec!r}. {_SHAPE_HELP}', value=spec)
    return shapes or None, classes


def classes_of(config: Mapping, from_inputs) -> int | None:
    """Config ``'classes'``, or the ``classes`` of an ``'inputs'`` entry; they must agree when both are given."""
    classes = config.get('classes')
    if classes is not None and from_inputs is not None and classes != from_inputs:
        raise ModelError(f"config 'classes' is {classes!r} but config 'inputs' says {from_inputs!r}; give one.",
                         value=classes)
    classes = classes if classes is not None else from_inputs
    if classes is not None and (not isinstance(classes, numbers.Integral) or isinstance(classes, bool)
                                or classes < 1):
        raise ModelError(f"config 'classes' must be a positive int (the number of outputs), got {classes!r}.",
                         value=classes)
    return None if classes is None else int(classes)


class NetworkKind(str, Enum):
    """How config ``'model'`` gives the network."""

    ARCHITECTURE = 'architecture'  #: a name of :data:`~dagflow.models.torch.networks.ARCHITECTURES`
    INSTANCE = 'instance'          #: an ``nn.Module`` instance, used as it is
    FACTORY = 'factory'            #: an ``nn.Module`` class or a callable returning a module


@dataclass(frozen=True)
class NetworkSpec:
    """Which network to build: an architecture name, an ``nn.Module`` instance, or a factory with options."""

    kind: NetworkKind
    target: Any
    options: dict = field(default_factory=dict)

    def needs_shapes(self) -> bool:
        """Whether building it needs the input shapes."""
        if self.kind is NetworkKind.ARCHITECTURE:
            return True
        return self.kind is NetworkKind.FACTORY and 'input_shape' in _parameters(self.target)

    def storable(self):
        """The config ``'model'`` value that a file can store: the name with its options (None if unstorable)."""
        if self.kind is not NetworkKind.ARCHITECTURE:
            return None
        return {'name': self.target, **self.options}


def _parameters(factory) -> list[str]:
    try:
        return list(inspect.signature(factory).parameters)
    except (TypeError, ValueError):
        return []


def network_spec(value, default: str | None = None, owner: str = 'TorchModel') -> NetworkSpec:
    """Read config ``'model'``; ``default`` is the architecture of a TorchModel subclass (``'resnet18'``).

    Examples
    --------
    >>> network_spec(None, 'resnet18').target
    'resnet18'
    >>> network_spec('VGG16').target
    'vgg16'
    """
    name, options = value, {}
    if isinstance(value, Mapping):
        options = dict(value)
        name = options.pop('name', None)
    if name is None:
        if default is None:
            raise ModelError(f"{owner} needs config 'model': an architecture name ({', '.join(architecture_names())}), "
                             f"e.g. {{'model': 'resnet18'}}, an nn.Module class or instance, or a callable "
                             f'returning one.', name='model')
        name = default
    if isinstance(name, type) and hasattr(name, 'architecture') and not issubclass(name, nn.Module):
        if name.architecture is None:
            raise ModelError(f"config 'model' is {name.__name__}, a model class without an architecture; give an "
                             f"architecture name ({', '.join(architecture_names())}) or an nn.Module.", value=name)
        name = name.architecture
    if isinstance(name, str):
        arch = check_architecture(name)
        if default is not None and arch != default:
            raise ModelError(f"{owner} builds {default!r}, but config 'model' names {arch!r}; use TorchModel (or the "
                             f'class of that architecture) to build it.', name=arch)
        return NetworkSpec(NetworkKind.ARCHITECTURE, arch, options)
    if isinstance(name, nn.Module):
        if options:
            raise ModelError(f"config 'model' is an nn.Module instance, which takes no options, got {options!r}.",
                             value=options)
        return NetworkSpec(NetworkKind.INSTANCE, name)
    if callable(name):
        return NetworkSpec(NetworkKind.FACTORY, name, options)
    raise ModelError(f"config 'model' must be an architecture name, an nn.Module class or instance, or a callable "
                     f'returning a module, got {name!r} ({type(name).__name__}).', value=name)


def build_network(spec: NetworkSpec, shapes, classes) -> nn.Module:
    """Make the network of ``spec``; a factory gets ``input_shape=`` and ``classes=`` if it names them."""
    if spec.kind is NetworkKind.ARCHITECTURE:
        return make_network(spec.target, shapes, classes, spec.options)
    if spec.kind is NetworkKind.INSTANCE:
        return spec.target
    kwargs = dict(spec.options)
    parameters = _parameters(spec.target)
    if 'input_shape' in parameters and shapes:
        kwargs.setdefault('input_shape', shapes[0])
    if 'classes' in parameters and classes is not None:
        kwargs.setdefault('classes', classes)
    label = getattr(spec.target, '__name__', repr(spec.target))
    try:
        network = spec.target(**kwargs)
    except TypeError as exc:
        raise ModelError(f"config 'model': {label}(**{kwargs!r}) failed: {exc}. Put its arguments into "
                         f"{{'model': {{'name': {label}, ...}}}}.", value=spec.target) from exc
    if not isinstance(network, nn.Module):
        raise ModelError(f"config 'model': {label} returned {type(network).__name__}, not a torch.nn.Module.",
                         value=spec.target)
    return network
