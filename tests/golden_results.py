"""Golden results of the saved queries: one manifest, one expected-result file per case.

``tests/golden/manifest.tsv`` lists each case: the saved query, its parameters
(``key=value;key=value``, empty for the defaults) and the file with the expected result, in
SPARQL 1.1 TSV (terms in N-Triples syntax, so the file is exact and diffable). A case compares
rows as a set unless its query has ORDER BY, in which case order counts too.

The expected files change only through this explicit command, run after a deliberate change to
the data or the queries (and reviewed in the diff):

    python build.py && python -m tests.golden_results
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
MANIFEST = GOLDEN / "manifest.tsv"


def cases() -> list[tuple[str, dict[str, str], Path]]:
    """(query name, parameters, expected-result file) for every manifest row."""
    rows = []
    for line in MANIFEST.read_text(encoding="utf-8").splitlines()[1:]:
        if not line.strip():
            continue
        name, params, expected = line.split("\t")
        values = dict(pair.split("=", 1) for pair in params.split(";") if pair)
        rows.append((name, values, GOLDEN / expected))
    return rows


def is_ordered(query_text: str) -> bool:
    """Whether the query fixes the order of its rows."""
    from kg.use.sparqltext import mask

    return re.search(r"\bORDER\s+BY\b", mask(query_text), re.IGNORECASE) is not None


def update() -> None:
    """Rewrite every expected-result file from the current build."""
    from kg.use.formats import FORMATS, render
    from kg.project import Project
    from kg.use.query import run
    from kg.use.store import open_store

    project = Project(ROOT)
    store = open_store(project)
    for name, params, expected in cases():
        expected.write_text(render(run(name, params, project=project, store=store), FORMATS["tsv"]), encoding="utf-8")
        print(f"wrote {expected.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    update()
