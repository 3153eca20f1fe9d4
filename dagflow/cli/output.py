"""What the ``dagflow`` command prints: values in short form, errors without tracebacks, run summaries.

Examples
--------
>>> short_value([0.5, 0.25, 0.125] * 10)
'list of 30, last 0.125'
>>> short_value({'lr': 0.1})
"{'lr': 0.1}"
"""
from __future__ import annotations

import os
import re
import sysconfig
import traceback
from collections.abc import Mapping, Sequence

__all__ = ['short_value', 'describe_error', 'user_frame', 'display_path', 'variables_lines']

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep  # dagflow/, not dagflow/cli/
_LIBRARY_DIRS = tuple({os.path.abspath(path) for key, path in sysconfig.get_paths().items()
                       if key in ('stdlib', 'platstdlib', 'purelib', 'platlib')})
_REMOTE_FRAME = re.compile(r'File "([^"]+)", line (\d+), in (\S+)')


def short_value(value, width: int = 60) -> str:
    """``value`` in one short line: its ``repr`` when that fits in ``width``, else its kind, size and a hint.

    Examples
    --------
    >>> import numpy as np
    >>> short_value(np.zeros((100, 8)))
    'ndarray (100, 8) float64'
    >>> short_value(3.0), short_value('done'), short_value({i: i for i in range(50)})
    ('3.0', "'done'", 'dict of 50 keys: 0, 1, 2, ...')
    """
    shape = getattr(value, 'shape', None)
    if shape is not None and not isinstance(value, (int, float)) and hasattr(value, 'dtype'):
        if tuple(shape) == ():
            return _clip(repr(value.item()) if hasattr(value, 'item') else repr(value), width)
        if _size(shape) <= 6:
            text = repr(value)
            if len(text) <= width and '\n' not in text:
                return text
        return f'{type(value).__name__} {tuple(shape)} {value.dtype}'
    if isinstance(value, (Sequence, Mapping, set, frozenset)) and not isinstance(value, (str, bytes)) \
            and len(value) > 50:
        return _summarise(value, width)
    text = repr(value)
    if len(text) <= width and '\n' not in text:
        return text
    if isinstance(value, (Sequence, Mapping, set, frozenset)) and not isinstance(value, (str, bytes)):
        return _summarise(value, width)
    if shape is not None:
        return f'{type(value).__name__} {tuple(shape)}'
    return _clip(text.replace('\n', ' '), width)


def _size(shape) -> int:
    total = 1
    for dim in shape:
        total *= int(dim)
    return total


def _summarise(value, width: int) -> str:
    kind = type(value).__name__
    if isinstance(value, Mapping):
        keys = ', '.join(_clip(repr(key), 20) for key in list(value)[:3])
        return f'{kind} of {len(value)} keys: {keys}' + (', ...' if len(value) > 3 else '')
    if isinstance(value, Sequence) and len(value):
        return f'{kind} of {len(value)}, last {short_value(value[-1], max(20, width // 2))}'
    return f'{kind} of {len(value)}'


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 3] + '...'


def variables_lines(values: Mapping, indent: str = '  ') -> list[str]:
    """One ``name  value`` line per variable, names aligned, values in short form.

    Examples
    --------
    >>> print('\\n'.join(variables_lines({'loss': [0.5, 0.25], 'n': 8})))
      loss  [0.5, 0.25]
      n     8
    """
    names = sorted(values)
    wide = max((len(name) for name in names), default=0)
    return [f'{indent}{name:<{wide}}  {short_value(values[name])}' for name in names]


def display_path(path: str) -> str:
    """``path`` relative to the current directory when it is below it, else absolute."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive
        return path
    return path if relative.startswith('..') else relative


def user_frame(exc: BaseException):
    """The innermost traceback frame of ``exc`` in the user's code (not dagflow's, not a library's), or None.

    An error raised in a worker process comes back with the worker's
    traceback as text (its ``__cause__``); the frame is then found there.
    """
    frames = traceback.extract_tb(exc.__traceback__) if exc.__traceback__ else []
    cause = exc.__cause__
    if type(cause).__name__ == '_RemoteTraceback':  # concurrent.futures' text of the worker's traceback
        frames += [traceback.FrameSummary(path, int(line), function, lookup_line=False)
                   for path, line, function in _REMOTE_FRAME.findall(str(cause))]
    for frame in reversed(frames):
        filename = os.path.abspath(frame.filename)
        if frame.filename.startswith('<') or filename.startswith(_PACKAGE_DIR):
            continue
        if filename.startswith(_LIBRARY_DIRS):
            continue
        return frame
    return None


def describe_error(exc: BaseException, *, show_traceback: bool = False) -> list[str]:
    """The lines that explain an error of the user's pipeline: type and message, step, batch, line.

    A step's error carries ``dagflow_step``, ``dagflow_batch`` and
    ``dagflow_source`` (see :func:`~dagflow.exceptions.attach_step_info`):
    they are read, never parsed out of the message or its notes.  With
    ``show_traceback`` the full traceback comes first.

    Examples
    --------
    >>> err = ValueError('bad item 5')
    >>> err.dagflow_step, err.dagflow_batch, err.dagflow_source = "main[0] 'check'", 2, 'flow.py:12'
    >>> print('\\n'.join(describe_error(err)))
    ValueError: bad item 5
      in step main[0] 'check' (added at flow.py:12), batch 2
    """
    lines = []
    if show_traceback:
        lines.extend(''.join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip().splitlines())
        lines.append('')
    message = str(exc)
    lines.append(f'{type(exc).__name__}: {message}' if message else type(exc).__name__)
    step = getattr(exc, 'dagflow_step', None)
    if step is not None:
        source = getattr(exc, 'dagflow_source', None)
        where = f'  in step {step}' + (f' (added at {source})' if source else '')
        batch = getattr(exc, 'dagflow_batch', None)
        lines.append(where + (f', batch {batch}' if batch is not None else ''))
    frame = user_frame(exc)
    if frame is not None:
        lines.append(f'  raised at {display_path(frame.filename)}:{frame.lineno} in {frame.name}')
    return lines
