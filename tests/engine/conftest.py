"""A Dask cluster for the engine tests: one per kind, shared by every test module that asks for ``client``."""
import pytest


@pytest.fixture(scope='session', params=[False, True], ids=['in-process', '2-processes'])
def client(request):
    """A ``distributed.Client`` of a 2-worker LocalCluster, with threads in this process or in 2 processes.

    It is not made the default scheduler: ``dask.compute`` in other tests keeps Dask's local one.
    """
    distributed = pytest.importorskip('distributed')
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=request.param,
                                  dashboard_address=':0') as cluster, \
            distributed.Client(cluster, set_as_default=False) as client:
        yield client


USER_MODULE = '''\
import numpy as np

from dagflow import B, Batch, Dataset, V, action

SCALE = 3.0


class Numbers(Batch):
    components = ('x',)

    @action
    def triple(self):
        self.x *= SCALE          # in place: the batch's arrays are writable on the workers
        return self

    @action
    def explode(self, at):
        if at in self.indices:
            raise Boom(f'item {at} is bad')
        return self


class Boom(ValueError):
    pass


def total(xs):
    return float(np.sum(xs))


def pipeline(fail_at=None):
    data = Dataset(12, batch_class=Numbers, preloaded={'x': np.arange(12.0)})
    p = data.p.init_variable('sums', init_on_each_run=list).triple()
    if fail_at is not None:
        p = p.explode(fail_at)
    return p.call(total, B.x, save_to=V('sums', mode='a'))
'''


def _forget(name, folder):
    """On a worker: the module ``name`` and ``folder`` are gone, as on a cluster that never saw the user's files."""
    import importlib
    import sys
    sys.path[:] = [path for path in sys.path if path != folder]
    sys.modules.pop(name, None)
    importlib.invalidate_caches()
    return importlib.util.find_spec(name) is None


@pytest.fixture
def user_module(tmp_path, request):
    """``make(client=None, text=USER_MODULE, folder=tmp_path)``: a module of the user's, importable here only.

    With a ``client``, its workers are made to lack it (and the test fails if they could import it).
    """
    import importlib
    import sys
    made = []

    def make(client=None, text=USER_MODULE, folder=tmp_path):
        name = f'user_flow_{len(made)}_{abs(hash(request.node.nodeid)) % 10 ** 8}'
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f'{name}.py').write_text(text)
        sys.path.insert(0, str(folder))
        made.append((name, str(folder)))
        importlib.invalidate_caches()
        module = importlib.import_module(name)
        if client is not None:
            assert all(client.run(_forget, name, str(folder)).values())
        return module

    yield make
    for name, folder in made:
        sys.modules.pop(name, None)
        if folder in sys.path:
            sys.path.remove(folder)
