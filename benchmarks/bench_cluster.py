"""Cluster benchmarks: what a Dask cluster run costs per batch, and how its throughput grows with the workers.

1. OVERHEAD: a pipeline of one no-op pure step and one variable update, on a
   2-worker LocalCluster, against a hand-written ``client.submit`` +
   ``as_completed`` loop doing the same work (the no-op on the workers, the
   update in the driver), with as many batches in flight.  Target: dagflow
   within 1.3x of the hand-written loop's time per batch.
2. SCALING: preprocessing bound by waiting (a 100 ms sleep per batch, standing
   for remote reads) and a 5 ms state step, on LocalClusters of 1, 2, 4 and 8
   single-threaded worker processes.  Target: throughput at least 85% of the
   ideal ``min(workers / 0.1 s, 1 / (0.005 s + per-batch overhead))`` at every
   size, the overhead being dagflow's measured in 1.

3. THE GIL: preprocessing written in pure Python (it holds the GIL) and a
   variable update: the plain loop, threads, processes and a 2-process
   LocalCluster.  Target: the cluster faster than threads -- the reason
   users pick it.

The rounds interleave dagflow and the hand-written loop.  Run it when nothing
else runs on the machine::

    PYTHONPATH=. python benchmarks/bench_cluster.py             # about 2 minutes on 2 cores
    PYTHONPATH=. python benchmarks/bench_cluster.py --quick     # a smoke test: fewer batches, 1 round
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import time
import warnings

import numpy as np

from dagflow import Batch, Dataset, V, action

HERE = pathlib.Path(__file__).resolve().parent
PREPROCESS_S, STATE_S = 0.100, 0.005


class NoopBatch(Batch):
    """Batches whose pure steps do nothing (overhead) or wait as a remote read would (scaling)."""

    @action
    def noop(self):
        return self

    @action
    def fetch(self):
        time.sleep(PREPROCESS_S)
        return self

    @action
    def python_work(self):
        self.result = python_work(GIL_ITERATIONS)
        return self


#: Iterations of pure-Python work per batch: about 30 ms on the reference machine.
GIL_ITERATIONS = 300_000


def python_work(iterations: int) -> int:
    """Per-item work written in pure Python: it holds the GIL throughout."""
    total = 0
    for i in range(iterations):
        total += (i * i) % 7
    return total


def noop(data):
    return data


def slow_add(total, size):
    """The state step of the scaling runs: 5 ms of work in the serial chain."""
    time.sleep(STATE_S)
    return total + size


def make_dataset(n_batches: int, batch_size: int) -> Dataset:
    items = n_batches * batch_size
    return Dataset(items, batch_class=NoopBatch, preloaded=np.arange(items * 8, dtype=np.float64).reshape(items, 8))


def cluster(n_workers: int):
    """A LocalCluster of single-threaded worker processes and its client."""
    from distributed import Client, LocalCluster
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        local = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None)
    return local, Client(local)


# ------------------------------------------------------------------ 1. overhead
def dagflow_overhead(client, n_batches: int, batch_size: int, prefetch: int, state_tasks: bool = True) -> float:
    """Seconds per batch of dagflow: a no-op pure step and a variable update, on ``client``.

    ``state_tasks``: the update as a Dask task on the state worker (the default), or on a driver thread.
    """
    from dagflow.engine.lanes import DistributedLane
    dataset = make_dataset(n_batches, batch_size)
    pipeline = dataset.p.init_variable('n', 0).noop().update(V('n'), V('n') + 1)
    started = time.perf_counter()
    pipeline.run(batch_size=batch_size, n_epochs=1, prefetch=prefetch, seed=0,
                 scheduler=DistributedLane(client, state_tasks=state_tasks))
    elapsed = time.perf_counter() - started
    assert pipeline.v('n') == n_batches, pipeline.v('n')
    return elapsed / n_batches


def hand_written_overhead(client, n_batches: int, batch_size: int, prefetch: int) -> float:
    """Seconds per batch of the same work written by hand: ``client.submit`` + ``as_completed``, update here."""
    from distributed import as_completed
    data = make_dataset(n_batches, batch_size).preloaded
    chunks = (data[k * batch_size:(k + 1) * batch_size] for k in range(n_batches))
    started = time.perf_counter()
    running = as_completed([client.submit(noop, next(chunks), pure=False) for _ in range(min(prefetch + 1, n_batches))])
    count = 0
    for future in running:
        future.result()
        count += 1                       # the variable update, in the driver
        chunk = next(chunks, None)
        if chunk is not None:
            running.add(client.submit(noop, chunk, pure=False))
    elapsed = time.perf_counter() - started
    assert count == n_batches
    return elapsed / n_batches


def count_after(chunk, previous):
    """The update as a task of its own, after the previous batch's (``previous``: ordering only)."""
    return chunk


