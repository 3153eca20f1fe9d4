"""Model files: atomic writes, errors naming the path, no pickle."""
import numpy as np
import pytest

from dagflow.exceptions import ModelError
from dagflow.models import atomic_write, load_arrays, save_arrays


def test_save_and_load_round_trip(tmp_path):
    path = tmp_path / 'sub' / 'model.npz'
    save_arrays(path, {'w': np.arange(3.0), 'b': np.float32(2)})
    loaded = load_arrays(path)
    np.testing.assert_array_equal(loaded['w'], [0.0, 1.0, 2.0])
    assert loaded['b'] == 2


def test_a_failed_write_keeps_the_good_file_and_leaves_no_temp(tmp_path):
    path = tmp_path / 'model.npz'
    save_arrays(path, {'w': np.ones(2)})
    with pytest.raises(RuntimeError, match='disk full'):
        with atomic_write(path) as tmp:
            with open(tmp, 'wb') as file:
                file.write(b'half a fi')
            raise RuntimeError('disk full')
    np.testing.assert_array_equal(load_arrays(path)['w'], [1.0, 1.0])
    assert [p.name for p in tmp_path.iterdir()] == ['model.npz']


def test_missing_file_names_the_path(tmp_path):
    path = tmp_path / 'nothing.npz'
    with pytest.raises(ModelError, match=f"Cannot load a model from '{path}': the file does not exist") as info:
        load_arrays(path)
    assert info.value.path == str(path)


def test_corrupt_file_names_the_path(tmp_path):
    path = tmp_path / 'broken.npz'
    path.write_bytes(b'PK\x03\x04 not really a zip')
    with pytest.raises(ModelError, match=f"'{path}': the file is corrupt"):
        load_arrays(path)


def test_object_arrays_are_refused_not_pickled(tmp_path):
    with pytest.raises(ModelError, match="'w' holds Python objects"):
        save_arrays(tmp_path / 'm.npz', {'w': np.array([{'a': 1}], dtype=object)})
    assert not list(tmp_path.iterdir())


def test_a_single_array_file_is_not_a_model(tmp_path):
    path = tmp_path / 'array.npz'
    with open(path, 'wb') as file:
        np.save(file, np.arange(3))
    with pytest.raises(ModelError, match='holds a single array'):
        load_arrays(path)


def test_saved_files_get_the_usual_mode(tmp_path):
    import os
    path = tmp_path / 'model.npz'
    save_arrays(path, {'w': np.ones(2)})
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    path.chmod(0o640)
    save_arrays(path, {'w': np.zeros(2)})
    assert path.stat().st_mode & 0o777 == 0o640
