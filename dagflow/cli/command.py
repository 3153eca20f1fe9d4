"""The ``dagflow`` command line (also ``python -m dagflow``), for batch scripts and quick looks.

Commands
--------
``dagflow run FILE_OR_MODULE:NAME [--batch-size N --n-epochs N | --n-iters N --shuffle --prefetch N
--scheduler S --seed N --bar --profile-out FILE --config KEY=VALUE ...]``
    Run a pipeline and print a summary: batches run, time, seed, the
    variables' final values.  Run arguments given in the file with
    ``run(..., lazy=True)`` are the defaults that the options override.
``dagflow check FILE_OR_MODULE:NAME [--scheduler S --config KEY=VALUE ...]``
    Report, one per line with the user's ``file:line``, every problem found
    before any data moves (:mod:`dagflow.cli.check`).
``dagflow graph FILE_OR_MODULE:NAME [-o plan.svg --format svg|png|pdf|dot|mermaid --rankdir TB|LR]``
    Draw the compiled plan (``pipeline.visualize``); without ``-o``, print its DOT (or Mermaid) text.
``dagflow demo [--epochs N --batch-size N --seed N --prefetch N --scheduler S --out DIR --bar]``
    Run the example pipeline (:func:`dagflow.demo.run_demo`); options it does not take are noted and ignored.

``FILE_OR_MODULE:NAME`` is ``path/to/flow.py:pipeline`` or ``pkg.flows:make_pipeline``;
NAME is a Pipeline or a function returning one (see :mod:`dagflow.cli.loader`).
``--config model/lr=0.01`` sets a config value that ``C('model/lr')`` reads (the
value is a Python literal when it parses as one, else a string).

Exit codes: 0 success; 1 the pipeline failed, or check found problems (the
error type, message, step, batch and the user's source line are printed; the
traceback only with ``--traceback``); 2 a usage error (bad options, a file or
name not found, a name that is not a pipeline); 130 interrupted.

Examples
--------
>>> args = build_parser().parse_args(['run', 'flows/train.py:pipeline', '--prefetch', '2', '--config', 'lr=0.1'])
>>> args.command, args.target, args.prefetch, args.config
('run', 'flows/train.py:pipeline', 2, [('lr', 0.1)])
"""
from __future__ import annotations

import argparse
import ast
import inspect
import os
import sys

from ..exceptions import UsageError
from .check import check_command
from .run import Session, load, run_command

__all__ = ['main', 'build_parser', 'parse_override']

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

_TARGET_HELP = ('the pipeline: path/to/file.py:NAME or package.module:NAME, where NAME is a Pipeline or a '
                'function returning one (called with no arguments)')

_RUN_EPILOG = """\
examples:
  dagflow run flows/train.py:pipeline --batch-size 32 --n-epochs 3 --shuffle --seed 1
  dagflow run flows/train.py:make_pipeline --prefetch 4 --scheduler processes
  dagflow run mypackage.flows:train --scheduler tcp://10.0.0.5:8786 --prefetch 8
  dagflow run flows/train.py:pipeline --config model/lr=0.01 --config name=baseline
  dagflow run flows/train.py:pipeline --profile-out profile.csv

The file builds the pipeline without running it: end the chain with
run(..., lazy=True) to give default run arguments (options left out keep
them), or with no run at all. A file that runs its pipeline while it is
loaded runs it twice (a note says so).
On a cluster (--scheduler tcp://...), the classes, actions and functions of
your own files travel to the workers with the tasks, by value: the workers
need dagflow and the installed packages the pipeline uses, not your files.
Exit codes: 0 done; 1 the pipeline failed (type, message, step, batch, source line);
2 usage error; 130 interrupted."""

_CHECK_EPILOG = """\
examples:
  dagflow check flows/train.py:pipeline
  dagflow check flows/train.py:pipeline --scheduler processes
  dagflow check mypackage.flows:train --scheduler tcp://10.0.0.5:8786 --config model/lr=0.01

Reports, one per line as FILE:LINE: STEP: PROBLEM, variables and models used but
never defined, actions the batch class lacks, modes that cannot apply, config
keys missing, and steps that cannot be sent to the scheduler's workers.
With a cluster address it connects, loads the pure steps, the dataset and a
batch on one worker, and reports what the workers cannot load (a package
they lack), naming the step and the class or function.
Exit codes: 0 no problems; 1 problems found; 2 usage error."""

_GRAPH_EPILOG = """\
examples:
  dagflow graph flows/train.py:pipeline -o plan.svg
  dagflow graph flows/train.py:pipeline -o plan.png --rankdir LR
  dagflow graph flows/train.py:pipeline | dot -Tpdf -o plan.pdf
  dagflow graph flows/train.py:pipeline --format mermaid -o plan.md

The format follows the suffix of -o (.svg, .png, .pdf, .dot or .gv, .mmd for Mermaid,
.md for a Markdown page with a mermaid block) unless --format says otherwise;
without -o the DOT (or Mermaid) text is printed.  Pictures use Graphviz when it
is installed, else matplotlib.  Exit codes: 0 written; 1 the pipeline failed to
load; 2 usage error (a format or path that cannot be used)."""

