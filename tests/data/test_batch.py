import pickle
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from dagflow.data.batch import Batch, BatchItem
from dagflow.data.dataset import Dataset
from dagflow.data.index import DatasetIndex
from dagflow.exceptions import ComponentError, ComponentExistsError, DatasetIndexError, ModelError, UnknownIdError


class ImagesBatch(Batch):
    components = 'images', 'labels'


class LabelsBatch(Batch):
    components = 'labels'


class MoreBatch(ImagesBatch):
    components = 'images', 'labels', 'masks'


def images_batch(ids=(0, 1, 2)):
    n = len(ids)
    return ImagesBatch(list(ids), preloaded=(np.arange(n * 2).reshape(n, 2), np.arange(n) * 10))


class TestComponents:
    def test_declaration(self):
        assert ImagesBatch.components == ('images', 'labels')
        assert LabelsBatch.components == ('labels',)
        assert Batch.components == ()
        assert MoreBatch.components[-1] == 'masks'

    def test_read_and_assign(self):
        batch = images_batch()
        assert batch.labels.tolist() == [0, 10, 20]
        batch.labels = np.ones(3)
        assert batch.data['labels'].tolist() == [1, 1, 1]

    def test_data_is_a_read_only_view(self):
        batch = images_batch()
        assert set(batch.data) == {'images', 'labels'}
        with pytest.raises(TypeError):
            batch.data['labels'] = None
        with pytest.raises(AttributeError, match='read-only'):
            batch.data.labels = None

    def test_data_components_as_attributes(self):
        batch = images_batch()
        assert batch.data.labels is batch.labels
        with pytest.raises(AttributeError, match="no component 'masks'"):
            _ = batch.data.masks
        assert pickle.loads(pickle.dumps(batch.data))['labels'].tolist() == [0, 10, 20]

    def test_missing_components_are_none(self):
        batch = ImagesBatch([0, 1], preloaded={'labels': np.zeros(2)})
        assert batch.images is None and batch.labels.shape == (2,)

    def test_unknown_attribute_is_an_attribute_error(self):
        with pytest.raises(AttributeError, match='imagse'):
            _ = images_batch().imagse

    def test_component_removed_in_a_subclass(self):
        class OnlyMasks(MoreBatch):
            components = 'masks'

        with pytest.raises(ComponentError, match="OnlyMasks has no component 'images'"):
            _ = OnlyMasks([0]).images

    def test_clash_with_batch_attributes(self):
        for name in ('index', 'load', 'context', 'size'):
            with pytest.raises(ComponentError, match=f'{name!r} clashes with the attribute'):
                type('Bad', (Batch,), {'components': ('images', name)})

    def test_bad_component_name(self):
        with pytest.raises(ComponentError, match="'1st' is not a valid component name"):
            type('Bad', (Batch,), {'components': '1st'})


class TestConstruction:
    def test_basic_properties(self):
        batch = Batch(DatasetIndex([5, 6]))
        assert batch.indices.tolist() == [5, 6] and batch.size == len(batch) == 2
        assert batch.index == DatasetIndex([5, 6])
        assert batch.data is None and batch.dataset is None and batch.context is None
        assert repr(batch) == 'Batch(index=DatasetIndex([5, 6]))'
        expected = "ImagesBatch(index=DatasetIndex([1]), components=('images', 'labels'))"
        assert repr(images_batch([1])) == expected

    def test_raw_data_without_components(self):
        frame = pd.DataFrame({'x': [1, 2]})
        assert Batch([0, 1], preloaded=frame).data is frame

    def test_frame_columns_as_components(self):
        batch = ImagesBatch([0, 1], preloaded=pd.DataFrame({'images': [1, 2], 'labels': [3, 4]}))
        assert batch.labels.tolist() == [3, 4]

    def test_one_array_one_component(self):
        assert LabelsBatch([0, 1], preloaded=np.array([7, 8])).labels.tolist() == [7, 8]

    def test_extra_dict_keys_are_ignored_with_a_warning(self):
        with pytest.warns(UserWarning, match=r"not components, ignored: \['label'\].*Did you mean 'labels'"):
            batch = ImagesBatch([0], preloaded={'label': [1], 'images': [5]})
        assert batch.images == [5] and batch.labels is None

    def test_short_tuple_leaves_the_rest_none(self):
        batch = MoreBatch([0, 1], preloaded=(np.zeros(2), np.ones(2)))
        assert batch.labels.tolist() == [1, 1] and batch.masks is None

    def test_dict_component_by_id(self):
        batch = LabelsBatch(['b', 'a'], preloaded={'labels': {'a': 1, 'b': 2, 'c': 3}})
        assert batch.labels.tolist() == [2, 1]

    def test_frame_indexed_by_the_ids(self):
        frame = pd.DataFrame({'labels': [1, 2, 3]}, index=['a', 'b', 'c'])
        assert LabelsBatch(['c', 'a'], preloaded=frame).labels.tolist() == [3, 1]
        # labels that are not the ids: aligned by position
        assert LabelsBatch([5, 6, 7], preloaded=frame).labels.tolist() == [1, 2, 3]

    def test_raw_dict_is_read_by_id(self):
        batch = Batch(['x', 'y'], preloaded={'y': 'why', 'x': 'ex'})
        assert batch.data == {'x': 'ex', 'y': 'why'}
        assert batch['y'] == 'why' and list(batch) == ['ex', 'why']

    def test_length_mismatch(self):
        with pytest.raises(DatasetIndexError, match="The data holds 3 items in 'labels', but the batch index has 2"):
            LabelsBatch([0, 1], preloaded=np.arange(3))


