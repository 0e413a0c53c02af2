"""Where a project's hand-edited inputs and built outputs live."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Project:
    """The layout of an aigov-kg project rooted at ``root``."""

    root: Path

    @property
    def ontology(self) -> Path:
        """The hand-edited OWL ontology, in Turtle."""
        return self.root / "ontology" / "aigov.ttl"

    @property
    def shapes(self) -> Path:
        """The SHACL shapes the built graph must satisfy."""
        return self.root / "ontology" / "shapes.ttl"

    @property
    def facts_dir(self) -> Path:
        """One YAML file of entities and facts per source."""
        return self.root / "data" / "facts"

    @property
    def sources_dir(self) -> Path:
        """Source texts (``<id>.txt``) with their metadata records (``<id>.meta.yaml``)."""
        return self.root / "data" / "sources"

    @property
    def mappings(self) -> Path:
        """The reviewed SSSOM table of links to Wikidata."""
        return self.root / "data" / "mappings" / "wikidata.sssom.tsv"

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
