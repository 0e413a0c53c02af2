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
from kg.errors import KGError, UsageError, printable


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
    from kg.make.steps import STEPS

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
    parser.add_argument("--base", type=_base_url, default=None, metavar="URL",
                        help="where the site's IRIs are looked up, for its canonical links (default https://w3id.org/aigov/; "
                        "e.g. http://127.0.0.1:8000/ under kg serve); the graph's IRIs stay the same")
    return parser


def _base_url(value: str) -> str:
    """``--base``: an http(s) URL ending in a slash, with nothing that needs escaping."""
    import urllib.parse

    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or not value.endswith("/") or parts.query or parts.fragment \
            or any(c.isspace() or c in "\"'<>\\`{}|^" or not c.isprintable() for c in value):
        raise argparse.ArgumentTypeError(f"{value!r} is not a base URL: give an http(s) URL ending in /, such as https://example.org/aigov/")
    return value


def _report(run) -> int:  # type: ignore[no-untyped-def]
    """Run ``run()`` and turn errors into messages and exit codes."""
    try:
        return run() or 0
    except UsageError as err:
        print(printable(f"Error: {err}"), file=sys.stderr)
        return 2
    except KGError as err:
        print(printable(f"Error: {err}"), file=sys.stderr)
        return 1
    except BrokenPipeError:
        # the reader of our output went away (`kg query … | head -1`): stop quietly, as Unix
        # tools do on SIGPIPE
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as err:  # a file that cannot be read or written: say which, no traceback
        print(printable(f"Error: {str(err.filename) + ': ' if err.filename else ''}{err.strerror or err}"), file=sys.stderr)
        return 1
    except UnicodeDecodeError as err:
        print(f"Error: a file is not UTF-8 text ({err.reason} at byte {err.start})", file=sys.stderr)
        return 1


def build_main(argv: list[str], prog: str = "build.py", default_root: Path | None = None) -> int:
    """Entry point of ``python build.py`` and ``kg build``: 0 on success, 1 on bad input, 2 on usage errors."""

    def run() -> None:
        from kg.make.steps import run as run_build
        from kg.project import Project

        args = _build_parser(prog).parse_args(argv)
        run_build(Project((args.project or default_root or Path.cwd()).resolve()), until=args.until, base=args.base)

    return _report(run)


def _project_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project", type=Path, help="the project directory (default: found from the current directory upward, or $KG_PROJECT)")


def _queries_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="kg queries", description="List the saved queries (queries/*.rq) with their titles and parameters.")
    _project_option(parser)
    parser.add_argument("--all", action="store_true", help="also list the sub-folders (quality checks, federated queries)")
    return parser


def _query_parser() -> argparse.ArgumentParser:
    from kg.use.formats import FORMATS

    parser = _Parser(
        prog="kg query",
        description="Run SPARQL over the built graph (dist/) with pyoxigraph, or on a remote endpoint.",
        epilog="examples:\n  kg query signatories\n  kg query signatories --param pledge='Bletchley Declaration' --format json\n"
        "  kg query -e 'SELECT * WHERE { ?s ?p ?o } LIMIT 5'\n  kg query my.rq --output answers.csv\n"
        "  kg query signatories --endpoint http://127.0.0.1:8890/sparql --default-graph https://w3id.org/aigov/graph/accepted",
    )
    _project_option(parser)
    parser.add_argument("query", nargs="?", help="a saved query name (see kg queries), a .rq file, or - for stdin")
    parser.add_argument("-e", "--expression", metavar="SPARQL", help="the query text itself")
    parser.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="a parameter of the saved query (repeatable)")
    parser.add_argument("--format", choices=list(FORMATS), help="output format (default: table on a terminal, csv otherwise; turtle for graphs)")
    parser.add_argument("--output", metavar="FILE", help="write the results to FILE; the format follows its extension")
    parser.add_argument("--endpoint", metavar="URL", help="run on this SPARQL 1.1 endpoint instead of the local graph")
    _timeout_option(parser, 60.0)
    parser.add_argument("--default-graph", action="append", default=[], metavar="IRI",
                        help="for --endpoint: a graph of the query's default graph (default-graph-uri; repeatable), "
                        "e.g. https://w3id.org/aigov/graph/accepted on a store whose default graph is the union of all")
    parser.add_argument("--named-graph", action="append", default=[], metavar="IRI",
                        help="for --endpoint: a named graph the query may read with GRAPH (named-graph-uri; repeatable)")
    parser.add_argument(
        "--service",
        action="append",
        default=[],
        metavar="FROM=TO",
        help="send the query's SERVICE <FROM> to endpoint TO instead, e.g. a Wikidata mirror (repeatable)",
    )
    return parser