class TestItems:
    def test_item_view(self):
        batch = images_batch([5, 6, 7])
        item = batch[6]
        assert isinstance(item, BatchItem)
        assert item.labels == 10 and item.images.tolist() == [2, 3]
        assert repr(item) == 'BatchItem(ImagesBatch, id=6)'

    def test_item_assignment_writes_into_the_batch(self):
        batch = images_batch()
        batch[2].labels = -1
        assert batch.labels.tolist() == [0, 10, -1]

    def test_item_of_an_empty_component(self):
        batch = ImagesBatch([0])
        assert batch[0].images is None
        with pytest.raises(ComponentError, match="Cannot set 'images' of one item"):
            batch[0].images = 1

    def test_unknown_id(self):
        with pytest.raises(DatasetIndexError, match=r'Unknown ids \[9\]'):
            _ = images_batch()[9]

    def test_unknown_component_on_item(self):
        with pytest.raises(ComponentError, match="no component 'label'.*Did you mean 'labels'"):
            _ = images_batch()[0].label

    def test_one_id_only(self):
        with pytest.raises(TypeError, match='takes one item id'):
            _ = images_batch()[[0, 1]]

    def test_items_without_components(self):
        batch = Batch(['a', 'b'], preloaded=np.array([[1, 2], [3, 4]]))
        assert batch['b'].tolist() == [3, 4]
        assert [row.tolist() for row in batch] == [[1, 2], [3, 4]]

    def test_iteration_gives_items(self):
        assert [item.labels for item in images_batch()] == [0, 10, 20]


