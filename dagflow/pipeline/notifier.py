"""The progress display of a run: BatchFlow's ``notifier=`` (and ``bar=``) as far as a progress bar goes.

A notifier is ``False``/``None`` (none), ``True`` or a bar name, a callable
``bar(iterable, total=n, **kwargs)`` such as ``tqdm``, or a dict of
BatchFlow's ``Notifier`` options: ``bar``, ``desc``, ``disable``, ``total``,
``frequency``, ``monitors`` (pipeline variables shown after the bar, e.g.
``loss=0.1234``) and any other keyword of the bar itself (``ncols``,
``leave``, ...).  What BatchFlow's notifier does beyond the bar (graphs,
log files, Telegram, resource monitors) is refused with the alternative.

Examples
--------
>>> spec = parse_notifier({'bar': 't', 'desc': 'train', 'monitors': 'loss'})
>>> spec.bar, spec.desc, [monitor.name for monitor in spec.monitors]
('text', 'train', ['loss'])
>>> parse_notifier({'graphs': 'loss'})  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
dagflow.exceptions.RunArgumentError: notifier: 'graphs' (plots drawn while the run goes) is not provided by dagflow...
"""
from __future__ import annotations

import numbers
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..exceptions import RunArgumentError, suggestion_text
from ..expr import Context, evaluate, is_expression, walk

__all__ = ['NotifierSpec', 'Monitor', 'parse_notifier', 'progress']

_BARS = {'a': 'auto', 'auto': 'auto', 't': 'text', 'tqdm': 'text',
         'n': 'notebook', 'nb': 'notebook', 'notebook': 'notebook', 'j': 'notebook', 'jpn': 'notebook',
         'jupyter': 'notebook'}
_NOT_PROVIDED = {
    'graphs': 'plots drawn while the run goes',
    'plot_config': 'plots drawn while the run goes',
    'window': 'plots drawn while the run goes',
    'layout': 'plots drawn while the run goes',
    'figsize': 'plots drawn while the run goes',
    'savepath': 'plots drawn while the run goes',
    'log_file': 'a text log of the bar',
    'telegram': 'Telegram messages',
    'initialize_telegram': 'Telegram messages',
    'token': 'Telegram messages',
    'chat_id': 'Telegram messages',
    'silent': 'Telegram messages',
}
_ALTERNATIVE = ('keep the values in a variable (update(V(name, mode=\'a\'), ...)) and draw them after the run, '
                'or pass a callable bar(iterable, total=n) that does what you need')
# BatchFlow's resource monitors, by the names its notifier knows them
_RESOURCE_MONITORS = ('total_cpu', 'total_memory', 'total_rss', 'dir_disk', 'total_disk', 'disk_io', 'io_disk',
                      'cpu', 'rss', 'vms', 'shr', 'shared', 'code', 'text', 'data', 'uss', 'rss-shared',
                      'rss_corrected', 'gpu', 'gpu_memory', 'gpu_utilization')
_OPTIONS = ('bar', 'desc', 'disable', 'total', 'frequency', 'monitors')


@dataclass(frozen=True)
class Monitor:
    """A value shown after the bar: a variable's (last) value, or a ``V``/``C`` expression's."""

    name: str
    source: Any          # a variable name, or a named expression without batch leaves
    format: str | None = None

    def describe(self, pipeline) -> str | None:
        """``name=value`` for a number (the last item of a sequence), else None."""
        if isinstance(self.source, str):
            if not pipeline.has_variable(self.source):
                return None
            value = pipeline.get_variable(self.source)
        else:
            value = evaluate(self.source, Context(pipeline=pipeline, dataset=pipeline.dataset))
        if isinstance(value, (list, tuple, np.ndarray)) and np.ndim(value) == 1:
            if len(value) == 0:
                return None
            value = value[-1]
        if self.format is not None:
            return self.format.format(value)
        if isinstance(value, (bool, np.bool_)):
            return None
        if isinstance(value, numbers.Integral):
            return f'{self.name}={value:,}'
        if isinstance(value, numbers.Real):
            return f'{self.name}={value:2.4f}'
        return None


@dataclass(frozen=True)
class NotifierSpec:
    """What a run shows: the bar (``'auto'``, ``'text'``, ``'notebook'`` or a callable), its options, monitors."""

    bar: str | Callable | None = None
    desc: str | None = None
    total: int | None = None
    frequency: int = 1
    monitors: tuple = ()
    bar_kwargs: dict = field(default_factory=dict)