def _seconds(text: str) -> float:
    value = float(text)
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError("must be a positive number of seconds")
    return value


def _timeout_option(parser: argparse.ArgumentParser, default: float) -> None:
    parser.add_argument("--timeout", type=_seconds, default=default, metavar="SECONDS",
                        help=f"give up when the whole command has taken this long: every request, wait and read included (default {default:g})")


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("must be a port number, 0-65535")
    return value


def _bounded_int(low: int, high: int):  # type: ignore[no-untyped-def]
    """An argparse type: a whole number from ``low`` to ``high``."""

    def parse(text: str) -> int:
        value = int(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low:,} to {high:,}")
        return value

    return parse


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _push_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kg push",
        description="Upload the built dataset to a SPARQL 1.1 Graph Store Protocol endpoint, one graph at a time, in chunks:\n"
        "the ontology and the accepted graph to the default graph (or --graph), each source's claims and the\n"
        "Wikidata facts to their own named graphs.",
        epilog="example (Oxigraph server):\n  kg push --store http://127.0.0.1:7878/store "
        "--replace --update http://127.0.0.1:7878/update\n"
        "example (Virtuoso, whose default graph is the union of all graphs; query with --default-graph):\n"
        "  kg push --store http://127.0.0.1:8890/sparql-graph-crud --graph https://w3id.org/aigov/graph/accepted "
        "--replace --update http://127.0.0.1:8890/sparql",
    )
    _project_option(parser)
    parser.add_argument("--store", required=True, metavar="URL", help="the Graph Store Protocol endpoint (Oxigraph: http://HOST:PORT/store)")
    parser.add_argument("--graph", metavar="IRI", help="where the ontology and the accepted graph go (default: the default graph; "
                        "on Virtuoso, which takes no write to its default graph: https://w3id.org/aigov/graph/accepted)")
    parser.add_argument("--replace", action="store_true", help="replace each graph's content at once when all has arrived, and remove "
                        "the graphs of sources no longer in the dataset (needs --update)")
    parser.add_argument("--update", metavar="URL", help="the SPARQL Update endpoint, for --replace (Oxigraph: http://HOST:PORT/update)")
    parser.add_argument("--chunk-triples", type=_positive, default=50_000, metavar="N", help="triples a request (default 50000)")
    _timeout_option(parser, 600.0)
    return parser


def _link_parser() -> argparse.ArgumentParser:
    from kg.use.link.wikidata import WDQS

    parser = _Parser(
        prog="kg link",
        description="Check, suggest, accept and enrich the links from entities to Wikidata (data/mappings/wikidata.sssom.tsv).\n"
        "What is learned from Wikidata is kept under data/wikidata/, so builds stay offline.",
        epilog="examples:\n  kg link check --format json\n  kg link suggest zhang-guoqing deepseek\n"
        "  kg link accept zhang-guoqing Q… --evidence https://www.wikidata.org/wiki/Q…\n  kg link enrich\n\n"
        "Wikimedia asks clients to name a contact: give --contact EMAIL or set KG_CONTACT.",
    )
    commands = parser.add_subparsers(dest="action", required=True, metavar="ACTION", parser_class=_Parser)

    def common(sub: argparse.ArgumentParser, offline: bool = False) -> None:
        _project_option(sub)
        sub.add_argument("--endpoint", metavar="URL", default=WDQS, help=f"the Wikidata SPARQL endpoint (default {WDQS})")
        _timeout_option(sub, 60.0)
        sub.add_argument("--contact", default=os.environ.get("KG_CONTACT", ""), metavar="EMAIL_OR_URL", help="named in the User-Agent (default $KG_CONTACT)")
        if offline:
            sub.add_argument("--offline", action="store_true", help="use only what data/wikidata/cache.ttl holds; no request")

    check = commands.add_parser("check", help="check every link: exists, redirect, label, type (exit 1 if any is not ok)")
    common(check, offline=True)
    check.add_argument("--format", choices=("table", "json"), default="table", help="table for people (default), json for tools")
    check.add_argument("--no-save", action="store_true", help="do not write the cache or the mapping table's check columns")
    suggest = commands.add_parser("suggest", help="propose Wikidata items for unlinked entities, scored")
    common(suggest)
    suggest.add_argument("entities", nargs="*", metavar="ENTITY", help="entity ids (default: every unlinked entity)")
    suggest.add_argument("--limit", type=_positive, default=5, metavar="N", help="candidates per entity (default 5)")
    suggest.add_argument("--format", choices=("table", "json"), default="table", help="table for people (default), json for tools")
    suggest.add_argument("--no-save", action="store_true", help="do not write what was learned to the cache")
    accept = commands.add_parser("accept", help="add a checked link to the mapping table, with your evidence")
    common(accept, offline=True)
    accept.add_argument("entity", metavar="ENTITY", help="the entity id, e.g. zhang-guoqing")
    accept.add_argument("qid", metavar="QID", help="the Wikidata item, e.g. Q148")
    accept.add_argument("--evidence", required=True, metavar="TEXT_OR_URL", help="why this item is the entity: a URL or a sentence")
    accept.add_argument("--force", action="store_true", help="accept a score under the threshold (never a type mismatch)")
    enrich = commands.add_parser("enrich", help="pull the facts declared in data/wikidata/enrich.tsv about linked items")
    common(enrich)
    return parser


