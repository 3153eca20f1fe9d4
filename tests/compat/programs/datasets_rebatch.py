"""A BatchFlow program: indices, files, datasets, splits, cross-validation and rebatch.

Written from BatchFlow's index, dataset, batch and pipeline guides: a FilesIndex
over a folder of files, a dataset split into train/test/validation, k-fold
cross-validation, iteration with gen_batch and next_batch, and a pipeline that
reads the files and re-cuts its stream with rebatch.  Only the imports name the
library.
"""
import os
import tempfile

import numpy as np
from batchflow import B, Batch, Dataset, DatasetIndex, FilesIndex, V, action


class NumbersBatch(Batch):
    components = 'numbers', 'squares'

    @action
    def read(self):
        """Read one number from each item's file."""
        numbers = []
        for ix in self.indices:
            with open(self.index.get_fullpath(ix)) as file:
                numbers.append(float(file.read()))
        self.numbers = np.array(numbers)
        return self

    @action
    def square(self):
        self.squares = self.numbers ** 2
        return self


folder = tempfile.mkdtemp()
for i in range(23):
    with open(os.path.join(folder, f'item_{i:02d}.txt'), 'w') as file:
        file.write(str(i))

files_index = FilesIndex(path=os.path.join(folder, '*.txt'), no_ext=True, sort=True)
files = Dataset(files_index, batch_class=NumbersBatch)
files.split([.6, .2, .2], shuffle=False)

# The pipeline reads and squares every batch of 3, then re-cuts the stream into batches of 4.
pipeline = (files.train.p
            .init_variable('sizes', init_on_each_run=list)
            .init_variable('seen', init_on_each_run=list)
            .init_variable('total', 0)
            .read()
            .square()
            .rebatch(4)
            .update(V('sizes', mode='a'), B.size)
            .update(V('seen', mode='e'), B('numbers'))
            .update(V('total'), V('total') + B('squares').sum()))
pipeline.run(batch_size=3, n_epochs=2, shuffle=False)

# Iterating over a dataset directly.
plain = Dataset(DatasetIndex(np.arange(10)))
plain.cv_split(n_splits=3, shuffle=False)
epoch = [batch.indices.tolist() for batch in plain.gen_batch(4, shuffle=False, n_epochs=1)]
endless = [plain.next_batch(4, shuffle=False, n_epochs=None).indices.tolist() for _ in range(4)]
seeded = [batch.indices.tolist() for batch in plain.gen_batch(5, shuffle=7, n_iters=2)]
again = [batch.indices.tolist() for batch in plain.gen_batch(5, shuffle=7, n_iters=2)]

small = DatasetIndex(np.arange(100, 110))
small.split([.5, .3, .2])

RESULTS = {
    'n_files': len(files_index),
    'first_id': files_index.indices[0],
    'fullpath_name': os.path.basename(files_index.get_fullpath(files_index.indices[0])),
    'split_sizes': [len(files.train), len(files.test), len(files.validation)],
    'rebatched_sizes': pipeline.v('sizes'),
    'seen': [int(n) for n in pipeline.v('seen')],
    'total': float(pipeline.v('total')),
    'cv_test': [plain.cv0.test.indices.tolist(), plain.cv1.test.indices.tolist(), plain.cv2.test.indices.tolist()],
    'cv_train_sizes': [len(plain.cv0.train), len(plain.cv1.train), len(plain.cv2.train)],
    'epoch': epoch,
    'endless': endless,
    'seeded_equal': seeded == again,
    'index_split': [small.train.indices.tolist(), small.test.indices.tolist(), small.validation.indices.tolist()],
}

if __name__ == '__main__':
    print(RESULTS)
