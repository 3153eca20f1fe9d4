import pickle

import pytest

from dagflow.data.files import FilesIndex
from dagflow.data.index import DatasetIndex
from dagflow.exceptions import DatasetIndexError, UnknownIdError


def ids_of(batches):
    return [b.indices.tolist() for b in batches]


class TestFilesIndex:
    @pytest.fixture
    def folder(self, tmp_path):
        for name in ('b.txt', 'a.txt', 'c.csv'):
            (tmp_path / name).write_text(name)
        (tmp_path / 'sub').mkdir()
        (tmp_path / 'sub' / 'd.txt').write_text('d')
        return tmp_path

    def test_files(self, folder):
        index = FilesIndex(str(folder / '*.txt'), sort=True)
        assert index.indices.tolist() == ['a.txt', 'b.txt']
        assert index.get_fullpath('b.txt') == str(folder / 'b.txt')
        assert not index.dirs

    def test_no_ext_and_several_patterns(self, folder):
        index = FilesIndex([str(folder / '*.csv'), str(folder / '**' / 'd.*')], no_ext=True)
        assert index.indices.tolist() == ['c', 'd']
        assert index.get_fullpath('d') == str(folder / 'sub' / 'd.txt')

    def test_dirs(self, folder):
        index = FilesIndex(str(folder / '*'), dirs=True)
        assert index.indices.tolist() == ['sub'] and index.dirs

    def test_no_match_warns_and_adds_nothing(self, folder):
        pattern = str(folder / '*.png')
        with pytest.warns(UserWarning, match=r'no files match the pattern .*\*\.png'):
            index = FilesIndex([pattern, str(folder / '*.csv')])
        assert index.indices.tolist() == ['c.csv']

    def test_empty_path_is_an_empty_index_with_a_warning(self):
        with pytest.warns(UserWarning, match="no files match the pattern ''"):
            index = FilesIndex(path='')
        assert len(index) == 0 and index.paths == {}
        assert ids_of(index.gen_batch(2)) == []

    def test_no_pattern_is_a_value_error(self):
        with pytest.raises(DatasetIndexError, match=r'path must hold at least one glob pattern, but got \[\]') \
                as info:
            FilesIndex(path=[])
        assert isinstance(info.value, ValueError)
        with pytest.raises(TypeError, match='each path must be a str or a path, but got 3'):
            FilesIndex(path=['*', 3])
        with pytest.raises(TypeError, match='needs path='):
            FilesIndex()

    def test_path_objects(self, folder):
        assert FilesIndex(folder / 'a.txt').indices.tolist() == ['a.txt']

    def test_ids_with_a_dict_of_paths(self):
        index = FilesIndex(index=['a', 'b'], paths={'a': '/x/a.png', 'b': '/x/b.png', 'c': '/x/c.png'})
        assert index.indices.tolist() == ['a', 'b']
        assert index.paths == {'a': '/x/a.png', 'b': '/x/b.png'}
        assert index.get_fullpath('b') == '/x/b.png' and not index.dirs
        assert index.create_subset(['b']).paths == {'b': '/x/b.png'}

    def test_ids_with_a_list_of_paths(self):
        index = FilesIndex(index=DatasetIndex(['a', 'b']), paths=['/x/1', '/x/2'], dirs=True)
        assert index.paths == {'a': '/x/1', 'b': '/x/2'} and index.dirs
        assert FilesIndex(['a'], paths={'a': '/y'}).get_fullpath('a') == '/y'

    def test_bad_given_paths(self):
        with pytest.raises(UnknownIdError, match=r"paths has no entry for the ids \['b'\]"):
            FilesIndex(index=['a', 'b'], paths={'a': '/x/a'})
        with pytest.raises(DatasetIndexError, match='1 paths for 2 ids'):
            FilesIndex(index=['a', 'b'], paths=['/x/a'])
        with pytest.raises(TypeError, match='needs paths= as well'):
            FilesIndex(index=['a'])
        with pytest.raises(DatasetIndexError, match='repeat'):
            FilesIndex(index=['a', 'a'], paths=['/x', '/y'])

    def test_build_key(self):
        assert FilesIndex.build_key('/d/img.01.png', no_ext=True) == ('img.01', '/d/img.01.png')
        assert FilesIndex.build_key('/d/.hidden', no_ext=True) == ('.hidden', '/d/.hidden')

    def test_duplicate_basenames(self, folder):
        with pytest.raises(DatasetIndexError, match=r"Files share the ids \['d'\]"):
            FilesIndex([str(folder / 'sub' / '*'), str(folder / 'sub' / '*')], no_ext=True)

    def test_unknown_id(self, folder):
        with pytest.raises(UnknownIdError, match="Unknown id 'a.tx'.*Did you mean 'a.txt'") as info:
            FilesIndex(str(folder / '*.txt')).get_fullpath('a.tx')
        assert isinstance(info.value, KeyError)

    def test_subsets_batches_copies_and_pickles_keep_paths(self, folder):
        index = FilesIndex(str(folder / '*.txt'), sort=True)
        batch = next(index.gen_batch(1, shuffle=lambda ids: ids[::-1]))
        assert isinstance(batch, FilesIndex)
        assert batch.get_fullpath('b.txt') == str(folder / 'b.txt')
        index.split(0.5)
        assert index.train.get_fullpath('b.txt') == str(folder / 'b.txt')
        assert FilesIndex(index) == index
        assert pickle.loads(pickle.dumps(index)) == index
        joined = DatasetIndex.concat(index.train, index.test)
        assert joined.get_fullpath('a.txt') == str(folder / 'a.txt')

    def test_plain_copy_of_files_index(self, folder):
        index = FilesIndex(str(folder / '*.txt'), sort=True)
        assert DatasetIndex(index) == DatasetIndex(['a.txt', 'b.txt'])


def test_concat_of_mixed_kinds_is_a_dataset_index(tmp_path):
    (tmp_path / 'a').write_text('a')
    joined = DatasetIndex.concat(FilesIndex(str(tmp_path / '*')), DatasetIndex(['b']))
    assert type(joined) is DatasetIndex and joined.indices.tolist() == ['a', 'b']
