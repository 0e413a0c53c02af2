"""Find the things a question names: entities of the graph (by label or alternative label,
typos forgiven), years, and names the graph does not know, which must never be replaced by
the nearest known one."""

from __future__ import annotations

import difflib
from typing import NamedTuple

import pyoxigraph

from kg.namespaces import AIG, ID
from kg.use.questions.text import (
    COMMON,
    DEMONYMS,
    LEXICON,
    NEGATIONS,
    STOPWORDS,
    Token,
    stem,
    tokenize,
)

# Singular nouns that name one document, event, programme or model: "the Paris statement",
# "the Seoul summit". Such a phrase must name something the graph holds.
HEAD_NOUNS = frozenset({
    "summit", "declaration", "statement", "pledge", "initiative", "resolution", "agreement", "treaty", "accord",
    "charter", "conference", "partnership", "process", "convention", "compact", "framework", "model", "road",
})
# The class of thing a head noun names, when a place qualifies it: "the Paris declaration" is
# the pledge adopted at the summit held in Paris, whatever the sources call it.
HEAD_CLASSES = {
    "summit": "Summit", "conference": "Summit", "declaration": "Pledge", "statement": "Pledge", "pledge": "Pledge",
    "agreement": "Pledge", "accord": "Pledge", "charter": "Pledge", "compact": "Pledge", "resolution": "Resolution",
    "initiative": "Initiative",
}
# Words that end the qualifiers before a head noun (the domain's "AI" does not: "China's AI
# governance initiative").
WALK_STOP = STOPWORDS - {"ai", "artificial", "intelligence"}
# Determiners before a head noun that make it a general question, not a name ("which summit").
GENERIC = frozenset({"which", "what", "any", "every", "each", "a", "an", "some", "no", "another", "other"})
_QUERIES = {
    "entities": f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?e ?name ?class WHERE {{ ?e rdfs:label|skos:altLabel ?name ; a ?class . FILTER STRSTARTS(STR(?class), "{AIG}") }}""",
    "places": f"""PREFIX aig: <{AIG}>
SELECT ?e ?place WHERE {{ {{ ?e aig:heldIn|aig:venue ?place }} UNION {{ ?e aig:endorsedAt/(aig:heldIn|aig:venue) ?place }} }}""",
    "classes": f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?c ?label ?parent WHERE {{ ?c a owl:Class . FILTER STRSTARTS(STR(?c), "{AIG}")
  OPTIONAL {{ ?c rdfs:label ?label }} OPTIONAL {{ ?c rdfs:subClassOf ?parent }} }}""",
}


_SOURCE_CLASSES = frozenset(AIG + name for name in ("SourceDocument", "QuotedSource", "CitedSource"))


class Mention(NamedTuple):
    """A span of the question naming something: an entity (``entity`` its id, ``cls`` its aig
    class), a year (``year``), or, with ``known`` False, a name the graph does not hold
    (``candidates`` lists the entities it could mean when it is ambiguous)."""

    text: str
    start: int  # token index
    end: int  # token index, exclusive
    entity: str = ""
    cls: str = ""
    year: int = 0
    known: bool = True
    candidates: tuple[str, ...] = ()


