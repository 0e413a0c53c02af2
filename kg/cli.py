"""The ``kg`` command line: parses arguments, calls the library, prints. Nothing else lives here."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from kg import __version__
from kg.errors import KGError


def _build_parser(prog: str) -> argparse.ArgumentParser:
    from kg.build import STEPS

    parser = argparse.ArgumentParser(
        prog=prog,
        description="Build the graph from ontology/, data/ and queries/qc/ into dist/.",
        epilog="steps, in order:\n" + "\n".join(f"  {name:<9} {text}" for name, text in STEPS.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "until",
        nargs="?",
        default="publish",
        choices=list(STEPS),
        help="run the steps up to and including this one (default: publish, the whole build)",
    )
    parser.add_argument("--project", type=Path, default=None, help="project directory (default: the one holding build.py; for kg build, the current one)")
    return parser


def build_main(argv: list[str], prog: str = "build.py", default_root: Path | None = None) -> int:
    """Entry point of ``python build.py`` and ``kg build``: 0 on success, 1 on bad input, 2 on usage errors."""
    from kg.build import run
    from kg.project import Project

    args = _build_parser(prog).parse_args(argv)
    root = (args.project or default_root or Path.cwd()).resolve()
    try:
        run(Project(root), until=args.until)
    except KGError as err:
        print(f"Error: {err}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # the reader of our output went away (`python build.py | head -1`): stop quietly, as
        # Unix tools do on SIGPIPE, before dist/ is touched
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``kg`` console script."""
    parser = argparse.ArgumentParser(prog="kg", description="aigov-kg: a knowledge graph of AI governance.")
    parser.add_argument("--version", action="version", version=f"aigov-kg {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("build", help="build the graph into dist/ (same as python build.py)", add_help=False)
    args, rest = parser.parse_known_args(argv)
    if args.command == "build":
        return build_main(rest, prog="kg build", default_root=Path.cwd())
    parser.print_help(sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