def _ask_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kg ask",
        description="Answer a question in plain English from the built graph: the answers, the quotes that state them,\n"
        "and the saved query and SPARQL that found them; or say that the graph cannot answer, and what it can.",
        epilog='examples:\n  kg ask "Which blocs signed the Paris statement?"\n  kg ask "Who represented China at the summit?" --format json\n\n'
        "exit codes: 0 answered, 1 not answered (abstained), 2 usage error",
    )
    _project_option(parser)
    parser.add_argument("question", help="the question, in quotes")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="text for people (default), json for tools")
    return parser


def _serve_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kg serve",
        description="Serve the built graph read-only: a SPARQL 1.1 endpoint at /sparql, the saved queries as a REST API\n"
        "(/api/queries/NAME, described at /openapi.json), /api/ask for plain English, and a query page at /.",
        epilog="examples:\n  kg serve\n  curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * WHERE { ?s ?p ?o } LIMIT 3' http://127.0.0.1:7878/sparql\n"
        "  curl 'http://127.0.0.1:7878/api/queries/signatories?pledge=Paris%20statement'",
    )
    _project_option(parser)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1, this machine only; ::1 for IPv6)")
    parser.add_argument("--port", type=_port, default=7878, help="port, 1-65535 (default 7878; 0 picks a free one)")
    parser.add_argument("--workers", type=_bounded_int(1, 32), default=4, metavar="N", help="query worker processes, 1-32 (default 4)")
    parser.add_argument("--timeout", type=_seconds, default=10.0, metavar="SECONDS", help="longest a query may run (default 10)")
    parser.add_argument("--memory", type=_bounded_int(256, 1_048_576), default=2048, metavar="MIB",
                        help="address space each query worker may use, in MiB (default 2048); a query past it is stopped")
    parser.add_argument("--header-timeout", type=_seconds, default=10.0, metavar="SECONDS",
                        help="time a client has to send its request line and headers (default 10)")
    parser.add_argument("--cache", type=_bounded_int(0, 65_536), default=64, metavar="MIB",
                        help="memory for answers to repeated queries, in MiB (default 64; 0 turns the cache off)")
    parser.add_argument("--max-rows", type=_positive, default=100_000, metavar="N", help="most rows or triples a result may have (default 100000)")
    parser.add_argument("--allow-service", action="append", default=[], metavar="URL", help="let queries call this SERVICE endpoint (repeatable; none by default)")
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    return parser


def _conflicts_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kg conflicts",
        description="List where the sources disagree, from the built dataset: every contested subject and property, each\n"
        "value with its qualifiers and its sources side by side, and how (or whether) the accepted graph settles it.",
        epilog="examples:\n  kg conflicts\n  kg conflicts --format json\n  python build.py && kg conflicts --fail-on unresolved   # in CI\n\n"
        "exit codes: 0 listed, 1 --fail-on matched (or a data error), 2 usage error",
    )
    _project_option(parser)
    parser.add_argument("--format", choices=("table", "json"), default="table", help="table for people (default), json for tools")
    parser.add_argument("--fail-on", choices=("unresolved", "any"), help="exit 1 when a disagreement is unsettled (unresolved) or when there is any")
    return parser


