"""Choose the saved query a question asks, and fill its parameters from the question's mentions.

Each saved query is profiled from its header: the concepts of its title and of each
``#+ phrasing:`` (with ``{param}`` as a slot), and, more weakly, of its description and tags.
A question scores against each phrasing as an F-measure over concepts weighted by rarity
(IDF across the queries): how much of the question the phrasing explains, and how much of the
phrasing the question asks. Hard rules first: a question asking *when*, *where* or *how many*
needs a query that answers that; every parameter must be filled (from a mention of the right
class, or from its default when the graph holds only that one entity of its class); and every
entity the question names that fills no parameter must appear in the rows of the answer (it
narrows them: "did the EU sign?"), unless it is what the graph is about (the one summit, the one
statement, the queries' defaults: then it is only context, "at the summit").
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple

from kg.use.questions.mentions import EntityIndex, Mention, find_mentions
from kg.use.questions.text import ANSWER_KINDS, COMMON_STEMS, concepts_of, tokenize
from kg.use.savedquery import Param, SavedQuery

# Weight of a match found only in a query's description or tags, not in a phrasing or its title.
WEAK = 0.6
# Weight of a parameter filled from the question (a typed name: telling, but the verbs and nouns
# around it say more about what is asked), and of an ordinary English word no query uses.
SLOT = 1.5
ORDINARY = 0.5
# A question missing what every phrasing of a query says (its core) fits it less: the score is
# multiplied by CORE_FLOOR + (1 - CORE_FLOOR) * the share of the core it has.
CORE_FLOOR = 0.5
# Each parameter left to its default costs this share of the score: between two equal fits,
# the query that needs no guessing wins; when the question leaves its object open ("who
# endorsed what?"), a default is a guess and costs far more.
DEFAULTED = 0.02
DEFAULTED_OPEN = 0.3


class View(NamedTuple):
    """One phrasing (or the title) of a query as concepts; ``slots`` its parameters."""

    text: str
    concepts: frozenset[str]
    slots: tuple[str, ...]


class Profile(NamedTuple):
    """A saved query as the matcher sees it."""

    query: SavedQuery
    views: tuple[View, ...]
    weak: frozenset[str]  # concepts of the description and tags
    kinds: frozenset[str]  # the answer kinds (when, where, count) it can give
    core: frozenset[str]  # concepts every view has (parameters aside)
    literal: frozenset[str]  # entities its phrasings name ("China" in "who represented China at {summit}")


class Choice(NamedTuple):
    """A query chosen for a question, with its parameters (name -> entity id or year), its score,
    and the entities its rows must mention (named in the question, filling no parameter)."""

    query: SavedQuery
    params: dict[str, str | int]
    score: float
    phrasing: str
    narrowing: tuple[str, ...] = ()
    soft: tuple[str, ...] = ()  # named by the query's own phrasings too: narrows only if rows remain


def _words(text: str, index: EntityIndex) -> tuple[list[str], list[Mention]]:
    tokens = tokenize(text)
    words = [index.correct(t.word) for t in tokens]
    return words, find_mentions(tokens, words, index, mixed_case=False)


def profile(query: SavedQuery, index: EntityIndex) -> Profile:
    """The concepts of ``query``'s header."""
    views, literal = [], set()
    for text in (query.title, *query.phrasings):
        slotted = re.sub(r"\{(\w+)\}", lambda m: f" slotmark{m.group(1)} ", text)
        words, mentions = _words(slotted, index)
        concepts = set()
        for mention in mentions:
            if mention.entity:
                literal.add(mention.entity)
                concepts.add(f"entity:{mention.entity}")
        covered = {k for m in mentions if m.entity for k in range(m.start, m.end)}
        kept = [w for k, w in enumerate(words) if k not in covered]
        slots = tuple(w[len("slotmark"):] for w in kept if w.startswith("slotmark"))
        concepts |= {c for c in concepts_of([w for w in kept if not w.startswith("slotmark")])}
        concepts |= {f"slot:{s}" for s in slots}
        views.append(View(text, frozenset(concepts), slots))
    weak_words, _ = _words(" ".join((query.description, *query.tags)), index)
    weak = frozenset(concepts_of(weak_words))
    kinds = frozenset(k for v in views for k in v.concepts if k in ANSWER_KINDS)
    core = frozenset.intersection(*(v.concepts for v in views)) if views else frozenset()
    core = frozenset(c for c in core if not c.startswith(("slot:", "entity:")))
    return Profile(query, tuple(views), weak, kinds, core, frozenset(literal))


