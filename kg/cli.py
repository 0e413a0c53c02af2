"""The ``kg`` command line: parses arguments, calls the library, prints. Nothing else lives here.

Exit codes: 0 success, 1 a query or data error (with a message saying where), 2 a usage error.
Results go to stdout, messages to stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from kg import __version__
from kg.errors import KGError, UsageError


def _formatter(prog: str) -> argparse.HelpFormatter:
    """argparse's formatter given a width, so that it does not import shutil (and with it bz2,
    lzma and zlib: ~5 ms of every `kg query`) just to ask the terminal's size."""
    try:
        width = os.get_terminal_size(sys.stderr.fileno()).columns
    except (OSError, ValueError):
        width = 80
    return argparse.RawDescriptionHelpFormatter(prog, width=max(40, width - 2))


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors raised as :class:`UsageError` (exit 2) instead of exiting,
    and the fast :func:`_formatter`."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("formatter_class", _formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message, hint=f"see {self.prog} --help")


def _build_parser(prog: str) -> argparse.ArgumentParser:
    from kg.build import STEPS

    parser = _Parser(
        prog=prog,
        description="Build the graph from ontology/, data/ and queries/qc/ into dist/.",
        epilog="steps, in order:\n" + "\n".join(f"  {name:<9} {text}" for name, text in STEPS.items()),
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


def _report(run) -> int:  # type: ignore[no-untyped-def]
    """Run ``run()`` and turn errors into messages and exit codes."""
    try:
        return run() or 0
    except UsageError as err:
        print(f"Error: {err}", file=sys.stderr)
        return 2
    except KGError as err:
        print(f"Error: {err}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # the reader of our output went away (`kg query … | head -1`): stop quietly, as Unix
        # tools do on SIGPIPE
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as err:  # a file that cannot be read or written: say which, no traceback
        print(f"Error: {err.filename + ': ' if err.filename else ''}{err.strerror or err}", file=sys.stderr)
        return 1
    except UnicodeDecodeError as err:
        print(f"Error: a file is not UTF-8 text ({err.reason} at byte {err.start})", file=sys.stderr)
        return 1


def build_main(argv: list[str], prog: str = "build.py", default_root: Path | None = None) -> int:
    """Entry point of ``python build.py`` and ``kg build``: 0 on success, 1 on bad input, 2 on usage errors."""

    def run() -> None:
        from kg.build import run as run_build
        from kg.project import Project

        args = _build_parser(prog).parse_args(argv)
        run_build(Project((args.project or default_root or Path.cwd()).resolve()), until=args.until)

    return _report(run)


def _project_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project", type=Path, help="the project directory (default: found from the current directory upward, or $KG_PROJECT)")


def _queries_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="kg queries", description="List the saved queries (queries/*.rq) with their titles and parameters.")
    _project_option(parser)
    parser.add_argument("--all", action="store_true", help="also list the sub-folders (quality checks, federated queries)")
    return parser


def _query_parser() -> argparse.ArgumentParser:
    from kg.formats import FORMATS

    parser = _Parser(
        prog="kg query",
        description="Run SPARQL over the built graph (dist/) with pyoxigraph, or on a remote endpoint.",
        epilog="examples:\n  kg query blocs-endorsed\n  kg query blocs-endorsed --param pledge='pledge for inclusive AI' --format json\n"
        "  kg query -e 'SELECT * WHERE { ?s ?p ?o } LIMIT 5'\n  kg query my.rq --output answers.csv",
    )
    _project_option(parser)
    parser.add_argument("query", nargs="?", help="a saved query name (see kg queries), a .rq file, or - for stdin")
    parser.add_argument("-e", "--expression", metavar="SPARQL", help="the query text itself")
    parser.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="a parameter of the saved query (repeatable)")
    parser.add_argument("--format", choices=list(FORMATS), help="output format (default: table on a terminal, csv otherwise; turtle for graphs)")
    parser.add_argument("--output", metavar="FILE", help="write the results to FILE; the format follows its extension")
    parser.add_argument("--endpoint", metavar="URL", help="run on this SPARQL 1.1 endpoint instead of the local graph")
    parser.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS", help="for --endpoint: give up after this long (default 60)")
    return parser


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _push_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kg push",
        description="Upload dist/ontology.nt and dist/kg.nt to a SPARQL 1.1 Graph Store Protocol endpoint, in chunks.",
        epilog="example (Oxigraph server):\n  kg push --store http://127.0.0.1:7878/store --graph https://w3id.org/aigov/dataset "
        "--replace --update http://127.0.0.1:7878/update",
    )
    _project_option(parser)
    parser.add_argument("--store", required=True, metavar="URL", help="the Graph Store Protocol endpoint (Oxigraph: http://HOST:PORT/store)")
    parser.add_argument("--graph", metavar="IRI", help="the named graph to write (default: the default graph)")
    parser.add_argument("--replace", action="store_true", help="replace the graph's content at once when all has arrived (needs --update)")
    parser.add_argument("--update", metavar="URL", help="the SPARQL Update endpoint, for --replace (Oxigraph: http://HOST:PORT/update)")
    parser.add_argument("--chunk-triples", type=_positive, default=50_000, metavar="N", help="triples a request (default 50000)")
    return parser


