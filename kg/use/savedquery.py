"""Saved queries: ``queries/*.rq`` files whose ``#+ key: value`` header documents them.

The header, one ``#+ key: value`` per line before the query, is read by ``kg queries``, by
``kg query NAME`` (parameters) and by later interfaces (REST, plain English):

- ``title`` and ``description``: one line each, required;
- ``param``: ``NAME TYPE [= DEFAULT] — what it is``, TYPE one of :data:`PARAM_TYPES`; the query
  uses ``?NAME``, bound at run time;
- ``phrasing``: a plain-English question, ``{NAME}`` marking a parameter (at least three);
- ``tags``: comma-separated; ``network``: ``required`` for queries that need the internet;
- ``answer``: optional, the columns that hold the answer to the question, most wanted first
  (``kg ask`` shows the first one bound; by default the first column that is not a parameter,
  a label, or evidence);
- ``compare``: optional, for a query whose rows are alternative reports of one thing (the
  counts of signatories sources give): the column holding the reported value, then the columns
  that say how each report differs (what was counted, when); ``kg ask`` says when they differ.
"""

from __future__ import annotations

import re
from collections import namedtuple
from pathlib import Path

from kg.errors import KGError
from kg.use.sparqltext import mask

PARAM_TYPES = ("entity", "iri", "string", "integer", "year")
_HEADER = re.compile(r"^#\+ ([a-z]+):\s?(.*)$")
_PARAM = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s+([a-z]+)(?:\s*=\s*(\S+))?\s+—\s+(.+)$")
_KEYS = {"title", "description", "param", "phrasing", "tags", "network", "answer", "compare"}


class Param(namedtuple("Param", ["name", "type", "default", "doc"])):
    """A run-time parameter of a saved query: the query uses ``?name``; ``type`` is one of
    :data:`PARAM_TYPES`; ``default`` is text or None."""

    __slots__ = ()


class SavedQuery(
    namedtuple(
        "SavedQuery",
        ["name", "path", "text", "title", "description", "params", "phrasings", "tags", "network_required", "answer", "compare"],
        defaults=[(), ()],
    )
):
    """One saved query and its documented header. ``name`` is its path under ``queries/``
    without ``.rq`` (``signatories``, ``qc/missing-label-violation``); ``params`` a tuple of
    :class:`Param`; ``phrasings`` and ``tags`` tuples of text."""

    __slots__ = ()

    @property
    def group(self) -> str:
        """The sub-folder the query lives in (``qc``, ``federated``), or ``""`` for the main set."""
        return self.name.rpartition("/")[0]