def _source_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kg source",
        description="Start a new source: its metadata record in data/sources/ (and its text, for a quoted source) and an\n"
        "empty claims file in data/claims/ that says how to fill it.",
        epilog="examples:\n"
        "  kg source add my-article --text article.txt --title 'Our short title' --rights 'published under CC BY 4.0'\n"
        "  kg source add reuters-count --url https://example.org/page --title 'Title as published' --publisher Reuters \\\n"
        "      --published 2025-02-11\n\n"
        "A field a page does not give is written 'not given': never guess it.",
    )
    commands = parser.add_subparsers(dest="action", required=True, metavar="ACTION", parser_class=_Parser)
    add = commands.add_parser("add", help="scaffold a new source")
    _project_option(add)
    add.add_argument("id", metavar="ID", help="the source's id: lowercase words joined by hyphens")
    kind = add.add_mutually_exclusive_group(required=True)
    kind.add_argument("--text", type=Path, metavar="FILE", help="a quoted source: its text, copied byte for byte")
    kind.add_argument("--url", metavar="URL", help="a cited source: the page's address, exactly as found")
    add.add_argument("--title", help="the title as published (cited), or our descriptive title (quoted)")
    add.add_argument("--label", help="cited, when the page shows no title: a short descriptive title in our words")
    add.add_argument("--rights", help="quoted: on what terms the project may keep the text")
    add.add_argument("--publisher", help="cited: who publishes the page")
    add.add_argument("--author", action="append", default=[], help="cited: an author the page names (repeatable)")
    add.add_argument("--published", metavar="YYYY-MM-DD", help="cited: the date the page gives")
    add.add_argument("--retrieved", metavar="YYYY-MM-DD", help="cited: the day the page was read (default today)")
    add.add_argument("--language", default="en", help="the source's language (default en)")
    add.add_argument("--original-source", help="the original source the document names (a wire service's credit)")
    add.add_argument("--subject", action="append", default=[], help="a subject (repeatable; default 'AI governance')")
    return parser


def _picture_options(parser: argparse.ArgumentParser, formats: tuple[str, ...]) -> None:
    _project_option(parser)
    parser.add_argument("--output", metavar="FILE", help=f"write the picture to FILE; its extension ({', '.join('.' + f for f in formats)}) "
                        "gives the format (default: SVG on standard output)")
    parser.add_argument("--format", choices=formats, help="the format, when not given by --output's extension (default svg)")
    parser.add_argument("--describe", action="store_true", help="print the picture's text alternative (what it shows, in words) instead")


def _chart_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kg chart",
        description="Draw a chart of the built graph, rendered offline from a Vega-Lite specification (vl-convert):\n"
        "  signatories  the parties that endorsed or declined each pledge, by kind (the accepted graph)\n"
        "  counts       the signatory counts the sources report for one pledge (--param pledge=…), side by side\n"
        "  map          a world map of one pledge (--param pledge=…): each nation by its position, other parties named",
        epilog="examples:\n  kg chart signatories --output signatories.svg\n  kg chart counts --param pledge='Bletchley Declaration' --output counts.png\n"
        "  kg chart counts --format json   # the Vega-Lite specification, data inline (Altair, the Vega editor)\n"
        "  kg chart map --param pledge='Statement on Inclusive and Sustainable AI' --output paris.svg",
    )
    parser.add_argument("name", metavar="NAME", help="the chart: signatories, counts or map")
    parser.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="a parameter of the chart (repeatable)")
    _picture_options(parser, ("svg", "png", "json"))
    return parser


def _diagram_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kg diagram",
        description="Draw a diagram of the built graph with Graphviz (dot): an entity and the entities it links to and that\n"
        "link to it in the accepted graph, or, with --ontology, the ontology's classes and properties.",
        epilog="examples:\n  kg diagram european-union --output eu.svg\n  kg diagram --ontology --output classes.png\n"
        "  kg diagram european-union --format dot   # the Graphviz source",
    )
    parser.add_argument("entity", nargs="?", metavar="ENTITY", help="the entity, by id (european-union) or IRI")
    parser.add_argument("--ontology", action="store_true", help="the ontology's classes instead of an entity")
    _picture_options(parser, ("svg", "png", "dot"))
    return parser