class TestLoad:
    def test_from_the_dataset_preloaded(self):
        ds = Dataset(['a', 'b', 'c'], batch_class=LabelsBatch, preloaded=np.array([1, 2, 3]))
        batch = LabelsBatch(['c', 'a'], dataset=ds)
        assert batch.labels is None
        assert batch.load() is batch
        assert batch.labels.tolist() == [3, 1]

    def test_only_some_components(self):
        ds = Dataset(2, batch_class=ImagesBatch, preloaded=(np.zeros(2), np.ones(2)))
        batch = ImagesBatch([1], dataset=ds).load(components='labels')
        assert batch.images is None and batch.labels.tolist() == [1]

    def test_from_src_aligned_with_the_dataset(self):
        ds = Dataset([10, 20, 30], batch_class=ImagesBatch)
        batch = ds.create_batch([30, 10])
        batch.load(src={'labels': np.array([1, 2, 3])})
        assert batch.labels.tolist() == [3, 1] and batch.images is None
        batch.load(src=pd.DataFrame({'images': [7, 8, 9]}))
        assert batch.images.tolist() == [9, 7]

    def test_src_of_a_split_is_aligned_with_the_whole_dataset(self):
        ds = Dataset(4, batch_class=LabelsBatch)
        ds.split(0.5)
        batch = ds.train.create_batch([3]).load(src=np.array([0, 10, 20, 30]))
        assert batch.labels.tolist() == [30]

    def test_tuple_src_fills_the_named_components_in_order(self):
        batch = MoreBatch([0, 1]).load(src=(np.zeros(2), np.ones(2)), components=['masks', 'labels'])
        assert batch.masks.tolist() == [0, 0] and batch.labels.tolist() == [1, 1] and batch.images is None

    def test_raw_data_without_components(self):
        batch = Batch([1, 0]).load(src=np.array([5, 6]))
        assert batch.data.tolist() == [5, 6]

    def test_src_length_mismatch(self):
        ds = Dataset(3, batch_class=LabelsBatch)
        with pytest.raises(DatasetIndexError, match=r'load\(src=...\) holds 2 items, but the index has 3'):
            ds.create_batch([0]).load(src=np.arange(2))

    def test_src_read_by_id(self):
        ds = Dataset(['a', 'b', 'c'], batch_class=LabelsBatch)
        batch = ds.create_batch(['c', 'a']).load(src={'labels': {'a': 1, 'c': 3}})
        assert batch.labels.tolist() == [3, 1]
        with pytest.raises(UnknownIdError, match=r"no item for the ids \['c'\] in 'labels'"):
            ds.create_batch(['c']).load(src={'labels': {'a': 1}})

    def test_components_and_dst_are_both_spellings(self):
        ds = Dataset(2, batch_class=ImagesBatch)
        by_guide = ds.create_batch([1]).load(src=(np.zeros(2), np.arange(2)), components=('images', 'labels'))
        by_code = ds.create_batch([1]).load(src=(np.zeros(2), np.arange(2)), dst=('images', 'labels'))
        assert by_guide.labels.tolist() == by_code.labels.tolist() == [1]
        assert ds.create_batch([0]).load(src=np.arange(2), dst='labels', components=['labels']).labels == [0]
        with pytest.raises(TypeError, match='give components= or dst=, not both'):
            ds.create_batch([0]).load(src=np.arange(2), dst='labels', components='images')

    def test_loading_into_new_components_adds_them(self):
        batch = images_batch().load(src=np.arange(3) * 2, dst='mask')
        assert batch.components == ('images', 'labels', 'mask') and batch.mask.tolist() == [0, 2, 4]
        assert ImagesBatch.components == ('images', 'labels')

    def test_a_str_target_takes_the_source_whole(self):
        frame = pd.DataFrame({'a': [1, 2, 3], 'b': [4, 5, 6]})
        batch = Dataset(3, batch_class=LabelsBatch).create_batch([2, 0]).load(src=frame, dst='labels')
        assert isinstance(batch.labels, pd.DataFrame) and batch.labels['b'].tolist() == [6, 4]
        columns = Dataset(3, batch_class=ImagesBatch).create_batch([2]).load(
            src=pd.DataFrame({'images': [1, 2, 3], 'labels': [4, 5, 6]}), dst=('labels',))
        assert columns.labels.tolist() == [6] and columns.images is None

    def test_csv_file(self, tmp_path):
        path = tmp_path / 'labels.csv'
        pd.DataFrame({'id': ['b', 'a'], 'labels': [2, 1]}).to_csv(path, index=False)
        ds = Dataset(['a', 'b'], batch_class=LabelsBatch)
        batch = ds.create_batch(['a']).load(src=path, fmt='csv', index_col='id')
        assert batch.labels.tolist() == [1]
        doubled = ds.create_batch(['b']).load(src=path, fmt='csv', index_col='id',
                                              post=lambda frame, **kwargs: frame * 2)
        assert doubled.labels.tolist() == [4]

    def test_nothing_to_load(self):
        with pytest.raises(ValueError, match='no dataset with preloaded data; pass src='):
            LabelsBatch([0]).load()

    def test_formats(self):
        with pytest.raises(ValueError, match=r"Unknown format 'npz'.*table formats \('csv', 'feather', 'hdf5'\)"):
            LabelsBatch([0]).load(src='x.npz', fmt='npz')
        with pytest.raises(TypeError, match=r"load\(\) got \['index_col'\] without fmt="):
            LabelsBatch([0]).load(src=np.zeros(1), index_col=0)


