"""The model interface pipelines train, predict with, save and load.

A model is any object with ``train``, ``predict``, ``save``, ``load`` and
``reset`` methods whose class is constructed as ``model_class(config)``.
:class:`BaseModel` implements the part every model shares: reading the
``build`` and ``load`` options of its config.
"""
from __future__ import annotations

from collections.abc import Mapping

from ..config import Config
from ..exceptions import ModelError

__all__ = ['BaseModel', 'config_keys_of']


class _ClassName:
    """A read-only attribute that is the name of the class it is read through."""

    def __get__(self, instance, owner):
        return owner.__name__


class BaseModel:
    """The base of dagflow models: a config, and ``build`` / ``load`` at construction.

    Subclasses implement :meth:`_build` (create the model's parameters) and
    override :meth:`train`, :meth:`predict`, :meth:`save`, :meth:`load` and
    :meth:`reset`.  The constructor reads two global options of the config:

    ``build``
        ``True`` (the default) calls :meth:`build` after loading (if any);
        ``'first'`` calls it *before* loading; ``False`` skips it.
    ``load``
        A dict; when present, the model is loaded with ``self.load(**config['load'])``.

    Parameters
    ----------
    config : dict or Config, optional
        The model's options, with named expressions already evaluated (a
        pipeline evaluates them before it constructs the model).
    *args, **kwargs
        Passed to :meth:`build`.

    Attributes
    ----------
    config : Config
        A copy of the given config.
    default_name : str
        The class name; the model's name in a pipeline when ``init_model`` gets none.
    config_keys : tuple of str
        The config keys the class reads itself (``build`` and ``load`` here).  A
        subclass lists the keys *it* reads; they add to those of its bases
        (:func:`config_keys_of` merges them).  TorchModel reports a key that no
        class of the model declares.

    Examples
    --------
    >>> import numpy as np
    >>> class MeanModel(BaseModel):
    ...     def _build(self):
    ...         self.mean = np.zeros(self.config.get('size', 1))
    ...     def train(self, x):
    ...         self.mean = (self.mean + x.mean(axis=0)) / 2
    ...         return float(abs(self.mean).sum())
    ...     def predict(self, x):
    ...         return np.full(len(x), self.mean.sum())
    >>> model = MeanModel({'size': 2})
    >>> model.train(np.ones((4, 2)))
    1.0
    >>> MeanModel.default_name, model.default_name
    ('MeanModel', 'MeanModel')
    """

    default_name = _ClassName()

    config_keys: tuple[str, ...] = ('build', 'load')
    """The config keys this class reads itself (its subclasses declare their own)."""

    def __init__(self, config: Mapping | None = None, *args, **kwargs):
        if config is not None and not isinstance(config, Mapping):
            raise ModelError(f'{type(self).__name__}: config must be a dict or a Config, '
                             f'got {type(config).__name__} {config!r}.', value=config)
        self.config = Config(config).copy() if config is not None else Config()
        build = self.config.get('build', True)
        load = self.config.get('load')
        if build not in (True, False, 'first'):
            raise ModelError(f"{type(self).__name__}: config option 'build' must be True, False or 'first', "
                             f'got {build!r}.', value=build)
        if load is not None and not isinstance(load, Mapping):
            raise ModelError(f"{type(self).__name__}: config option 'load' must be a dict of arguments "
                             f'for load(...), got {load!r}.', value=load)
        if build == 'first':
            self.build(*args, **kwargs)
        if load is not None:
            self.load(**load)
        if build is True:
            self.build(*args, **kwargs)

    def build(self, *args, **kwargs):
        """Create the model: calls :meth:`_build`."""
        self._build(*args, **kwargs)

    def _build(self, *args, **kwargs):
        """Create the model's parameters; override in subclasses (the default does nothing)."""

    def train(self, *args, **kwargs):
        """Train on one batch's data; return what the caller asked for (a loss, ...)."""
        raise self._missing('train')

    def predict(self, *args, **kwargs):
        """Predict for one batch's data."""
        raise self._missing('predict')

    def save(self, *args, **kwargs):
        """Write the model to storage (see :func:`dagflow.models.io.save_arrays` for an atomic write)."""
        raise self._missing('save')

    def load(self, *args, **kwargs):
        """Read the model from storage."""
        raise self._missing('load')

    def reset(self):
        """Forget what was learnt: re-create the parameters (calls :meth:`build` by default)."""
        self.build()

    @classmethod
    def is_model_like(cls, obj) -> bool:
        """Whether ``obj`` has the methods of a model: ``train``, ``predict``, ``save``, ``load``, ``reset``.

        Examples
        --------
        >>> class Wrapper:
        ...     def train(self, x): ...
        ...     def predict(self, x): ...
        >>> BaseModel.is_model_like(Wrapper()), BaseModel.is_model_like(BaseModel())
        (False, True)
        """
        return all(callable(getattr(obj, method, None)) for method in cls.INTERFACE)

    INTERFACE = ('train', 'predict', 'save', 'load', 'reset')
    """The methods every model has (:meth:`is_model_like` checks them)."""

    def _missing(self, method: str) -> NotImplementedError:
        return NotImplementedError(f'{type(self).__name__}.{method}() is not implemented: '
                                   f'override {method} in your model class.')

    def __repr__(self):
        return f'<{type(self).__name__}>'


def config_keys_of(model_class: type) -> tuple[str, ...]:
    """The config keys ``model_class`` reads: the ``config_keys`` of each class it derives from, its own first.

    Raises
    ------
    ModelError
        When a class declares ``config_keys`` as something other than a tuple or list of str.

    Examples
    --------
    >>> class Net(BaseModel):
    ...     config_keys = ('dropout',)
    ...     def _build(self):
    ...         self.dropout = self.config.get('dropout', 0.5)
    >>> config_keys_of(Net)
    ('dropout', 'build', 'load')
    """
    keys: dict[str, None] = {}
    for cls in model_class.__mro__:
        declared = cls.__dict__.get('config_keys', ())
        if not isinstance(declared, (tuple, list)) or not all(isinstance(key, str) for key in declared):
            raise ModelError(f'{cls.__name__}.config_keys must be a tuple of key names (str), got {declared!r}; '
                             f"e.g. config_keys = ('dropout',).", value=declared)
        keys.update(dict.fromkeys(declared))
    return tuple(keys)