class EntityIndex:
    """The graph's entities by name, its classes and their hierarchy, and the words a question
    may use: read once from the store."""

    def __init__(self, store: pyoxigraph.Store, extra_words: set[str], relation_words: frozenset[str] = frozenset()) -> None:
        self.classes: dict[str, str] = {}  # entity id -> aig class
        self.labels: dict[str, str] = {}
        self.names: dict[tuple[str, ...], set[str]] = {}
        self.acronyms: set[tuple[str, ...]] = set()
        self.name_stems: dict[str, set[str]] = {}  # entity id -> stems of all its names
        rows = [(row["e"].value, row["name"].value, row["class"].value) for row in store.query(_QUERIES["entities"])]
        rows = [(iri[len(ID):], name, cls) for iri, name, cls in rows if iri.startswith(ID)]
        # sources are not looked up by their titles: those are long, and all words
        titles = {entity for entity, _, cls in rows if cls in _SOURCE_CLASSES}
        for entity, name, cls in rows:
            if entity in titles:
                self.classes[entity] = "SourceDocument"
                continue
            self.classes[entity] = cls[len(AIG):]
            words = tuple(t.word for t in tokenize(name))
            if not words:
                continue
            self.names.setdefault(words, set()).add(entity)
            if name.replace(".", "").isupper() and len(name.replace(".", "")) <= 4:
                self.acronyms.add(words)
            self.name_stems.setdefault(entity, set()).update(stem(w) for w in words)
        self.places: dict[str, set[str]] = {}  # entity id -> the places it was held or adopted in
        for row in store.query(_QUERIES["places"]):
            if row["e"].value.startswith(ID) and row["place"].value.startswith(ID):
                self.places.setdefault(row["e"].value[len(ID):], set()).add(row["place"].value[len(ID):])
        for row in store.query("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?e ?l WHERE { ?e rdfs:label ?l }"):
            if row["e"].value.startswith(ID):
                self.labels[row["e"].value[len(ID):]] = row["l"].value
        self.class_labels: dict[str, str] = {}
        self.parents: dict[str, set[str]] = {}
        for row in store.query(_QUERIES["classes"]):
            cls = row["c"].value[len(AIG):]
            if row["label"] is not None:
                self.class_labels[cls] = row["label"].value.lower()
            if row["parent"] is not None and row["parent"].value.startswith(AIG):
                self.parents.setdefault(cls, set()).add(row["parent"].value[len(AIG):])
        for demonym, name in DEMONYMS.items():  # "the Chinese government" names China
            if name in self.names and (demonym,) not in self.names:
                self.names[(demonym,)] = set(self.names[name])
        self.entity_names: dict[str, list[str]] = {}
        for words, entities in self.names.items():
            for entity in entities:
                self.entity_names.setdefault(entity, []).append(" ".join(words))
        self.max_name = max((len(n) for n in self.names), default=1)
        lexicon_words = {w for forms in LEXICON.values() for form in forms for w in form.split()}
        self.entity_words = {w for name in self.names for w in name}
        self.known_words = lexicon_words | self.entity_words | set(self.class_labels.values()) | extra_words | relation_words
        vocabulary = self.known_words | COMMON | STOPWORDS | NEGATIONS
        self.vocabulary = vocabulary
        self.vocabulary_stems = {stem(w) for w in vocabulary}
        self._correctable = sorted(w for w in self.known_words | COMMON if len(w) >= 4 and w.isalpha())
        # Words only the graph's names use ("south", "african"): alone, they name nothing.
        # (The queries' headers may use them too, inside names: "did the African Union sign …")
        # A word of the names of one place and of things held there only ("Bletchley", "Delhi"):
        # alone, it names the place.
        self.place_words: dict[str, str] = {}
        for word in self.entity_words - lexicon_words - COMMON - STOPWORDS:
            holders = {e for name, entities in self.names.items() if word in name for e in entities}
            places = [e for e in holders if self.classes.get(e) == "Place"]
            if len(places) == 1 and all(e == places[0] or places[0] in self.places.get(e, ()) for e in holders):
                self.place_words[word] = places[0]
        # (The ontology's properties' labels are ordinary words of their own: "co" of "co-chaired by".)
        self.name_only_words = self.entity_words - lexicon_words - COMMON - STOPWORDS - set(self.class_labels.values()) - relation_words

    def is_a(self, cls: str, ancestor: str) -> bool:
        """Whether aig class ``cls`` is ``ancestor`` or one of its subclasses."""
        seen, level = set(), {cls}
        while level:
            if ancestor in level:
                return True
            seen |= level
            level = {p for c in level for p in self.parents.get(c, ())} - seen
        return False

    def correct(self, word: str) -> str:
        """``word``, or the known word it is a typo of (``endorsd`` -> ``endorsed``)."""
        if word in self.vocabulary or stem(word) in self.vocabulary_stems or not word.isalpha() or len(word) < 4:
            return word
        close = difflib.get_close_matches(word, self._correctable, n=1, cutoff=0.8)
        return close[0] if close else word

    def is_known(self, word: str) -> bool:
        """Whether ``word`` is an ordinary or a known word (not an unknown name)."""
        return word.isdigit() or word in self.vocabulary or stem(word) in self.vocabulary_stems