class TestMerge:
    def test_merge_all(self):
        merged, rest = ImagesBatch.merge([images_batch([0, 1]), images_batch([5])])
        assert rest is None
        # as BatchFlow documents, the merged index is arange(new_size)
        assert type(merged.index) is DatasetIndex and merged.indices.tolist() == [0, 1, 2]
        assert merged.labels.tolist() == [0, 10, 0]
        assert merged.images.shape == (3, 2)

    def test_merge_with_batch_size(self):
        batches = [images_batch([0, 1]), images_batch([2, 3]), images_batch([4])]
        merged, rest = Batch.merge(batches, batch_size=3)
        assert type(merged) is ImagesBatch
        assert merged.indices.tolist() == [0, 1, 2] and merged.labels.tolist() == [0, 10, 0]
        assert rest.indices.tolist() == [0, 1] and rest.labels.tolist() == [10, 0]

    def test_batch_size_covering_everything(self):
        merged, rest = Batch.merge([images_batch([0])], batch_size=5)
        assert len(merged) == 1 and rest is None

    def test_repeated_ids_and_raw_data(self):
        merged, _ = Batch.merge([Batch([0], preloaded=[1]), Batch([0], preloaded=[2])])
        assert merged.indices.tolist() == [0, 1] and merged.data == [1, 2]

    def test_files_index_batches_get_a_plain_index(self, tmp_path):
        from dagflow.data.files import FilesIndex
        index = FilesIndex(index=['a', 'b'], paths=['/x/a', '/x/b'])
        merged, _ = LabelsBatch.merge([LabelsBatch(index, preloaded=np.array([1, 2]))] * 2)
        assert type(merged.index) is DatasetIndex and merged.indices.tolist() == [0, 1, 2, 3]

    def test_only_some_components_and_another_class(self):
        merged, rest = Batch.merge([images_batch([0, 1])], batch_size=1, components='labels')
        assert merged.components == ('labels',) and merged.labels.tolist() == [0]
        with pytest.raises(ComponentError, match="no component 'images'"):
            _ = merged.images
        relabelled, _ = Batch.merge([images_batch([0, 1])], components=['labels'], batch_class=LabelsBatch)
        assert type(relabelled) is LabelsBatch and relabelled.labels.tolist() == [0, 10]

    def test_added_components_are_merged(self):
        batches = [LabelsBatch([i], preloaded=np.array([i])).add_components('masks', np.array([i * 2]))
                   for i in range(2)]
        merged, _ = LabelsBatch.merge(batches)
        assert merged.components == ('labels', 'masks') and merged.masks.tolist() == [0, 2]

    def test_merge_component_can_be_overridden(self):
        class ListsBatch(Batch):
            components = 'words'

            @classmethod
            def merge_component(cls, component=None, data=None):
                return sum(data, [])

        merged, _ = ListsBatch.merge([ListsBatch([0], preloaded=(['a'],)), ListsBatch([1], preloaded=(['b'],))])
        assert merged.words == ['a', 'b']

    def test_dict_data_is_refused(self):
        with pytest.raises(TypeError, match=r'dict \{id: value\}'):
            Batch.merge([Batch(['a'], preloaded={'a': 1})])

    def test_keeps_dataset_and_context(self):
        ds = Dataset(3, batch_class=LabelsBatch, preloaded=np.arange(3))
        first = ds.create_batch([0])
        first.context = SimpleNamespace(pipeline='p')
        merged, _ = Batch.merge([first, ds.create_batch([2])])
        assert merged.dataset is ds and merged.pipeline == 'p' and merged.labels.tolist() == [0, 2]

    def test_partly_empty_component(self):
        with pytest.raises(ComponentError, match="Cannot merge 'images'"):
            Batch.merge([images_batch([0]), ImagesBatch([1], preloaded={'labels': [1]})])

    def test_bad_arguments(self):
        with pytest.raises(ValueError, match='at least one batch'):
            Batch.merge([])
        with pytest.raises(ValueError, match='batch_size must be a positive int or None, but got 0'):
            Batch.merge([images_batch()], batch_size=0)
        with pytest.raises(TypeError, match=r"one class, but got \['ImagesBatch', 'LabelsBatch'\]"):
            Batch.merge([images_batch([0]), LabelsBatch([1])])


class TestRunContext:
    def test_no_context(self):
        batch = Batch([0])
        assert batch.pipeline is None
        assert batch.random is batch.random
        assert isinstance(batch.random, np.random.Generator)
        assert Batch([0]).random is not batch.random

    def test_context_gives_pipeline_and_random(self):
        rng = np.random.default_rng(1)
        pipeline = SimpleNamespace(get_model_by_name=lambda name, batch=None: f'model {name}')
        batch = Batch([0])
        batch.context = SimpleNamespace(pipeline=pipeline, random=rng)
        assert batch.pipeline is pipeline and batch.random is rng
        assert batch.get_model_by_name('m') == 'model m'

    def test_context_without_random(self):
        batch = Batch([0])
        batch.context = SimpleNamespace(pipeline=None)
        assert isinstance(batch.random, np.random.Generator)

    def test_model_outside_a_pipeline(self):
        with pytest.raises(ModelError, match="Cannot get model 'm': the batch is not running in a pipeline"):
            Batch([0]).get_model_by_name('m')


class TestPickling:
    def test_batch_with_data_dataset_and_context(self):
        ds = Dataset(3, batch_class=ImagesBatch, preloaded=(np.zeros((3, 2)), np.arange(3)), name='toy')
        batch = ds.create_batch([2, 0])
        batch.context = SimpleNamespace(step=1)
        _ = batch.random
        restored = pickle.loads(pickle.dumps(batch))
        assert type(restored) is ImagesBatch
        assert restored.indices.tolist() == [2, 0] and restored.labels.tolist() == [2, 0]
        assert restored.dataset.name == 'toy' and restored.context.step == 1
        assert restored.random.integers(100) == batch.random.integers(100)


