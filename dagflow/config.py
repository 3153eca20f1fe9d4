"""Pipeline configuration: a nested mapping addressed by ``'/'`` paths.

Examples
--------
>>> cfg = Config({'model': {'lr': 0.1}}, epochs=3)
>>> cfg['model/lr'], cfg['epochs']
(0.1, 3)
>>> cfg['model/optimizer/name'] = 'adam'
>>> cfg.flatten()
{'model/lr': 0.1, 'model/optimizer/name': 'adam', 'epochs': 3}
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping

from dagflow.exceptions import suggestion_text

__all__ = ['Config']

_MISSING = object()


class Config(MutableMapping):
    """A dict-like configuration whose nested keys are addressed by ``'/'`` paths.

    Nested levels are plain dicts: ``Config({'a/b': 1})`` and
    ``Config({'a': {'b': 1}})`` hold the same data, ``{'a': {'b': 1}}``.  String
    keys are split on ``'/'`` wherever they appear, including in dicts stored
    as values; other keys (numbers, named expressions) are kept as they are.
    ``keys()``, ``items()``, ``values()``, ``len()`` and iteration see the top
    level; :meth:`flatten` sees every leaf.

    Parameters
    ----------
    config : mapping or iterable of pairs, optional
        The initial content.
    **kwargs
        More top-level entries.

    Examples
    --------
    >>> cfg = Config({'a': {'b': 1}})
    >>> cfg['a/b'], 'a/b' in cfg, 'a/c' in cfg
    (1, True, False)
    >>> cfg == {'a': {'b': 1}}
    True
    >>> cfg + {'a/c': 2}
    Config({'a': {'b': 1, 'c': 2}})
    """

    __slots__ = ('_data', '_on_write')

    def __init__(self, config=None, /, **kwargs):
        self._data = {}
        self._on_write = None   # a callable (key) told of every write before it happens: a pipeline's step guard
        if config is not None:
            self.update(config)
        if kwargs:
            self.update(kwargs)

    # ---- mapping protocol -----------------------------------------------------------------
    def __getitem__(self, key):
        value = self._lookup(key)
        if value is _MISSING:
            raise KeyError(self._missing_message(key))
        return value

    def __setitem__(self, key, value):
        if self._on_write is not None:
            self._on_write(key)
        *parents, last = _split(key)
        level = self._data
        for depth, part in enumerate(parents):
            child = level.setdefault(part, {})
            if not isinstance(child, dict):
                path = '/'.join(str(p) for p in parents[:depth + 1])
                raise TypeError(f'Cannot set {key!r}: {path!r} holds a {type(child).__name__}, not a '
                                f'dict. Delete it first or set {path!r} to a dict.')
            level = child
        level[last] = _nest(value)

    def __delitem__(self, key):
        if self._on_write is not None:
            self._on_write(key)
        *parents, last = _split(key)
        level = self._lookup_parts(parents)
        if not isinstance(level, dict) or last not in level:
            raise KeyError(self._missing_message(key))
        del level[last]

    def __contains__(self, key):
        return self._lookup(key) is not _MISSING

    def __iter__(self) -> Iterator:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __eq__(self, other):
        if isinstance(other, Config):
            return self._data == other._data
        if isinstance(other, Mapping):
            return self._data == Config(other)._data
        return NotImplemented

    __hash__ = None

    def __repr__(self):
        return f'Config({self._data!r})'

    def __reduce__(self):
        return (Config, (self._data,))

    # ---- the rest of the API ----------------------------------------------------------------
    def get(self, key, default=None):
        """Return the value at ``key`` (a ``'/'`` path), or ``default`` if it is missing.

        Examples
        --------
        >>> Config({'a': {'b': 1}}).get('a/x', 0)
        0
        """
        value = self._lookup(key)
        return default if value is _MISSING else value

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
            if isinstance(source, Config):
                nested = source._data
            else:
                pairs = source.items() if isinstance(source, Mapping) else source
                nested = {}
                for key, value in pairs:
                    _merge(nested, _nest_path(key, value))
            if self._on_write is not None:
                flat = {}
                _flatten_into(flat, _nest(nested), '')
                for key in flat:
                    self._on_write(key)
            _merge(self._data, _nest(nested))

    def flatten(self) -> dict:
        """Return a flat dict from every leaf's ``'/'`` path to its value.

        Empty dicts are leaves; a nested dict with a non-string key is kept whole.

        Examples
        --------
        >>> Config({'a': {'b': 1, 'c': {}}, 'd': 2}).flatten()
        {'a/b': 1, 'a/c': {}, 'd': 2}
        """
        flat = {}
        _flatten_into(flat, self._data, '')
        return flat

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
        return Config(self._data)

    def __add__(self, other):
        if not isinstance(other, Mapping):
            return NotImplemented
        result = self.copy()
        result.update(other)
        return result

    def __radd__(self, other):
        if not isinstance(other, Mapping):
            return NotImplemented
        return Config(other) + self

    # ---- helpers ----------------------------------------------------------------------------
    def _lookup(self, key):
        return self._lookup_parts(_split(key))

    def _lookup_parts(self, parts):
        level = self._data
        for part in parts:
            if not isinstance(level, dict):
                return _MISSING
            try:
                level = level.get(part, _MISSING)
            except TypeError:  # an unhashable key
                return _MISSING
            if level is _MISSING:
                return _MISSING
        return level

    def _missing_message(self, key):
        candidates = [path for path in self.flatten() if isinstance(path, str)]
        for path in list(candidates):
            parts = path.split('/')
            candidates += ['/'.join(parts[:depth]) for depth in range(1, len(parts))]
        hint = suggestion_text(key, candidates) if isinstance(key, str) else ''
        return f'{key!r} is not in the config.{hint}'


def _split(key):
    if isinstance(key, str):
        return key.split('/')
    return [key]


def _nest_path(key, value):
    """``('a/b', 1)`` -> ``{'a': {'b': 1}}``."""
    *parents, last = _split(key)
    nested = {last: value}
    for part in reversed(parents):
        nested = {part: nested}
    return nested


def _nest(value):
    """Return a plain dict or a Config as nested dicts with its paths split; other values unchanged."""
    if isinstance(value, Config):
        value = value._data
    elif type(value) is not dict:
        return value
    nested = {}
    for key, item in value.items():
        _merge(nested, _nest_path(key, _nest(item)))
    return nested


def _merge(target: dict, source: dict) -> None:
    for key, value in source.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        elif isinstance(value, dict):
            target[key] = {}
            _merge(target[key], value)
        else:
            target[key] = value


def _flatten_into(flat, level, prefix):
    for key, value in level.items():
        path = f'{prefix}{key}' if isinstance(key, str) else key
        nestable = isinstance(value, dict) and value and all(isinstance(k, str) for k in value)
        if nestable and isinstance(path, str):
            _flatten_into(flat, value, path + '/')
        else:
            flat[path] = value
