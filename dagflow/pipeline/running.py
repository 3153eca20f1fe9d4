"""Running a pipeline: ``run``, ``gen_batch``, ``next_batch``, ``execute_for``, ``reset``, ``p.after.run()``.

The pipeline compiles its plan and hands it to the engine with the run's
:class:`~dagflow.runtime.RunState` (``pipeline.state`` with the run's
dataset: its own stores, and itself as what steps see as their pipeline);
this is the only place the pipeline layer reaches the engine, with imports
inside the methods so that ``import dagflow`` does not import Dask.

Run arguments follow BatchFlow: ``run(batch_size, shuffle, n_iters, n_epochs,
drop_last, notifier, ...)``; ``run(..., lazy=True)`` stores them, and a later
``run``/``gen_batch``/``next_batch`` merges its own arguments over the stored
ones (:mod:`dagflow.pipeline.run_args`).  What the run reads besides its
arguments lives here too: ``set_config`` and a dataset given as a named
expression (``pipeline << C('dataset')``), evaluated when each run starts.
"""
from __future__ import annotations

import time
import warnings
import weakref
from collections.abc import Iterator

import numpy as np

from ..exceptions import EmptyBatchSequence, PlanError, RunArgumentError
from ..plan.effects import splits_stream
from .dataset_expression import DatasetExpression
from .notifier import progress
from .resizable import ResizableBatches
from .run_args import (
    DEFAULTS,
    NOT_GIVEN,
    RunArgs,
    build_run_args,
    given_run_args,
    merge_run_args,
    reset_targets,
    run_signature,
    shown,
)

__all__ = ['RunArgs', 'RunMixin', 'DatasetExpression']


