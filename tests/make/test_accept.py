"""The acceptance rules, one by one, on claims made up for each case (their sources are ids
only: nothing here is a claim about the world)."""

import random

import pytest
import rdflib
from rdflib import Literal, Namespace

from kg.make.accept import accept
from kg.make.claims import Claim, entity_iri
from kg.make.ontology import read_ontology
from tests.conftest import ROOT

AIG = Namespace("https://w3id.org/aigov/ontology#")
X, PLEDGE = entity_iri("x"), entity_iri("pledge")


@pytest.fixture(scope="module")
def vocabulary():
    return read_ontology(ROOT / "ontology" / "aigov.ttl", "ontology/aigov.ttl")


def claim(source, name, value, rank="NormalRank", subject=X):
    return Claim(source, subject, AIG[name], name, value, (), (), (f"data/claims/{source}.yaml", 1), rank)


def year(n):
    return Literal(str(n), datatype=rdflib.XSD.integer)


def test_every_value_of_a_many_valued_property_is_accepted(vocabulary):
    claims = [claim("a", "heldIn", entity_iri("paris")), claim("b", "heldIn", entity_iri("saint-denis")), claim("c", "heldIn", entity_iri("paris"))]
    result = accept(claims, vocabulary)
    assert {c.value for c in result.accepted} == {entity_iri("paris"), entity_iri("saint-denis")}
    assert len(result.accepted) == 3 and not result.disagreements


def test_a_deprecated_claim_is_never_accepted(vocabulary):
    result = accept([claim("a", "heldIn", entity_iri("paris"), rank="DeprecatedRank")], vocabulary)
    assert not result.accepted and not result.disagreements


def test_one_value_is_accepted_when_the_claims_agree(vocabulary):
    result = accept([claim("a", "proposedInYear", year(2023)), claim("b", "proposedInYear", year(2023))], vocabulary)
    assert len(result.accepted) == 2 and not result.disagreements


def test_different_values_of_a_one_value_property_are_unsettled_and_none_is_accepted(vocabulary):
    result = accept([claim("a", "proposedInYear", year(2023)), claim("b", "proposedInYear", year(2024))], vocabulary)
    assert not result.accepted
    (d,) = result.disagreements
    assert d.settlement == "Unsettled" and len(d.claims) == 2 and not d.accepted
    assert "2 sources claim 2 different values" in d.explanation


def test_a_preferred_value_settles_a_one_value_property(vocabulary):
    claims = [claim("a", "proposedInYear", year(2023), rank="PreferredRank"), claim("b", "proposedInYear", year(2024)),
              claim("c", "proposedInYear", year(2023))]
    claims[0].rank_reason = "the initiative's own text says 2023"
    result = accept(claims, vocabulary)
    assert {c.source for c in result.accepted} == {"a", "c"}
    (d,) = result.disagreements
    assert d.settlement == "SettledByDecision" and {c.source for c in d.accepted} == {"a", "c"}
    assert "the initiative's own text says 2023" in d.explanation


def test_counts_are_observations_never_accepted_and_kept_side_by_side(vocabulary):
    count = lambda n: Literal(str(n), datatype=rdflib.XSD.nonNegativeInteger)  # noqa: E731
    same = accept([claim("a", "signatoryCount", count(58), subject=PLEDGE), claim("b", "signatoryCount", count(58), subject=PLEDGE)], vocabulary)
    assert not same.accepted and not same.disagreements
    differ = accept([claim("a", "signatoryCount", count(58), subject=PLEDGE), claim("b", "signatoryCount", count(61), subject=PLEDGE),
                     claim("c", "signatoryCount", count(64), subject=PLEDGE, rank="PreferredRank")], vocabulary)
    assert not differ.accepted
    (d,) = differ.disagreements
    assert d.settlement == "KeptAsObservations" and len(d.claims) == 3


def test_endorsed_and_declined_for_one_pledge_cancel_out_unless_a_decision_prefers_one(vocabulary):
    claims = [claim("a", "endorsed", PLEDGE), claim("b", "declinedToEndorse", PLEDGE), claim("c", "declinedToEndorse", PLEDGE)]
    result = accept(claims, vocabulary)
    assert not result.accepted  # two sources against one settle nothing: no majority rule
    (d,) = result.disagreements
    assert d.settlement == "Unsettled" and d.object == PLEDGE and set(d.properties) == {AIG.endorsed, AIG.declinedToEndorse}
    claims[1].rank = "PreferredRank"
    result = accept(claims, vocabulary)
    assert {(c.source, c.name) for c in result.accepted} == {("b", "declinedToEndorse"), ("c", "declinedToEndorse")}
    assert result.disagreements[0].settlement == "SettledByDecision"


def test_a_deprecation_settles_a_disagreement_but_never_hides_it(vocabulary):
    claims = [claim("a", "startDate", Literal("2025-02-09", datatype=rdflib.XSD.date), rank="DeprecatedRank"),
              claim("b", "startDate", Literal("2025-02-10", datatype=rdflib.XSD.date)),
              claim("c", "startDate", Literal("2025-02-10", datatype=rdflib.XSD.date))]
    claims[0].rank_reason = "the page was corrected the next day"
    result = accept(claims, vocabulary)
    assert {c.source for c in result.accepted} == {"b", "c"}
    (d,) = result.disagreements
    assert d.settlement == "SettledByDecision" and len(d.claims) == 3 and {c.source for c in d.accepted} == {"b", "c"}
    assert "decisions deprecate 2025-02-09" in d.explanation and "corrected the next day" in d.explanation


def test_deprecating_one_side_of_disjoint_properties_settles_it_and_keeps_the_record(vocabulary):
    claims = [claim("a", "endorsed", PLEDGE), claim("b", "declinedToEndorse", PLEDGE, rank="DeprecatedRank")]
    result = accept(claims, vocabulary)
    assert [(c.source, c.name) for c in result.accepted] == [("a", "endorsed")]
    (d,) = result.disagreements
    assert d.settlement == "SettledByDecision" and len(d.claims) == 2
    assert "1 source say declinedToEndorse, 1 source say endorsed" in d.explanation


def test_two_preferred_values_settle_nothing_and_say_so(vocabulary):
    claims = [claim("a", "proposedInYear", year(2023), rank="PreferredRank"), claim("b", "proposedInYear", year(2024), rank="PreferredRank")]
    result = accept(claims, vocabulary)
    assert not result.accepted
    (d,) = result.disagreements
    assert d.settlement == "Unsettled" and "decisions prefer more than one" in d.explanation


def test_the_outcome_does_not_depend_on_the_order_of_the_claims(vocabulary):
    claims = [claim(s, p, v) for s in "abcd" for p, v in (("endorsed", PLEDGE), ("heldIn", entity_iri("paris")), ("proposedInYear", year(2020 + ord(s) % 3)))]
    claims.append(claim("e", "declinedToEndorse", PLEDGE))
    first = accept(claims, vocabulary)
    random.Random(7).shuffle(claims)
    second = accept(claims, vocabulary)
    assert sorted(c.iri for c in first.accepted) == sorted(c.iri for c in second.accepted)
    assert [(d.iri, d.settlement, [c.iri for c in d.claims]) for d in first.disagreements] == \
           [(d.iri, d.settlement, [c.iri for c in d.claims]) for d in second.disagreements]