def _diff_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kg diff",
        description="What changed between two builds (two dist/ folders), by entity, claim, source and disagreement:\n"
        "added, removed and changed, each with its label and IRI, for a changelog. Each build is named by its version\n"
        "(void.ttl's owl:versionInfo) and its build id (the one in the site's footer); each file is checked against\n"
        "its build's SHA256SUMS as it is read.",
        epilog="examples:\n  kg diff ../release-0.1.0/dist dist > CHANGES-data.md\n  kg diff old/dist dist --format json\n"
        "  kg diff old/dist dist --exit-code   # in CI: 0 the same data, 1 changed, 2 trouble",
    )
    parser.add_argument("old", type=Path, metavar="OLD", help="the earlier build's dist/ folder")
    parser.add_argument("new", type=Path, metavar="NEW", help="the later build's dist/ folder")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="text: Markdown (default); json: the same, as data")
    parser.add_argument("--output", metavar="FILE", help="write the report here (whole or not at all) instead of to standard output")
    parser.add_argument("--exit-code", action="store_true", help="exit 1 when the builds differ, 0 when not, 2 on any error (as diff(1))")
    return parser


def _htaccess_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kg htaccess",
        description="Print the Apache .htaccess that makes the graph's IRIs resolve by content negotiation (303 to the\n"
        "HTML page, Turtle, JSON-LD, N-Triples or RDF/XML the Accept header asks for). Without --target: the site's own\n"
        "(the build writes it as dist/site/.htaccess); with it: the file to register as aigov/.htaccess at w3id.org.",
        epilog="example:\n  kg htaccess --target https://example.org/aigov-kg/ > aigov/.htaccess   # in a clone of perma-id/w3id.org",
    )
    parser.add_argument("--target", default="", metavar="URL", help="where the site is hosted: an http(s) URL ending in /")
    return parser