class Matcher:
    """Scores questions against the profiles of the saved queries."""

    def __init__(self, queries: list[SavedQuery], index: EntityIndex) -> None:
        self.index = index
        self.profiles = [profile(q, index) for q in queries]
        frequency: dict[str, int] = {}
        for p in self.profiles:
            for concept in set().union(*(v.concepts for v in p.views)) | p.weak:
                frequency[concept] = frequency.get(concept, 0) + 1
        n = len(self.profiles)
        self.idf = {c: math.log((n + 1) / (f + 1)) + 1 for c, f in frequency.items()}
        self.max_idf = math.log(n + 1) + 1
        by_class: dict[str, list[str]] = {}
        for entity, cls in index.classes.items():
            by_class.setdefault(cls, []).append(entity)
        self.by_class = by_class
        # What every question is about unless it says otherwise: the one entity of its kind that
        # saved queries take by default (the summit, the statement). Named in a question, it is
        # context ("warnings at the summit"); any other name must be found in the answer's rows
        # ("which countries joined the UN?" is not answered with the statement's endorsers).
        self.ambient = frozenset(
            param.default for q in queries for param in q.params
            if param.type == "entity" and param.default and self.unique(param.default)
        )

    def weight(self, concept: str) -> float:
        """The rarer a concept among the queries, the more it says (unknown words the most)."""
        if concept.startswith("slot:"):
            return SLOT
        if concept.startswith("entity:"):  # a name the question gives: checked against the rows
            return self.idf.get(concept, 1.0)
        if concept.startswith("word:") and (concept[5:] in COMMON_STEMS or concept not in self.idf):
            return ORDINARY  # ordinary English says little about which query is meant
        return self.idf.get(concept, self.max_idf)

    def accepts(self, param: Param, cls: str) -> bool:
        """Whether an entity of aig class ``cls`` can fill ``param``: the class named like the
        parameter (``pledge`` -> aig:Pledge) or one of its subclasses; else the class of its
        default; ``entity`` takes anything."""
        if param.name == "entity":
            return True
        for named, label in self.index.class_labels.items():
            if label == param.name.lower():
                return self.index.is_a(cls, named)
        if param.default and param.default in self.index.classes:
            return self.index.is_a(cls, self.index.classes[param.default])
        return True

    def default(self, param: Param) -> str | None:
        """The parameter's default, used only when the graph holds no other entity of its kind
        (else a question that does not name one is not answered by guessing)."""
        if param.type != "entity" or not param.default or param.default not in self.index.classes:
            return None
        cls = self.index.classes[param.default]
        rivals = [e for e, c in self.index.classes.items() if self.accepts(param, c) and e != param.default and c == cls]
        return None if rivals else param.default

    def unique(self, entity: str) -> bool:
        """Whether ``entity`` is the only one of its class in the graph."""
        return len(self.by_class.get(self.index.classes.get(entity, ""), ())) == 1

    def fill(self, query: SavedQuery, mentions: list[Mention]) -> tuple[dict[str, str | int], list[Mention]] | None:
        """The parameters of ``query`` from ``mentions``, and the mentions it used; None when a
        parameter cannot be filled or a year has no place in the query."""
        params: dict[str, str | int] = {}
        used: list[Mention] = []
        left = [m for m in mentions if m.entity or m.year]
        for param in query.params:
            for mention in left:
                if param.type == "year" and mention.year or param.type == "entity" and mention.entity and self.accepts(param, mention.cls):
                    params[param.name] = mention.year or mention.entity
                    used.append(mention)
                    left.remove(mention)
                    break
            else:
                chosen = self.default(param)
                if chosen is None:
                    return None
                params[param.name] = chosen
        if any(m.year for m in left):
            return None
        return params, used

    def score(self, question: list[str], mentions: list[Mention], p: Profile, open_object: bool = False, yes_no: bool = False,
              loose: bool = False) -> Choice | None:
        """The best score of the ``question``'s concepts against the views of profile ``p``;
        ``loose``: also when its parameters cannot be filled (to suggest the question, not to run it)."""
        if any(k in question for k in ANSWER_KINDS if k not in p.kinds):
            return None
        filled = self.fill(p.query, mentions)
        if filled is None and not loose:
            return None
        params, used = filled or ({}, [])
        asked = set(question)
        asked |= {f"slot:{name}" for name, value in params.items() if any((m.year or m.entity) == value for m in used)}
        # the only summit, the only pledge: context ("at the summit"), unless it is what a yes/no
        # question asks about ("Did DeepSeek sign it?")
        context = set() if yes_no else {f"entity:{m.entity}" for m in mentions if m.entity and m not in used and m.entity in self.ambient}
        asked |= {f"entity:{m.entity}" for m in mentions if m.entity and m not in used}
        optional = {f"slot:{param.name}" for param in p.query.params if f"slot:{param.name}" not in asked}
        def weight(concept: str) -> float:  # the only summit, the only pledge: context, not a constraint
            return ORDINARY if concept in context and concept not in p.literal else self.weight(concept)

        best: Choice | None = None
        for view in p.views:
            total = sum(weight(c) for c in asked)
            got = sum(weight(c) * (1.0 if c in view.concepts else WEAK if c in p.weak else 0.0) for c in asked)
            wanted = [c for c in view.concepts if c not in optional]
            need = sum(self.weight(c) for c in wanted)
            covered = sum(self.weight(c) for c in wanted if c in asked)
            if not total or not need or not got:
                continue
            precision, recall = got / total, covered / need
            f = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            if p.core:
                share = sum(self.weight(c) for c in p.core if c in asked) / sum(self.weight(c) for c in p.core)
                f *= CORE_FLOOR + (1 - CORE_FLOOR) * share
            f *= (1 - (DEFAULTED_OPEN if open_object else DEFAULTED)) ** sum(1 for name in params if f"slot:{name}" not in asked)
            if best is None or f > best.score:
                beyond = {m.entity for m in mentions if m.entity and m not in used and (yes_no or m.entity not in self.ambient)}
                narrowing = tuple(sorted(beyond - p.literal))
                best = Choice(p.query, params, round(f, 3), view.text, narrowing, tuple(sorted(beyond & p.literal)))
        return best

    def rank(self, question: list[str], mentions: list[Mention], open_object: bool = False, yes_no: bool = False,
             loose: bool = False) -> list[Choice]:
        """Every query that can answer, best first (``loose``: every query that fits the words, to
        suggest, even when the question cannot fill its parameters)."""
        choices = [c for p in self.profiles if (c := self.score(question, mentions, p, open_object, yes_no, loose)) is not None]
        return sorted(choices, key=lambda c: (-c.score, c.query.name))
