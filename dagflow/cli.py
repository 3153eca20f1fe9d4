"""The ``dagflow`` command line.

``dagflow demo`` runs a small end-to-end pipeline on synthetic data and prints
its plan and results.
"""
from __future__ import annotations

import argparse
import sys

__all__ = ['main']


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``dagflow`` console script; returns the exit code."""
    parser = argparse.ArgumentParser(prog='dagflow', description='Run and inspect dagflow pipelines.')
    commands = parser.add_subparsers(dest='command', metavar='COMMAND')
    demo = commands.add_parser('demo', help='run a small end-to-end example pipeline')
    demo.add_argument('--epochs', type=int, default=2, help='passes over the training data (default 2)')
    demo.add_argument('--batch-size', type=int, default=32, help='items per batch (default 32)')
    demo.add_argument('--seed', type=int, default=42, help='run seed (default 42)')
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    from .demo import run_demo
    return run_demo(epochs=args.epochs, batch_size=args.batch_size, seed=args.seed)


if __name__ == '__main__':  # pragma: no cover
    sys.exit(main())