class RunMixin:
    """The running half of :class:`~dagflow.Pipeline`."""

    def _init_run_state(self):
        self._lazy: dict | None = None          # the arguments given to run(..., lazy=True)
        self._iterator: Iterator | None = None  # next_batch's iteration
        self._iter_key = None                   # the run arguments next_batch's iteration was started with
        self._batches = None                    # next_batch's batches (ResizableBatches)
        self._exhausted = False                 # next_batch's iteration ended: EmptyBatchSequence until reset
        self._live: weakref.WeakSet | None = None   # the runs (generators) started and not collected yet
        self.debug_info = None
        self.profile = None
        self.run_seed: int | None = None
        self._runs_started = 0   # runs (and generators) started: the CLI tells a file that ran while loading

    @property
    def run_args(self) -> dict | None:
        """The arguments stored by ``run(..., lazy=True)``, defaults filled in; None before any.

        They are what ``run()``, ``gen_batch()`` and ``next_batch()`` use, the
        arguments given to those merged over them.

        Examples
        --------
        >>> import numpy as np
        >>> from dagflow import Dataset
        >>> p = Dataset(6, preloaded=np.ones(6)).p.run(batch_size=4, n_epochs=2, lazy=True)
        >>> p.run_args['batch_size'], p.run_args['n_epochs'], p.run_args['scheduler']
        (4, 2, 'sync')
        """
        return None if self._lazy is None else shown(self._lazy)

    def _inherit_run_state(self, parent) -> None:
        """What a pipeline made from ``parent`` (``<<``, ``+``, ``*``) keeps of it: the lazy run's arguments."""
        self._lazy = None if parent._lazy is None else dict(parent._lazy)

    def _run_state_to_pickle(self) -> dict:
        return {'_iterator': None, '_iter_key': None, '_exhausted': False, '_live': None, '_batches': None}

    # ------------------------------------------------------------------ public API
    def run(self, *args, lazy: bool = False, **kwargs):
        """Run the pipeline over its dataset (or, with ``lazy=True``, remember how to).

        Arguments not given take the values stored by an earlier
        ``run(..., lazy=True)``, then the defaults below.  Any argument may be a
        named expression (``C('batch_size')``), evaluated when the run starts.

        Parameters
        ----------
        batch_size : int
            Items per batch.
        shuffle : bool, int, Generator, RandomState or callable
            Order of items (default ``False``); an int is a seed.  ``True`` draws from the run seed.
        n_iters : int, optional
            Number of batches.
        n_epochs : int or None
            Passes over the dataset.  Default: 1 when ``n_iters`` is not given,
            else no limit.  ``n_epochs=None`` without ``n_iters`` is an endless
            run: ``run`` then warns (it ends only when a step raises or the
            user interrupts it); iterate with ``gen_batch``/``next_batch`` and
            ``break`` instead, then call ``pipeline.after.run()``.
        drop_last : bool
            Skip the last incomplete batch of every epoch.
        notifier, bar : bool, str, dict or callable
            A progress bar of finished batches: ``True`` (``tqdm.auto``: a
            widget in a notebook, text in a terminal), ``'t'`` (text), ``'n'``
            (notebook), a callable ``bar(iterable, total=n)``, or a dict of
            BatchFlow's notifier options (``bar``, ``desc``, ``disable``,
            ``total``, ``frequency``, ``monitors``: variables shown after the
            bar, and keywords of the bar).  ``bar`` is the guide's spelling,
            ``notifier`` the code's; give one.
        lazy : bool
            Only store the arguments for ``run()``/``gen_batch()``/``next_batch()``.
        reset : str, list of str or bool
            What to reset before the run: ``'variables'`` (``'vars'``),
            ``'models'``, ``'iter'`` or ``'all'`` (see :meth:`reset`).  Every run
            starts a new pass over the dataset, whatever ``reset`` says.
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
        scheduler : {'sync', 'threads', 'processes', 'local-cluster'}, distributed.Client, str or Lane, optional
            Where tasks run: ``'sync'`` (the caller's thread, the reference
            semantics), ``'threads'`` (a pool of ``prefetch + 1`` threads),
            ``'processes'`` (steps that touch no state in worker processes),
            ``'local-cluster'`` (a Dask ``LocalCluster`` started for the run,
            one worker process per core, its dashboard on 127.0.0.1 only;
            :class:`~dagflow.engine.lanes.LocalClusterLane` to keep it),
            a ``distributed.Client`` or a scheduler address
            (``'tcp://host:8786'``): steps that touch no state on the cluster;
            or a :class:`~dagflow.engine.lanes.Lane` of your own.
            Steps that touch variables or models always run in this process,
            where the state lives.  Default: ``'sync'`` when ``prefetch=0``,
            else ``'threads'``.  BatchFlow's ``target='threads'``/``'mpc'`` is
            accepted for ``'threads'``/``'processes'``.
        profile : bool
            Record every step run in ``pipeline.profile``, a DataFrame with one
            row per step and batch: ``section``, ``position`` (the plan node is
            ``(section, position)``), ``step``, ``batch`` (``None`` in
            before/after), ``worker`` (a thread's name, ``'process <pid>'`` or a
            Dask worker's address), ``start`` and ``end`` in seconds since the
            run started.  ``pipeline.plot_timeline()`` draws it.
        state_worker : str or int, optional
            With a cluster as ``scheduler`` (a ``distributed.Client``, a
            scheduler address or ``'local-cluster'``): the address (or name) of
            the worker that holds the variables and models during the run, e.g.
            the one with the GPU.  They go there when the run starts, every
            step that touches them runs there, and they come back when the run
            ends (stopped, failed or interrupted too), so ``v()``/``m()`` show
            the serial run's values afterwards -- but not during the run: this
            process keeps the values of its start until then.  The state must
            pickle.  If that worker leaves the cluster, the run fails at once
            with :class:`~dagflow.exceptions.StateWorkerLost` and the state
            stays as it was before the run.

        Returns
        -------
        Pipeline
            ``self``, so that ``ds.p.....run(...)`` gives the pipeline.

        Raises
        ------
        RunArgumentError
            For an unknown argument name (with the close valid names), a bad
            value, or no batch size.

        Examples
        --------
        >>> import numpy as np
        >>> from dagflow import Dataset, V, B
        >>> p = (Dataset(6, preloaded=np.ones(6)).p
        ...      .init_variable('n', 0).update(V('n'), V('n') + B.size)
        ...      .run(batch_size=4, n_epochs=2, lazy=True))
        >>> p.run().v('n')
        12
        >>> p.run(n_epochs=1, reset='variables').v('n')
        6
        """
        given = given_run_args(args, kwargs, 'run')
        if lazy:
            build_run_args(given, self, 'run', complete=False)   # fail now on what can be checked now
            self._lazy = given
            self._drop_iterator()
            return self
        run_args, dataset = self._start(given, 'run')
        if run_args.n_iters is None and run_args.n_epochs is None:
            warnings.warn('run() will never stop: n_epochs=None and no n_iters make an endless run, which ends '
                          'only when a step raises (or on KeyboardInterrupt). Give n_iters or n_epochs, or iterate '
                          'with gen_batch()/next_batch() and break.', RuntimeWarning, stacklevel=2)
        for _ in self._generate(run_args, dataset, paced=False):   # the state is looked at only at the end
            pass
        return self

    def run_now(self, *args, **kwargs):
        """Run immediately (``run`` with ``lazy=False``)."""
        return self.run(*args, **kwargs, lazy=False)

    def run_later(self, *args, **kwargs):
        """Store run arguments for ``run()``/``gen_batch()``/``next_batch()`` (``run`` with ``lazy=True``)."""
        return self.run(*args, **kwargs, lazy=True)

    def gen_batch(self, *args, **kwargs) -> Iterator:
        """Yield processed batches; the arguments are those of :meth:`run`, merged over ``run(..., lazy=True)``'s.

        Breaking out of the loop ends the run without the ``after`` section:
        call ``pipeline.after.run()`` for it.  A pipeline has one run at a
        time: a new ``run``/``gen_batch``/``next_batch`` iteration,
        ``pipeline.after.run()`` and ``reset('iter')`` end a generator still
        being iterated (it then stops, as if exhausted, after its running
        steps are done).

        Examples
        --------
        >>> import numpy as np
        >>> from dagflow import Dataset
        >>> p = Dataset(5, preloaded=np.arange(5)).p.run(batch_size=2, lazy=True)
        >>> [len(batch) for batch in p.gen_batch()], [len(batch) for batch in p.gen_batch(n_iters=1)]
        ([2, 2, 1], [2])
        """
        run_args, dataset = self._start(given_run_args(args, kwargs, 'gen_batch'), 'gen_batch')
        return self._generate(run_args, dataset)

    def next_batch(self, *args, **kwargs):
        """Return the next processed batch; raise :class:`EmptyBatchSequence` after the last one.

        The first call starts an iteration with its arguments merged over
        those of ``run(..., lazy=True)``; later calls continue it, with no
        arguments or the same ones.  As in ``Dataset.next_batch``, the batch
        size may change from call to call (the batches of a prefetching run
        cut ahead are cut again, so they are those of ``prefetch=0``); any
        other argument that differs is an error until ``reset('iter')``
        starts a new iteration.  ``next_batch(batch_size, ...)`` is endless
        unless ``n_iters`` or ``n_epochs`` is given, as in BatchFlow;
        ``next_batch()`` after ``run(..., lazy=True)`` takes the lazy run's
        length, one epoch unless it says otherwise.  ``reset=...`` resets
        at once, as :meth:`reset` does; after the last batch, every call
        raises until ``reset('iter')``.

        Raises
        ------
        EmptyBatchSequence
            After the last batch (a ``StopIteration``).
        RunArgumentError
            For arguments other than ``batch_size`` that differ from the
            iteration's, or no batch size at all.

        Examples
        --------
        >>> import numpy as np
        >>> from dagflow import Dataset
        >>> p = Dataset(5, preloaded=np.arange(5)).p
        >>> [len(p.next_batch(2)) for _ in range(4)]
        [2, 2, 2, 2]
        >>> p.next_batch(3).indices.tolist()                 # another size, the same iteration
        [3, 4, 0]
        >>> p.next_batch(2, n_epochs=1)
        Traceback (most recent call last):
        ...
        dagflow.exceptions.RunArgumentError: next_batch(): n_epochs=1 (was None) differ from the arguments of the ...
        >>> p.reset('iter')   # doctest: +ELLIPSIS
        <Pipeline ...>
        >>> [len(p.next_batch(2, n_epochs=1)) for _ in range(3)]
        [2, 2, 1]
        """
        given = given_run_args(args, kwargs, 'next_batch')
        if 'reset' in given:
            self.reset(given.pop('reset'))
        if given or self._iter_key is None:
            merged = merge_run_args(self._lazy, given)
            merged.pop('reset', None)
            if given and 'n_iters' not in merged and 'n_epochs' not in merged:
                merged['n_epochs'] = None   # BatchFlow: next_batch(...) is endless unless told otherwise
            if merged.get('batch_size', NOT_GIVEN) is NOT_GIVEN and self._lazy is None:
                raise RunArgumentError('next_batch() without arguments needs run(..., lazy=True) first; or pass '
                                       'batch_size and the other run arguments.', name='batch_size')
            if self._iter_key is None or (self._iterator is None and not self._exhausted):
                run_args, dataset = self._begin(merged, 'next_batch')
                self._end_runs()
                self._iterator = self._generate(run_args, dataset, resizable=True)
                self._iter_key = merged
            else:
                self._continue_with(given)
        if self._iterator is None:
            raise EmptyBatchSequence('The pipeline has no more batches; call reset("iter") to start over.')
        try:
            return next(self._iterator)
        except StopIteration:
            self._iterator, self._exhausted = None, True
            raise EmptyBatchSequence('The pipeline has no more batches; call reset("iter") to start over.') from None
        except BaseException:
            self._iterator = None
            raise

    def _continue_with(self, given: dict) -> None:
        """``next_batch(**given)`` continues the iteration under way: only its batch size may change."""
        iteration = {**DEFAULTS, **self._iter_key}
        changed = sorted(name for name, value in given.items()
                         if name != 'batch_size' and _key(value) != _key(iteration.get(name, NOT_GIVEN)))
        if changed:
            shown = ', '.join(f'{name}={given[name]!r} (was {iteration.get(name, NOT_GIVEN)!r})' for name in changed)
            raise RunArgumentError(f'next_batch(): {shown} differ from the arguments of the iteration under way; '
                                   f"only batch_size may change between calls. Call reset('iter') first to start "
                                   f'a new iteration with them.', name=changed[0], value=given[changed[0]])
        if self._iterator is not None and 'batch_size' in given:
            merged = {**self._iter_key, 'batch_size': given['batch_size']}
            batches = self._batches
            batches.resize(build_run_args(merged, self, 'next_batch', dataset=batches.dataset).batch_size)

    def _next_batch_for(self, step: str):
        """``next_batch()`` for a ``join``/``merge`` step of another pipeline whose source this pipeline is."""
        if self._lazy is None and self._iter_key is None:
            raise RunArgumentError(
                f'{step}: its source pipeline {self!r} has no run arguments, so it cannot give a batch for each '
                f'batch of the pipeline it is joined to. Give them before the run: '
                f'source = source.run(batch_size=..., n_epochs=None, lazy=True) (or {step} a Dataset, which gives '
                f'the same items as the batch).', name='batch_size')
        return self.next_batch()

    def execute_for(self, batch, seed: int | None = None):
        """Run the main steps on one given batch and return the result."""
        from ..engine import process_batch
        dataset = self._resolve_dataset()
        plan = self.compile()
        return process_batch(plan, plan.section_nodes('main'), self.state.for_run(dataset), batch,
                             seed=self._pick_seed(seed))

    def reset(self, *what, **kwargs):
        """Reset ``'iter'`` (the ``next_batch`` iteration), ``'variables'``/``'vars'``, ``'models'`` or ``'all'``.

        Targets may be given as several arguments or one list; ``True`` means
        ``'iter'``, ``None``/``False`` nothing; no argument means ``'iter'``.
        ``'variables'``: every variable goes back to its declared default (and
        ``init_on_each_run``); ``'models'``: dynamic models are dropped and
        re-created by their first use in the next run, static models get
        ``model.reset()``.

        Examples
        --------
        >>> from dagflow import Pipeline
        >>> p = Pipeline().init_variable('n', 0).set_variable('n', 5)
        >>> p.reset(['iter', 'variables']).v('n')
        0
        """
        if kwargs:
            raise RunArgumentError(f'reset() takes only what to reset, got {sorted(kwargs)}: the seed and the '
                                   f'profile are arguments of the run, run(..., seed=..., profile=True).',
                                   value=sorted(kwargs))
        targets = reset_targets(what[0] if len(what) == 1 else list(what)) if what else {'iter'}
        if targets & {'iter', 'all'}:
            self._end_runs()
        self._reset_state(targets)
        return self

    def _reset_state(self, targets) -> None:
        """Reset the variables and models that ``targets`` name (the iteration is the caller's)."""
        if targets & {'variables', 'vars', 'all'}:
            self.variables.reset()
        if targets & {'models', 'all'}:
            self.models.reset()

    # ------------------------------------------------------------------ what a run reads: config and dataset
    def set_config(self, config, clear: bool = False):
        """Merge ``config`` into the pipeline's config (after emptying it with ``clear=True``); return the pipeline.

        The config changes in place, as in BatchFlow (``pipeline << config``
        gives a new pipeline instead).

        Examples
        --------
        >>> from dagflow import Pipeline
        >>> p = Pipeline(config={'model': {'lr': 0.1}, 'epochs': 1})
        >>> p.set_config({'model/depth': 3}).config
        Config({'model': {'lr': 0.1, 'depth': 3}, 'epochs': 1})
        >>> p.set_config({'epochs': 2}, clear=True).config
        Config({'epochs': 2})
        """
        if clear:
            for key in list(self.config):
                del self.config[key]
        self.config.update(config)
        return self

    def update_config(self, config):
        """Merge ``config`` into the pipeline's config (:meth:`set_config` without ``clear``)."""
        return self.set_config(config)

    def _resolve_dataset(self):
        """The dataset of a run starting now; one given as a named expression is evaluated now.

        The run passes the dataset returned down to the engine and never reads ``self.dataset``
        again.
        """
        dataset = self.dataset
        if not isinstance(dataset, DatasetExpression):
            return dataset
        return dataset.resolve(self)   # another batch class makes compile() compile again

    def _last_dataset(self):
        """The dataset of the last run (``p.after.run()`` runs with it); resolved now if there was none."""
        dataset = self.dataset
        if isinstance(dataset, DatasetExpression) and dataset.current is not None:
            return dataset.current
        return self._resolve_dataset()

    # ------------------------------------------------------------------ p.after.run()
    def _run_section_alone(self, section: str, args: tuple, kwargs: dict):
        """``pipeline.after.run()`` (no arguments): that section once, alone; return None.

        With run arguments, ``pipeline.after.save_model(...).run(batch_size=...)``
        ends a chain: the whole pipeline runs and is returned.
        """
        from ..engine import run_section
        if args or kwargs:
            return self.run(*args, **kwargs)
        self._end_runs()   # the loop is over: a generator still open must not run steps during or after it
        dataset = self._last_dataset()
        plan = self.compile()
        seed = self.run_seed if self.run_seed is not None else self._pick_seed(None)
        try:
            run_section(plan, section, self.state.for_run(dataset), seed)
        except BaseException:
            self.locks.release_all()
            raise
        return None

    # ------------------------------------------------------------------ internals
    def _start(self, given: dict, where: str) -> tuple[RunArgs, object]:
        """A run starting now: its arguments (given merged over the lazy ones, with what to reset), its dataset."""
        merged = merge_run_args(self._lazy, given)
        if merged.get('batch_size', NOT_GIVEN) is NOT_GIVEN:
            raise RunArgumentError(f'{where}() needs a batch_size (or an earlier run(..., lazy=True) that gives '
                                   f'one).', name='batch_size', value=None)
        run_args, dataset = self._begin(merged, where)
        self._end_runs()
        return run_args, dataset

    def _begin(self, merged: dict, where: str) -> tuple[RunArgs, object]:
        """The dataset of a run starting now (resolved once, here) and its arguments evaluated against it."""
        dataset = self._resolve_dataset()
        return build_run_args(merged, self, where, dataset=dataset), dataset

    def _drop_iterator(self):
        """Forget next_batch's iteration, closing it so its worker threads or processes stop now."""
        iterator, self._iterator = self._iterator, None
        self._iter_key, self._exhausted, self._batches = None, False, None
        if iterator is not None:
            iterator.close()

    def _end_runs(self):
        """End every run of this pipeline still open (next_batch's iteration, gen_batch generators).

        Closing a run waits for its running steps, so nothing of it runs
        after this returns.  A run that is executing right now (this is called
        from one of its own steps) is left alone.
        """
        self._drop_iterator()
        for run in list(self._live or ()):
            if not run.gi_running:
                run.close()

    def _pick_seed(self, seed):
        if seed is None:
            seed = int(np.random.SeedSequence().entropy % (2 ** 63))
        self.run_seed = seed
        return seed

    def _prepare(self, run_args: RunArgs, dataset, resizable: bool = False):
        """The plan, seed, batch iterator and batch count of a run over ``dataset``.

        With ``resizable``, the batches are :class:`ResizableBatches` (``self._batches``), whose size
        ``next_batch`` may change.
        """
        from ..data.iteration import iteration_count
        from ..engine import batch_random
        if dataset is None:
            raise PlanError('This pipeline has no dataset (it is a template): link one with '
                            '`template << dataset` (or `dataset >> template`) before running it.')
        plan = self.compile()
        seed = self._pick_seed(run_args.seed)
        shuffle = run_args.shuffle
        if shuffle is True:
            shuffle = batch_random(seed, 2)
        total = iteration_count(len(dataset), run_args.batch_size, run_args.n_iters, run_args.n_epochs,
                                run_args.drop_last)
        if resizable:
            fixed = None
            if run_args.prefetch and any(map(splits_stream, plan.steps('main'))):
                fixed = ('the batch size of a prefetching run that rebatches cannot change, since batches cut '
                         "ahead may already be in a rebatch: call reset('iter') first, or run with prefetch=0.")
            batches = self._batches = ResizableBatches(
                dataset, run_args.batch_size, shuffle, run_args.n_iters, run_args.n_epochs, run_args.drop_last,
                keep=run_args.prefetch + 1, fixed=fixed)
        else:
            batches = dataset.gen_batch(run_args.batch_size, shuffle=shuffle, n_iters=run_args.n_iters,
                                        n_epochs=run_args.n_epochs, drop_last=run_args.drop_last)
        return plan, seed, batches, total

    def _generate(self, run_args: RunArgs, dataset, resizable: bool = False, paced: bool = True) -> Iterator:
        """A run over ``dataset``, known to the pipeline as live (:meth:`_end_runs` closes it)."""
        run = self._run(run_args, dataset, resizable, paced)
        if self._live is None:
            self._live = weakref.WeakSet()
        self._live.add(run)
        return run

    def _run(self, run_args: RunArgs, dataset, resizable: bool = False, paced: bool = True) -> Iterator:
        from .. import engine
        if run_args.reset:
            self._reset_state(run_args.reset)
        plan, seed, batches, total = self._prepare(run_args, dataset, resizable)
        debug = [] if run_args.debug or run_args.profile else None
        self.profile = self.debug_info = None   # never the records of an earlier run
        self._runs_started += 1
        started = time.time()
        self.variables.start_run()
        finished = engine.run(plan, self.state.for_run(dataset), batches, run_args.scheduler, seed=seed,
                              prefetch=run_args.prefetch, total=total, debug=debug, paced=paced,
                              state_worker=run_args.state_worker)
        try:
            yield from progress(finished, run_args.notifier, total, self)
        except BaseException:
            finished.close()          # its running steps end first
            self.locks.release_all()  # a failed batch must not leave acquire_lock's lock held for the next run
            raise
        finally:
            finished.close()          # now, even when a progress bar between does not pass the close on
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

    def to_dask(self, batch_size: int, shuffle=False, n_epochs=NOT_GIVEN, n_iters=None,
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
        given = given_run_args((), {'batch_size': batch_size, 'shuffle': shuffle, 'n_epochs': n_epochs,
                                    'n_iters': n_iters, 'drop_last': drop_last, 'seed': seed}, 'to_dask')
        run_args, dataset = self._begin(given, 'to_dask')
        if run_args.n_epochs is None and run_args.n_iters is None:
            raise RunArgumentError('to_dask needs a finite run: give n_epochs or n_iters.', name='n_epochs')
        plan, seed, batches, total = self._prepare(run_args, dataset)
        if any(map(splits_stream, plan.steps('main'))):
            raise PlanError('to_dask cannot lower a pipeline that rebatches: how many batches come out depends '
                            'on the data. Run it with run(..., prefetch=N) instead.')
        return lower_run(plan, self.state.for_run(dataset), list(batches), seed=seed, prefetch=prefetch, total=total)


RunMixin.run.__signature__ = run_signature()   # the run arguments of RunArgs, by position in BatchFlow's order


def _key(given: dict):
    """A comparable key of run arguments (named expressions compare by structure, never with ``==``)."""
    from ..expr import structural_key
    return structural_key(given)

