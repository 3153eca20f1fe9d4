"""Benchmarks of the dagflow engine: throughput, per-step overhead, compile time and memory.

Run from the repository root::

    PYTHONPATH=. python benchmarks/bench_engine.py            # full run, a few minutes
    PYTHONPATH=. python benchmarks/bench_engine.py --quick    # smoke test, well under a minute

It prints a table and writes ``benchmarks/results.json`` (``--out`` picks another
file).  Every measurement runs in a fresh subprocess of this script
(``--worker``), so that each variant has its own peak RSS; the variants of one
round run one after another, and rounds are interleaved, so the ratios are
measured side by side on the same (shared, noisy) machine.  See
``benchmarks/README.md`` for what each number means.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from pathlib import Path

# Every variant gets one BLAS / OpenMP thread: the parallelism measured is dagflow's, not the libraries'.
for _name in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ.setdefault(_name, '1')

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:       # the dagflow of this checkout, also without PYTHONPATH=.
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from dagflow import Batch, action  # noqa: E402
from dagflow.models import BaseModel  # noqa: E402

# ---------------------------------------------------------------------------------------------- workload
IMAGE_SHAPE = (3, 64, 64)
N_CLASSES = 10
BATCH_SIZE = 64
LOAD_SLEEP = 0.005          # simulated I/O per batch, seconds
LOWPASS_RADIUS = 16         # frequencies kept by the FFT low-pass
N_SMOOTH = 6                # separable smoothing matmuls (S @ x @ S.T) after the FFT: tunes preprocessing time
MIX_WEIGHT = 0.1            # weight of the partner image in ``mix``
CNN_CHANNELS = (10, 16)     # conv(3->10, stride 2) -> conv(10->16) -> max-pool 2 -> linear: tunes training time
MIB = 2 ** 20
BATCH_BYTES = BATCH_SIZE * int(np.prod(IMAGE_SHAPE)) * 4    # one batch of float32 images: 3 MiB


def _lowpass_mask() -> np.ndarray:
    fy = np.fft.fftfreq(IMAGE_SHAPE[1]) * IMAGE_SHAPE[1]
    fx = np.fft.rfftfreq(IMAGE_SHAPE[2]) * IMAGE_SHAPE[2]
    return (np.hypot(fy[:, None], fx[None, :]) <= LOWPASS_RADIUS).astype(np.float32)


def _smoothing_matrix() -> np.ndarray:
    n = IMAGE_SHAPE[1]
    distance = np.subtract.outer(np.arange(n), np.arange(n))
    kernel = np.exp(-0.5 * (distance / 1.5) ** 2)
    return (kernel / kernel.sum(axis=1, keepdims=True)).astype(np.float32)


MASK = _lowpass_mask()
SMOOTH = _smoothing_matrix()


def lowpass_images(images: np.ndarray) -> np.ndarray:
    """FFT low-pass of every channel, then a few separable smoothing matmuls (numpy, releases the GIL)."""
    spectrum = np.fft.rfft2(images)
    spectrum *= MASK
    out = np.fft.irfft2(spectrum, s=images.shape[-2:])
    for _ in range(N_SMOOTH):
        out = SMOOTH @ out @ SMOOTH.T
    return out.astype(np.float32, copy=False)


def mix_images(images: np.ndarray, random: np.random.Generator) -> np.ndarray:
    """Blend every image with a random partner of the batch (a light mixup; labels are kept)."""
    partner = random.permutation(len(images))
    return (1 - MIX_WEIGHT) * images + MIX_WEIGHT * images[partner]


def batch_generator(seed: int, number: int) -> np.random.Generator:
    """The generator dagflow gives batch ``number`` of segment 0 (docs/architecture.md), rebuilt by hand."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(0, 0, number))))


def make_data(n_images: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, N_CLASSES, n_images)
    patterns = rng.standard_normal((N_CLASSES, *IMAGE_SHAPE), dtype=np.float32)
    images = rng.standard_normal((n_images, *IMAGE_SHAPE), dtype=np.float32)
    for start in range(0, n_images, BATCH_SIZE):   # in slices: no whole-dataset temporary raises the peak RSS
        images[start:start + BATCH_SIZE] += patterns[labels[start:start + BATCH_SIZE]]
    return images, labels


