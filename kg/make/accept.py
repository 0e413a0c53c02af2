"""Derive the accepted graph from the claims, by rules anyone can read, and record every
disagreement the rules leave or settle.

The rules, in order (README.md, "Claims, not truths", says the same):

1. A deprecated claim (a curator's recorded decision) is never accepted.
2. Each property's ``aig:acceptance`` in the ontology says how its claims are accepted:
   - ``EveryValue`` (the default): every value some source claims is accepted;
   - ``OneValue``: a value is accepted when all claims agree on it; when they differ, only a
     value a curator preferred is accepted, else none;
   - ``NoValue`` (observations, such as reported counts): none is accepted; claims with
     different values are kept side by side as a disagreement.
3. Two properties declared ``owl:propertyDisjointWith`` (endorsed, declined to endorse) cannot
   both hold of one subject and object: when sources claim both, only the side a curator
   preferred is accepted, else neither.

So the accepted graph never holds two values of a one-value property, nor a subject and object
joined by two disjoint properties: it is consistent by construction, and HermiT checks it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rdflib import URIRef
from rdflib.term import Node

from kg.make.claims import Claim, digest
from kg.make.ontology import Vocabulary
from kg.namespaces import DISAGREEMENT


@dataclass(frozen=True)
class Disagreement:
    """Claims that cannot all hold, and how the accepted graph settles them: ``settlement`` is
    ``SettledByDecision``, ``Unsettled`` or ``KeptAsObservations``; ``accepted`` the claims
    whose value the accepted graph holds; ``explanation`` says it in English."""

    iri: URIRef
    subject: URIRef
    properties: tuple[URIRef, ...]
    object: URIRef | None
    claims: tuple[Claim, ...]
    settlement: str
    accepted: tuple[Claim, ...]
    explanation: str


@dataclass(frozen=True)
class Acceptance:
    """The accepted claims (each supports its direct triple) and the disagreements."""

    accepted: tuple[Claim, ...]
    disagreements: tuple[Disagreement, ...]


def accept(claims: list[Claim], vocabulary: Vocabulary) -> Acceptance:
    """Apply the acceptance rules to ``claims`` (ranks already set)."""
    groups: dict[tuple[URIRef, URIRef], list[Claim]] = defaultdict(list)
    for claim in claims:
        groups[(claim.subject, claim.prop)].append(claim)
    accepted: list[Claim] = []
    disagreements: list[Disagreement] = []
    for (subject, prop), group in sorted(groups.items()):
        live = [c for c in group if c.rank != "DeprecatedRank"]
        values = _values(live)
        rule = vocabulary.rule(_local(prop))
        if rule == "EveryValue":
            accepted += live
            continue
        if len(values) <= 1:
            if rule == "OneValue":
                accepted += live
            continue
        if rule == "NoValue":
            disagreements.append(_disagreement(subject, (prop,), None, live, "KeptAsObservations", (),
                                               f"{_sources(live)} report {len(values)} different values; reported counts are "
                                               "observations: none is accepted, each is kept with what it counted, how exactly and when"))
            continue
        chosen = _preferred(values)
        settlement = "SettledByDecision" if chosen else "Unsettled"
        winners = tuple(values[chosen]) if chosen else ()
        accepted += winners
        disagreements.append(_disagreement(subject, (prop,), None, live, settlement, winners, _explain(live, values, chosen)))
    return _disjointness(accepted, disagreements, vocabulary)


def _disjointness(accepted: list[Claim], disagreements: list[Disagreement], vocabulary: Vocabulary) -> Acceptance:
    """Rule 3: of two disjoint properties joining one subject and object, keep the preferred side
    or neither."""
    by_pair: dict[tuple[URIRef, Node], dict[str, list[Claim]]] = defaultdict(lambda: defaultdict(list))
    for claim in accepted:
        by_pair[(claim.subject, claim.value)][claim.name].append(claim)
    dropped: set[int] = set()
    for (subject, obj), by_name in sorted(by_pair.items()):
        for pair in sorted(vocabulary.disjoint, key=sorted):
            first, second = sorted(pair)
            if not (by_name.get(first) and by_name.get(second)):
                continue
            sides = {first: by_name[first], second: by_name[second]}
            chosen = _preferred(sides)
            involved = sides[first] + sides[second]
            winners = tuple(sides[chosen]) if chosen else ()
            kept_ids = {id(c) for c in winners}
            dropped.update(id(c) for c in involved if id(c) not in kept_ids)
            props = tuple(sorted({c.prop for c in involved}))
            disagreements.append(_disagreement(subject, props, obj if isinstance(obj, URIRef) else None, involved,
                                               "SettledByDecision" if chosen else "Unsettled", winners,
                                               _explain(involved, sides, chosen, disjoint=True)))
    kept = tuple(c for c in accepted if id(c) not in dropped)
    return Acceptance(kept, tuple(sorted(disagreements, key=lambda d: str(d.iri))))


def _values(claims: list[Claim]) -> dict[Node, list[Claim]]:
    values: dict[Node, list[Claim]] = defaultdict(list)
    for claim in claims:
        values[claim.value].append(claim)
    return dict(values)


def _preferred(options: dict) -> object | None:  # type: ignore[type-arg]
    """The one option (a value, or a property name) some claim of which a curator preferred,
    when exactly one has such a claim; else None."""
    chosen = [key for key, claims in options.items() if any(c.rank == "PreferredRank" for c in claims)]
    return chosen[0] if len(chosen) == 1 else None


def _disagreement(subject: URIRef, props: tuple[URIRef, ...], obj: URIRef | None, claims: list[Claim], settlement: str,
                  accepted: tuple[Claim, ...], explanation: str) -> Disagreement:
    key = digest(subject.n3(), *(p.n3() for p in props), obj.n3() if obj is not None else "")
    return Disagreement(
        iri=URIRef(DISAGREEMENT + key),
        subject=subject,
        properties=props,
        object=obj,
        claims=tuple(sorted(claims, key=lambda c: str(c.iri))),
        settlement=settlement,
        accepted=tuple(sorted(accepted, key=lambda c: str(c.iri))),
        explanation=explanation,
    )


def _explain(claims: list[Claim], options: dict, chosen: object | None, disjoint: bool = False) -> str:  # type: ignore[type-arg]
    what = "say it holds through disjoint properties" if disjoint else f"claim {len(options)} different values"
    text = f"{_sources(claims)} {what}"
    if chosen is None:
        return text + "; no curator's decision prefers one: the accepted graph holds none of them"
    reasons = sorted({c.rank_reason for c in options[chosen] if c.rank == "PreferredRank" and c.rank_reason})
    shown = _local(chosen) if isinstance(chosen, URIRef) else chosen if isinstance(chosen, str) else str(chosen)
    return text + f"; a curator's decision prefers {shown}: " + " ".join(reasons)


def _sources(claims: list[Claim]) -> str:
    count = len({c.source for c in claims})
    return f"{count} source{'s' if count != 1 else ''}"


def _local(iri: URIRef) -> str:
    text = str(iri)
    return text.rsplit("#", 1)[-1] if "#" in text else text.rsplit("/", 1)[-1]
