"""The saved queries of the summit series, on the built graph: what a researcher comparing the
summits needs them to say (each reads the claims, so a contested value shows with its sources and
a party no source mentions is 'not reported', never 'declined')."""

from kg.use.query import run

ID = "https://w3id.org/aigov/id/"


def records(built, store, name, params=None):
    return run(name, params or {}, project=built, store=store).records()


def test_summits_are_listed_in_the_order_held_with_contested_days_shown_per_source(built, store):
    rows = records(built, store, "summits")
    order = list(dict.fromkeys(row["summit"].removeprefix(ID) for row in rows))
    assert order == ["ai-safety-summit", "ai-seoul-summit", "ai-action-summit", "india-ai-impact-summit"]
    delhi_starts = {(str(row["start"]), row["accepted"]) for row in rows
                    if row["summit"] == ID + "india-ai-impact-summit" and row["fact"] == "start"}
    assert {start for start, _ in delhi_starts} >= {"2026-02-16", "2026-02-18"}
    assert all(accepted is False for _, accepted in delhi_starts)  # contested: shown, never one as settled
    hosts = {row["hostLabel"] for row in rows if row["summit"] == ID + "ai-seoul-summit" and row["fact"] in ("host", "co-chair")}
    assert {"South Korea", "United Kingdom", "Yoon Suk Yeol", "Rishi Sunak"} <= hosts
    assert all(row["source"] and (row.get("locator") or row.get("quote")) for row in rows)


def test_the_united_states_position_on_each_pledge_in_date_order(built, store):
    rows = records(built, store, "nation-positions", {"nation": "United States"})
    positions: dict[str, set[str]] = {}
    for row in rows:
        positions.setdefault(row["pledgeLabel"], set()).add(row["position"])
    assert positions["Bletchley Declaration"] == {"endorsed"}
    assert positions["Statement on Inclusive and Sustainable AI"] == {"declined"}
    assert positions["New Delhi Declaration on AI Impact"] == {"endorsed"}
    dates = [row["date"] for row in rows]
    assert dates == sorted(dates)
    assert len(positions) == 6  # every pledge of the series has a row, reported or not


def test_a_pledge_no_source_mentions_the_party_for_is_not_reported_with_no_source(built, store):
    rows = records(built, store, "nation-positions", {"nation": "China"})
    (annex,) = [row for row in rows if row["pledge"] == ID + "seoul-statement-of-intent"]
    assert annex["position"] == "not reported" and annex["source"] is None and annex["accepted"] is None
    ministerial = {row["position"] for row in rows if row["pledge"] == ID + "seoul-ministerial-statement"}
    assert ministerial == {"declined"}


def test_signed_at_bletchley_not_in_paris_tells_a_decline_from_an_absence(built, store):
    rows = records(built, store, "signed-not-signed", {"signed": "Bletchley Declaration", "other": "statement-on-inclusive-and-sustainable-ai"})
    position = {row["partyLabel"]: row["positionInOther"] for row in rows}
    assert position["United States"] == "declined" and position["United Kingdom"] == "declined"
    assert position["Saudi Arabia"] == "not reported"
    paris = {row["partyLabel"] for row in records(built, store, "signatories", {"pledge": "statement-on-inclusive-and-sustainable-ai"})}
    assert not set(position) & paris  # nobody any source reports as signing in Paris
    assert all(row["signed"] == ID + "bletchley-declaration" and row["source"] for row in rows)


def test_signatories_say_whether_a_decline_is_reported_for_the_same_party(built, store):
    rows = records(built, store, "signatories", {"pledge": "seoul-ministerial-statement"})
    assert {"United Kingdom", "South Korea", "United States", "France"} <= {row["partyLabel"] for row in rows}
    assert "China" not in {row["partyLabel"] for row in rows}
    declines = {row["agentLabel"] for row in records(built, store, "declined", {"pledge": "seoul-ministerial-statement"})}
    assert declines == {"China"}
    for row in records(built, store, "signatories", {"pledge": "statement-on-inclusive-and-sustainable-ai"}):
        assert row["declineReported"] is (row["partyLabel"] in {"United States", "United Kingdom"})


def test_the_pledges_of_seoul_and_the_annex(built, store):
    rows = records(built, store, "pledges-of-summit", {"summit": "AI Seoul Summit"})
    pledges = {row["pledgeLabel"] for row in rows}
    assert {"Seoul Declaration", "Seoul Ministerial Statement"} <= pledges
    annex = [row for row in rows if row["fact"] == "annex of"]
    assert annex and all(row["annexOfLabel"] == "Seoul Declaration" for row in annex)
    adopted = {str(row["adoptedOn"]) for row in rows if row["pledge"] == ID + "seoul-declaration" and row["fact"] == "adopted on"}
    assert adopted == {"2024-05-21", "2024-05-22"}  # a source disagrees: both shown


def test_the_series_in_order_from_either_end_of_a_link(built, store):
    rows = records(built, store, "summit-series", {"summit": "AI Seoul Summit"})
    facts = {(row["fact"], row["related"].removeprefix(ID)) for row in rows}
    assert ("follows", "ai-safety-summit") in facts and ("followed by", "ai-action-summit") in facts
    delhi = {(row["fact"], row["related"].removeprefix(ID)) for row in records(built, store, "summit-series", {"summit": "india-ai-impact-summit"})}
    assert ("follows", "ai-action-summit") in delhi and ("next host announced", "switzerland") in delhi


def test_the_counts_of_the_new_delhi_declaration_grow_with_their_dates(built, store):
    rows = records(built, store, "signatory-counts", {"pledge": "New Delhi Declaration"})
    dated = sorted((str(row["asOf"]), row["value"]) for row in rows if row.get("asOf"))
    assert ("2026-02-24", 91) in dated and ("2026-03-02", 92) in dated
    assert [v for _, v in dated] == sorted(v for _, v in dated)  # reported as signing went on
