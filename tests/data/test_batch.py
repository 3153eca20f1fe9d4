import pickle
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from dagflow.data.batch import Batch, BatchItem
from dagflow.data.dataset import Dataset
from dagflow.data.index import DatasetIndex
from dagflow.exceptions import ComponentError, DatasetIndexError, ModelError


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

    def test_unknown_dict_key(self):
        with pytest.raises(ComponentError, match="Unknown component 'label'.*Did you mean 'labels'"):
            ImagesBatch([0], preloaded={'label': [1]})

    def test_length_mismatch(self):
        with pytest.raises(DatasetIndexError, match='The data holds 3 items, but the batch index has 2'):
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
        with pytest.raises(DatasetIndexError, match='got 2 items, but the data index has 3'):
            ds.create_batch([0]).load(src=np.arange(2))

    def test_unknown_component(self):
        with pytest.raises(ComponentError, match="ImagesBatch has no component 'mask'"):
            images_batch().load(src=np.zeros(3), components='mask')

    def test_nothing_to_load(self):
        with pytest.raises(ValueError, match='no dataset with preloaded data; pass src='):
            LabelsBatch([0]).load()

    def test_formats(self):
        with pytest.raises(ValueError, match="in-memory sources only, but got fmt='npz'"):
            LabelsBatch([0]).load(src='x.npz', fmt='npz')


class TestMerge:
    def test_merge_all(self):
        merged, rest = ImagesBatch.merge([images_batch([0, 1]), images_batch([5])])
        assert rest is None
        assert merged.indices.tolist() == [0, 1, 5]
        assert merged.labels.tolist() == [0, 10, 0]
        assert merged.images.shape == (3, 2)

    def test_merge_with_batch_size(self):
        batches = [images_batch([0, 1]), images_batch([2, 3]), images_batch([4])]
        merged, rest = Batch.merge(batches, batch_size=3)
        assert type(merged) is ImagesBatch
        assert merged.indices.tolist() == [0, 1, 2] and merged.labels.tolist() == [0, 10, 0]
        assert rest.indices.tolist() == [3, 4] and rest.labels.tolist() == [10, 0]

    def test_batch_size_covering_everything(self):
        merged, rest = Batch.merge([images_batch([0])], batch_size=5)
        assert len(merged) == 1 and rest is None

    def test_repeated_ids_and_raw_data(self):
        merged, _ = Batch.merge([Batch([0], preloaded=[1]), Batch([0], preloaded=[2])])
        assert merged.indices.tolist() == [0, 0] and merged.data == [1, 2]

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
