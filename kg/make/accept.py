"""Derive the accepted graph from the claims, by rules anyone can read, and record every
disagreement the rules leave or settle.

The rules, in order (README.md, "Claims, not truths", says the same):

1. A deprecated claim (a curator's recorded decision) is never accepted, but it still counts
   when disagreements are found: a decision settles a disagreement, it never hides one.
2. Each property's ``aig:acceptance`` in the ontology says how its claims are accepted:
   - ``EveryValue`` (the default): every value some source claims is accepted;
   - ``OneValue``: a value is accepted when all claims agree on it; when they differ, only a
     value a curator preferred, or the only value a curator did not deprecate, is accepted,
     else none;
   - ``NoValue`` (observations, such as reported counts): none is accepted; claims with
     different values are kept side by side as a disagreement.
3. Two properties declared ``owl:propertyDisjointWith`` (endorsed, declined to endorse) cannot
   both hold of one subject and object: when sources claim both, only the side a curator
   preferred (or the only side not deprecated) is accepted, else neither.

So the accepted graph never holds two values of a one-value property, nor a subject and object
joined by two disjoint properties: it is consistent by construction. HermiT checks the
functional data properties and the disjoint object properties; the one-value dates are
annotation properties, which the QC query one-value-violation checks.
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
    """Apply the acceptance rules to ``claims`` (ranks already set). A disagreement is found
    over every claim, deprecated ones included, so a decision settles it but never hides it."""
    groups: dict[tuple[URIRef, URIRef], list[Claim]] = defaultdict(list)
    for claim in claims:
        groups[(claim.subject, claim.prop)].append(claim)
    accepted: list[Claim] = []
    disagreements: list[Disagreement] = []
    for (subject, prop), group in sorted(groups.items()):
        live = [c for c in group if c.rank != "DeprecatedRank"]
        values = _values(group)
        rule = vocabulary.rule(_local(prop))
        if rule == "EveryValue":
            accepted += live
            continue
        if len(values) <= 1:
            if rule == "OneValue":
                accepted += live
            continue
        if rule == "NoValue":
            disagreements.append(_disagreement(subject, (prop,), None, group, "KeptAsObservations", (),
                                               f"{_sources(group)} report {len(values)} different values; reported counts are "
                                               "observations: none is accepted, each is kept with what it counted, how exactly and when"))
            continue
        chosen, settled = _settle(values)
        winners = tuple(c for c in values[chosen] if c.rank != "DeprecatedRank") if chosen is not None else ()
        accepted += winners
        disagreements.append(_disagreement(subject, (prop,), None, group, "SettledByDecision" if settled else "Unsettled",
                                           winners, _explain(group, values, chosen, settled)))
    return _disjointness(claims, accepted, disagreements, vocabulary)


def _disjointness(claims: list[Claim], accepted: list[Claim], disagreements: list[Disagreement],
                  vocabulary: Vocabulary) -> Acceptance:
    """Rule 3: of two disjoint properties joining one subject and object, keep the side a
    decision leaves (the preferred one, or the only one not deprecated), or neither."""
    by_pair: dict[tuple[URIRef, Node], dict[str, list[Claim]]] = defaultdict(lambda: defaultdict(list))
    for claim in claims:
        by_pair[(claim.subject, claim.value)][claim.name].append(claim)
    dropped: set[int] = set()
    for (subject, obj), by_name in sorted(by_pair.items()):
        for pair in sorted(vocabulary.disjoint, key=sorted):
            first, second = sorted(pair)
            if not (by_name.get(first) and by_name.get(second)):
                continue
            sides = {first: by_name[first], second: by_name[second]}
            chosen, settled = _settle(sides)
            involved = sides[first] + sides[second]
            winners = tuple(c for c in sides[chosen] if c.rank != "DeprecatedRank") if chosen is not None else ()
            kept_ids = {id(c) for c in winners}
            dropped.update(id(c) for c in involved if id(c) not in kept_ids)
            props = tuple(sorted({c.prop for c in involved}))
            disagreements.append(_disagreement(subject, props, obj, involved, "SettledByDecision" if settled else "Unsettled",
                                               winners, _explain(involved, sides, chosen, settled, disjoint=True)))
    kept = tuple(c for c in accepted if id(c) not in dropped)
    return Acceptance(kept, tuple(sorted(disagreements, key=lambda d: str(d.iri))))


def _values(claims: list[Claim]) -> dict[Node, list[Claim]]:
    values: dict[Node, list[Claim]] = defaultdict(list)
    for claim in claims:
        values[claim.value].append(claim)
    return dict(values)


def _settle(options: dict) -> tuple[object | None, bool]:  # type: ignore[type-arg]
    """How decisions settle competing ``options`` (values, or property names, each with its
    claims): (the option accepted or None, whether a decision settled it). A decision settles
    when exactly one option has a preferred claim, or when deprecations leave exactly one option
    with claims that are not deprecated, or none at all."""
    preferred = [key for key, claims in options.items() if any(c.rank == "PreferredRank" for c in claims)]
    if len(preferred) == 1:
        return preferred[0], True
    if preferred:
        return None, False
    standing = [key for key, claims in options.items() if any(c.rank != "DeprecatedRank" for c in claims)]
    if len(standing) == 1 and len(standing) < len(options):
        return standing[0], True
    return None, not standing


def _disagreement(subject: URIRef, props: tuple[URIRef, ...], obj: Node | None, claims: list[Claim], settlement: str,
                  accepted: tuple[Claim, ...], explanation: str) -> Disagreement:
    """The disagreement over ``claims``; its IRI comes from the subject, the properties and, for
    two disjoint properties, the value they join (an entity or a literal)."""
    key = digest(subject.n3(), *(p.n3() for p in props), obj.n3() if obj is not None else "")
    return Disagreement(
        iri=URIRef(DISAGREEMENT + key),
        subject=subject,
        properties=props,
        object=obj if isinstance(obj, URIRef) else None,
        claims=tuple(sorted(claims, key=lambda c: str(c.iri))),
        settlement=settlement,
        accepted=tuple(sorted(accepted, key=lambda c: str(c.iri))),
        explanation=explanation,
    )


def _explain(claims: list[Claim], options: dict, chosen: object | None, settled: bool,  # type: ignore[type-arg]
             disjoint: bool = False) -> str:
    """The disagreement in one English sentence: who says what, and what the decisions made of it."""
    if disjoint:
        what = ", ".join(f"{_sources(options[key])} say {key}" for key in sorted(options))
    else:
        what = f"{_sources(claims)} claim {len(options)} different values"
    preferred = sorted(_shown(key) for key, cs in options.items() if any(c.rank == "PreferredRank" for c in cs))
    deprecated = sorted(_shown(key) for key, cs in options.items() if cs and all(c.rank == "DeprecatedRank" for c in cs))
    reasons = sorted({c.rank_reason for c in claims if c.rank != "NormalRank" and c.rank_reason})
    if chosen is not None:
        how = f"decisions prefer {preferred[0]}" if preferred else "decisions deprecate " + ", ".join(deprecated)
        return f"{what}; {how}: the accepted graph holds {_shown(chosen)}" + (". " + " ".join(reasons) if reasons else "")
    if settled:
        return f"{what}; decisions deprecate every one: the accepted graph holds none of them" + (
            ". " + " ".join(reasons) if reasons else "")
    if len(preferred) > 1:
        return f"{what}; decisions prefer more than one ({', '.join(preferred)}): the accepted graph holds none of them"
    return f"{what}; no curator's decision settles it: the accepted graph holds none of them"


def _shown(key: object) -> str:
    return _local(key) if isinstance(key, URIRef) else key if isinstance(key, str) else str(key)


def _sources(claims: list[Claim]) -> str:
    count = len({c.source for c in claims})
    return f"{count} source{'s' if count != 1 else ''}"


def _local(iri: URIRef) -> str:
    text = str(iri)
    return text.rsplit("#", 1)[-1] if "#" in text else text.rsplit("/", 1)[-1]