_DEMO_EPILOG = """\
examples:
  dagflow demo
  dagflow demo --epochs 3 --seed 7
  dagflow demo --prefetch 2 --scheduler threads --out demo-output

The defaults (10 epochs) reach about 0.99 test accuracy in about 10 seconds
on 2 cores; fewer than 3 epochs leave the network's batch-norm statistics
unsettled and the accuracy low."""


# ------------------------------------------------------------------------------------- argument types
def parse_override(text: str) -> tuple[str, object]:
    """Parse ``KEY=VALUE`` of ``--config``: the value as a Python literal when it is one, else as a string.

    Examples
    --------
    >>> parse_override('model/lr=0.01'), parse_override('name=adam'), parse_override('shape=(8, 8)')
    (('model/lr', 0.01), ('name', 'adam'), ('shape', (8, 8)))
    """
    key, equals, value = text.partition('=')
    key = key.strip()
    if not equals or not key:
        raise argparse.ArgumentTypeError(f'expected KEY=VALUE (e.g. model/lr=0.01), got {text!r}')
    try:
        return key, ast.literal_eval(value)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return key, value


def _positive_int(text: str) -> int:
    value = _int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f'expected a positive integer, got {text!r}')
    return value


def _non_negative_int(text: str) -> int:
    value = _int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f'expected a non-negative integer, got {text!r}')
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'expected an integer, got {text!r}') from None


def _worker(text: str):
    """A Dask worker's address, or its name: digits are a number (LocalCluster names its workers 0, 1, ...)."""
    return int(text) if text.isdigit() else text


def _scheduler(text: str) -> str:
    from ..engine import check_scheduler
    from ..exceptions import RunArgumentError
    try:
        return check_scheduler(0, text)[1]
    except RunArgumentError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


