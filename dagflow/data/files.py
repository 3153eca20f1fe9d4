"""FilesIndex: an index of files or directories, found by glob patterns or given as ``{id: path}``.

Examples
--------
>>> index = FilesIndex(index=['a', 'b'], paths={'a': '/data/a.png', 'b': '/data/b.png'})
>>> index.get_fullpath('b')
'/data/b.png'
"""
from __future__ import annotations

import glob
import os
import warnings
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np

from dagflow.data.ids import check_ids, freeze
from dagflow.data.index import DatasetIndex
from dagflow.exceptions import DatasetIndexError, UnknownIdError, suggestion_text

__all__ = ['FilesIndex']


class FilesIndex(DatasetIndex):
    """An index of files (or directories) found by glob patterns; the ids are basenames.

    Parameters
    ----------
    path : str, path-like, sequence of them, or FilesIndex
        One or several glob patterns (``**`` recurses), or a FilesIndex to copy.
        A pattern that matches nothing (``''`` included) adds no ids and warns, as
        in BatchFlow, so the index may be empty.
    index : array-like, DatasetIndex or FilesIndex, optional
        With ``paths``: the ids (BatchFlow's ``FilesIndex(index=..., paths=...)``).
    paths : dict or sequence, optional
        ``{id: path}`` (extra entries are ignored) or one path per id, in order.
    no_ext : bool
        Drop the last extension from ids (``'img.png'`` -> ``'img'``).
    sort : bool
        Sort ids; otherwise they follow the patterns and the order ``glob`` returns.
    dirs : bool
        Index directories instead of files.

    Raises
    ------
    DatasetIndexError
        When ``path`` holds no pattern (a ``ValueError``), or two matches share an id.
    UnknownIdError
        When ``paths`` lacks some of the ids.
    TypeError
        When a pattern is not a string or a path.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ('b.txt', 'a.txt'):
    ...     _ = (folder / name).write_text('x')
    >>> index = FilesIndex(str(folder / '*.txt'), no_ext=True, sort=True)
    >>> index
    FilesIndex(['a', 'b'])
    >>> index.get_fullpath('a') == str(folder / 'a.txt')
    True
    """

    __slots__ = ('_paths', '_dirs')

    def __init__(self, path: str | os.PathLike | Sequence | FilesIndex | None = None, *, index=None,
                 paths: Mapping | Sequence | None = None, no_ext: bool = False, sort: bool = False,
                 dirs: bool = False):
        source = index if index is not None else path
        if paths is None and isinstance(source, FilesIndex):
            self._setup(source.indices)
            source._inherit(self)
            return
        if paths is not None:
            found = _given_paths(source, paths)
        elif index is not None:
            raise TypeError(f'FilesIndex(index=...) needs paths= as well (got index={index!r}); '
                            'or give glob patterns as path=')
        elif path is None:
            raise TypeError('FilesIndex needs path= (glob patterns), or index= with paths=')
        else:
            found = _find_paths(_patterns(path), dirs, no_ext)
        if sort:
            found.sort()
        _check_unique_keys(found)
        self._setup(freeze(np.array([key for key, _ in found], dtype=None if found else str)))
        self._paths = dict(found)
        self._dirs = dirs

    def _inherit(self, other: DatasetIndex) -> None:
        super()._inherit(other)
        other._paths = {key: self._paths[key] for key in other.indices.tolist()}
        other._dirs = self._dirs

    def _join(self, other: DatasetIndex, indices: Sequence[DatasetIndex]) -> None:
        other._paths = {key: path for index in indices for key, path in index._paths.items()}
        other._dirs = self._dirs

    def _same_extras(self, other: DatasetIndex) -> bool:
        return self._paths == other._paths and self._dirs == other._dirs

    @property
    def dirs(self) -> bool:
        """bool : whether the ids name directories rather than files."""
        return self._dirs

    @property
    def paths(self) -> dict:
        """dict : ``{id: path}`` of every item (a copy)."""
        return dict(self._paths)

    @staticmethod
    def build_key(fullpathname: str, no_ext: bool = False) -> tuple[str, str]:
        """Return ``(id, path)`` for a path: the id is the basename, without its last extension if ``no_ext``.

        Examples
        --------
        >>> FilesIndex.build_key('/data/img.01.png', no_ext=True)
        ('img.01', '/data/img.01.png')
        """
        name = os.path.basename(os.path.normpath(fullpathname))
        return (os.path.splitext(name)[0] if no_ext else name), fullpathname

    def get_fullpath(self, item_id: str) -> str:
        """Return the path of the file (or directory) with this id.

        Raises
        ------
        UnknownIdError
            When the id is not in the index (a ``KeyError`` too, as in BatchFlow).
        """
        try:
            return self._paths[item_id]
        except KeyError:
            raise UnknownIdError(f'Unknown id {item_id!r}: not in {self!r}.'
                                 + suggestion_text(str(item_id), self._paths), ids=[item_id]) from None


def _patterns(path) -> list[str]:
    patterns = [path] if isinstance(path, (str, os.PathLike)) else list(path)
    if not patterns:
        raise DatasetIndexError(f'FilesIndex: path must hold at least one glob pattern, but got {path!r}',
                                value=path)
    for pattern in patterns:
        if not isinstance(pattern, (str, os.PathLike)):
            raise TypeError(f'FilesIndex: each path must be a str or a path, but got {pattern!r}')
    return [os.fspath(pattern) for pattern in patterns]


def _find_paths(patterns: list[str], dirs: bool, no_ext: bool) -> list[tuple[str, str]]:
    """Return ``(id, path)`` for every match of every pattern; warn of a pattern that matches nothing."""
    is_wanted = os.path.isdir if dirs else os.path.isfile
    found = []
    for pattern in patterns:
        matches = [path for path in glob.glob(pattern, recursive=True) if is_wanted(path)]
        if not matches:
            kind = 'directories' if dirs else 'files'
            warnings.warn(f'FilesIndex: no {kind} match the pattern {pattern!r}', UserWarning, stacklevel=3)
        found.extend(FilesIndex.build_key(path, no_ext) for path in matches)
    return found


def _given_paths(ids, paths) -> list[tuple[str, str]]:
    """Return ``(id, path)`` for the given ids from ``{id: path}`` or from paths in the ids' order."""
    ids = ids.indices if isinstance(ids, DatasetIndex) else check_ids(DatasetIndex.build_index(ids), ids)
    keys = ids.tolist()
    if isinstance(paths, Mapping):
        missing = [key for key in keys if key not in paths]
        if missing:
            raise UnknownIdError(f'FilesIndex: paths has no entry for the ids {missing[:5]}', ids=missing)
        return [(key, paths[key]) for key in keys]
    paths = list(paths)
    if len(paths) != len(keys):
        raise DatasetIndexError(f'FilesIndex: {len(paths)} paths for {len(keys)} ids; give one path per id '
                                'or a dict {id: path}', lengths=(len(paths), len(keys)))
    return list(zip(keys, paths))


def _check_unique_keys(found: list[tuple[str, str]]) -> None:
    counts = Counter(key for key, _ in found)
    repeated = sorted(key for key, count in counts.items() if count > 1)
    if repeated:
        paths = [path for key, path in found if key == repeated[0]]
        raise DatasetIndexError(f'Files share the ids {repeated[:5]} (e.g. {paths}); ids are basenames, '
                                'so they must be unique across the patterns', duplicates=repeated)
