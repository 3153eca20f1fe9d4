"""The ``dagflow`` command line (also ``python -m dagflow``): ``run``, ``check``, ``graph`` and ``demo``.

Modules
-------
:mod:`~dagflow.cli.command`
    The argument parser, :func:`main` (the console script), error reporting,
    and the ``graph`` and ``demo`` commands.
:mod:`~dagflow.cli.run`
    ``dagflow run``: run arguments and ``--config`` values, the run, its summary.
:mod:`~dagflow.cli.check`
    ``dagflow check``: the pre-flight of a pipeline, one problem per line.
:mod:`~dagflow.cli.loader`
    Finding the pipeline that ``FILE_OR_MODULE:NAME`` names.
:mod:`~dagflow.cli.output`
    Short values, the user's source line of an error, and error descriptions.

Examples
--------
>>> main(['--version'])  # doctest: +ELLIPSIS
dagflow ...
0
"""
from .command import build_parser, main, parse_override

__all__ = ['main', 'build_parser', 'parse_override']