# ------------------------------------------------------------------------------------- the parser
def build_parser() -> argparse.ArgumentParser:
    """The ``dagflow`` argument parser, with one sub-command per command.

    Examples
    --------
    >>> args = build_parser().parse_args(['run', 'flow.py:p', '--batch-size', '8', '--config', 'lr=0.1'])
    >>> args.command, args.target, args.batch_size, args.config
    ('run', 'flow.py:p', 8, [('lr', 0.1)])
    """
    from .. import __version__
    parser = argparse.ArgumentParser(prog='dagflow', description='Run, check and draw dagflow pipelines.',
                                     epilog="Run 'dagflow COMMAND --help' for a command's options and examples.")
    parser.add_argument('--version', action='version', version=f'dagflow {__version__}')
    commands = parser.add_subparsers(dest='command', metavar='COMMAND')
    formatter = argparse.RawDescriptionHelpFormatter

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument('--traceback', action='store_true', help='print the full traceback of an error')
    configured = argparse.ArgumentParser(add_help=False)
    configured.add_argument('--config', metavar='KEY=VALUE', type=parse_override, action='append', default=[],
                            help="set a config value that C('KEY') reads; nested keys with '/' (model/lr=0.01); "
                                 'the value is a Python literal when it parses as one, else a string; repeatable')

    run = commands.add_parser('run', parents=[common, configured], formatter_class=formatter, epilog=_RUN_EPILOG,
                              help='run a pipeline and print a summary',
                              description='Run a pipeline over its dataset and print a summary: batches run, '
                                          "time, seed and the variables' final values.")
    run.add_argument('target', metavar='FILE_OR_MODULE:NAME', help=_TARGET_HELP)
    run.add_argument('--batch-size', type=_positive_int, metavar='N', help='items per batch')
    run.add_argument('--n-epochs', type=_positive_int, metavar='N', help='passes over the dataset (default 1)')
    run.add_argument('--n-iters', type=_positive_int, metavar='N', help='number of batches, instead of --n-epochs')
    run.add_argument('--shuffle', action=argparse.BooleanOptionalAction, default=None,
                     help='shuffle the items of every epoch (drawn from the run seed)')
    run.add_argument('--drop-last', action=argparse.BooleanOptionalAction, default=None,
                     help='skip the last incomplete batch of every epoch')
    run.add_argument('--prefetch', type=_non_negative_int, metavar='N',
                     help='batches processed ahead of the one being finished (default 0)')
    run.add_argument('--scheduler', type=_scheduler, metavar='SCHEDULER',
                     help="sync, threads, processes, local-cluster (a Dask LocalCluster started for the run, "
                          "dashboard on 127.0.0.1), or a Dask scheduler address (tcp://host:8786); default: "
                          "sync with --prefetch 0, else threads")
    run.add_argument('--state-worker', type=_worker, metavar='WORKER',
                     help="with a Dask cluster: the worker (its address, or its name such as 0) that holds the "
                          "variables and models during the run, e.g. the one with the GPU; they come back at its end")
    run.add_argument('--seed', type=int, metavar='N', help='the run seed (default: drawn, and printed)')
    run.add_argument('--bar', action=argparse.BooleanOptionalAction, default=None,
                     help='show a progress bar (default: when stderr is a terminal)')
    run.add_argument('--profile-out', metavar='FILE',
                     help='write the timing of every step and batch (pipeline.profile) to FILE as CSV')

    check = commands.add_parser('check', parents=[common, configured], formatter_class=formatter,
                                epilog=_CHECK_EPILOG, help='report problems found before running',
                                description='Compile a pipeline and report every problem found before any data '
                                            "moves, with the user's file:line of each step.")
    check.add_argument('target', metavar='FILE_OR_MODULE:NAME', help=_TARGET_HELP)
    check.add_argument('--scheduler', type=_scheduler, metavar='SCHEDULER',
                       help='check for this scheduler too: processes, local-cluster or a cluster address add '
                            'the steps that cannot be sent to their workers')

    graph = commands.add_parser('graph', parents=[common], formatter_class=formatter, epilog=_GRAPH_EPILOG,
                                help='draw the plan of a pipeline',
                                description='Draw the compiled plan of a pipeline: one box per step, batch '
                                            'arrows and state arrows.')
    graph.add_argument('target', metavar='FILE_OR_MODULE:NAME', help=_TARGET_HELP)
    graph.add_argument('-o', '--output', metavar='FILE', help='the picture file (default: print the DOT text)')
    graph.add_argument('--format', choices=('svg', 'png', 'pdf', 'dot', 'mermaid'),
                       help="the picture's format (default: the suffix of --output); mermaid writes a flowchart "
                            'for Markdown pages')
    graph.add_argument('--rankdir', choices=('TB', 'LR'), default='TB',
                       help='top to bottom (TB, default) or left to right (LR)')

    demo = commands.add_parser('demo', parents=[common], formatter_class=formatter, epilog=_DEMO_EPILOG,
                               help='train a small CNN on handwritten digits, end to end',
                               description="Train a small CNN (VGG7) on scikit-learn's bundled 8x8 digits "
                                           'through a dagflow pipeline with parallel augmentation, evaluate '
                                           'it with an inference pipeline, and print the plan, the test '
                                           'accuracy and the per-class metrics. Needs the demo extra: '
                                           "pip install 'dagflow[demo]'.")
    demo.add_argument('--epochs', type=_positive_int, metavar='N', help='passes over the training data (default 10)')
    demo.add_argument('--batch-size', type=_positive_int, metavar='N', help='items per batch (default 64)')
    demo.add_argument('--seed', type=int, metavar='N', help='the run seed and the split (default 7)')
    demo.add_argument('--prefetch', type=_non_negative_int, metavar='N',
                      help='batches augmented ahead while the model trains (default 2; 0: serial)')
    demo.add_argument('--scheduler', type=_scheduler, metavar='SCHEDULER',
                      help='sync, threads, processes, local-cluster or a Dask scheduler address (default: threads '
                           'with prefetch)')
    demo.add_argument('--out', metavar='DIR',
                      help='a folder for the plan picture, loss curve, timeline, metrics and model '
                           '(default dagflow-demo)')
    demo.add_argument('--bar', action=argparse.BooleanOptionalAction, default=None, help='show a progress bar')
    return parser


