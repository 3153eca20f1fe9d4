"""The streaming loop: runs the lowered tasks of many batches at once, in plan order, on a lane.

The driver loop (:func:`stream_segment`, one per segment of the main steps, chained by the run
skeleton :func:`~dagflow.engine.execute.stream_plan`) admits batches from the source while fewer than
``prefetch + 1`` are in flight (the window), starts every task whose
dependencies are done (:mod:`dagflow.engine.lower`: the batch chain and the
carried state edges), and yields finished batches in order as soon as they
and all earlier ones are done.  Each batch has at most one task running; a
task that finds no free worker waits in the lane's queue (tasks never wait
on each other inside a worker, so this cannot deadlock).

An exception in a task of batch ``k`` fails the run exactly where the serial
loop would: no task of a later batch starts (those running are cancelled or
their results dropped), the earlier batches still finish and are yielded, and
then the original exception (annotated with its step and batch by
:func:`~dagflow.engine.serial.run_steps`) is raised.  So the batches that came
out, and every state step the serial loop would have run before the failure,
are exactly those of the serial run.  No step of a later batch that writes
state can have run: the first such step of batch ``k + 1`` waits for the
whole of batch ``k`` (:func:`~dagflow.engine.lower.fuse_groups`).
:class:`~dagflow.exceptions.StopPipeline` ends the run the same way, except
that the stream then simply ends (and ``after`` runs) instead of raising.
The consumer paces the state steps, as the serial loop's caller does: the
state steps of a batch (those that write state and those that read it) run
only once the consumer has asked for that batch, i.e. when the generator is
resumed after yielding the batch before it; pure steps still run ahead, up
to ``prefetch``.  A consumer that stops after batch ``k`` (``break``, then
``close``) or changes the state between two batches (``next_batch(reset=...)``)
thus sees exactly the serial run's state; ``run`` asks for the next batch at
once, so it loses nothing.
With ``rebatch``, each segment of the main steps streams on its own, and the
serial loop interleaves them: a segment asks the one before it for a batch
only after it has finished its own.  When a segment before a ``rebatch`` has
state steps, the parallel run keeps that interleaving for them: their state
steps run only for the batch that the ``rebatch`` asked for, and a segment
lets the ``rebatch`` before it ask for more (:class:`Gate`) only when it has
finished every batch it took (and, if it feeds another ``rebatch``, passed
them all on); pure steps still run ahead on every side.
A source of batches that can cut them again (``resized`` and ``rewind(number)``,
as ``Pipeline.next_batch``'s when the batch size changes between calls) gets
the batches cut ahead back when the consumer asks for the next batch, and
cuts them again: only pure work is lost, since their state steps have not
run (one segment only: with a ``rebatch`` the pipeline refuses the change).
``KeyboardInterrupt`` stops the run without letting earlier batches finish:
queued tasks are cancelled, and the tasks already running are waited for
(a thread cannot be killed), so it returns as soon as the running steps end.
"""
from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Iterator

from ..exceptions import StopPipeline
from .lanes import Lane
from .lower import SKIPPED, fuse_groups, make_payload, new_token, previous_waits, task_key

__all__ = ['Gate', 'HOLD', 'Numbered', 'numbered', 'stream_segment']


class Numbered:
    """``enumerate(batches)`` for a source that can cut its batches again: :meth:`rewind` goes back too."""

    def __init__(self, batches):
        self.batches, self.number = batches, 0

    def __iter__(self):
        return self

    def __next__(self) -> tuple:
        batch = next(self.batches)
        self.number += 1
        return self.number - 1, batch

    @property
    def resized(self) -> bool:
        """Whether the source wants the batches not yet taken by the consumer back."""
        return self.batches.resized

    def rewind(self, number: int | None) -> None:
        """The batches from ``number`` on are given back (None: none was cut ahead): cut them again."""
        self.number = self.number if number is None else number
        self.batches.rewind(self.number)


class _Hold:
    def __repr__(self):
        return 'HOLD'


HOLD = _Hold()
"""What a held stream gives instead of a batch: take no batch now, come back later."""


class Gate:
    """Between a ``rebatch`` and the segment after it: whether the rebatch may ask the segment before it.

    The segment after the rebatch sets :attr:`busy` (it has a batch not
    finished yet); :meth:`hold` wraps the stream feeding the rebatch so that
    it gives :data:`HOLD` instead of asking for a batch while :attr:`busy`.
    """

    def __init__(self):
        self.busy = lambda: False

    def hold(self, stream) -> Iterator:
        """``stream``, giving :data:`HOLD` before each batch while the gate is busy."""
        stream = iter(stream)
        while True:
            while self.busy():
                yield HOLD
            try:
                item = next(stream)
            except StopIteration:
                return
            yield item


def numbered(items) -> Iterator:
    """``enumerate(items)``, passing :data:`HOLD` on without a number."""
    number = 0
    for item in items:
        if item is HOLD:
            yield item
            continue
        yield number, item
        number += 1


