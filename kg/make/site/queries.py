"""A page for every saved query (``queries/<name>.html``): its title, description, parameters,
the SPARQL with the defaults bound (ready to paste into any endpoint), and its results on this
build with those defaults; and the list of them (``queries/index.html``). Queries that need
the network (a SERVICE call) are listed with their SPARQL, not run.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph

from kg.make.site.page import Page, Site, attr, link, page_path, text
from kg.namespaces import ID

# The most rows of a query's results a page shows (the rest are counted).
SHOWN_ROWS = 200


def query_pages(store: pyoxigraph.Store, site: Site, queries_dir: Path, linked: set[str]) -> list[Page]:
    """The page of every saved query of ``queries_dir`` (not its sub-folders), and the list of
    them; IRIs in ``linked`` (things with pages) are linked to their pages."""
    from kg.use.savedquery import saved_queries, with_defaults

    queries = [q for q in saved_queries(queries_dir) if not q.group]
    pages = [_query_page(store, query, with_defaults(query), linked) for query in queries]
    body = ["<p>The questions the graph is built to answer, as SPARQL. Each page shows the query with its parameters' "
            "defaults bound and its results on this build; <code>kg query NAME</code> runs it locally, and "
            "<code>kg serve</code> offers each at <code>/api/queries/NAME</code>.</p><dl>"]
    for query in queries:
        body.append(f"<dt><a href={attr(link('queries/index.html', _path(query.name)))}>{text(query.title)}</a> "
                    f"<code>{text(query.name)}</code></dt><dd>{text(query.description)}</dd>")
    body.append("</dl>")
    pages.append(Page(path="queries/index.html", title="Saved queries", body="\n".join(body), kind="saved queries",
                      data={"@context": {"@vocab": "http://schema.org/"}, "@type": "ItemList", "name": "Saved queries of aigov-kg",
                            "numberOfItems": len(queries)},
                      description="The saved SPARQL queries of aigov-kg, with their results."))
    return pages


def _path(name: str) -> str:
    return f"queries/{name}.html"


def _query_page(store: pyoxigraph.Store, query, sparql: str, linked: set[str]) -> Page:  # type: ignore[no-untyped-def]
    path = _path(query.name)
    body = [f"<p>{text(query.description)}</p>"]
    if query.params:
        body.append("<h2>Parameters</h2><dl>")
        for param in query.params:
            default = f" (default: <code>{text(param.default)}</code>)" if param.default else ""
            body.append(f"<dt><code>{text(param.name)}</code>: {text(param.type)}</dt><dd>{text(param.doc)}{default}</dd>")
        body.append("</dl>")
    body.append(f"<h2>SPARQL</h2><pre><code>{text(sparql)}</code></pre>")
    body.append(f"<p>Run it: <code>kg query {text(query.name)}</code></p>")
    body.append("<h2>Results on this build</h2>")
    body.append(_results(store, query, sparql, path, linked))
    return Page(path=path, title=query.title, body="\n".join(body), kind="saved query",
                data={"@context": {"@vocab": "http://schema.org/"}, "@type": "SoftwareSourceCode", "name": query.title,
                      "description": query.description, "programmingLanguage": "SPARQL", "text": sparql},
                description=query.description)


def _results(store: pyoxigraph.Store, query, sparql: str, path: str, linked: set[str]) -> str:  # type: ignore[no-untyped-def]
    if query.network_required:
        return "<p>This query calls another endpoint (SERVICE), so it is not run here.</p>"
    answer = store.query(sparql)
    if isinstance(answer, pyoxigraph.QueryBoolean):
        return f"<p>{'Yes' if bool(answer) else 'No'}.</p>"
    if not isinstance(answer, pyoxigraph.QuerySolutions):
        return "<p>This query makes a graph; run it to see it.</p>"
    variables = [v.value for v in answer.variables]
    rows = list(answer)
    cells = []
    for row in rows[:SHOWN_ROWS]:
        cells.append("<tr>" + "".join(f"<td>{_cell(row[v], path, linked)}</td>" for v in variables) + "</tr>")
    head = "<tr>" + "".join(f"<th>{text(v)}</th>" for v in variables) + "</tr>"
    more = f"<p>The first {SHOWN_ROWS} of {len(rows):,} rows.</p>" if len(rows) > SHOWN_ROWS else f"<p>{len(rows):,} rows.</p>"
    return f'{more}<div class="results"><table><thead>{head}</thead><tbody>{"".join(cells)}</tbody></table></div>'


def _cell(term: object, path: str, linked: set[str]) -> str:
    if term is None:
        return ""
    if isinstance(term, pyoxigraph.NamedNode):
        if term.value in linked:
            return f"<a href={attr(link(path, page_path(term.value)))}>{text(term.value[len(ID):])}</a>"
        if term.value.startswith(("http://", "https://")):
            return f"<a href={attr(term.value)}>{text(term.value)}</a>"
    return text(getattr(term, "value", term))
