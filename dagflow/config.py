"""Pipeline configuration: a nested mapping addressed by ``'/'`` paths.

Examples
--------
>>> cfg = Config({'model': {'lr': 0.1}}, epochs=3)
>>> cfg['model/lr'], cfg.model.lr, cfg['epochs']
(0.1, 0.1, 3)
>>> cfg['model/optimizer/name'] = 'adam'
>>> cfg.flatten()
{'model/lr': 0.1, 'model/optimizer/name': 'adam', 'epochs': 3}
>>> cfg['model'] += {'lr': 0.01, 'depth': 3}
>>> cfg.config
{'model': {'lr': 0.01, 'optimizer': {'name': 'adam'}, 'depth': 3}, 'epochs': 3}
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping

from dagflow.exceptions import suggestion_text

__all__ = ['Config']

_MISSING = object()


class Config(MutableMapping):
    """A dict-like configuration whose nested keys are addressed by ``'/'`` paths.

    ``Config({'a/b': 1})`` and ``Config({'a': {'b': 1}})`` hold the same data,
    ``{'a': {'b': 1}}`` (:attr:`config`).  Keys are strings, split on ``'/'``
    wherever they appear, including in dicts stored as values (repeated and
    outer slashes are ignored: ``'a//b/'`` is ``'a/b'``).  A dict whose keys
    are all non-strings (``{0: 'cat', 1: 'dog'}``) is kept as a value.

    A nested level reads as a ``Config`` over the same data: ``cfg['a']`` and
    ``cfg.a`` write through to ``cfg``, ``cfg['a/b']`` and ``cfg.a.b`` give
    the same value, and ``cfg['a'] += {...}`` merges into that level.
    ``keys()``, ``items()``, ``values()``, ``len()`` and iteration see the top
    level; with ``flatten=True`` (or :meth:`flatten`) every leaf.

    Parameters
    ----------
    config : dict, Config or iterable of (key, value) pairs, optional
        The initial content.  Another ``Config`` is shared, not copied (use
        :meth:`copy` for a copy), as in BatchFlow.
    **kwargs
        More entries, put after ``config``.

    Raises
    ------
    TypeError
        For a key that is not a string, or content that is not a mapping or pairs.
    ValueError
        For pairs that are not ``(key, value)``.

    Examples
    --------
    >>> cfg = Config({'a': {'b': 1}})
    >>> cfg['a/b'], 'a/b' in cfg, 'a/c' in cfg
    (1, True, False)
    >>> cfg == {'a': {'b': 1}}
    True
    >>> cfg + {'a/c': 2}
    Config({'a': {'b': 1, 'c': 2}})
    >>> list(cfg.items(flatten=True))
    [('a/b', 1)]
    """

    __slots__ = ('_data', '_on_write')

    def __init__(self, config=None, /, **kwargs):
        self._on_write = None   # a callable (key) told of every write before it happens: a pipeline's step guard
        if isinstance(config, Config):
            self._data = config._data   # shared, as BatchFlow's docstring says
        else:
            self._data = {}
            if config is not None:
                self.update(config)
        if kwargs:
            self.update(kwargs)

    # ---- mapping protocol -----------------------------------------------------------------
    def __getitem__(self, key):
        value = self._lookup(key)
        if value is _MISSING:
            raise KeyError(self._missing_message(key))
        return self._wrap(key, value)

    def __setitem__(self, key, value):
        parts = _split(key)
        if self._on_write is not None:
            self._on_write('/'.join(parts))
        *parents, last = parts
        self._level(parents, key)[last] = _nest(value)

    def __delitem__(self, key):
        parts = _split(key)
        if self._on_write is not None:
            self._on_write('/'.join(parts))
        *parents, last = parts
        level = self._lookup_parts(parents)
        if not _is_level(level) or last not in level:
            raise KeyError(self._missing_message(key))
        del level[last]

    def __contains__(self, key):
        try:
            return self._lookup(key) is not _MISSING
        except (KeyError, TypeError):   # not a string, or an empty path
            return False

    def __iter__(self) -> Iterator:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __eq__(self, other):
        if isinstance(other, Config):
            return self._data == other._data
        if isinstance(other, Mapping):
            try:
                return self._data == Config(other)._data
            except TypeError:   # non-string keys: not a config, so not equal
                return False
        return NotImplemented

    __hash__ = None

    def __repr__(self):
        return f'Config({self._data!r})'

    def __reduce__(self):
        return (Config, (self._data,))

    def __getattr__(self, name):
        """``config.a.b`` reads ``config['a/b']``; methods and attributes of the class come first."""
        if name.startswith('_'):
            raise AttributeError(name)
        value = self._data.get(name, _MISSING)
        if value is _MISSING:
            hint = suggestion_text(name, [key for key in self._data if key.isidentifier()])
            raise AttributeError(f'{name!r} is not in the config (config.{name} reads config[{name!r}]).{hint}')
        return self._wrap(name, value)

    def __setattr__(self, name, value):
        if name in Config.__slots__:
            object.__setattr__(self, name, value)
            return
        raise AttributeError(f'Set config values by key: config[{name!r}] = ... (config.{name} only reads).')

    # ---- BatchFlow's API ----------------------------------------------------------------------
    @property
    def config(self) -> dict:
        """The content as nested dicts (live: writing into it changes the config).

        Examples
        --------
        >>> Config({'a/b': 1, 'c': 2}).config
        {'a': {'b': 1}, 'c': 2}
        """
        return self._data

    def get(self, key, default=None, config=None):
        """Return the value at ``key`` (a ``'/'`` path), or ``default`` if it is missing.

        A list or tuple of keys gives a tuple of values.  With ``config``
        (a dict or Config), read from it instead.

        Examples
        --------
        >>> cfg = Config({'a': {'b': 1}})
        >>> cfg.get('a/x', 0), cfg.get(['a/b', 'a/x'])
        (0, (1, None))
        """
        if config is not None:
            return _over(config).get(key, default)
        if isinstance(key, (list, tuple)):
            return tuple(self.get(item, default) for item in key)
        value = self._lookup(key)
        return default if value is _MISSING else self._wrap(key, value)

    def pop(self, key, *default, config=None, **kwargs):
        """Remove the value at ``key`` and return it; ``default`` (positional or keyword) if it is missing.

        A list or tuple of keys pops each and gives a tuple.  With ``config``
        (a dict or Config), pop from it instead (the dict changes).

        Examples
        --------
        >>> cfg = Config({'a': {'b': 1, 'c': 2}})
        >>> cfg.pop('a/b'), cfg.pop('a/x', None), cfg.pop(['a/c'], default=0)
        (1, None, (2,))
        >>> cfg
        Config({'a': {}})
        """
        if set(kwargs) - {'default'} or len(default) > 1 or (default and kwargs):
            raise TypeError(f'pop(key, default) takes one default, got {default!r} and {kwargs!r}.')
        default = default or tuple(kwargs.values())
        if config is not None:
            return _over(config).pop(key, *default)
        if isinstance(key, (list, tuple)):
            return tuple(self.pop(item, *default) for item in key)
        value = self._lookup(key)
        if value is _MISSING:
            if default:
                return default[0]
            raise KeyError(self._missing_message(key))
        del self[key]
        return Config(value) if _is_level(value) else value

    def put(self, key, value, config=None) -> None:
        """Put ``value`` at ``key``: a dict merges into a dict already there, anything else replaces.

        With ``config`` (a dict or Config), put into it instead (the dict changes).

        Examples
        --------
        >>> cfg = Config({'model': {'lr': 0.1}})
        >>> cfg.put('model', {'depth': 3})
        >>> cfg.put('epochs', 5)
        >>> cfg
        Config({'model': {'lr': 0.1, 'depth': 3}, 'epochs': 5})
        """
        if config is not None:
            _over(config).put(key, value)
            return
        value = _nest(value)
        current = self._lookup(key)
        if _is_level(value) and _is_level(current):
            if self._on_write is not None:
                for path, _ in _flat_items(value, '/'.join(_split(key)) + '/'):
                    self._on_write(path)
            _merge(current, value)
        else:
            self[key] = value

    def keys(self, flatten: bool = False):
        """The top-level keys, or with ``flatten`` every leaf's ``'/'`` path.

        Examples
        --------
        >>> list(Config({'a/b': 1, 'c': 2}).keys(flatten=True))
        ['a/b', 'c']
        """
        return self.flatten().keys() if flatten else self._data.keys()

    def values(self, flatten: bool = False):
        """The top-level values (nested levels as dicts), or with ``flatten`` every leaf.

        Examples
        --------
        >>> list(Config({'a/b': 1, 'c': 2}).values(flatten=True))
        [1, 2]
        """
        return self.flatten().values() if flatten else self._data.values()

    def items(self, flatten: bool = False):
        """The top-level ``(key, value)`` pairs (nested levels as dicts), or with ``flatten`` every leaf.

        Examples
        --------
        >>> list(Config({'a/b': 1, 'c': 2}).items())
        [('a', {'b': 1}), ('c', 2)]
        """
        return self.flatten().items() if flatten else self._data.items()

    def update(self, other=None, /, **kwargs) -> None:
        """Deep-merge ``other`` and ``kwargs`` into this config.

        Where both sides hold dicts they are merged key by key; anywhere else
        the new value replaces the old one.

        Examples
        --------
        >>> cfg = Config({'model': {'lr': 0.1, 'depth': 3}})
        >>> cfg.update({'model': {'lr': 0.01}, 'epochs': 5})
        >>> cfg
        Config({'model': {'lr': 0.01, 'depth': 3}, 'epochs': 5})
        """
        for source in (other, kwargs):
            if source is None:
                continue
            nested = _parse(source)
            if self._on_write is not None:
                for key, _ in _flat_items(nested, ''):
                    self._on_write(key)
            _merge(self._data, nested)

    def flatten(self, config=None) -> dict:
        """Return a flat dict from every leaf's ``'/'`` path to its value (of ``config`` if given).

        Empty dicts are leaves, and so are dicts keyed by non-strings.

        Examples
        --------
        >>> Config({'a': {'b': 1, 'c': {}}, 'd': 2}).flatten()
        {'a/b': 1, 'a/c': {}, 'd': 2}
        """
        return dict(_flat_items(self._data if config is None else _parse(config), ''))

    @staticmethod
    def parse(config) -> dict:
        """Return ``config`` (a dict, Config or pairs, with ``'/'`` paths in its keys) as nested dicts.

        Examples
        --------
        >>> Config.parse({'a/b': 1, 'a/c': 2})
        {'a': {'b': 1, 'c': 2}}
        """
        return _parse(config)

    def copy(self) -> Config:
        """Return a copy with its own nested dicts; the leaf values are shared.

        Examples
        --------
        >>> cfg = Config({'a': {'b': 1}})
        >>> other = cfg.copy()
        >>> other['a/b'] = 2
        >>> cfg['a/b']
        1
        """
        return Config(_nest(self._data))

    def __add__(self, other):
        if not isinstance(other, Mapping):
            return NotImplemented
        result = self.copy()
        result.update(other)
        return result

    def __radd__(self, other):
        if not isinstance(other, Mapping):
            return NotImplemented
        return Config(_nest(other)) + self

    # ---- helpers ----------------------------------------------------------------------------
    def _wrap(self, key, value):
        """A nested level as a Config over the same dict (writes go through, told to the hook)."""
        if not _is_level(value):
            return value
        view = Config()
        view._data = value
        if self._on_write is not None:
            prefix, on_write = '/'.join(_split(key)), self._on_write
            view._on_write = lambda inner: on_write(f'{prefix}/{inner}')
        return view

    def _level(self, parents, key) -> dict:
        """The dict at ``parents``, made where missing; a value in the way is refused."""
        level = self._data
        for depth, part in enumerate(parents):
            child = level.setdefault(part, {})
            if not (_is_level(child)):
                path = '/'.join(parents[:depth + 1])
                what = 'dict keyed by non-strings' if isinstance(child, dict) else type(child).__name__
                raise TypeError(f'Cannot set {key!r}: {path!r} holds a {what}, not a level of the config. '
                                f'Delete it first or set {path!r} to a dict.')
            level = child
        return level

    def _lookup(self, key):
        return self._lookup_parts(_split(key))

    def _lookup_parts(self, parts):
        level = self._data
        for part in parts:
            if not isinstance(level, dict):   # a dict keyed by non-strings has no string key either
                return _MISSING
            level = level.get(part, _MISSING)
            if level is _MISSING:
                return _MISSING
        return level

    def _missing_message(self, key):
        candidates = list(self.flatten())
        for path in list(candidates):
            parts = path.split('/')
            candidates += ['/'.join(parts[:depth]) for depth in range(1, len(parts))]
        return f'{key!r} is not in the config.{suggestion_text(key, candidates)}'


def _over(config) -> Config:
    """A Config over the dict (or Config) given as ``config=``: what it reads and writes is that dict."""
    if isinstance(config, Config):
        return config
    if not isinstance(config, dict):
        raise TypeError(f'config= takes a dict or a Config, got {type(config).__name__}.')
    view = Config()
    view._data = config
    return view


def _split(key) -> list[str]:
    """``'a//b/'`` -> ``['a', 'b']``; a key that is not a non-empty string is refused."""
    if not isinstance(key, str):
        raise TypeError(f'Config keys are strings (\'/\' separates nested levels), got {key!r} of type '
                        f'{type(key).__name__}. Use a string key, e.g. {str(key)!r}.')
    parts = [part for part in key.split('/') if part]
    if not parts:
        raise KeyError(f'{key!r} is not a config key: give a name, or a path such as \'model/lr\'.')
    return parts


def _is_level(value) -> bool:
    """Whether a dict is a level of the config (string keys), not a value keyed by other things."""
    if not isinstance(value, dict):
        return False
    strings = [isinstance(key, str) for key in value]
    if all(strings):
        return True
    if not any(strings):
        return False
    odd = next(key for key, is_str in zip(value, strings) if not is_str)
    raise TypeError(f'Config keys are strings, got {odd!r} of type {type(odd).__name__} next to string keys in '
                    f'{_clip(value)}. Use string keys, or keep a mapping keyed by other things under one key.')


def _parse(source) -> dict:
    """A mapping, Config or iterable of pairs as nested dicts with the paths split."""
    if isinstance(source, Config):
        return _nest(source._data)
    if isinstance(source, Mapping):
        pairs = source.items()
    elif isinstance(source, (str, bytes)) or not hasattr(source, '__iter__'):
        raise TypeError(f'A config is made from a dict, a Config or (key, value) pairs, got '
                        f'{type(source).__name__}: {_clip(source)}.')
    else:
        pairs = list(source)
        bad = [pair for pair in pairs if not (isinstance(pair, (tuple, list)) and len(pair) == 2)]
        if bad:
            raise ValueError(f'A config made from pairs needs (key, value) pairs, got {_clip(bad[0])}.')
    nested = {}
    for key, value in pairs:
        *parents, last = _split(key)
        level = nested
        for part in parents:
            if not isinstance(level.get(part), dict):
                level[part] = {}   # a later path through a value replaces it, as update() always did
            level = level[part]
        value = _nest(value)
        if _is_level(value) and _is_level(level.get(last)):
            _merge(level[last], value)
        else:
            level[last] = value
    return nested


def _nest(value):
    """A dict level or a Config as new nested dicts with its paths split; other values unchanged."""
    if isinstance(value, Config):
        value = value._data
    if not _is_level(value):
        return value
    return _parse(value)


def _merge(target: dict, source: dict) -> None:
    for key, value in source.items():
        if _is_level(value) and _is_level(target.get(key)):
            _merge(target[key], value)
        else:
            target[key] = _nest(value)


def _flat_items(level: dict, prefix: str):
    for key, value in level.items():
        if value and _is_level(value):
            yield from _flat_items(value, f'{prefix}{key}/')
        else:
            yield f'{prefix}{key}', value


def _clip(value, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + '...'