def hand_written_chain_overhead(client, n_batches: int, batch_size: int, prefetch: int) -> float:
    """Seconds per batch when every step is a Dask task by hand: the no-op, then the update chained on one worker.

    What dagflow's default does on a cluster (state steps as tasks, so the dashboard shows them), written
    with ``client.submit``: the reference for the cost of the second task per batch.
    """
    from distributed import as_completed
    data = make_dataset(n_batches, batch_size).preloaded
    chunks = (data[k * batch_size:(k + 1) * batch_size] for k in range(n_batches))
    state_worker = sorted(client.scheduler_info()['workers'])[0]
    last = [None]

    def submit(chunk):
        last[0] = client.submit(count_after, client.submit(noop, chunk, pure=False), last[0], pure=False,
                                workers=[state_worker])
        return last[0]
    started = time.perf_counter()
    running = as_completed([submit(next(chunks)) for _ in range(min(prefetch + 1, n_batches))])
    count = 0
    for future in running:
        future.result()
        count += 1
        chunk = next(chunks, None)
        if chunk is not None:
            running.add(submit(chunk))
    elapsed = time.perf_counter() - started
    assert count == n_batches
    return elapsed / n_batches


# ------------------------------------------------------------------ 2. scaling
def dagflow_scaling(client, n_workers: int, n_batches: int) -> float:
    """Batches per second of the waiting-bound pipeline on ``client``."""
    dataset = make_dataset(n_batches, 4)
    pipeline = dataset.p.init_variable('n', 0).fetch().call(slow_add, V('n'), 1, save_to=V('n'))
    started = time.perf_counter()
    pipeline.run(batch_size=4, n_epochs=1, prefetch=2 * n_workers, scheduler=client, seed=0)
    elapsed = time.perf_counter() - started
    assert pipeline.v('n') == n_batches, pipeline.v('n')
    return n_batches / elapsed


# ------------------------------------------------------------------ 3. the GIL
def gil_throughput(scheduler, n_batches: int) -> float:
    """Batches per second of GIL-holding preprocessing and a variable update (``scheduler`` None: a plain loop)."""
    if scheduler is None:
        started, count = time.perf_counter(), 0
        for _ in range(n_batches):
            python_work(GIL_ITERATIONS)
            count += 1
        return n_batches / (time.perf_counter() - started)
    pipeline = make_dataset(n_batches, 4).p.init_variable('n', 0).python_work().update(V('n'), V('n') + 1)
    started = time.perf_counter()
    pipeline.run(batch_size=4, n_epochs=1, prefetch=2, scheduler=scheduler, seed=0)
    elapsed = time.perf_counter() - started
    assert pipeline.v('n') == n_batches
    return n_batches / elapsed


def ideal_throughput(n_workers: int, overhead: float) -> float:
    """Batches per second the capacity model allows: the workers' waits, or the serial state chain."""
    return min(n_workers / PREPROCESS_S, 1.0 / (STATE_S + overhead))