# ------------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``dagflow`` console script; returns the exit code.

    Parameters
    ----------
    argv : list of str, optional
        The arguments after the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 success, 1 the pipeline failed or check found problems, 2 usage error, 130 interrupted.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and argparse's usage errors
        return exc.code if isinstance(exc.code, int) else (EXIT_OK if exc.code is None else EXIT_USAGE)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    session = Session(args.command)
    prog = f'dagflow {args.command}'
    try:
        return _COMMANDS[args.command](args, session)
    except KeyboardInterrupt:
        done = f' after {_batches(session.finished)}' if session.finished is not None else ''
        print(f'{prog}: interrupted{done}', file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `dagflow graph ... | head`: the reader left; say nothing more
        _silence_stdout()
        return EXIT_FAILED
    except Exception as exc:  # noqa: BLE001 - every error becomes a message and an exit code
        return _report_error(exc, prog, session, args.traceback)


def _batches(count: int) -> str:
    return f'{count} batch{"es" if count != 1 else ""}'


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real stdout (captured): nothing will be flushed to a closed pipe
        pass


def _report_error(exc: Exception, prog: str, session: Session, show_traceback: bool) -> int:
    from ..exceptions import LoadError, RunArgumentError, TargetError
    from .output import describe_error
    if isinstance(exc, (UsageError, TargetError)) or (
            isinstance(exc, RunArgumentError) and getattr(exc, 'dagflow_step', None) is None):
        print(f'{prog}: error: {exc}', file=sys.stderr)
        return EXIT_USAGE
    if isinstance(exc, LoadError):
        stage = 'calling' if exc.stage == 'call' else 'loading'
        print(f'{prog}: error while {stage} {exc.target}', file=sys.stderr)
        if getattr(exc.error, 'dagflow_step', None) is not None:
            print('  the file ran a pipeline while it was loaded: end its chain with run(..., lazy=True) (or no run) '
                  'so that only this command runs it, with its options', file=sys.stderr)
        exc = exc.error
    else:
        print(f'{prog}: the pipeline failed', file=sys.stderr)
    for line in describe_error(exc, show_traceback=show_traceback):
        print(line, file=sys.stderr)
    ran = session.finished is not None and (session.finished or getattr(exc, 'dagflow_step', None) is not None)
    if ran:  # not for a pipeline refused before its first batch (it did not compile, say)
        print(f'  {_batches(session.finished)} finished before it', file=sys.stderr)
    if not show_traceback:
        print('  (run again with --traceback for the full traceback)', file=sys.stderr)
    return EXIT_FAILED


# ------------------------------------------------------------------------------------- graph
#: The format a file suffix of ``-o`` names; ``.md`` is a Markdown page, its flowchart in a ```mermaid block.
_GRAPH_SUFFIXES = {'svg': 'svg', 'png': 'png', 'pdf': 'pdf', 'dot': 'dot', 'gv': 'dot', 'mmd': 'mermaid',
                   'md': 'mermaid'}


def _graph(args, session: Session) -> int:
    fmt = args.format or (_graph_format(args.output) if args.output else 'dot')
    if args.output is None and fmt not in ('dot', 'mermaid'):
        raise UsageError(f'--format {fmt} needs -o FILE (without -o the DOT text is printed).')
    pipeline = load(args.target, session).pipeline
    if fmt == 'mermaid':
        text = pipeline.to_mermaid(rankdir=args.rankdir)
        if args.output is not None and args.output.lower().endswith('.md'):
            text = f'```mermaid\n{text}\n```'  # a Markdown page: GitHub draws the block as a picture
        data = (text + '\n').encode()
    elif fmt == 'dot':
        data = pipeline.to_dot(rankdir=args.rankdir).encode()
    else:
        data = pipeline.visualize(format=fmt, rankdir=args.rankdir).data
    if args.output is None:
        sys.stdout.write(data.decode())
        return EXIT_OK
    try:
        with open(args.output, 'wb') as handle:
            handle.write(data)
    except OSError as exc:
        raise UsageError(f'cannot write {args.output}: {exc.strerror or exc}. Give -o a path in a folder that '
                         f'exists and that you can write to.') from None
    print(f'dagflow graph: wrote {args.output}')
    return EXIT_OK


def _graph_format(output: str) -> str:
    suffix = os.path.splitext(output)[1].lower().lstrip('.')
    if suffix not in _GRAPH_SUFFIXES:
        names = ', '.join('.' + name for name in _GRAPH_SUFFIXES)
        raise UsageError(f'Cannot tell the format of {output!r} from its suffix: end the file name in one of '
                         f'{names}, or give --format svg|png|pdf|dot|mermaid.')
    return _GRAPH_SUFFIXES[suffix]


# ------------------------------------------------------------------------------------- demo
def _demo(args, session: Session) -> int:
    from ..demo import run_demo
    accepted = inspect.signature(run_demo).parameters
    options = {'epochs': args.epochs, 'batch_size': args.batch_size, 'seed': args.seed, 'prefetch': args.prefetch,
               'scheduler': args.scheduler, 'out': args.out, 'bar': args.bar}
    given = {name: value for name, value in options.items() if value is not None}
    ignored = sorted(name for name in given if name not in accepted)
    if ignored:
        flags = ', '.join('--' + name.replace('_', '-') for name in ignored)
        print(f'dagflow demo: note: this demo does not take {flags}; ignored', file=sys.stderr)
    try:
        code = run_demo(**{name: value for name, value in given.items() if name in accepted})
    except ModuleNotFoundError as exc:
        if exc.name not in _DEMO_EXTRAS:
            raise
        raise UsageError(f"the demo needs {exc.name}, which is not installed: pip install 'dagflow[demo]'") from None
    return code if isinstance(code, int) else EXIT_OK


_DEMO_EXTRAS = ('torch', 'sklearn', 'torchvision')

_COMMANDS = {'run': run_command, 'check': check_command, 'graph': _graph, 'demo': _demo}


if __name__ == '__main__':  # pragma: no cover
    sys.exit(main())
