"""Safe model files: atomic writes, and reads that name the path when they fail.

A model saved while a pipeline runs must never leave a half-written file in
place of a good one: :func:`atomic_write` writes to a temporary file in the
same directory and renames it over the target only once it is complete.
:func:`save_arrays` / :func:`load_arrays` store a dict of numpy arrays in an
``.npz`` file without pickle, so loading a file never executes code.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
import zipfile
from collections.abc import Iterator, Mapping

import numpy as np

from ..exceptions import ModelError

__all__ = ['atomic_write', 'save_arrays', 'load_arrays', 'existing_model_file']


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike) -> Iterator[str]:
    """Give a temporary path to write; on success it replaces ``path`` in one rename.

    If the block raises, the temporary file is removed and ``path`` keeps its
    old content.  Parent directories are created.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> target = pathlib.Path(tempfile.mkdtemp()) / 'model.txt'
    >>> with atomic_write(target) as tmp:
    ...     _ = pathlib.Path(tmp).write_text('weights')
    >>> target.read_text()
    'weights'
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f'.{os.path.basename(path)}.', suffix='.tmp', dir=directory)
    os.close(fd)
    try:
        yield tmp
        with open(tmp, 'rb') as written:
            os.fsync(written.fileno())
        os.chmod(tmp, _file_mode(path))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


def _file_mode(path: str) -> int:
    """The mode the saved file gets: the old file's, else what ``open`` would give (0o666 less the umask)."""
    if os.path.exists(path):
        return os.stat(path).st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def save_arrays(path: str | os.PathLike, arrays: Mapping[str, np.ndarray]) -> None:
    """Write ``arrays`` (name -> array) to ``path`` as an ``.npz`` file, atomically.

    Examples
    --------
    >>> import numpy as np, pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / 'weights.npz'
    >>> save_arrays(path, {'w': np.arange(3)})
    >>> load_arrays(path)['w']
    array([0, 1, 2])
    """
    arrays = {str(name): np.asarray(value) for name, value in arrays.items()}
    for name, value in arrays.items():
        if value.dtype == object:
            raise ModelError(f'save_arrays({os.fspath(path)!r}): {name!r} holds Python objects; only numeric '
                             f'arrays can be saved without pickle.', name=name, path=os.fspath(path))
    with atomic_write(path) as tmp, open(tmp, 'wb') as file:
        np.savez(file, **arrays)


def existing_model_file(path: str | os.PathLike) -> str:
    """``path`` as a string when the file exists; else a :class:`ModelError` that says how to get one.

    Examples
    --------
    >>> existing_model_file('/no/such/model.pt')  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dagflow.exceptions.ModelError: Cannot load a model from '/no/such/model.pt': the file does not exist...
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise ModelError(f'Cannot load a model from {path!r}: the file does not exist. Check the path, '
                         f'or save the model there first (save_model / save_model_now).', path=path)
    return path


def load_arrays(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read a file written by :func:`save_arrays`.

    Raises
    ------
    ModelError
        When the file is missing or is not a readable ``.npz`` file; the
        message names the path.

    Examples
    --------
    >>> load_arrays('/no/such/model.npz')  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dagflow.exceptions.ModelError: Cannot load a model from '/no/such/model.npz': the file does not exist...
    """
    path = existing_model_file(path)
    try:
        with open(path, 'rb') as file:
            data = np.load(file, allow_pickle=False)
            if not hasattr(data, 'files'):
                raise ValueError('it holds a single array, not the arrays of a model (an .npz file)')
            with data:
                return {name: data[name] for name in data.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise ModelError(f'Cannot load a model from {path!r}: the file is corrupt or not a saved model '
                         f'({type(exc).__name__}: {exc}).', path=path) from exc