# ------------------------------------------------------------------ the report
def machine() -> str:
    import dask
    import distributed
    try:
        import dagflow
        commit = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=HERE, capture_output=True,
                                text=True).stdout.strip()
        where = f'dagflow at {commit or dagflow.__version__}'
    except Exception:   # noqa: BLE001 - a report without the commit
        where = 'dagflow'
    return (f'machine: {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}; Python '
            f'{platform.python_version()}, dask {dask.__version__}, distributed {distributed.__version__}; {where}')


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true', help='fewer batches and one round: a smoke test')
    parser.add_argument('--rounds', type=int, default=3, help='interleaved rounds of each measurement')
    parser.add_argument('--out', default=str(HERE / 'cluster_results.json'), help='where to write the JSON results')
    args = parser.parse_args(argv)
    rounds = 1 if args.quick else args.rounds
    n_overhead, batch_size, prefetch = (60 if args.quick else 300), 4, 4
    sizes = (1, 2) if args.quick else (1, 2, 4, 8)
    print(machine(), flush=True)

    local, client = cluster(2)
    try:
        dagflow_overhead(client, 20, batch_size, prefetch)           # warm the workers up: imports, first tasks
        hand_written_overhead(client, 20, batch_size, prefetch)
        ours, theirs, driver, chained = [], [], [], []
        for number in range(rounds):
            ours.append(dagflow_overhead(client, n_overhead, batch_size, prefetch))
            theirs.append(hand_written_overhead(client, n_overhead, batch_size, prefetch))
            driver.append(dagflow_overhead(client, n_overhead, batch_size, prefetch, state_tasks=False))
            chained.append(hand_written_chain_overhead(client, n_overhead, batch_size, prefetch))
            print(f'  round {number + 1}: dagflow {ours[-1] * 1e3:.2f} ms/batch, hand-written '
                  f'{theirs[-1] * 1e3:.2f}; dagflow state on a driver thread {driver[-1] * 1e3:.2f}, hand-written '
                  f'with the update as a task {chained[-1] * 1e3:.2f}', flush=True)
    finally:
        client.close()
        local.close()
    overhead, baseline = statistics.median(ours), statistics.median(theirs)
    on_driver, as_tasks = statistics.median(driver), statistics.median(chained)
    ratio = overhead / baseline
    print(f'\nOVERHEAD  (no-op pure step + variable update, 2-worker LocalCluster, prefetch {prefetch}, '
          f'{n_overhead} batches; median of {rounds})')
    print(f'dagflow {overhead * 1e3:.2f} ms/batch, hand-written submit/as_completed {baseline * 1e3:.2f} ms/batch: '
          f'{ratio:.2f}x  (target <= 1.3x) {"PASS" if ratio <= 1.3 else "FAIL"}')
    print(f'  dagflow with the state on a driver thread (state_tasks=False): {on_driver * 1e3:.2f} ms/batch, '
          f'{on_driver / baseline:.2f}x the hand-written loop')
    print(f'  the hand-written loop with the update as a chained task too: {as_tasks * 1e3:.2f} ms/batch; dagflow '
          f'{overhead / as_tasks:.2f}x that')

    scaling = []
    print(f'\nSCALING  ({PREPROCESS_S * 1e3:.0f} ms wait per batch on the workers, {STATE_S * 1e3:.0f} ms state step; '
          f'prefetch 2 x workers; ideal = min(workers / {PREPROCESS_S} s, 1 / ({STATE_S} s + {overhead * 1e3:.2f} ms))')
    for n_workers in sizes:
        local, client = cluster(n_workers)
        try:
            n_batches = (10 if args.quick else 25) * n_workers + 20
            dagflow_scaling(client, n_workers, 2 * n_workers)       # warm up
            measured = statistics.median(dagflow_scaling(client, n_workers, n_batches) for _ in range(rounds))
        finally:
            client.close()
            local.close()
        ideal = ideal_throughput(n_workers, overhead)
        share = measured / ideal
        scaling.append({'workers': n_workers, 'batches': n_batches, 'batches_per_s': measured, 'ideal': ideal,
                        'share_of_ideal': share})
        print(f'{n_workers} worker(s): {measured:6.1f} batches/s of an ideal {ideal:6.1f}: {share:.0%}  '
              f'(target >= 85%) {"PASS" if share >= 0.85 else "FAIL"}', flush=True)

    n_gil = 12 if args.quick else 40
    local, client = cluster(2)
    gil: dict[str, list] = {'plain loop': [], 'threads prefetch=2': [], 'processes prefetch=2': [],
                            'dask 2 procs prefetch=2': []}
    try:
        gil_throughput(client, 4)   # warm up
        for _ in range(rounds):
            for name, scheduler in zip(gil, (None, 'threads', 'processes', client)):
                gil[name].append(gil_throughput(scheduler, n_gil))
    finally:
        client.close()
        local.close()
    gil_rates = {name: statistics.median(values) for name, values in gil.items()}
    print(f'\nGIL  (pure-Python preprocessing, about {GIL_ITERATIONS // 10_000} x 10k iterations per batch, '
          f'+ a variable update; {n_gil} batches; median of {rounds})')
    for name, rate in gil_rates.items():
        print(f'{name:<26}{rate:7.1f} batches/s  {rate / gil_rates["plain loop"]:.2f}x')
    beats = gil_rates['dask 2 procs prefetch=2'] > gil_rates['threads prefetch=2']
    print(f'the cluster faster than threads: {"PASS" if beats else "FAIL"}')

    results = {'machine': machine(), 'quick': args.quick, 'rounds': rounds,
               'overhead': {'dagflow_s_per_batch': ours, 'hand_written_s_per_batch': theirs, 'ratio': ratio,
                            'dagflow_state_on_driver_thread_s_per_batch': driver,
                            'hand_written_update_as_task_s_per_batch': chained,
                            'batches': n_overhead, 'prefetch': prefetch},
               'scaling': scaling, 'gil': {'batches': n_gil, 'batches_per_s': gil}}
    pathlib.Path(args.out).write_text(json.dumps(results, indent=2))
    print(f'\nwrote {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