def read_query_text(path: Path, shown_as: str) -> str:
    """The text of a query file; a clear error when it is not UTF-8."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise KGError(f"not UTF-8 text ({err.reason} at byte {err.start})", path=shown_as, hint="save the query as UTF-8") from None


def read_saved_query(path: Path, name: str, shown_as: str, text: str | None = None) -> SavedQuery:
    """Read ``path`` (or take its ``text``, already read) and check its header; problems name
    ``shown_as`` and the line."""
    text = read_query_text(path, shown_as) if text is None else text
    fields: dict[str, list[str]] = {key: [] for key in _KEYS}
    params: list[Param] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if not match:
            continue
        key, value = match.group(1), match.group(2).strip()
        if key not in _KEYS:
            raise KGError(f"unknown header key {key!r}", path=shown_as, line=number, hint=f"keys: {', '.join(sorted(_KEYS))}")
        if key == "param":
            params.append(_param(value, shown_as, number))
        fields[key].append(value)
    for key in ("title", "description"):
        if len(fields[key]) != 1 or not fields[key][0]:
            raise KGError(f"the header needs exactly one '#+ {key}:' line", path=shown_as, line=1, hint="see the header of any queries/*.rq")
    names = [p.name for p in params]
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    for param in params:
        if names.count(param.name) > 1:
            raise KGError(f"parameter {param.name!r} declared twice", path=shown_as, hint="declare each parameter once")
        if not re.search(rf"[?$]{param.name}\b", body):
            raise KGError(f"parameter {param.name!r} is not used as ?{param.name} in the query", path=shown_as, hint="use the variable or remove the param line")
        projection = re.search(r"\bSELECT\b(.*?)(?:\bWHERE\b|\{)", mask(body), re.IGNORECASE | re.DOTALL)
        if projection and "*" not in projection.group(1) and not re.search(rf"[?$]{param.name}\b", projection.group(1)):
            raise KGError(
                f"parameter {param.name!r} is not in the SELECT projection",
                path=shown_as,
                hint=f"add ?{param.name} to the SELECT clause: the engine binds parameters only there (SEP-0007)",
            )
    answer = tuple(v for value in fields["answer"] for v in value.replace("?", "").split())
    compare = tuple(v for value in fields["compare"] for v in value.replace("?", "").split())
    for key, columns in (("answer", answer), ("compare", compare)):
        for column in columns:
            if not re.search(rf"[?$]{column}\b", body):
                raise KGError(f"{key} column ?{column} is not a variable of the query", path=shown_as,
                              hint="name projected variables, most wanted first")
    for phrasing in fields["phrasing"]:
        for placeholder in re.findall(r"\{(\w+)\}", phrasing):
            if placeholder not in names:
                raise KGError(f"phrasing uses {{{placeholder}}}, which is not a parameter", path=shown_as, hint="declare it with '#+ param:' or reword")
    return SavedQuery(
        name=name,
        path=path,
        text=text,
        title=fields["title"][0],
        description=fields["description"][0],
        params=tuple(params),
        phrasings=tuple(fields["phrasing"]),
        tags=tuple(t.strip() for value in fields["tags"] for t in value.split(",") if t.strip()),
        network_required=any(v.strip() == "required" for v in fields["network"]),
        answer=answer,
        compare=compare,
    )


def _param(value: str, shown_as: str, line: int) -> Param:
    match = _PARAM.match(value)
    if not match or match.group(2) not in PARAM_TYPES:
        raise KGError(
            f"malformed parameter {value!r}",
            path=shown_as,
            line=line,
            hint=f"write '#+ param: NAME TYPE [= DEFAULT] — what it is', TYPE one of {', '.join(PARAM_TYPES)}",
        )
    return Param(match.group(1), match.group(2), match.group(3), match.group(4).strip())


def saved_queries(queries_dir: Path) -> list[SavedQuery]:
    """Every saved query under ``queries_dir``: the main set first, then each sub-folder, by name."""
    paths = sorted(queries_dir.rglob("*.rq"), key=lambda p: (len(p.relative_to(queries_dir).parts) > 1, str(p)))
    return [
        read_saved_query(path, path.relative_to(queries_dir).with_suffix("").as_posix(), f"queries/{path.relative_to(queries_dir).as_posix()}")
        for path in paths
    ]


def find_saved_query(queries_dir: Path, name: str) -> SavedQuery:
    """The saved query called ``name`` (``signatories`` or ``qc/...``); a clear error if none."""
    path = queries_dir / f"{name}.rq"
    if not path.is_file():
        from kg.suggest import did_you_mean

        known = [q.name for q in saved_queries(queries_dir)]
        raise KGError(f"no saved query {name!r}", hint=did_you_mean(name, known) + "run 'kg queries' to list them")
    return read_saved_query(path, name, f"queries/{name}.rq")


def with_defaults(query: SavedQuery) -> str:
    """A saved query's SPARQL, header dropped, with its parameters' defaults in a VALUES block."""
    import pyoxigraph

    from kg.namespaces import ID
    from kg.use.sparqltext import with_values

    terms = {}
    for param in query.params:
        if param.default is None:
            continue
        if param.type == "entity":
            terms[param.name] = pyoxigraph.NamedNode(ID + param.default)
        elif param.type in ("integer", "year"):
            terms[param.name] = pyoxigraph.Literal(param.default, datatype=pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
        else:
            terms[param.name] = pyoxigraph.Literal(param.default)
    body = "\n".join(line for line in query.text.splitlines() if not line.startswith("#+"))
    return with_values(body, terms)