def parse_notifier(notifier, name: str = 'notifier', variables=()) -> NotifierSpec:
    """Validate ``notifier=`` (or ``bar=``) and return what it asks for; raise :class:`RunArgumentError` if wrong.

    ``variables`` are the pipeline's variable names: a monitor named like one
    of BatchFlow's resource monitors (``'cpu'``, ``'data'``) is that variable.

    Examples
    --------
    >>> parse_notifier(True).bar, parse_notifier(False).bar, parse_notifier('t').bar
    ('auto', None, 'text')
    """
    if notifier is None or notifier is False:
        return NotifierSpec()
    if notifier is True:
        return NotifierSpec('auto')
    if isinstance(notifier, str):
        return NotifierSpec(_bar_name(notifier, name))
    if callable(notifier):
        return NotifierSpec(notifier)
    if not isinstance(notifier, Mapping):
        raise RunArgumentError(f'{name}={notifier!r}: give True/False, a bar name (\'a\', \'t\', \'n\'), a callable '
                               f'bar(iterable, total=n) or a dict of notifier options.', name=name, value=notifier)
    options = dict(notifier)
    for key in options:
        if key in _NOT_PROVIDED:
            raise RunArgumentError(f'{name}: {key!r} ({_NOT_PROVIDED[key]}) is not provided by dagflow; '
                                   f'{_ALTERNATIVE}.', name=name, value=key)
        if not isinstance(key, str) or key in ('batch_size', 'n_iters', 'n_epochs', 'drop_last', 'length'):
            raise RunArgumentError(f'{name}: {key!r} is not a notifier option (the run gives the bar its length); '
                                   f'use {", ".join(map(repr, _OPTIONS))} or keywords of the bar.',
                                   name=name, value=key)
    if options.pop('disable', False):
        return NotifierSpec()
    bar = options.pop('bar', 'auto')
    if bar is None or bar is False:
        bar = None
    elif bar is True:
        bar = 'auto'
    elif isinstance(bar, str):
        bar = _bar_name(bar, f'{name}["bar"]')
    elif not callable(bar):
        raise RunArgumentError(f'{name}["bar"]={bar!r}: give True, a bar name or a callable.', name=name, value=bar)
    frequency = options.pop('frequency', 1)
    if not isinstance(frequency, numbers.Integral) or frequency < 1:
        raise RunArgumentError(f'{name}["frequency"] must be a positive int, got {frequency!r}.', name=name,
                               value=frequency)
    monitors = tuple(_monitor(item, name, variables) for item in _as_list(options.pop('monitors', None)))
    return NotifierSpec(bar, options.pop('desc', None), options.pop('total', None), int(frequency), monitors,
                        options)


def _bar_name(value: str, name: str) -> str:
    if value in ('telegram', 'tg'):
        raise RunArgumentError(f'{name}={value!r}: Telegram messages are not provided by dagflow; {_ALTERNATIVE}.',
                               name=name, value=value)
    if value not in _BARS:
        raise RunArgumentError(f'{name}={value!r} is not a bar: use True, \'a\' (auto), \'t\' (text), \'n\' '
                               f'(notebook) or a callable.{suggestion_text(value, _BARS)}', name=name, value=value)
    return _BARS[value]


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _monitor(item, name: str, variables) -> Monitor:
    options = dict(item) if isinstance(item, Mapping) else {'source': item}
    source = options.get('source')
    unknown = set(options) - {'source', 'name', 'format'}
    if unknown:
        raise RunArgumentError(f'{name}: monitor options {sorted(unknown)} are not provided by dagflow (a monitor '
                               f"takes 'source', 'name' and 'format'); {_ALTERNATIVE}.", name=name, value=item)
    if isinstance(source, str) and source.lower() in _RESOURCE_MONITORS and source not in variables:
        raise RunArgumentError(f'{name}: the resource monitor {source!r} is not provided by dagflow; run with '
                               f'profile=True to see where the time goes (pipeline.profile, plot_timeline()).',
                               name=name, value=source)
    if isinstance(source, str):
        return Monitor(options.get('name', source), source, options.get('format'))
    if is_expression(source) and not any(getattr(leaf, 'kind', None) in ('B', 'R', 'I', 'F', 'L')
                                         for leaf in walk(source)):
        return Monitor(options.get('name', repr(source)), source, options.get('format'))
    raise RunArgumentError(f'{name}: a monitor is a variable name or a V/C expression, got {source!r}; '
                           f'{_ALTERNATIVE}.', name=name, value=source)


def progress(iterator: Iterator, spec: NotifierSpec, total: int | None, pipeline) -> Iterator:
    """``iterator`` shown by the bar ``spec`` asks for (``iterator`` itself when none)."""
    if spec.bar is None:
        return iterator
    total = spec.total if spec.total is not None else total
    holder = {}
    if spec.monitors:
        iterator = _monitored(iterator, spec, pipeline, holder)
    if callable(spec.bar):
        kwargs = {**spec.bar_kwargs, **({'desc': spec.desc} if spec.desc is not None else {})}
        bar = spec.bar(iterator, total=total, **kwargs)
    else:
        kwargs = {'unit': 'batch', **spec.bar_kwargs}
        if spec.desc is not None:
            kwargs['desc'] = spec.desc
        bar = _tqdm(spec.bar)(iterator, total=total, **kwargs)
    holder['bar'] = bar
    return bar


def _monitored(iterator, spec: NotifierSpec, pipeline, holder) -> Iterator:
    """Yield from ``iterator``, setting the bar's postfix to the monitors' values as BatchFlow does."""
    for number, item in enumerate(iterator, 1):
        set_postfix = getattr(holder.get('bar'), 'set_postfix_str', None)
        if set_postfix is not None and (number == 1 or number % spec.frequency == 0):
            parts = [text for monitor in spec.monitors if (text := monitor.describe(pipeline))]
            set_postfix(';   '.join(parts))
        yield item


def _tqdm(kind: str):
    """The tqdm class of a bar kind; the notebook widget needs ipywidgets, else the text bar is used."""
    if kind in ('auto', 'notebook'):
        try:
            import ipywidgets  # noqa: F401
            if kind == 'notebook':
                from tqdm.notebook import tqdm
            else:
                from tqdm.auto import tqdm
            return tqdm
        except ImportError:
            pass
    from tqdm import tqdm
    return tqdm