def find_mentions(tokens: list[Token], words: list[str], index: EntityIndex, mixed_case: bool) -> list[Mention]:
    """The mentions in the question whose ``tokens`` have the (typo-corrected) ``words``."""
    mentions: list[Mention] = []
    taken = [False] * len(words)
    i = 0
    while i < len(words):  # whole names, longest first
        for size in range(min(index.max_name, len(words) - i), 0, -1):
            span = tuple(words[i:i + size])
            entities = index.names.get(span)
            if not entities:
                continue
            if span in index.acronyms and span[0] in STOPWORDS and not tokens[i].text.isupper():
                continue  # "us" the pronoun, not "US"
            text = " ".join(t.text for t in tokens[i:i + size])
            if len(entities) == 1:
                (entity,) = entities
                mentions.append(Mention(text, i, i + size, entity, index.classes[entity]))
            else:
                mentions.append(Mention(text, i, i + size, known=False, candidates=tuple(sorted(entities))))
            for k in range(i, i + size):
                taken[k] = True
            i += size
            break
        else:
            i += 1
    merged: list[Mention] = []
    for held in mentions:  # "the Paris AI Action Summit": the place qualifies
        place = merged[-1] if merged else None
        if place and place.end == held.start and place.entity and held.entity and index.classes.get(place.entity) == "Place" \
                and place.entity in index.places.get(held.entity, ()):
            merged[-1] = held._replace(text=f"{place.text} {held.text}", start=place.start)
        else:
            merged.append(held)
    # "the statement agreed in Paris": a place after what was held or adopted there qualifies it.
    # The mentions are in order and never overlap, so what ends at most 4 tokens before a place
    # is among the 4 mentions before it.
    mentions = [place for k, place in enumerate(merged) if not (
        place.entity and index.classes.get(place.entity) == "Place" and place.start > 0 and words[place.start - 1] in ("in", "at")
        and any(m.entity and m.end <= place.start - 1 <= m.end + 3 and place.entity in index.places.get(m.entity, ())
                for m in merged[max(0, k - 4):k]))]
    for i, word in enumerate(words):  # years
        if not taken[i] and word.isdigit() and len(word) == 4 and 1900 <= int(word) <= 2100:
            mentions.append(Mention(word, i, i + 1, year=int(word)))
            taken[i] = True
    ending = {m.end: m for m in mentions if m.entity}  # the mentions of entities by the token they end before
    owners: set[int] = set()  # (ids of) the mentions taken into the name of what they own
    run = 0  # words[run:i] may all qualify a head noun at i: the walk back, done once for all
    for i, word in enumerate(words):  # "the Seoul summit": a head noun with what qualifies it
        if i and (taken[i - 1] or words[i - 1] in WALK_STOP or words[i - 1] in GENERIC or not words[i - 1].isalpha()):
            run = i
        if taken[i] or word not in HEAD_NOUNS:
            continue
        start = run
        before = words[start - 1] if start > 0 else ""
        if before in GENERIC or start == i and before not in ("the", "this", "that") and not (start > 0 and taken[start - 1]):
            continue  # "which summit", "a statement", "summit" alone: not naming one
        wanted = {stem(w) for w in words[start:i + 1]}
        fits = sorted(e for e, stems in index.name_stems.items() if wanted <= stems)
        owner = ending.get(start)
        place = owner.entity if owner and index.classes.get(owner.entity) == "Place" and start == i else None
        if not fits and not place and start == i and word in HEAD_CLASSES:  # "the declaration": the one there is
            fits = sorted(e for e, c in index.classes.items() if e in index.name_stems and index.is_a(c, HEAD_CLASSES[word]))
        if place and word in HEAD_CLASSES:  # "the Paris declaration": the one pledge held to Paris
            placed = sorted(e for e, places in index.places.items()
                            if place in places and index.is_a(index.classes.get(e, ""), HEAD_CLASSES[word]))
            fits = [e for e in fits if e in placed] if any(e in placed for e in fits) else placed
        if len(fits) == 1 and owner and (place or {stem(w) for w in words[owner.start:owner.end]} <= index.name_stems[fits[0]]):
            owners.add(id(owner))  # "China's AI governance initiative": the owner is part of the name
            start = owner.start
        text = " ".join(t.text for t in tokens[start:i + 1])
        if len(fits) == 1:
            ending[i + 1] = Mention(text, start, i + 1, fits[0], index.classes[fits[0]])
            mentions.append(ending[i + 1])
        else:
            mentions.append(Mention(text, start, i + 1, known=False, candidates=tuple(fits)))
        for k in range(start, i + 1):
            taken[k] = True
    mentions = [m for m in mentions if id(m) not in owners]
    for i, (token, word) in enumerate(zip(tokens, words)):  # names the graph does not know
        if taken[i]:
            continue
        if word in index.place_words:  # "Bletchley" alone: the place
            place = index.place_words[word]
            mentions.append(Mention(token.text, i, i + 1, place, index.classes[place]))
            taken[i] = True
            continue
        unknown = not index.is_known(word) and (len(word) >= 3 or token.text.isupper() or not word.isascii())
        unknown = unknown or word in index.name_only_words  # "South Africa": part of a name, not a whole one
        capitalised = mixed_case and i > 0 and token.text[:1].isupper() and word not in index.known_words and word not in ("i", "ai")
        if unknown or capitalised:
            mentions.append(Mention(token.text, i, i + 1, known=False))
            taken[i] = True
    return sorted(mentions, key=lambda m: m.start)
