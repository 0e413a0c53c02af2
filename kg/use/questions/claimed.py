"""Shape the claims a relation answer found into answers that lead with what was asked: the
agents for *who*, the date for *when*, the count with its bound for *how many*, the verdict for a
yes/no question, and, where the sources give different values, every value with its sources."""

from __future__ import annotations

from typing import NamedTuple

from kg.namespaces import ID
from kg.use.questions.answer import Answer, Evidence
from kg.use.questions.mentions import EntityIndex
from kg.use.questions.relations import Asked, Claim, Found

# Answers listed in the lead before "and N more".
LEAD_NAMES = 6


class Shaped(NamedTuple):
    """The lead line, the answers and, where the claims differ, the note that says so."""

    lead: str
    answers: list[Answer]
    note: str | None


def evidence_of(claim: Claim) -> Evidence:
    """The evidence of one claim: its quote, or the cited page and the place on it."""
    if claim.quote is not None:
        return Evidence("quoted", claim.quote, None, claim.url, ID + claim.source, claim.source_title, claim.publisher, claim.published)
    return Evidence("cited", None, claim.locator, claim.url, ID + claim.source, claim.source_title, claim.publisher, claim.published)



def value_label(claim: Claim) -> str:
    """A literal value as the answer reads it: a count with its bound ("more than 140")."""
    text = claim.value.value
    if claim.relation and claim.bound and claim.bound != "exactly":
        return f"{claim.bound} {text}"
    return text


def _sources(n: int) -> str:
    return f"{n} source{'s' if n != 1 else ''}"


def _names(labels: list[str]) -> str:
    shown = labels[:LEAD_NAMES]
    more = f" and {len(labels) - LEAD_NAMES} more" if len(labels) > LEAD_NAMES else ""
    if len(shown) == 1:
        return shown[0] + more
    return ", ".join(shown[:-1]) + (f", {shown[-1]}{more}" if more else f" and {shown[-1]}")


def shape_found(found: Found, asked: Asked, index: EntityIndex) -> Shaped:
    """The answers of a relation reading, grouped by value, accepted and most-sourced first."""
    label = index.labels.get
    relation = found.relation
    anchor = label(found.anchor, found.anchor)
    if found.verdict is not None:
        if relation.kind == "boolean":
            value = "true" if found.verdict == "Yes" else "false"
            lead = f"{found.verdict}: {anchor}: {relation.label} = {value}, by {_sources(len({c.source for c in found.claims}))}."
            claims = found.claims
        elif found.verdict == "Yes":
            target = found.claims[0].other or ""
            sources = {c.source for c in found.claims}
            lead = f"Yes: {anchor} {relation.label} {label(target, target)}, by {_sources(len(sources))}."
            claims = found.claims
        elif found.verdict == "No":
            target = found.opposite[0].other or ""
            sources = {c.source for c in found.opposite}
            said = ", ".join(sorted({c.relation for c in found.opposite}))
            lead = (f"No: {anchor} did not; {_sources(len(sources))} report that it {_said(said)} "
                    f"{label(target, target)}, and none that it {relation.label} it.")
            claims = list(found.opposite)
        else:
            names = [label(m.entity, m.entity) for m in asked.mentions if m.entity and m.entity != found.anchor]
            what = names[0] if names else "it"
            lead = (f"Not reported: no source in the graph says that {anchor} {relation.label} {what}, "
                    "nor that it declined; absence is not refusal.")
            claims = []
        answers = _group(claims, found.forward, index)
        return Shaped(lead, answers, None)
    answers = _group(found.claims, found.forward, index)
    if "count" in asked.kinds and relation.kind == "entity":
        lead = f"{len(answers)}: {_names([a.label for a in answers])}"
        return Shaped(lead, answers, None)
    accepted = [a for a in answers if a.fields.get("accepted") == "yes"]
    note = None
    differing = relation.kind in ("date", "year", "count") and len({a.label for a in answers}) > 1
    if differing or (relation.kind == "entity" and len(answers) > 1 and len(accepted) < len(answers) and accepted):
        parts = [f"{a.label} ({_sources(len({e.source for e in a.evidence}))}{_qualifiers(a)})" for a in answers]
        note = (f"The sources differ: {len(answers)} different values ({'; '.join(parts)}). "
                + ("None is settled as the one answer." if not accepted or differing and len(accepted) != 1
                   else f"The accepted graph holds {_names([a.label for a in accepted])}."))
    if differing:
        lead = f"The sources differ: {_names([a.label for a in answers])}."
    else:
        said = f"{anchor}, {relation.label}" if found.forward else f"{relation.label} {anchor}"
        lead = f"{_names([a.label for a in answers])} ({said})"
    return Shaped(lead, answers, note)


def _said(names: str) -> str:
    return names.replace("declinedToEndorse", "declined to endorse")


def _qualifiers(answer: Answer) -> str:
    parts = [f"{k} {v}" for k, v in answer.fields.items() if k in ("counted", "as of")]
    return "; " + ", ".join(parts) if parts else ""


def _group(claims: list[Claim], forward: bool, index: EntityIndex) -> list[Answer]:
    """One answer per value (and, for counts, per what was counted and when)."""
    groups: dict[tuple[str, ...], list[Claim]] = {}
    for claim in claims:
        entity = claim.other if forward else claim.subject
        if entity is not None:
            key: tuple[str, ...] = ("entity", entity)
        else:
            key = ("value", value_label(claim), claim.counted or "", claim.as_of or "")
        groups.setdefault(key, []).append(claim)
    answers = []
    for key, members in groups.items():
        accepted = any(c.accepted for c in members)
        fields = {"accepted": "yes" if accepted else "no"}
        if key[0] == "entity":
            answer_label, value, iri = index.labels.get(key[1], key[1]), None, ID + key[1]
        else:
            answer_label, value, iri = key[1], members[0].value.value, None
            if key[2]:
                fields["counted"] = key[2]
            if key[3]:
                fields["as of"] = key[3]
        regarding = sorted({index.labels.get(r, r) for c in members for r in c.regarding})
        if regarding:
            fields["regarding"] = ", ".join(regarding)
        evidence: list[Evidence] = []
        for claim in members:
            item = evidence_of(claim)
            if item not in evidence:
                evidence.append(item)
        answers.append(Answer(answer_label, value, iri, fields, tuple(evidence)))
    answers.sort(key=lambda a: (a.fields["accepted"] != "yes", -len({e.source for e in a.evidence}), a.label))
    return answers