# command -> (its parser, what runs it, one line of help); only the parser of the command given
# is built, which keeps `kg query` fast
COMMANDS = {
    "build": (None, None, "build the graph into dist/ (as python build.py; see kg build --help)"),
    "queries": (_queries_parser, lambda args: _queries(args), "list the saved queries with their titles and parameters"),
    "query": (_query_parser, lambda args: _query(args), "run a saved query, a .rq file, SPARQL text or stdin"),
    "push": (_push_parser, lambda args: _push(args), "upload the built graph to a triple store (Graph Store Protocol)"),
}


def _top_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kg",
        description="aigov-kg: a knowledge graph of AI governance, each fact with its evidence.",
        epilog="commands:\n" + "\n".join(f"  {name:<9} {text}" for name, (_, _, text) in COMMANDS.items()) + "\n\nkg COMMAND --help tells more.",
    )
    parser.add_argument("--version", action="version", version=f"aigov-kg {__version__}")
    parser.add_argument("command", nargs="?", choices=list(COMMANDS), metavar="COMMAND")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``kg`` console script."""
    argv = sys.argv[1:] if argv is None else argv
    command = argv[0] if argv else None
    if command == "build":
        return build_main(argv[1:], prog="kg build", default_root=Path.cwd())

    def run() -> int:
        if command in COMMANDS:
            make_parser, handler, _ = COMMANDS[command]
            return handler(make_parser().parse_args(argv[1:]))
        _top_parser().parse_args(argv)  # --help, --version, or a usage error
        _top_parser().print_help(sys.stderr)
        return 2

    return _report(run)


def _queries(args: argparse.Namespace) -> int:
    from kg.project import find_project
    from kg.query import list_queries

    shown_group = None
    for saved in list_queries(find_project(args.project), include_subfolders=args.all):
        if saved.group != shown_group:
            print(f"\n{saved.group}/" if saved.group else "", end="" if not saved.group else "\n")
            shown_group = saved.group
        params = " ".join(f"[{p.name}: {p.type}{' = ' + p.default if p.default else ''}]" for p in saved.params)
        network = " (needs the internet)" if saved.network_required else ""
        print(f"  {saved.name:<34} {saved.title}{network}" + (f"\n  {'':<34}   {params}" if params else ""))
    if not args.all:
        print("\nkg queries --all also lists the quality checks (qc/) and other sub-folders.", file=sys.stderr)
    return 0


def _read_query(args: argparse.Namespace, project_finder):  # type: ignore[no-untyped-def]
    """The QueryText named by the arguments, and the project when one is needed."""
    from kg.query import QueryText, saved
    from kg.savedquery import read_query_text, read_saved_query

    if (args.query is None) == (args.expression is None):
        raise UsageError("give one query: a saved query name, a .rq file, - for stdin, or -e 'SPARQL'", hint="kg query --help")
    if args.expression is not None:
        return QueryText(args.expression, "<-e>")
    if args.query == "-":
        return QueryText(sys.stdin.read(), "<stdin>")
    path = Path(args.query)
    if args.query.endswith(".rq") or path.is_file():
        if not path.is_file():
            raise KGError(f"no such query file: {args.query}", hint="check the path, or give a saved query name (kg queries)")
        text = read_query_text(path, args.query)
        header = read_saved_query(path, path.stem, args.query, text) if "#+ title:" in text else None
        return QueryText(text, args.query, header)
    return saved(project_finder(), args.query)


def _query(args: argparse.Namespace) -> int:
    from kg.formats import FORMATS, default_format, format_for_extension, render
    from kg.params import bind, parse_assignments
    from kg.project import find_project

    if args.output and args.format:
        implied = next((f.name for f in FORMATS.values() if args.output.lower().endswith(f.extensions)), None)
        if implied not in (None, args.format):
            raise UsageError(f"--format {args.format} conflicts with the extension of --output {args.output}", hint="give one or make them agree")
    given = parse_assignments(args.param)
    query = _read_query(args, lambda: find_project(args.project))
    if args.endpoint:
        from kg.query import QueryText
        from kg.remote import execute_remote

        def lookup(text, terms):  # type: ignore[no-untyped-def]
            return execute_remote(args.endpoint, QueryText(text, "<lookup>"), terms, args.timeout)

        result = execute_remote(args.endpoint, query, bind(query.saved, given, lookup), args.timeout)
    else:
        from kg.query import execute, local_lookup
        from kg.store import open_store

        store = open_store(find_project(args.project))
        result = execute(store, query, bind(query.saved, given, local_lookup(store)))
    if args.format:
        fmt = FORMATS[args.format]
    elif args.output:
        fmt = format_for_extension(args.output)
    else:
        fmt = default_format(result, sys.stdout.isatty())
    text = render(result, fmt)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output} ({fmt.name})", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _push(args: argparse.Namespace) -> int:
    from kg.project import find_project
    from kg.push import push
    from kg.store import graph_files

    files = graph_files(find_project(args.project))

    def progress(done: int, total: int, triples: int) -> None:
        print(f"chunk {done}/{total}: {triples:,} triples sent", file=sys.stderr)

    report = push(files, args.store, args.graph, args.replace, args.update, args.chunk_triples, progress=progress)
    where = f"<{report.graph}>" if report.graph else "the default graph"
    verb = "replaced" if report.replaced else "added to"
    print(f"{report.triples:,} triples {verb} {where} at {args.store} in {report.chunks} chunk(s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
