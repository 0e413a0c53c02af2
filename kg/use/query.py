"""Run SPARQL over the published graph with pyoxigraph: saved queries by name, files or text.

This is the query path: it imports pyoxigraph and the project's light modules, never rdflib,
owlready2 or pyshacl.
"""

from __future__ import annotations

import re
from collections import namedtuple
from collections.abc import Callable

import pyoxigraph

from kg.errors import KGError, UsageError
from kg.use.params import Lookup, bind
from kg.project import Project
from kg.use.results import Result, from_pyoxigraph
from kg.use.savedquery import SavedQuery, find_saved_query
from kg.use.sparqltext import QueryTextError, check_text
from kg.use.store import open_store

_POSITION = re.compile(r"^error at (\d+):(\d+): ?(.*)$", re.DOTALL)


class QueryText(namedtuple("QueryText", ["text", "shown_as", "saved"], defaults=[None])):
    """SPARQL to run: ``shown_as`` names it in messages (a file, ``<-e>``, ``<stdin>``);
    ``saved`` is the :class:`~kg.use.savedquery.SavedQuery` when it is one (its header declares
    the parameters)."""

    __slots__ = ()


def saved(project: Project, name: str) -> QueryText:
    """The saved query ``name`` (``signatories``, ``qc/missing-label-violation``)."""
    query = find_saved_query(project.queries_dir, name)
    return QueryText(query.text, f"queries/{name}.rq", query)


def check_survivable(query: QueryText) -> None:
    """Refuse, with its position, a query nested too deep or chained too long for the engine to survive."""
    try:
        check_text(query.text)
    except QueryTextError as err:
        raise KGError(str(err), path=query.shown_as, line=err.line, column=err.column, hint=err.hint) from None


def execute(
    store: pyoxigraph.Store,
    query: QueryText,
    terms: dict[str, pyoxigraph.NamedNode | pyoxigraph.Literal] | None = None,
    collect: Callable[[object], Result] = from_pyoxigraph,
    checked: bool = False,
    dataset: dict[str, list[pyoxigraph.NamedNode]] | None = None,
) -> Result:
    """Run ``query`` on ``store`` with ``terms`` bound to its variables by substitution;
    ``collect`` reads the engine's lazy answer into a :class:`Result` (the server's caps rows).
    ``checked``: the caller has refused already what the engine would not survive (the server's
    guard does, on the text with its escapes decoded), so the check is not made twice.
    ``dataset``: ``Store.query``'s ``default_graph`` and ``named_graphs``, when the request
    names its own dataset (the SPARQL protocol's ``default-graph-uri``, ``named-graph-uri``)."""
    if not checked:
        check_survivable(query)
    substitutions = {pyoxigraph.Variable(name): term for name, term in (terms or {}).items()}
    try:
        answer = store.query(query.text, substitutions=substitutions, **(dataset or {}))
        return collect(answer)
    except SyntaxError as err:
        match = _POSITION.match(str(err))
        if match:
            raise KGError(
                f"SPARQL syntax error: {match.group(3)}",
                path=query.shown_as,
                line=int(match.group(1)),
                column=int(match.group(2)),
                hint="fix the query at that position",
            ) from None
        raise KGError(f"SPARQL syntax error: {err}", path=query.shown_as, hint="fix the query") from None
    except (OSError, RuntimeError, ValueError) as err:
        missing = re.search(r"does not contains? variable \?(\w+) in its SELECT projection", str(err))
        if missing:
            raise UsageError(
                f"the query does not select ?{missing.group(1)}, so --param {missing.group(1)}=… cannot be bound",
                path=query.shown_as,
                hint=f"add ?{missing.group(1)} to the SELECT clause: parameters are bound through the projection (SEP-0007)",
            ) from None
        raise KGError(f"query failed: {err}", path=query.shown_as, hint="check the query against the data") from None


def run(
    name_or_sparql: str,
    params: dict[str, str] | None = None,
    project: Project | None = None,
    store: pyoxigraph.Store | None = None,
) -> Result:
    """Run a saved query by name, or SPARQL text, over the built graph; the library entry point.

    The project is found from the current directory upward unless given; ``params`` are the
    saved query's parameters as text (``{"pledge": "the Paris statement"}``).
    """
    from kg.project import find_project

    project = project or find_project()
    if store is None:  # not `store or …`: an empty Store is falsy
        store = open_store(project)
    is_text = any(ch in name_or_sparql for ch in "{ \n")
    query = QueryText(name_or_sparql, "<query>") if is_text else saved(project, name_or_sparql)
    return execute(store, query, bind(query.saved, params or {}, local_lookup(store)))


def local_lookup(store: pyoxigraph.Store) -> Lookup:
    """Run helper queries (entity look-ups) on ``store``."""
    return lambda text, terms: execute(store, QueryText(text, "<lookup>"), terms)


def list_queries(project: Project | None = None, include_subfolders: bool = False) -> list[SavedQuery]:
    """The saved queries of the project (found from the current directory upward unless given):
    the main set, and with ``include_subfolders`` the quality checks and other special kinds."""
    from kg.project import find_project
    from kg.use.savedquery import saved_queries

    found = saved_queries((project or find_project()).queries_dir)
    return [q for q in found if include_subfolders or not q.group]