class TestBatchFlowActions:
    def test_do_nothing(self):
        batch = images_batch()
        assert batch.do_nothing() is batch and batch.do_nothing(1, 'a', key=None) is batch

    def test_add_components_one(self):
        batch = images_batch().add_components('masks')
        assert batch.components == ('images', 'labels', 'masks') and batch.masks is None
        batch.masks = np.ones(3)
        assert batch.data['masks'].tolist() == [1, 1, 1] and batch[1].masks == 1
        assert type(batch).components == ('images', 'labels')

    def test_add_components_several_with_init(self):
        batch = Batch([0, 1]).add_components(('a', 'b'), init=(np.zeros(2), [5, 6]))
        assert batch.components == ('a', 'b') and batch.b == [5, 6] and batch.a.tolist() == [0, 0]

    def test_add_components_to_raw_data_warns(self):
        with pytest.warns(UserWarning, match='had data without components; it is dropped'):
            batch = Batch([0], preloaded=np.zeros(1)).add_components('a')
        assert batch.data == {'a': None}

    @pytest.mark.parametrize('name', ['labels', 'indices', 'load'])
    def test_add_components_refuses_taken_names(self, name):
        with pytest.raises(ComponentExistsError, match=f'already has an? (component|attribute) {name!r}') as info:
            images_batch().add_components(name)
        assert isinstance(info.value, ValueError)

    def test_add_components_checks_lengths(self):
        with pytest.raises(DatasetIndexError, match='holds 2 items'):
            images_batch().add_components('m', init=np.zeros(2))
        with pytest.raises(ComponentError, match='1 initial values for the 2 components'):
            images_batch().add_components(['m', 'n'], init=[None])

    def test_added_components_pickle(self):
        batch = images_batch().add_components('masks', init=np.arange(3))
        restored = pickle.loads(pickle.dumps(batch))
        assert restored.masks.tolist() == [0, 1, 2] and restored.components[-1] == 'masks'

    def test_get(self):
        batch = images_batch([4, 5])
        assert batch.get() is not None and batch.get(component='labels').tolist() == [0, 10]
        assert batch.get(5).labels == 10 and batch.get(5, 'labels') == 10

    def test_from_data_and_as_dataset(self):
        batch = LabelsBatch.from_data(data=np.array([7, 8]))
        assert batch.indices.tolist() == [0, 1] and batch.labels.tolist() == [7, 8]
        ds = LabelsBatch(['a', 'b'], preloaded=np.array([1, 2])).as_dataset(Dataset(2, kind='toy'))
        assert ds.indices.tolist() == ['a', 'b'] and ds.kind == 'toy' and ds.batch_class is LabelsBatch
        assert ds.create_batch(['b']).labels.tolist() == [2]
        with pytest.raises(ValueError, match='no dataset'):
            Batch([0]).as_dataset()

    def test_dump_into_an_array_by_id(self):
        out = np.zeros(5)
        images_batch([4, 1, 2]).dump(out, components='labels')
        assert out.tolist() == [0, 10, 20, 0, 0]
        with pytest.raises(ValueError, match='one component into an array'):
            images_batch().dump(out)
        raw = np.zeros(3)
        Batch([2, 0], preloaded=np.array([5., 6.])).save(raw)
        assert raw.tolist() == [6, 0, 5]

    def test_dump_csv(self, tmp_path):
        path = tmp_path / 'out.csv'
        images_batch([0, 1]).dump(path, fmt='csv', index=False)
        assert pd.read_csv(path).columns.tolist() == ['images0', 'images1', 'labels']
        with pytest.raises(ValueError, match="Unknown format 'xls'"):
            images_batch().dump(path, fmt='xls')

    def test_deepcopy_and_array_of_nones(self):
        batch = Batch([0], preloaded=[[1]])
        other = batch.deepcopy()
        other.data[0].append(2)
        assert batch.data == [[1]] and other.data == [[1, 2]]
        assert batch.array_of_nones.tolist() == [None]

    def test_actions_in_a_pipeline(self):
        from dagflow.expr import B
        ds = Dataset(4, batch_class=LabelsBatch, preloaded=np.arange(4))
        pipeline = ds.p.do_nothing().add_components('masks').update(B('masks'), B.labels * 2)
        batch = pipeline.next_batch(2)
        assert batch.components == ('labels', 'masks') and batch.masks.tolist() == [0, 2]