def stream_segment(plan, nodes, stream, lanes: Lane, *, seed: int, segment: int, prefetch: int,
                   total: int | None, debug: list | None, head_only: bool = False,
                   gate: Gate | None = None, feeds_rebatch: bool = False,
                   recut: Numbered | None = None) -> Iterator:
    """Process ``(number, batch)`` pairs of ``stream`` through ``nodes``; yield ``(number, batch)`` in order.

    A batch whose step raised :class:`~dagflow.exceptions.StopPipeline` ends the stream after the
    batches before it; any other exception is raised there.  With ``head_only``, state steps run
    only for the first batch not yet yielded: the one the consumer of this generator (the user's
    loop, or a ``rebatch`` after it) has asked for.  With ``gate``, the segment tells the rebatch
    before it whether it has a batch not finished yet (``feeds_rebatch``: not passed on yet).
    ``stream`` may give :data:`HOLD`: no batch now.  ``recut`` is ``stream`` when its source can cut
    its batches again: when it asks, the batches admitted and not yielded are dropped and cut again.
    """
    groups, token = fuse_groups(plan, nodes), new_token()
    if not groups:
        yield from stream
        return
    last = len(groups)
    # how many groups of the batch before each group waits for (the lowering's rule, as the Dask graph's edges)
    needs = [max(previous_waits(groups, group), default=-1) + 1 for group in groups]
    ahead = lanes.chains and not head_only   # submit a batch's tasks at once: the lane starts each when it may
    payloads: dict[int, object] = {}   # batch number -> payload, while in flight (ahead: its last task's future)
    progress: dict[int, int] = {}      # batch number -> groups done
    submitted: dict[int, list] = {}    # ahead: batch number -> the futures of its tasks submitted so far
    running: dict[cf.Future, int] = {}
    order: list[int] = []              # batch numbers in admission order, not yet yielded
    failed: dict[int, Exception] = {}  # batch number -> the exception of its failed task (or StopPipeline)
    upstream: list[Exception] = []     # an error of the stream feeding this segment
    exhausted = False

    def ready(k: int) -> bool:
        if ahead:
            return len(submitted[k]) < last and not (failed and k >= min(failed))
        if k in running.values() or progress[k] == last or (failed and k >= min(failed)):
            return False
        previous = order[order.index(k) - 1] if order.index(k) else None
        done_before = progress.get(previous, last) if previous is not None else last
        if done_before < needs[progress[k]]:   # carried state edges; a first write waits for the whole batch
            return False
        return not head_only or groups[progress[k]].pure or k == order[0]

    if gate is not None and feeds_rebatch:   # what it passes on is another segment's work: yield it all first
        gate.busy = lambda: bool(failed or order)
    elif gate is not None:
        gate.busy = lambda: bool(failed) or any(progress[k] < last for k in order)
    try:
        while True:
            while not exhausted and not failed and len(order) <= prefetch:
                try:
                    item = next(stream)
                    if item is HOLD:
                        break
                    k, batch = item
                except StopIteration:
                    exhausted = True
                    break
                except Exception as exc:   # an earlier segment failed: finish the batches before it first
                    upstream.append(exc)
                    exhausted = True
                    break
                payloads[k], progress[k], submitted[k] = make_payload(batch, k, seed, total, segment), 0, []
                order.append(k)
            for position, k in enumerate(order):
                before = submitted[order[position - 1]] if position else []   # the batch before's tasks
                while ahead and ready(k):   # every task of the batch, each after what it waits for
                    g = len(submitted[k])
                    group, after = groups[g], before[needs[g] - 1:needs[g]] if needs[g] else []
                    future = lanes.submit(group, payloads[k], debug=debug, key=task_key(group, token, k),
                                          after=after)
                    submitted[k].append(future)
                    payloads[k] = future
                    running[future] = k
                if not ahead and ready(k):
                    group = groups[progress[k]]
                    future = lanes.submit(group, payloads[k], debug=debug, key=task_key(group, token, k))
                    running[future] = k
            passed_on = False
            while order and (order[0] in failed or progress[order[0]] == last):
                k = order.pop(0)
                if k in failed:
                    if isinstance(failed[k], StopPipeline):
                        return                  # stopped: the stream ends after the batches before k
                    raise failed[k]
                progress.pop(k)
                submitted.pop(k, None)
                payload = lanes.fetch(payloads.pop(k))
                if payload is not SKIPPED:
                    yield k, payload.batch
                    passed_on = True
                    if recut is not None and recut.resized:   # asked for a batch of another size
                        _settle(running)
                        recut.rewind(order[0] if order else None)
                        for table in (payloads, progress, submitted, failed):
                            table.clear()
                        order.clear()
                        upstream.clear()
                        exhausted = False
                        break
            if passed_on:
                continue    # asked for the next batch: admit and start what is ready now, before waiting
            if not running:
                if exhausted and not order:
                    if upstream:
                        raise upstream[0]
                    return
                continue
            done, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
            for future in done:
                k = running.pop(future)
                if failed and (k > min(failed) or k in failed):
                    continue                    # a later batch than a failed one, or a later task of it: dropped
                try:
                    result = future.result()
                    if not ahead or future is submitted[k][-1] and len(submitted[k]) == last:
                        payloads[k] = result
                except Exception as exc:
                    # ahead, the batch's later tasks fail with the error of the first: it names the step
                    failed[k] = _first_error(submitted[k]) or exc if ahead else exc
                    for other, j in reversed(running.items()):   # the newest first (a cluster needs it)
                        if j > k:
                            other.cancel()
                    continue
                progress[k] += 1
    finally:
        _settle(running)
        # an error's traceback keeps this frame: hold no task (a Dask future keeps its task on the cluster)
        payloads.clear()
        submitted.clear()
        future = done = result = None   # noqa: F841


def _first_error(futures: list) -> Exception | None:
    """The error of the first of ``futures`` that failed (those settled before it are done: Dask's order)."""
    error = None
    for future in futures:
        if not future.done():
            break
        try:
            future.result()
        except Exception as exc:
            error = exc
            break
    futures = future = None   # noqa: F841 - the error's traceback keeps this frame: hold no task
    return error


def _settle(running: dict) -> None:
    """Cancel the tasks not started (the newest first), wait for the others; forget them all."""
    for future in reversed(running):
        future.cancel()
    cf.wait(list(running))
    running.clear()
