"""Running a pipeline: ``run``, ``gen_batch``, ``next_batch``, ``execute_for``, ``reset``.

The pipeline compiles its plan and hands it to the engine with itself as the
holder of the run state; this is the only place the pipeline layer reaches
the engine (a function-level import, see ``docs/architecture.md``).
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..data.iteration import DEFAULT_EPOCHS, iteration_count
from ..exceptions import EmptyBatchSequence, PlanError, RunArgumentError, suggestion_text

__all__ = ['RunArgs', 'RunMixin']

_RESET_WHAT = ('iter', 'variables', 'vars', 'models', 'all')


@dataclass(frozen=True)
class RunArgs:
    """The arguments of one run, as given to ``run``/``gen_batch``."""

    batch_size: int
    shuffle: Any = False
    n_iters: int | None = None
    n_epochs: Any = DEFAULT_EPOCHS
    drop_last: bool = False
    bar: Any = False
    seed: int | None = None
    debug: bool = False
    prefetch: int = 0
    scheduler: Any = None
    profile: bool = False
    extra: dict = field(default_factory=dict)


class RunMixin:
    """The running half of :class:`~dagflow.Pipeline`."""

    def _init_run_state(self):
        self._run_args: RunArgs | None = None
        self._iterator: Iterator | None = None
        self.debug_info = None
        self.profile = None
        self.run_seed: int | None = None
        self._runs_started = 0   # runs (and generators) started: the CLI tells a file that ran while loading

    @property
    def run_args(self) -> dict | None:
        """The arguments of the last ``run``/``run(..., lazy=True)``, as a dict; None before any run.

        Examples
        --------
        >>> import numpy as np
        >>> from dagflow import Dataset
        >>> p = Dataset(6, preloaded=np.ones(6)).p.run(batch_size=4, n_epochs=2, lazy=True)
        >>> p.run_args['batch_size'], p.run_args['n_epochs'], p.run_args['scheduler']
        (4, 2, 'sync')
        """
        if self._run_args is None:
            return None
        return {name: getattr(self._run_args, name) for name in RunArgs.__dataclass_fields__ if name != 'extra'}

    def _run_state_to_pickle(self) -> dict:
        return {'_iterator': None}

    # ------------------------------------------------------------------ public API
    def run(self, batch_size: int | None = None, shuffle=False, n_epochs=DEFAULT_EPOCHS, n_iters=None,
            drop_last: bool = False, bar=False, lazy: bool = False, seed: int | None = None,
            debug: bool = False, prefetch: int = 0, scheduler=None, profile: bool = False, **kwargs):
        """Run the pipeline over its dataset (or, with ``lazy=True``, remember how to).

        Parameters
        ----------
        batch_size : int
            Items per batch.
        shuffle : bool, int, Generator, RandomState or callable
            Order of items; an int is a seed.  ``True`` draws from the run seed.
        n_epochs : int or None
            Passes over the dataset (default 1; ``None`` for an endless stream).
        n_iters : int, optional
            Number of batches instead of ``n_epochs`` (give one of the two).
        drop_last : bool
            Skip the last incomplete batch of every epoch.
        bar : bool or callable
            Show a progress bar of finished batches (``tqdm.auto``: a widget in
            a notebook, text in a terminal), or call ``bar(iterable, total=n)``.
        lazy : bool
            Only store the arguments for ``gen_batch()``/``next_batch()``/``run()``.
        seed : int, optional
            The run seed: ``R(...)`` draws, ``shuffle=True`` and ``p @ prob`` derive
            from it, so two runs with one seed are identical.  A random seed is
            drawn (and kept in ``pipeline.run_seed``) when not given.
        debug : bool
            Record each step's timing in ``pipeline.debug_info`` (a DataFrame
            of batch, section, position, action, start, duration).
        prefetch : int
            How many batches may be processed ahead of the one being finished
            (``prefetch + 1`` in flight).  Steps that touch no shared state run
            in parallel; steps that touch variables or models keep the serial
            order, so the results equal those of ``prefetch=0``.
        scheduler : {'sync', 'threads', 'processes'}, distributed.Client or str, optional
            Where tasks run: ``'sync'`` (the caller's thread, the reference
            semantics), ``'threads'`` (a pool of ``prefetch + 1`` threads),
            ``'processes'`` (steps that touch no state in worker processes),
            a ``distributed.Client`` or a scheduler address
            (``'tcp://host:8786'``): steps that touch no state on the cluster.
            Steps that touch variables or models always run in this process,
            where the state lives.
            Default: ``'sync'`` when ``prefetch=0``, else ``'threads'``.
        profile : bool
            Record every step run in ``pipeline.profile``, a DataFrame with one
            row per step and batch: ``section``, ``position`` (the plan node is
            ``(section, position)``), ``step``, ``batch`` (``None`` in
            before/after), ``worker`` (a thread's name, ``'process <pid>'`` or a
            Dask worker's address), ``start`` and ``end`` in seconds since the
            run started.  ``pipeline.plot_timeline()`` draws it.

        Returns
        -------
        Pipeline
            ``self``, so that ``ds.p.....run(...)`` gives the pipeline.

        Examples
        --------
        >>> import numpy as np
        >>> from dagflow import Dataset, V, B
        >>> p = (Dataset(6, preloaded=np.ones(6)).p
        ...      .init_variable('n', 0).update(V('n'), V('n') + B.size)
        ...      .run(batch_size=4, n_epochs=2))
        >>> p.v('n')
        12
        """
        if batch_size is None and not kwargs and self._run_args is None:
            raise RunArgumentError('run() needs a batch_size (or an earlier run(..., lazy=True)).',
                                   name='batch_size', value=None)
        if batch_size is not None:
            self._run_args = self._make_run_args(batch_size, shuffle, n_epochs, n_iters, drop_last, bar,
                                                 seed, debug, prefetch, scheduler, profile, kwargs)
            self._drop_iterator()
        if lazy:
            return self
        for _ in self._generate(self._run_args):
            pass
        return self

    def run_now(self, *args, **kwargs):
        """Run immediately (``run`` with ``lazy=False``)."""
        return self.run(*args, lazy=False, **kwargs)

    def run_later(self, *args, **kwargs):
        """Store run arguments for ``gen_batch()``/``next_batch()`` (``run`` with ``lazy=True``)."""
        return self.run(*args, lazy=True, **kwargs)

    def gen_batch(self, *args, **kwargs) -> Iterator:
        """Yield processed batches; with no arguments, use those of ``run(..., lazy=True)``.

        Examples
        --------
        >>> import numpy as np
        >>> from dagflow import Dataset
        >>> p = Dataset(5, preloaded=np.arange(5)).p.run(batch_size=2, lazy=True)
        >>> [len(batch) for batch in p.gen_batch()]
        [2, 2, 1]
        """
        if args or kwargs:
            run_args = self._make_run_args(*self._split_run_args(args, kwargs))
        elif self._run_args is None:
            raise RunArgumentError('gen_batch() without arguments needs run(..., lazy=True) first; '
                                   'or pass batch_size and the other run arguments.', name='batch_size')
        else:
            run_args = self._run_args
        return self._generate(run_args)

    def next_batch(self, *args, **kwargs):
        """Return the next processed batch; raise :class:`EmptyBatchSequence` after the last one."""
        if args or kwargs:
            new_args = self._make_run_args(*self._split_run_args(args, kwargs))
            if new_args != self._run_args:
                self._drop_iterator()
                self._run_args = new_args
        if self._iterator is None:
            self._iterator = self.gen_batch()
        try:
            return next(self._iterator)
        except StopIteration:
            self._iterator = None
            raise EmptyBatchSequence('The pipeline has no more batches; '
                                     'call reset("iter") to start over.') from None
        except BaseException:
            self._iterator = None
            raise

    def execute_for(self, batch, seed: int | None = None):
        """Run the main steps on one given batch and return the result."""
        from ..engine import process_batch
        plan = self.compile()
        return process_batch(plan, plan.section_nodes('main'), self, batch, seed=self._pick_seed(seed))

    def reset(self, *what, **kwargs):
        """Reset ``'iter'`` (the lazy run), ``'variables'``/``'vars'``, ``'models'`` or ``'all'``.

        ``'models'``: dynamic models are dropped and re-created by their first
        use in the next run; static models get ``model.reset()``.

        Examples
        --------
        >>> from dagflow import Pipeline
        >>> p = Pipeline().init_variable('n', 0).set_variable('n', 5)
        >>> p.reset('variables').v('n')
        0
        """
        what = set(what or ('iter',))
        unknown = what - set(_RESET_WHAT)
        if unknown:
            raise RunArgumentError(f'reset: unknown target(s) {sorted(unknown)}; use one of {list(_RESET_WHAT)}.',
                                   value=sorted(unknown))
        if what & {'iter', 'all'}:
            self._drop_iterator()
        if what & {'variables', 'vars', 'all'}:
            self.variables.reset()
        if what & {'models', 'all'}:
            self.models.reset()
        return self

    # ------------------------------------------------------------------ internals
    def _drop_iterator(self):
        """Forget the lazy run's iterator, closing it so its worker threads or processes stop now."""
        iterator, self._iterator = self._iterator, None
        if iterator is not None:
            iterator.close()

    def _split_run_args(self, args, kwargs):
        names = ('batch_size', 'shuffle', 'n_epochs', 'n_iters', 'drop_last', 'bar', 'seed', 'debug',
                 'prefetch', 'scheduler', 'profile')
        defaults = dict(batch_size=None, shuffle=False, n_epochs=DEFAULT_EPOCHS, n_iters=None,
                        drop_last=False, bar=False, seed=None, debug=False, prefetch=0, scheduler=None,
                        profile=False)
        if len(args) > len(names):
            raise RunArgumentError(f'Too many positional run arguments: {args!r}.', value=args)
        values = {**defaults, **dict(zip(names, args))}
        extra = {k: v for k, v in kwargs.items() if k not in names}
        values.update({k: v for k, v in kwargs.items() if k in names})
        extra.pop('lazy', None)
        return (*[values[n] for n in names], extra)

    def _make_run_args(self, batch_size, shuffle, n_epochs, n_iters, drop_last, bar, seed, debug, prefetch,
                       scheduler, profile, extra):
        if extra:
            raise RunArgumentError(f'Unknown run arguments: {sorted(extra)}.' + suggestion_text(
                sorted(extra)[0], RunArgs.__dataclass_fields__), value=sorted(extra))
        if self.dataset is not None:
            iteration_count(len(self.dataset), batch_size, n_iters, n_epochs, drop_last)  # validates
        from ..engine import check_scheduler
        prefetch, scheduler = check_scheduler(prefetch, scheduler)
        return RunArgs(batch_size, shuffle, n_iters, n_epochs, drop_last, bar, seed, debug, prefetch, scheduler,
                       bool(profile))

    def _pick_seed(self, seed):
        if seed is None:
            seed = int(np.random.SeedSequence().entropy % (2 ** 63))
        self.run_seed = seed
        return seed

    def _prepare(self, run_args: RunArgs):
        """The plan, seed, batch iterator and batch count of a run."""
        from ..engine import batch_random
        if self.dataset is None:
            raise PlanError('This pipeline has no dataset (it is a template): link one with '
                            '`template << dataset` (or `dataset >> template`) before running it.')
        plan = self.compile()
        seed = self._pick_seed(run_args.seed)
        shuffle = run_args.shuffle
        if shuffle is True:
            shuffle = batch_random(seed, 2)
        total = iteration_count(len(self.dataset), run_args.batch_size, run_args.n_iters, run_args.n_epochs,
                                run_args.drop_last)
        batches = self.dataset.gen_batch(run_args.batch_size, shuffle=shuffle, n_iters=run_args.n_iters,
                                         n_epochs=run_args.n_epochs, drop_last=run_args.drop_last)
        return plan, seed, batches, total

    def _generate(self, run_args: RunArgs) -> Iterator:
        from ..engine import execute
        plan, seed, batches, total = self._prepare(run_args)
        debug = [] if run_args.debug or run_args.profile else None
        self.profile = self.debug_info = None   # never the records of an earlier run
        self._runs_started += 1
        started = time.time()
        self.variables.start_run()
        finished = execute(plan, self, batches, seed=seed, total=total, debug=debug,
                           prefetch=run_args.prefetch, scheduler=run_args.scheduler)
        try:
            yield from _progress(finished, run_args.bar, total)
        except BaseException:
            self.locks.release_all()  # a failed batch must not leave acquire_lock's lock held for the next run
            raise
        finally:
            if debug is not None:
                self._keep_profile(debug, started, run_args)

    def _keep_profile(self, records: list, started: float, run_args: RunArgs):
        """``pipeline.profile`` (and ``debug_info``) from the step records of a run."""
        import pandas as pd
        columns = ['section', 'position', 'step', 'batch', 'worker', 'start', 'end']
        frame = pd.DataFrame(records, columns=columns).sort_values('start', kind='stable', ignore_index=True)
        frame['batch'] = frame['batch'].astype('Int64')   # before/after steps have no batch
        if run_args.debug:
            self.debug_info = pd.DataFrame({'batch': frame['batch'], 'section': frame['section'],
                                            'position': frame['position'], 'action': frame['step'],
                                            'start': frame['start'], 'duration': frame['end'] - frame['start']})
        if run_args.profile:
            frame[['start', 'end']] -= started
            self.profile = frame

    def to_dask(self, batch_size: int, shuffle=False, n_epochs=DEFAULT_EPOCHS, n_iters=None,
                drop_last: bool = False, seed: int | None = None, prefetch: int | None = None):
        """Lower a run to a Dask collection: one task per state step and per run of pure steps, per batch.

        Keys read as the pipeline (``('jitter+shift-<token>', 3)``); edges are
        the batch chain, the state edges of the plan (the previous conflicting
        access) and, with ``prefetch``, window edges.  Nothing runs until the
        collection is computed; ``dask.compute(lowered)[0]`` is the list of
        finished batches, with the variables and models of the pipeline
        updated exactly as by ``run``.

        Examples
        --------
        >>> import dask, numpy as np
        >>> from dagflow import Dataset, V, B
        >>> p = Dataset(6, preloaded=np.ones(6)).p.init_variable('n', 0).update(V('n'), V('n') + B.size)
        >>> lowered = p.to_dask(batch_size=4, n_epochs=1)
        >>> lowered
        <LoweredRun: 2 batches, 6 tasks>
        >>> [len(batch) for batch in dask.compute(lowered)[0]], p.v('n')
        ([4, 2], 6)
        """
        from ..engine import lower_run
        run_args = self._make_run_args(batch_size, shuffle, n_epochs, n_iters, drop_last, False, seed, False,
                                       0, None, False, {})
        if run_args.n_epochs is None and run_args.n_iters is None:
            raise RunArgumentError('to_dask needs a finite run: give n_epochs or n_iters.', name='n_epochs')
        plan, seed, batches, total = self._prepare(run_args)
        if any(step.name == 'rebatch' for step in plan.steps('main')):
            raise PlanError('to_dask cannot lower a pipeline that rebatches: how many batches come out depends '
                            'on the data. Run it with run(..., prefetch=N) instead.')
        return lower_run(plan, self, list(batches), seed=seed, prefetch=prefetch, total=total)


def _progress(iterator, bar, total):
    """``iterator`` with a progress bar of finished batches when ``bar`` asks for one."""
    if not bar:
        return iterator
    if callable(bar):
        return bar(iterator, total=total)
    try:   # in a notebook tqdm.auto draws a widget, which needs ipywidgets; without it, the text bar
        import ipywidgets  # noqa: F401
        from tqdm.auto import tqdm
    except ImportError:
        from tqdm import tqdm
    return tqdm(iterator, total=total, unit='batch')