class AliveCounter:
    """How many batches exist at once in this process (each holds its 3 MiB of images): now and at the peak."""

    def __init__(self):
        self.lock, self.now, self.peak = threading.Lock(), 0, 0

    def born(self, batch):
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        weakref.finalize(batch, self.died)

    def died(self):
        with self.lock:
            self.now -= 1


ALIVE = AliveCounter()


class ImageBatch(Batch):
    components = 'images', 'labels'

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ALIVE.born(self)

    @action
    def load(self):
        """Simulated I/O: the batch already holds its preloaded items; wait as a disk or network would."""
        time.sleep(LOAD_SLEEP)
        return self

    @action
    def lowpass(self):
        self.images = lowpass_images(self.images)
        return self

    @action
    def mix(self):
        self.images = mix_images(self.images, self.random)
        return self


class NoopBatch(Batch):
    components = 'x'

    @action
    def noop(self):
        return self


class TorchCNN(BaseModel):
    """Two conv layers and a linear layer, trained by SGD on one thread."""

    def _build(self):
        import torch
        torch.manual_seed(self.config.get('seed', 0))
        c1, c2 = self.config.get('channels', CNN_CHANNELS)
        side = IMAGE_SHAPE[1] // 4
        self.net = torch.nn.Sequential(
            torch.nn.Conv2d(IMAGE_SHAPE[0], c1, 3, stride=2, padding=1), torch.nn.ReLU(),
            torch.nn.Conv2d(c1, c2, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Flatten(), torch.nn.Linear(c2 * side * side, self.config.get('classes', N_CLASSES)))
        self.optimizer = torch.optim.SGD(self.net.parameters(), lr=self.config.get('lr', 0.01), momentum=0.9)

    def train(self, images, labels):
        import torch
        self.net.train()
        self.optimizer.zero_grad()
        logits = self.net(torch.as_tensor(images, dtype=torch.float32))
        loss = torch.nn.functional.cross_entropy(logits, torch.as_tensor(labels, dtype=torch.long))
        loss.backward()
        self.optimizer.step()
        return float(loss.detach())

    def predict(self, images):
        import torch
        self.net.eval()
        with torch.no_grad():
            return self.net(torch.as_tensor(images, dtype=torch.float32)).argmax(1).numpy()


MODEL_CONFIG = {'seed': 7, 'channels': list(CNN_CHANNELS), 'classes': N_CLASSES, 'lr': 0.01}


def build_pipeline(dataset):
    from dagflow import B, V
    return (dataset.p.init_model('cnn', TorchCNN, 'static', config=dict(MODEL_CONFIG))
            .init_variable('loss', init_on_each_run=list)
            .load().lowpass().mix()
            .train_model('cnn', B.images, B.labels, save_to=V('loss'), mode='a'))


def plain_loop(images, labels, n_batches: int, seed: int, model) -> list:
    """The baseline: the same functions, called in order, batch after batch, in one thread."""
    losses = []
    for k in range(n_batches):
        index = np.arange(k * BATCH_SIZE, (k + 1) * BATCH_SIZE)
        x, y = images[index], labels[index]          # a copy, as Dataset.create_batch makes
        time.sleep(LOAD_SLEEP)                        # load
        x = lowpass_images(x)                         # lowpass
        x = mix_images(x, batch_generator(seed, k))  # mix
        losses.append(model.train(x, y))              # train_model
    return losses


# ---------------------------------------------------------------------------------------------- workers
def _rusage_mib() -> dict:
    # Linux reports ru_maxrss in KiB; RUSAGE_CHILDREN is the largest single waited-for child (not a sum).
    return {'maxrss_self_mib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            'maxrss_children_mib': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def worker_calibrate(spec: dict) -> dict:
    """Time each step of the workload per batch (median over batches, after a warm-up)."""
    import torch
    torch.set_num_threads(1)
    images, labels = make_data(spec['n_batches'] * BATCH_SIZE)
    model = TorchCNN(dict(MODEL_CONFIG))
    timings = {'load': [], 'lowpass': [], 'mix': [], 'train': []}
    for rnd in range(2):                     # round 0 is the warm-up
        for k in range(spec['n_batches']):
            index = np.arange(k * BATCH_SIZE, (k + 1) * BATCH_SIZE)
            x, y = images[index], labels[index]
            t0 = time.perf_counter()
            time.sleep(LOAD_SLEEP)
            t1 = time.perf_counter()
            x = lowpass_images(x)
            t2 = time.perf_counter()
            x = mix_images(x, batch_generator(0, k))
            t3 = time.perf_counter()
            model.train(x, y)
            t4 = time.perf_counter()
            if rnd:
                for name, value in zip(timings, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
                    timings[name].append(value * 1e3)
    return {name: statistics.median(values) for name, values in timings.items()}


def worker_throughput(spec: dict) -> dict:
    """One variant of the throughput benchmark: warm-up, then ``repeats`` timed epochs from a fresh model."""
    import torch
    torch.set_num_threads(1)
    from dagflow import Dataset

    variant, prefetch, seed = spec['variant'], spec['prefetch'], spec['seed']
    images, labels = make_data(spec['n_images'])
    n_batches = spec['n_images'] // BATCH_SIZE
    dataset = Dataset(spec['n_images'], batch_class=ImageBatch, preloaded={'images': images, 'labels': labels})
    lane = None
    if variant == 'dask':   # the cluster scheduler='local-cluster' starts, kept for the warm-up and the repeats
        from dagflow.engine.lanes import LocalClusterLane
        lane = LocalClusterLane(n_workers=2, keep=True, dashboard_address=None)
    scheduler = {'sync': 'sync', 'threads': 'threads', 'processes': 'processes', 'dask': lane}.get(variant)

    def one_run(n_iters=None):
        """Return (seconds, losses, model) of one run from a freshly built model."""
        if variant == 'plain':
            model = TorchCNN(dict(MODEL_CONFIG))
            start = time.perf_counter()
            losses = plain_loop(images, labels, n_iters or n_batches, seed, model)
            return time.perf_counter() - start, losses, model
        pipeline = build_pipeline(dataset)
        kwargs = dict(n_epochs=None, n_iters=n_iters) if n_iters else dict(n_epochs=1)
        start = time.perf_counter()
        pipeline.run(batch_size=BATCH_SIZE, prefetch=prefetch, scheduler=scheduler, seed=seed, **kwargs)
        return time.perf_counter() - start, list(pipeline.v('loss')), pipeline.m('cnn')

    try:
        one_run(n_iters=spec['warmup_batches'])
        times, first_state, first_losses, repeats_identical = [], None, None, True
        for _ in range(spec['repeats']):
            seconds, losses, model = one_run()
            times.append(seconds)
            state = {name: tensor.clone() for name, tensor in model.net.state_dict().items()}
            if first_state is None:
                first_state, first_losses = state, losses
            else:
                repeats_identical &= losses == first_losses and all(
                    torch.equal(state[name], tensor) for name, tensor in first_state.items())
    finally:
        if lane is not None:
            lane.shutdown()
    torch.save(first_state, spec['state_path'])
    return {'times_s': times, 'losses': first_losses, 'repeats_identical': bool(repeats_identical),
            'n_items': n_batches * BATCH_SIZE, 'peak_batches_alive': ALIVE.peak if variant != 'plain' else None,
            **_rusage_mib()}


def worker_overhead(spec: dict) -> dict:
    """Seconds per run of 0 and 20 no-op actions, batch size 8, for a plain loop, dagflow sync and threads."""
    from dagflow import Dataset
    n_batches, n_actions, size = spec['n_batches'], spec['n_actions'], spec['batch_size']
    data = np.zeros((n_batches * size, 4), dtype=np.float32)
    dataset = Dataset(len(data), batch_class=NoopBatch, preloaded={'x': data})

    def noop(batch):
        return batch

    def loop_runner(actions):
        functions = [noop] * actions

        def run():
            for k in range(n_batches):
                batch = data[k * size:(k + 1) * size]
                for function in functions:
                    batch = function(batch)
        return run

    def dagflow_runner(actions, **run_args):
        pipeline = dataset.p
        for _ in range(actions):
            pipeline = pipeline.noop()
        pipeline.compile()

        def run():
            pipeline.run(batch_size=size, n_epochs=1, seed=0, **run_args)
        return run

    runners = {}
    for actions in (0, n_actions):
        runners['loop', actions] = loop_runner(actions)
        runners['sync', actions] = dagflow_runner(actions, scheduler='sync')
        runners['threads', actions] = dagflow_runner(actions, prefetch=2, scheduler='threads')
    for run in runners.values():     # warm-up
        run()
    times = {key: [] for key in runners}
    for _ in range(spec['repeats']):  # interleaved, so that noise hits every configuration alike
        for key, run in runners.items():
            start = time.perf_counter()
            run()
            times[key].append(time.perf_counter() - start)
    result = {}
    for name in ('loop', 'sync', 'threads'):
        base, full = statistics.median(times[name, 0]), statistics.median(times[name, n_actions])
        result[name] = {'us_per_batch_no_actions': base / n_batches * 1e6,
                        'us_per_action': (full - base) / n_actions / n_batches * 1e6,
                        'times_0_s': times[name, 0], f'times_{n_actions}_s': times[name, n_actions]}
    return result


def worker_compile(spec: dict) -> dict:
    """Compile time of a pipeline of ``n_steps`` no-op actions, and of one with variable updates mixed in."""
    from dagflow import Dataset, V
    dataset = Dataset(64, batch_class=NoopBatch, preloaded={'x': np.zeros((64, 4))})
    noops = dataset.p
    for _ in range(spec['n_steps']):
        noops = noops.noop()
    mixed = dataset.p.init_variable('n', 0)
    for i in range(spec['n_steps']):
        mixed = mixed.update(V('n'), V('n') + 1) if i % 5 == 4 else mixed.noop()
    result = {}
    for name, pipeline in (('noop', noops), ('mixed', mixed)):
        start = time.perf_counter()
        plan = pipeline.compile()
        first = time.perf_counter() - start
        assert len(plan.section_nodes('main')) == spec['n_steps'], len(plan.section_nodes('main'))
        times = []
        for _ in range(spec['repeats']):
            pipeline._compiled = None
            start = time.perf_counter()
            pipeline.compile()
            times.append(time.perf_counter() - start)
        result[name] = {'first_ms': first * 1e3, 'median_ms': statistics.median(times) * 1e3,
                        'min_ms': min(times) * 1e3, 'max_ms': max(times) * 1e3}
    return result


WORKERS = {'calibrate': worker_calibrate, 'throughput': worker_throughput, 'overhead': worker_overhead,
           'compile': worker_compile}


def worker_main(spec: dict, result_path: str) -> None:
    if __name__ == '__main__':
        # Run the worker from this file imported as a module, so that its classes pickle by reference, as a
        # library's would (dagflow at 96f66b2 could not send a batch class of __main__ to a process cluster).
        from benchmarks import bench_engine as module
    else:
        module = sys.modules[__name__]
    result = module.WORKERS[spec['kind']](spec)
    Path(result_path).write_text(json.dumps(result))


# ---------------------------------------------------------------------------------------------- driver
class TreeSampler(threading.Thread):
    """Polls the summed RSS of a process and all its descendants (psutil), keeping the peak."""

    def __init__(self, pid: int, interval: float = 0.05):
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak, self.samples = pid, interval, 0, 0
        self.done = threading.Event()

    def run(self):
        try:
            import psutil
            root = psutil.Process(self.pid)
        except Exception:  # noqa: BLE001 - no psutil, or the process is gone: no sample
            return
        while not self.done.is_set():
            try:
                processes = [root, *root.children(recursive=True)]
            except Exception:  # noqa: BLE001
                break
            total = 0
            for process in processes:
                try:
                    total += process.memory_info().rss
                except Exception:  # noqa: BLE001 - a child that just ended
                    pass
            self.peak, self.samples = max(self.peak, total), self.samples + 1
            self.done.wait(self.interval)


def run_worker(spec: dict, timeout: float, env: dict | None = None) -> dict:
    """Run one measurement in a fresh subprocess of this script; return its result (or an error)."""
    with tempfile.NamedTemporaryFile(suffix='.json', delete=False) as handle:
        result_path = handle.name
    env = {**os.environ, **(env or {})}
    env['PYTHONPATH'] = os.pathsep.join(filter(None, [str(ROOT), env.get('PYTHONPATH')]))
    process = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), '--worker', json.dumps(spec),
                                '--result', result_path], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sampler = TreeSampler(process.pid)
    sampler.start()
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        output += f'\n[timed out after {timeout} s]'
    sampler.done.set()
    sampler.join()
    try:
        if process.returncode != 0:
            return {'error': output.strip()[-3000:] or f'exit code {process.returncode}'}
        result = json.loads(Path(result_path).read_text())
    finally:
        Path(result_path).unlink(missing_ok=True)
    if isinstance(result, dict) and sampler.samples:
        result['tree_peak_rss_mib'] = sampler.peak / MIB
        result['tree_samples'] = sampler.samples
    return result


VARIANTS = [  # (name, variant, prefetch)
    ('plain loop', 'plain', 0),
    ('dagflow sync', 'sync', 0),
    ('threads prefetch=1', 'threads', 1),
    ('threads prefetch=2', 'threads', 2),
    ('threads prefetch=4', 'threads', 4),
    ('threads prefetch=8', 'threads', 8),
    ('processes prefetch=2', 'processes', 2),
    ('local-cluster 2 procs p=2', 'dask', 2),
]


# Diagnostic only (no target): the memory pair again with glibc's mmap threshold fixed at 1 MiB, so that a freed
# batch-sized array goes back to the OS at once and the peak RSS follows the live data, not the allocator's cache.
ALLOCATOR_DIAGNOSTIC = {'MALLOC_MMAP_THRESHOLD_': str(MIB)}


def mark(ok: bool) -> str:
    return 'PASS' if ok else 'FAIL'


def machine_info() -> dict:
    info = {'nproc': os.cpu_count(), 'python': platform.python_version(), 'numpy': np.__version__}
    try:
        info['cpu'] = next(line.split(':', 1)[1].strip() for line in open('/proc/cpuinfo')
                           if line.startswith('model name'))
    except (OSError, StopIteration):
        info['cpu'] = platform.processor()
    try:
        info['ram_gib'] = round(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2 ** 30, 1)
    except (ValueError, OSError):
        pass
    try:
        info['dagflow_commit'] = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=ROOT, text=True,
                                                capture_output=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        info['dagflow_commit'] = None
    for module in ('torch', 'dask', 'distributed', 'psutil'):
        try:
            info[module] = __import__(module).__version__
        except ImportError:
            info[module] = None
    return info


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true', help='fewer images and batches: a smoke test')
    parser.add_argument('--out', default=str(HERE / 'results.json'), help='where to write the JSON results')
    parser.add_argument('--rounds', type=int, help='interleaved rounds of the throughput variants')
    parser.add_argument('--worker', help=argparse.SUPPRESS)
    parser.add_argument('--result', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker_main(json.loads(args.worker), args.result)
        return 0

    quick = args.quick
    config = {
        'n_images': 256 if quick else 2048, 'rounds': args.rounds or (1 if quick else 3),
        'repeats': 1 if quick else 2, 'warmup_batches': 3 if quick else 10, 'seed': 0,
        'allocator_diagnostic': not quick,
        'overhead_batches': 100 if quick else 500, 'overhead_repeats': 3 if quick else 7,
        'compile_steps': 100, 'compile_repeats': 5 if quick else 15, 'calibrate_batches': 4 if quick else 12,
    }
    started = time.perf_counter()
    info = machine_info()
    print(f"machine: {info['nproc']} CPUs, {info.get('cpu')}, {info.get('ram_gib')} GiB RAM; Python {info['python']}, "
          f"numpy {info['numpy']}, torch {info['torch']}, dask {info['dask']}, distributed {info['distributed']}, "
          f"psutil {info['psutil']}; dagflow at {info['dagflow_commit']}")
    print(f"mode: {'quick' if quick else 'full'}; {config['n_images']} images of {IMAGE_SHAPE} float32, "
          f"batch size {BATCH_SIZE}; {config['rounds']} round(s) x {config['repeats']} timed epoch(s) per variant")
    results = {'quick': quick, 'config': config, 'machine': info}

    # --- workload calibration
    steps = run_worker({'kind': 'calibrate', 'n_batches': config['calibrate_batches']}, timeout=300)
    steps = {name: value for name, value in steps.items() if not name.startswith('tree_')}
    results['workload_ms_per_batch'] = steps
    if 'error' in steps:
        print('calibration failed:\n' + steps['error'])
    else:
        pre = steps['lowpass'] + steps['mix']
        serial = sum(steps.values())
        bound = serial / max(steps['train'], (pre + steps['train']) / (info['nproc'] or 1))
        steps.update(preprocessing=pre, serial_total=serial, ideal_speedup=bound)
        print(f"\nworkload per batch (median ms, plain loop): load {steps['load']:.1f} (sleep), lowpass "
              f"{steps['lowpass']:.1f} + mix {steps['mix']:.1f} = preprocessing {pre:.1f} (aim 20-25), train "
              f"{steps['train']:.1f} (aim 15-20); serial {serial:.1f} ms; ideal speed-up on {info['nproc']} cores "
              f"{bound:.2f}x (= serial / max(train, (preprocessing + train) / cores))")

    # --- throughput (and memory)
    state_dir = tempfile.mkdtemp(prefix='dagflow-bench-')
    runs: dict[str, list] = {name: [] for name, *_ in VARIANTS}
    print()
    for rnd in range(config['rounds']):
        for name, variant, prefetch in VARIANTS:
            spec = {'kind': 'throughput', 'variant': variant, 'prefetch': prefetch, 'seed': config['seed'],
                    'n_images': config['n_images'], 'repeats': config['repeats'],
                    'warmup_batches': config['warmup_batches'],
                    'state_path': os.path.join(state_dir, f'{variant}-{prefetch}-{rnd}.pt')}
            result = run_worker(spec, timeout=600)
            result['state_path'] = spec['state_path']
            runs[name].append(result)
            shown = (f"{result['n_items'] / statistics.median(result['times_s']):8.0f} items/s" if 'error' not in result
                     else 'ERROR')
            print(f'  round {rnd + 1}: {name:<24} {shown}', flush=True)

    diagnostic = {}
    for name, variant, prefetch in ((('dagflow sync', 'sync', 0), ('threads prefetch=8', 'threads', 8))
                                    if config['allocator_diagnostic'] else ()):
        spec = {'kind': 'throughput', 'variant': variant, 'prefetch': prefetch, 'seed': config['seed'],
                'n_images': config['n_images'], 'repeats': 1, 'warmup_batches': config['warmup_batches'],
                'state_path': os.path.join(state_dir, f'diagnostic-{variant}-{prefetch}.pt')}
        diagnostic[name] = run_worker(spec, timeout=600, env=ALLOCATOR_DIAGNOSTIC)
        diagnostic[name].pop('losses', None)
        shown = (f"{diagnostic[name]['maxrss_self_mib']:8.0f} MiB" if 'error' not in diagnostic[name] else 'ERROR')
        print(f'  allocator diagnostic: {name:<24} {shown}', flush=True)

    import torch
    reference = next((r for r in runs['dagflow sync'] if 'error' not in r), None)
    reference_state = torch.load(reference['state_path'], weights_only=True) if reference else None
    throughput = {}
    for name, variant, prefetch in VARIANTS:
        good = [r for r in runs[name] if 'error' not in r]
        row = {'variant': variant, 'prefetch': prefetch, 'errors': [r['error'] for r in runs[name] if 'error' in r]}
        if good:
            times = [t for r in good for t in r['times_s']]
            row.update(items_per_s=good[0]['n_items'] / statistics.median(times),
                       best_items_per_s=good[0]['n_items'] / min(times), times_s=times,
                       tree_peak_rss_mib=max((r.get('tree_peak_rss_mib', 0) for r in good), default=None),
                       maxrss_self_mib=max(r['maxrss_self_mib'] for r in good),
                       maxrss_children_mib=max(r['maxrss_children_mib'] for r in good),
                       peak_batches_alive=max((r['peak_batches_alive'] for r in good
                                               if r.get('peak_batches_alive') is not None), default=None),
                       repeats_identical=all(r['repeats_identical'] for r in good))
            if reference_state is not None:
                identical = True
                for r in good:
                    state = torch.load(r['state_path'], weights_only=True)
                    identical &= state.keys() == reference_state.keys() and all(
                        torch.equal(state[key], tensor) for key, tensor in reference_state.items())
                    identical &= r['losses'] == reference['losses']
                row['identical_to_sync'] = bool(identical)
        throughput[name] = row
    for path in Path(state_dir).glob('*.pt'):
        path.unlink()
    os.rmdir(state_dir)
    base = throughput['plain loop'].get('items_per_s')
    for row in throughput.values():
        if base and 'items_per_s' in row:
            row['ratio'] = row['items_per_s'] / base
            row['best_ratio'] = row['best_items_per_s'] / throughput['plain loop']['best_items_per_s']
    results['throughput'] = throughput

    # --- overhead and compile
    overhead = run_worker({'kind': 'overhead', 'n_batches': config['overhead_batches'], 'n_actions': 20,
                           'batch_size': 8, 'repeats': config['overhead_repeats']}, timeout=600)
    compiled = run_worker({'kind': 'compile', 'n_steps': config['compile_steps'],
                           'repeats': config['compile_repeats']}, timeout=300)
    results['overhead'], results['compile'] = overhead, compiled

    # --- report
    targets = {}
    print(f"\nTHROUGHPUT  (items/s: median and best of {config['rounds'] * config['repeats']} timed epochs; ratio to "
          f"the plain loop's median / best; peak RSS in MiB)")
    print(f"{'variant':<25}{'items/s':>8}{'best':>7}{'ratio':>7}{'best':>7}{'tree RSS':>10}{'self':>7}"
          f"{'children':>9}{'alive':>6}{'= sync':>7}  target (on the median)")
    for name, row in throughput.items():
        if 'items_per_s' not in row:
            print(f'{name:<25}  ERROR: ' + row['errors'][0].splitlines()[-1])
            continue
        target = ''
        if row['variant'] == 'threads' and row['prefetch'] >= 2:
            ok = row.get('ratio', 0) >= 1.8
            targets[f'throughput {name} >= 1.8x'] = ok
            target = f'>= 1.8x {mark(ok)}'
        if row['variant'] == 'dask':
            ok = row.get('ratio', 0) >= 1.0
            targets[f'throughput {name} >= 1.0x'] = ok
            target = f'>= 1.0x {mark(ok)}'
        same = {True: 'yes', False: 'NO', None: '-'}[row.get('identical_to_sync')]
        tree = row['tree_peak_rss_mib']
        print(f"{name:<25}{row['items_per_s']:8.0f}{row['best_items_per_s']:7.0f}"
              f"{row.get('ratio', float('nan')):6.2f}x{row.get('best_ratio', float('nan')):6.2f}x"
              f"{tree if tree else float('nan'):10.0f}{row['maxrss_self_mib']:7.0f}"
              f"{row['maxrss_children_mib']:9.0f}{row['peak_batches_alive'] or '-':>6}{same:>7}  {target}")
    identical = [row.get('identical_to_sync') for row in throughput.values() if 'items_per_s' in row]
    print('final CNN parameters (torch.equal on every state_dict tensor) and losses identical to dagflow sync: '
          + ('all variants' if all(identical) else 'NOT all: see "= sync"')
          + ('; every repeat within a variant identical' if all(r.get('repeats_identical', True)
                                                               for r in throughput.values()) else ''))

    print('\nMEMORY  (ru_maxrss of the driver; 1 batch = 64x3x64x64 float32 = 3 MiB; "alive" = the most batch '
          'objects that existed at once in the driver, counted by weakref.finalize)')
    sync, wide = throughput['dagflow sync'], throughput['threads prefetch=8']
    if 'maxrss_self_mib' in sync and 'maxrss_self_mib' in wide:
        extra = (wide['maxrss_self_mib'] - sync['maxrss_self_mib']) * MIB / BATCH_BYTES
        ok = extra <= 8 + 2
        targets['memory threads prefetch=8 within prefetch + 2 batches of sync'] = ok
        results['memory'] = {'sync_mib': sync['maxrss_self_mib'], 'threads8_mib': wide['maxrss_self_mib'],
                             'extra_batches': extra, 'limit_batches': 10}
        results['memory'].update(sync_peak_batches_alive=sync['peak_batches_alive'],
                                 threads8_peak_batches_alive=wide['peak_batches_alive'])
        print(f"sync {sync['maxrss_self_mib']:.0f} MiB, threads prefetch=8 {wide['maxrss_self_mib']:.0f} MiB: "
              f"+{extra:.1f} batches (target <= 10)  {mark(ok)}")
        print(f"batches alive at once: sync {sync['peak_batches_alive']}, threads prefetch=8 "
              f"{wide['peak_batches_alive']} (the window allows prefetch + 1 in flight)")
    sync, wide = diagnostic.get('dagflow sync', {}), diagnostic.get('threads prefetch=8', {})
    if 'maxrss_self_mib' in sync and 'maxrss_self_mib' in wide:
        extra = (wide['maxrss_self_mib'] - sync['maxrss_self_mib']) * MIB / BATCH_BYTES
        results['memory_allocator_diagnostic'] = {
            'env': ALLOCATOR_DIAGNOSTIC, 'sync_mib': sync['maxrss_self_mib'], 'threads8_mib': wide['maxrss_self_mib'],
            'extra_batches': extra, 'sync_items_per_s': sync['n_items'] / sync['times_s'][0],
            'threads8_items_per_s': wide['n_items'] / wide['times_s'][0]}
        print(f"diagnostic, MALLOC_MMAP_THRESHOLD_=1 MiB (freed arrays go back to the OS; no target): sync "
              f"{sync['maxrss_self_mib']:.0f} MiB, threads prefetch=8 {wide['maxrss_self_mib']:.0f} MiB: "
              f"+{extra:.1f} batches (throughput {sync['n_items'] / sync['times_s'][0]:.0f} and "
              f"{wide['n_items'] / wide['times_s'][0]:.0f} items/s)")

    print(f"\nOVERHEAD  (20 no-op actions, batch size 8, {config['overhead_batches']} batches; "
          f"median of {config['overhead_repeats']})")
    if 'error' in overhead:
        print('ERROR:\n' + overhead['error'])
    else:
        limits = {'sync': (8, 60), 'threads': (20, 300)}
        print(f"{'runner':<22}{'us/action':>10}{'us/batch (0 actions)':>22}  target")
        for name, label in (('loop', 'plain loop'), ('sync', 'dagflow sync'), ('threads', 'threads prefetch=2')):
            row, target = overhead[name], ''
            if name in limits:
                per_action, per_batch = limits[name]
                ok_a, ok_b = row['us_per_action'] <= per_action, row['us_per_batch_no_actions'] <= per_batch
                targets[f'overhead {label} <= {per_action} us/action'] = ok_a
                targets[f'overhead {label} <= {per_batch} us/batch'] = ok_b
                target = f'<= {per_action} {mark(ok_a)}, <= {per_batch} {mark(ok_b)}'
            print(f"{label:<22}{row['us_per_action']:10.2f}{row['us_per_batch_no_actions']:22.1f}  {target}")

    print(f"\nCOMPILE  ({config['compile_steps']} steps, median of {config['compile_repeats']} recompiles)")
    if 'error' in compiled:
        print('ERROR:\n' + compiled['error'])
    else:
        for name, label in (('noop', 'no-op actions'), ('mixed', 'no-ops + 20 variable updates')):
            row = compiled[name]
            ok = row['median_ms'] <= 10
            targets[f'compile {label} <= 10 ms'] = ok
            print(f"{label:<30} median {row['median_ms']:.2f} ms (first {row['first_ms']:.2f}, "
                  f"min {row['min_ms']:.2f}, max {row['max_ms']:.2f})  <= 10 ms {mark(ok)}")

    results['targets'] = targets
    results['wall_s'] = time.perf_counter() - started
    Path(args.out).write_text(json.dumps(results, indent=1))
    print(f"\ntargets: {sum(targets.values())} of {len(targets)} PASS; wrote {args.out} "
          f"in {results['wall_s']:.0f} s")
    return 0


if __name__ == '__main__':
    sys.exit(main())
