"""How well a Wikidata item fits an entity: the features, in the manner of the W3C Entity
Reconciliation API (each feature named, with its value), and the score they add up to."""

from __future__ import annotations

from typing import NamedTuple

from kg.use.link.cache import Cache, ItemView
from kg.use.link.entities import Entity
from kg.use.link.names import best_similarity

# Below this name similarity a checked link is a label mismatch.
LABEL_THRESHOLD = 0.8
# At or above this score, with a type match, a candidate is a confident match; below it
# `kg link accept` asks for --force as well as evidence.
ACCEPT_THRESHOLD = 0.9
# Each known feature's weight in the score; unknown features (no expected class, no country to
# compare) are left out, not counted as failures.
WEIGHTS = {"name": 0.5, "type": 0.3, "country": 0.2}


class Features(NamedTuple):
    """``name``: best similarity (0–1) between the entity's names and the item's, reached by
    ``names`` (ours, theirs); ``type_match``: the item is an instance of an expected class
    (None when none is declared); ``country_match``: the item belongs to one of the entity's
    countries (None when either side names none)."""

    name: float
    names: tuple[str, str]
    type_match: bool | None
    country_match: bool | None

    @property
    def score(self) -> float:
        """The weighted mean of the known features, rounded to 3 places."""
        values = {"name": self.name, "type": self.type_match, "country": self.country_match}
        known = {k: float(v) for k, v in values.items() if v is not None}
        return round(sum(WEIGHTS[k] * v for k, v in known.items()) / sum(WEIGHTS[k] for k in known), 3)

    def as_json(self) -> list[dict[str, object]]:
        """The features as Reconciliation API ``features``: ``[{"id", "value"}]``."""
        return [
            {"id": "name_similarity", "value": round(self.name, 3), "ours": self.names[0], "theirs": self.names[1]},
            {"id": "type_match", "value": self.type_match},
            {"id": "country_match", "value": self.country_match},
        ]


def features(entity: Entity, view: ItemView, cache: Cache) -> Features:
    """The features of item ``view`` (read from ``cache``) as a match for ``entity``."""
    similarity, ours, theirs = best_similarity(entity.names, view.labels + view.aliases)
    type_match = cache.is_instance_of(view.qid, entity.expected) if entity.expected else None
    theirs_countries = cache.countries(view.qid)
    country_match = bool(entity.countries & theirs_countries) if entity.countries and theirs_countries else None
    return Features(similarity, (ours, theirs), type_match, country_match)