# command -> (its parser, what runs it, one line of help); only the parser of the command given
# is built, which keeps `kg query` fast
COMMANDS = {
    "build": (None, None, "build the graph into dist/ (as python build.py; see kg build --help)"),
    "queries": (_queries_parser, lambda args: _queries(args), "list the saved queries with their titles and parameters"),
    "query": (_query_parser, lambda args: _query(args), "run a saved query, a .rq file, SPARQL text or stdin"),
    "conflicts": (_conflicts_parser, lambda args: _conflicts(args), "list where the sources disagree, and how each is settled"),
    "source": (_source_parser, lambda args: _source(args), "start a new source: metadata record, text, empty claims file"),
    "push": (_push_parser, lambda args: _push(args), "upload the built dataset to a triple store, one graph at a time"),
    "link": (_link_parser, lambda args: _link(args), "check, suggest, accept and enrich the links to Wikidata"),
    "ask": (_ask_parser, lambda args: _ask(args), "answer a question in plain English, with the evidence"),
    "serve": (_serve_parser, lambda args: _serve(args), "serve the graph read-only: SPARQL endpoint, REST API, query page"),
    "chart": (_chart_parser, lambda args: _chart(args), "draw a chart: signatories per pledge, the counts sources report, a pledge's world map"),
    "diagram": (_diagram_parser, lambda args: _diagram(args), "draw an entity's links, or the ontology's classes (Graphviz)"),
    "diff": (_diff_parser, lambda args: _diff(args), "what changed between two builds, by entity and claim, for a changelog"),
    "htaccess": (_htaccess_parser, lambda args: _htaccess(args), "the Apache .htaccess for the site, or for w3id.org"),
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
    from kg.use.query import list_queries

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
    from kg.use.query import QueryText, saved
    from kg.use.savedquery import read_query_text, read_saved_query

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
    from kg.use.formats import FORMATS, default_format, format_for_extension, render
    from kg.use.params import bind, parse_assignments
    from kg.project import find_project

    if args.output and args.format:
        implied = next((f.name for f in FORMATS.values() if args.output.lower().endswith(f.extensions)), None)
        _agree(args, implied)
    given = parse_assignments(args.param)
    query = _read_query(args, lambda: find_project(args.project))
    if args.service:
        from kg.use.sparqltext import redirect_services

        redirects = {}
        for pair in args.service:
            old, sep, new = pair.partition("=")
            if not (sep and old.startswith(("http://", "https://")) and new.startswith(("http://", "https://"))):
                raise UsageError(f"--service {pair!r} is not FROM=TO", hint="e.g. --service https://query.wikidata.org/sparql=http://127.0.0.1:7878/query")
            redirects[old] = new
        query = query._replace(text=redirect_services(query.text, redirects))
    dataset = {"default_graphs": tuple(args.default_graph), "named_graphs": tuple(args.named_graph)}
    if args.endpoint:
        from kg.use.query import QueryText
        from kg.use.remote import Deadline, execute_remote

        deadline = Deadline(args.timeout)  # one for the look-ups and the query

        def lookup(text, terms):  # type: ignore[no-untyped-def]
            return execute_remote(args.endpoint, QueryText(text, "<lookup>"), terms, deadline, **dataset)

        result = execute_remote(args.endpoint, query, bind(query.saved, given, lookup), deadline, **dataset)
    else:
        if args.default_graph or args.named_graph:
            raise UsageError("--default-graph and --named-graph name a remote store's graphs: give --endpoint too",
                             hint="the local dataset's default graph is already the accepted graph")
        from kg.use.query import execute, local_lookup
        from kg.use.store import open_store

        watchdog = _watchdog(args.timeout)
        try:
            store = open_store(find_project(args.project))
            result = execute(store, query, bind(query.saved, given, local_lookup(store)))
        finally:
            watchdog.cancel()
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


def _watchdog(seconds: float):  # type: ignore[no-untyped-def]
    """A started timer that, unless cancelled first, ends the process with the time-out error
    after ``seconds``: the local engine runs a query with no Python frame to raise in."""
    import threading

    def expire() -> None:
        print(f"Error: the query did not finish within {seconds:g} s\n  fix: raise --timeout, or simplify the query", file=sys.stderr, flush=True)
        os._exit(1)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    return timer


def _json(value: object) -> str:
    """``value`` as indented JSON, with every character a terminal would act on written as a
    \\u escape (json escapes C0 controls itself; not DEL, C1, bidi controls or surrogates)."""
    import json
    import re

    from kg.errors import UNSAFE_CHARACTERS

    text = json.dumps(value, indent=2, ensure_ascii=False)
    return re.sub(f"[{UNSAFE_CHARACTERS}]", lambda m: f"\\u{ord(m.group()):04x}", text)


def _push(args: argparse.Namespace) -> int:
    from kg.project import find_project
    from kg.use.push import push_dataset
    from kg.use.store import dataset_file, graph_files

    project = find_project(args.project)
    files, dataset = graph_files(project), dataset_file(project)

    def progress(graph: str | None, done: int, total: int, triples: int) -> None:
        if total > 1:  # a graph that fits one request needs no progress line
            print(printable(f"{f'<{graph}>' if graph else 'default graph'}: chunk {done}/{total}, {triples:,} triples sent"), file=sys.stderr)

    reports = push_dataset(files, dataset, args.store, args.graph, args.replace, args.update, args.chunk_triples, args.timeout, progress)
    verb = "replaced" if args.replace else "added to"
    first, named = reports[0], reports[1:]
    where = f"<{first.graph}>" if first.graph else "the default graph"
    print(printable(f"{first.triples:,} triples (the ontology and the accepted graph) {verb} {where}"), file=sys.stderr)
    print(f"{sum(r.triples for r in named):,} triples {verb} {len(named)} named graph(s): each source's claims and the Wikidata facts",
          file=sys.stderr)
    if args.replace:
        print("graphs of sources no longer in the dataset: removed", file=sys.stderr)
    print(printable(f"at {args.store}"), file=sys.stderr)
    return 0


def _conflicts(args: argparse.Namespace) -> int:
    from kg.project import find_project
    from kg.use.conflicts import conflicts, summary, table

    found = conflicts(find_project(args.project))
    if args.format == "json":
        print(_json([c.as_json() for c in found]))
    else:
        sys.stdout.write(table(found))
    print(summary(found), file=sys.stderr)
    if args.fail_on == "any" and found or args.fail_on == "unresolved" and any(c.unsettled for c in found):
        return 1
    return 0


def _source(args: argparse.Namespace) -> int:
    from kg.make.scaffold import NewSource, add_source
    from kg.project import find_project

    project = find_project(args.project)
    written = add_source(project, NewSource(
        id=args.id, title=args.title, label=args.label, text=args.text, rights=args.rights, url=args.url,
        publisher=args.publisher, authors=tuple(args.author), published=args.published, retrieved=args.retrieved,
        language=args.language, original_source=args.original_source, subjects=tuple(args.subject) or ("AI governance",),
    ))
    for path in written:
        print(f"wrote {project.relative(path)}", file=sys.stderr)
    print(f"next: fill in data/claims/{args.id}.yaml (it says how), then python build.py", file=sys.stderr)
    return 0


def _link(args: argparse.Namespace) -> int:
    from kg.use.link.wikidata import Endpoint
    from kg.use.remote import Deadline
    from kg.project import find_project

    project = find_project(args.project)
    endpoint = None if getattr(args, "offline", False) else Endpoint(args.endpoint, Deadline(args.timeout), args.contact)
    if args.action == "check":
        from kg.use.link.check import check_links

        reports = check_links(project, endpoint, save=not args.no_save)
        if args.format == "json":
            print(_json([r.as_json() for r in reports]))
        else:
            from kg.use.formats import columns

            rows = [(r.entity.id, r.qid, r.status, f"{r.score:.2f}", r.view.label, r.note) for r in reports]  # columns() escapes
            print(columns([("entity", "qid", "status", "score", "Wikidata label", "note"), *rows]), end="")
        if endpoint is not None and not args.no_save:
            print(f"recorded in {project.relative(project.mappings)} and {project.relative(project.wikidata_cache)}", file=sys.stderr)
        bad = [r for r in reports if r.status != "ok"]
        if bad:
            print(f"{len(bad)} of {len(reports)} link(s) are not ok", file=sys.stderr)
        return 1 if bad else 0
    if args.action == "suggest":
        from kg.use.link.suggest import suggest

        found = suggest(project, endpoint, args.entities, args.limit, save=not args.no_save)
        if args.format == "json":
            print(_json([s.as_json() for s in found]))
            return 0
        for item in found:
            expects = ", ".join(sorted(item.entity.expected)) or "no Wikidata class declared: shown only, cannot be accepted"
            print(printable(f"{item.entity.id}  ({item.entity.label}; aig:{item.entity.cls}; expects {expects})"))
            for c in item.candidates:
                kinds = ", ".join(label or q for q, label in c.view.types)
                flag = "match" if c.match else ""
                print(printable(f"  {c.view.qid:<12} {c.features.score:.2f} {flag:<5}  {c.view.label} — {c.view.description or 'no description'} [{kinds}]"))
            if not item.candidates:
                print("  no candidate")
            if item.rejected:
                print(f"  ({item.rejected} item(s) with a matching name dropped: not an instance of the expected classes)")
        return 0
    if args.action == "accept":
        from kg.use.link.suggest import accept

        report = accept(project, args.entity, args.qid, args.evidence, endpoint, args.force)
        print(printable(
            f"accepted: aigid:{report.entity.id} owl:sameAs wd:{report.qid} ({report.view.label}), score {report.score:.2f}, "
            f"status {report.status}; written to {project.relative(project.mappings)}; run python build.py to publish it"
        ))
        return 0
    from kg.use.link.enrich import enrich

    counts = enrich(project, endpoint)
    shown = ", ".join(f"{pid}: {n}" for pid, n in sorted(counts.items())) or "nothing"
    print(printable(f"pulled {shown}; wrote {project.relative(project.enrichment)}; run python build.py to publish it"))
    return 0


def _ask(args: argparse.Namespace) -> int:
    from kg.project import find_project
    from kg.use.questions import ask

    reply = ask(args.question, find_project(args.project))
    if args.format == "json":
        print(_json(reply.as_json()))
    else:
        print(reply.as_text(), end="")
    return 1 if reply.abstained else 0


def _picture_format(args: argparse.Namespace, formats: tuple[str, ...]) -> str:
    """The format asked for: --format, else --output's extension, else svg; a usage error when
    the two disagree or the extension names none of ``formats``."""
    implied = None
    if args.output:
        implied = Path(args.output).suffix.lower().lstrip(".")
        if implied not in formats:
            raise UsageError(f"cannot tell the format of --output {args.output}", hint=f"end it in {', '.join('.' + f for f in formats)}, or give --format")
    _agree(args, implied)
    return args.format or implied or "svg"


def _agree(args: argparse.Namespace, implied: str | None) -> None:
    """A usage error when --format and the format --output's extension implies (if any) differ."""
    if args.format and implied and args.format != implied:
        raise UsageError(f"--format {args.format} conflicts with the extension of --output {args.output}", hint="give one or make them agree")


def _write_output(args: argparse.Namespace, content: bytes, fmt: str) -> int:
    """Write ``content`` to --output (whole or not at all), or to standard output when it is
    text or not a terminal."""
    if args.output:
        from kg.files import replace_file

        replace_file(Path(args.output), content)
        print(f"wrote {args.output} ({len(content):,} bytes)", file=sys.stderr)
        return 0
    if fmt == "png" and sys.stdout.isatty():
        raise UsageError("a PNG is not for a terminal", hint="give --output FILE.png, or redirect the output")
    sys.stdout.buffer.write(content)
    sys.stdout.flush()
    return 0


def _diff(args: argparse.Namespace) -> int:
    from kg.use.diff import diff, render

    try:
        report = diff(args.old, args.new)
    except KGError as err:
        if not args.exit_code or isinstance(err, UsageError):
            raise
        print(printable(f"Error: {err}"), file=sys.stderr)
        return 2  # with --exit-code, 1 means "they differ"
    _write_output(args, render(report, args.format).encode("utf-8"), args.format)
    return 1 if args.exit_code and not report.empty else 0


def _htaccess(args: argparse.Namespace) -> int:
    from kg.make.site.htaccess import htaccess

    sys.stdout.buffer.write(htaccess(args.target))
    return 0


def _chart(args: argparse.Namespace) -> int:
    import json

    from kg.make.charts import chart, describe, render
    from kg.project import find_project
    from kg.use.params import parse_assignments

    fmt = _picture_format(args, ("svg", "png", "json"))
    spec = chart(find_project(args.project), args.name, parse_assignments(args.param))
    if args.describe:
        print(printable(describe(spec)))
        return 0
    content = (json.dumps(spec, ensure_ascii=False, indent=2) + "\n").encode("utf-8") if fmt == "json" else render(spec, fmt)
    return _write_output(args, content, fmt)


def _diagram(args: argparse.Namespace) -> int:
    from kg.make.diagrams import describe, neighbourhood, ontology_classes, render
    from kg.project import find_project
    from kg.use.store import open_store

    if (args.entity is None) == (not args.ontology):
        raise UsageError("give an entity, or --ontology", hint="kg diagram european-union, or kg diagram --ontology")
    fmt = _picture_format(args, ("svg", "png", "dot"))
    store = open_store(find_project(args.project))
    if args.describe:
        if args.ontology:
            raise UsageError("--describe is for an entity's diagram", hint="kg diagram ENTITY --describe")
        print(printable(describe(store, args.entity)))
        return 0
    source = ontology_classes(store) if args.ontology else neighbourhood(store, args.entity)
    return _write_output(args, source.encode("utf-8") if fmt == "dot" else render(source, fmt), fmt)


def _serve(args: argparse.Namespace) -> int:
    from kg.project import find_project
    from kg.use.server.launch import serve
    from kg.use.server.settings import Settings
    from kg.use.store import graph_files

    project = find_project(args.project)
    graph_files(project)  # a clear error now when there is no build
    settings = Settings(
        root=project.root, host=args.host, port=args.port, workers=args.workers, timeout=args.timeout, memory=args.memory * 2**20,
        header_timeout=args.header_timeout, cache=args.cache * 2**20, max_rows=args.max_rows,
        allowed_services=frozenset(args.allow_service), quiet=args.quiet,
    )
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: listening on {args.host}: other machines can reach this server", file=sys.stderr)
    try:
        serve(settings)
    except OSError as err:
        raise UsageError(f"cannot listen on {args.host} port {args.port}: {err.strerror or err}",
                         hint="choose another --port (0 picks a free one), or a --host this machine has") from None
    return 0


if __name__ == "__main__":
    sys.exit(main())
