"""Query results as one shape, whether they came from pyoxigraph or a remote endpoint."""

from __future__ import annotations


import pyoxigraph

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {XSD + t for t in ("integer", "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger", "long", "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")}

Term = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal


class Result:
    """The answer to one query: ``kind`` is ``select``, ``ask`` or ``graph`` (CONSTRUCT, DESCRIBE).

    ``rows`` hold RDF terms (``None`` where a variable is unbound); :meth:`records` gives plain
    Python values.
    """

    def __init__(
        self,
        kind: str,
        variables: list[str] | None = None,
        rows: list[tuple[Term | None, ...]] | None = None,
        boolean: bool | None = None,
        triples: list[pyoxigraph.Triple] | None = None,
    ) -> None:
        self.kind = kind
        self.variables = variables or []
        self.rows = rows or []
        self.boolean = boolean
        self.triples = triples or []

    def __repr__(self) -> str:
        size = f"{len(self.rows)} rows" if self.kind == "select" else self.boolean if self.kind == "ask" else f"{len(self.triples)} triples"
        return f"Result({self.kind}, {size})"

    def records(self) -> list[dict[str, object]]:
        """One dict a row, variable name -> Python value (IRIs and text as ``str``, numbers as
        ``int``/``Decimal``/``float``, booleans as ``bool``, unbound as ``None``)."""
        return [{name: python_value(term) for name, term in zip(self.variables, row)} for row in self.rows]

    def to_dataframe(self) -> object:
        """The rows as a pandas DataFrame (needs pandas: ``pip install pandas``)."""
        try:
            import pandas
        except ImportError:
            raise ImportError("to_dataframe needs pandas: pip install pandas") from None
        return pandas.DataFrame.from_records(self.records(), columns=self.variables)


def plain_text(term: Term | None) -> str:
    """A term as plain text: an IRI or literal value bare, a blank node as ``_:id``."""
    if term is None:
        return ""
    if isinstance(term, pyoxigraph.BlankNode):
        return f"_:{term.value}"
    return term.value


def python_value(term: Term | None) -> object:
    """The plain Python value of an RDF term."""
    if term is None:
        return None
    if isinstance(term, pyoxigraph.NamedNode):
        return term.value
    if isinstance(term, pyoxigraph.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, pyoxigraph.Literal):
        datatype = term.datatype.value
        try:
            if datatype in _INTEGERS:
                return int(term.value)
            if datatype == XSD + "decimal":
                from decimal import Decimal

                return Decimal(term.value)
            if datatype in (XSD + "double", XSD + "float"):
                return float(term.value)
            if datatype == XSD + "boolean":
                return term.value in ("true", "1")
        except ValueError:
            return term.value
        return term.value
    return str(term)


def from_pyoxigraph(answer: object) -> Result:
    """Collect what ``Store.query`` returned into a :class:`Result`."""
    if isinstance(answer, pyoxigraph.QueryBoolean):
        return Result("ask", boolean=bool(answer))
    if isinstance(answer, pyoxigraph.QuerySolutions):
        variables = [v.value for v in answer.variables]
        return Result("select", variables=variables, rows=[tuple(solution[v] for v in answer.variables) for solution in answer])
    return Result("graph", triples=list(answer))
