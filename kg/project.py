"""Where a project's hand-edited inputs and built outputs live."""

from __future__ import annotations

import os
from collections import namedtuple
from pathlib import Path

from kg.errors import KGError


# namedtuple, not dataclass or typing.NamedTuple: those cost `kg query` 3-7 ms of imports
class Project(namedtuple("Project", ["root"])):
    """The layout of an aigov-kg project rooted at ``root`` (a :class:`~pathlib.Path`)."""

    __slots__ = ()

    @property
    def ontology(self) -> Path:
        """The hand-edited OWL ontology, in Turtle."""
        return self.root / "ontology" / "aigov.ttl"

    @property
    def shapes(self) -> Path:
        """The SHACL shapes the built graph must satisfy."""
        return self.root / "ontology" / "shapes.ttl"

    @property
    def entities(self) -> Path:
        """The register of entities, shared by every source."""
        return self.root / "data" / "entities.yaml"

    @property
    def claims_dir(self) -> Path:
        """One YAML file per source: what it claims, the names it uses, its unnamed groups."""
        return self.root / "data" / "claims"

    @property
    def decisions(self) -> Path:
        """The curators' recorded decisions: claims preferred or deprecated, with reasons."""
        return self.root / "data" / "decisions.yaml"

    @property
    def sources_dir(self) -> Path:
        """Sources' metadata records (``<id>.meta.yaml``), and the texts of quoted sources (``<id>.txt``)."""
        return self.root / "data" / "sources"

    @property
    def mappings(self) -> Path:
        """The reviewed SSSOM table of links to Wikidata."""
        return self.root / "data" / "mappings" / "wikidata.sssom.tsv"

    @property
    def wikidata_cache(self) -> Path:
        """What ``kg link`` learned from Wikidata (Turtle with retrieval records): an input."""
        return self.root / "data" / "wikidata" / "cache.ttl"

    @property
    def enrich_spec(self) -> Path:
        """The declared set of Wikidata facts ``kg link enrich`` pulls about linked items."""
        return self.root / "data" / "wikidata" / "enrich.tsv"

    @property
    def enrichment(self) -> Path:
        """The facts ``kg link enrich`` pulled, with their provenance; published as its own graph."""
        return self.root / "data" / "wikidata" / "enrichment.ttl"

    @property
    def queries_dir(self) -> Path:
        """Saved SPARQL queries; ``qc/`` holds the quality checks."""
        return self.root / "queries"

    @property
    def dist(self) -> Path:
        """Built output: written only by the publish step, never edited."""
        return self.root / "dist"

    def relative(self, path: Path) -> str:
        """``path`` relative to the project root when inside it, for messages."""
        try:
            return str(path.resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)


def find_project(explicit: Path | None = None, start: Path | None = None) -> Project:
    """The project named by ``explicit`` (``--project``), else ``$KG_PROJECT``, else the nearest
    directory from ``start`` (default: the current one) upward that holds ``queries/`` beside
    ``dist/`` or ``ontology/``."""
    chosen = explicit or (Path(os.environ["KG_PROJECT"]) if os.environ.get("KG_PROJECT") else None)
    if chosen is not None:
        if not (chosen / "queries").is_dir():
            raise KGError(f"{chosen} is not an aigov-kg project: it has no queries/ folder", hint="pass the directory that holds queries/ and dist/")
        return Project(chosen.resolve())
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        if (directory / "queries").is_dir() and ((directory / "dist").is_dir() or (directory / "ontology").is_dir()):
            return Project(directory)
    raise KGError(
        f"not inside an aigov-kg project ({here} and its parents hold no queries/ beside dist/ or ontology/)",
        hint="run kg in the project directory, or pass --project DIR or set KG_PROJECT",
    )
