import pyoxigraph
import pytest

from kg.make.evidence import CONTEXT, QuoteError, locate, occurrences

TEXT = "The “pledge” was signed. China’s pledge was the pledge."


def test_locate_counts_code_points_not_bytes():
    span = locate(TEXT, "China’s pledge")
    assert TEXT[span.start:span.end] == "China’s pledge"
    assert span.start == TEXT.index("China")
    assert len(TEXT.encode("utf-8")) > len(TEXT)  # curly quotes are multi-byte


def test_prefix_and_suffix_surround_the_quote():
    span = locate(TEXT, "was signed")
    assert span.prefix == TEXT[max(0, span.start - CONTEXT):span.start]
    assert span.suffix == TEXT[span.end:span.end + CONTEXT]
    assert span.prefix.endswith("” ") and span.suffix.startswith(". China")


def test_quote_found_twice_needs_context_or_occurrence():
    assert len(occurrences(TEXT, "the pledge")) == 1
    with pytest.raises(QuoteError, match="found 3 times"):
        locate(TEXT, "pledge")
    second = locate(TEXT, "pledge", occurrence=3)
    assert second.start == TEXT.rindex("pledge")


def test_occurrence_beyond_the_count_is_refused():
    with pytest.raises(QuoteError, match="appears 1 time"):
        locate(TEXT, "China", occurrence=2)


def test_missing_quote_with_straight_apostrophe_suggests_the_source_spelling():
    with pytest.raises(QuoteError) as err:
        locate(TEXT, "China's pledge")
    assert "China’s pledge" in err.value.hint


def test_every_published_selector_points_at_its_quote(store, source_text):
    rows = list(
        store.query(
            """
            PREFIX oa: <http://www.w3.org/ns/oa#>
            SELECT ?exact ?prefix ?suffix ?start ?end WHERE {
              ?ev a oa:SpecificResource ; oa:hasSelector ?q, ?p .
              ?q a oa:TextQuoteSelector ; oa:exact ?exact ; oa:prefix ?prefix ; oa:suffix ?suffix .
              ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
            }"""
        )
    )
    assert len(rows) > 50
    for row in rows:
        start, end = int(row["start"].value), int(row["end"].value)
        assert source_text[start:end] == row["exact"].value
        assert source_text[:start].endswith(row["prefix"].value)
        assert source_text[end:].startswith(row["suffix"].value)


def test_the_graph_never_holds_the_whole_source(built, source_text):
    longest = max(
        len(t.object.value)
        for t in pyoxigraph.parse(path=str(built.dist / "kg.nt"), format=pyoxigraph.RdfFormat.N_TRIPLES)
        if isinstance(t.object, pyoxigraph.Literal)
    )
    assert longest < len(source_text) / 10


@pytest.mark.parametrize(
    "text, quote, hint",
    [
        ("Le cafe\u0301 ouvre.", "café ouvre", ("the source has 'cafe\u0301 ouvre': at column 4 the text has U+0065 LATIN SMALL "
         "LETTER E U+0301 COMBINING ACUTE ACCENT where the quote has U+00E9 LATIN SMALL LETTER E WITH ACUTE (the text is NFD): "
         "copy those characters from the source text")),
        ("Paris\u200bAI summit", "ParisAI summit", "the text has U+200B ZERO WIDTH SPACE before column 6 of the quote: copy it too"),
        ("The pledge", "the pledge", "at column 1 the text has U+0054 LATIN CAPITAL LETTER T where the quote has U+0074 LATIN SMALL"),
        (TEXT, "a sentence the source never wrote", "no passage of the source matches it"),
    ],
)
def test_a_quote_that_differs_in_case_normalisation_or_invisible_characters_names_them(text, quote, hint):
    with pytest.raises(QuoteError) as err:
        locate(text, quote)
    assert hint in err.value.hint
