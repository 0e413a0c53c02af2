"""``kg ask`` and ``kg.ask()``: answer a question in plain English from the graph, with the evidence behind
each answer and the SPARQL that found it, or say that it cannot.

The question is matched to one of the saved queries by their headers (title, description,
``#+ phrasing:`` lines) and its names are linked to entities through their labels and
alternative labels (:mod:`kg.use.questions.matching`, :mod:`kg.use.questions.mentions`). It never guesses: a name
the graph does not hold, an ambiguous one, a question no saved query fits well enough
(confidence under :data:`THRESHOLD`) or a query with no result give no answer, the reason, and
the closest questions it can answer. Offline and deterministic: no model, no network.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import pyoxigraph

from kg.errors import UsageError, printable
from kg.namespaces import ID
from kg.project import Project
from kg.use.questions.answer import Answer, differences, shape
from kg.use.questions.claimed import shape_found
from kg.use.questions.matching import Choice, Matcher
from kg.use.questions.mentions import EntityIndex, Mention, find_mentions
from kg.use.questions.relations import CLAIMS, Asked, Found, RelationAnswerer, class_asked, relation_words
from kg.use.questions.text import ANSWER_KINDS, NEGATED, OPEN, concepts_of, stem, tokenize

# Words that name a kind of party in "which countries ...", "which organisations ...".
_NATION_WORDS = frozenset(stem(w) for w in ("country", "countries", "nation", "nations", "state", "states", "government", "governments"))
_ORGANIZATION_WORDS = frozenset(stem(w) for w in ("organisation", "organisations", "organization", "organizations", "body", "bodies"))

# Below this confidence no saved query is taken to fit the question.
THRESHOLD = 0.55
# A saved query this sure of its fit answers before the ontology's properties are tried.
PRIORITY = 0.75
# The longest question answered: a question is a sentence, and no step may be slow on a page of text.
MAX_CHARACTERS = 1000
MAX_WORDS = 100
ALTERNATIVES = 3
# First words of a yes/no question.
YES_NO = frozenset({"did", "does", "do", "has", "have", "had", "is", "was", "were", "are", "will", "would"})


class Reply(NamedTuple):
    """What ``kg ask`` says: the answers with their evidence, or why there are none."""

    question: str
    query: str | None
    title: str | None
    parameters: dict[str, str | int]
    parameter_labels: dict[str, str]
    sparql: str | None
    confidence: float
    answers: list[Answer]
    abstained: bool
    reason: str | None
    reason_code: str | None
    alternatives: list[dict[str, str]]
    note: str | None = None
    lead: str | None = None  # the answer's first line: what was asked ("more than 140", "Yes: …")
    verdict: str | None = None  # Yes, No or Not reported, for a yes/no question
    relation: str | None = None  # the ontology property that answered, when no saved query did

    def as_json(self) -> dict[str, object]:
        """The reply as ``kg ask --format json`` prints it."""
        return {
            "question": self.question,
            "query": self.query,
            "parameters": self.parameters,
            "sparql": self.sparql,
            "confidence": self.confidence,
            "answers": [a.as_json() for a in self.answers],
            "abstained": self.abstained,
            "reason": self.reason,
            "reason_code": self.reason_code,
            "alternatives": self.alternatives,
            "note": self.note,
            "lead": self.lead,
            "verdict": self.verdict,
            "relation": self.relation,
        }

    def as_text(self) -> str:
        """The reply as ``kg ask`` prints it for people: the answers with their evidence and the
        SPARQL, or why there are none and what comes close. Safe for a terminal: a control
        character or bidi control in the graph's text is shown as its escape (``\\x1b``)."""
        if self.abstained:
            lines = [f"I cannot answer that from the graph: {self.reason}."]
            if self.alternatives:
                lines += ["", "Questions it can answer that come close:"]
                lines += [f"  - {a['question']}  (kg query {a['query']})" for a in self.alternatives]
            return printable("\n".join(lines) + "\n")
        bound = ", ".join(f"{name} = {label}" for name, label in self.parameter_labels.items())
        origin = f"the saved query {self.query}" if self.query else f"the claims of {self.title}"
        heading = f"{len(self.answers)} answer(s), from {origin} ({self.title}{'; ' + bound if bound else ''})" if self.query \
            else f"{len(self.answers)} answer(s), from {origin}"
        lines = [self.lead or "", ""] if self.lead else []
        lines += [f"{heading}, confidence {self.confidence:.2f}:", ""]
        hidden = {*self.parameters, *(f"{name}Label" for name in self.parameters)}
        for number, answer in enumerate(self.answers, start=1):
            lines.append(f"{number}. {answer.label}")
            details = "; ".join(f"{k}: {v}" for k, v in answer.fields.items()
                                if k not in hidden and v != answer.label and not v.startswith(("http://", "https://")))
            if details:
                lines.append(f"   {details}")
            for evidence in answer.evidence:
                if evidence.kind == "quoted":
                    lines += [f"   “{evidence.quote}” (quoted)", f"   — {evidence.source_title or evidence.source} <{evidence.source}>"]
                else:
                    published = ", ".join(x for x in (evidence.publisher, evidence.published) if x)
                    lines += [f"   cited: {evidence.locator}, {evidence.source_title or evidence.source}{' (' + published + ')' if published else ''}",
                              f"   <{evidence.url or evidence.source}>"]
        if self.note:
            lines += ["", self.note]
        lines += ["", f"SPARQL (kg query {self.query}):" if self.query else "SPARQL (kg query -e '…'):", ""]
        lines += ["    " + line for line in (self.sparql or "").splitlines()]
        return printable("\n".join(lines) + "\n")


class Asker:
    """The question answerer for one store and one set of saved queries."""

    def __init__(self, store: pyoxigraph.Store, queries_dir: Path) -> None:
        from kg.use.savedquery import saved_queries

        queries = [q for q in saved_queries(queries_dir) if not q.group and not q.network_required]
        header_words = set()
        for q in queries:
            for text in (q.title, q.description, *q.phrasings, *q.tags):
                header_words.update(t.word for t in tokenize(text.replace("{", " ").replace("}", " ")))
        self.store = store
        self.index = EntityIndex(store, header_words, frozenset(relation_words(store)))
        self.matcher = Matcher(queries, self.index)
        self.relations = RelationAnswerer(store, self.index)

    def ask(self, question: str) -> Reply:
        """Answer ``question`` (see the module's description); a question over
        :data:`MAX_CHARACTERS` characters or :data:`MAX_WORDS` words is a usage error."""
        if len(question) > MAX_CHARACTERS:
            raise UsageError(f"the question is longer than {MAX_CHARACTERS} characters ({len(question):,})", hint="ask one short question")
        tokens = tokenize(question)
        if len(tokens) > MAX_WORDS:
            raise UsageError(f"the question is longer than {MAX_WORDS} words ({len(tokens):,})", hint="ask one short question")
        letters = [t.text for t in tokens if t.text[:1].isalpha()]
        capitalised = sum(1 for t in letters if t[:1].isupper())
        mixed = any(ch.islower() for ch in question) and capitalised * 2 < len(letters)
        # a capitalised word inside a mixed-case question is a name: never "corrected" into an
        # ordinary word ("Chile" is not a typo of "chief")
        cased = any(ch.islower() for ch in question)
        words = [t.word if cased and k and t.text[:1].isupper() and not self.index.is_known(t.word) else self.index.correct(t.word)
                 for k, t in enumerate(tokens)]
        mentions = find_mentions(tokens, words, self.index, mixed)
        covered = {k for m in mentions for k in range(m.start, m.end)}
        concepts = concepts_of([w for k, w in enumerate(words) if k not in covered])
        self._yes_no = bool(words) and words[0] in YES_NO
        mentions = [self._resolved(m, mentions) for m in mentions]
        unknown = [m for m in mentions if not m.known]
        known = [m for m in mentions if m.known]
        open_object = any(w in OPEN for w in words[1:])
        yes_no = bool(words) and words[0] in YES_NO
        ranked = self.matcher.rank(concepts, known, open_object, yes_no)
        asked = Asked(concepts, frozenset(c for c in concepts if c in (*ANSWER_KINDS, "who")), class_asked(words, self.index),
                      known, yes_no, frozenset(stem(w) for k, w in enumerate(words) if k not in covered))
        if unknown:  # suggest the questions its words fit, the unknown name left for the reader to fill
            return self._abstain(question, self.matcher.rank(concepts, known, open_object, yes_no, loose=True),
                                 *_unknown_reason(unknown, self.index))
        if not tokens:
            return self._abstain(question, ranked, "the question is empty", "no-match")
        found, why = self.relations.find(asked)
        if found is not None and found.verdict is not None:
            return self._from_relation(question, found, asked, ranked)
        reply = None
        if ranked and ranked[0].score >= THRESHOLD:
            kinds = {c for c in concepts if c in ANSWER_KINDS}
            reply = self._first_fit(question, ranked, kinds)
            if reply is None and yes_no:
                # "did the US sign it?": the rows that answer are those of the opposite ("declined")
                flipped = [NEGATED.get(c) or c for c in concepts]
                reply = self._first_fit(question, self.matcher.rank(flipped, known, open_object, yes_no), kinds)
        several = len(asked.kinds & {"who", "when", "where"}) > 1  # "who proposed it, and when?": one property answers one
        if found is not None and (reply is None or reply.confidence < PRIORITY and not several
                                  or found.match >= 0.99 and asked.kinds & {"when", "where"} and not several):
            return self._from_relation(question, found, asked, ranked)
        if reply is not None:
            return reply
        if why:
            return self._abstain(question, ranked, why, "no-results")
        if not ranked or ranked[0].score < THRESHOLD:
            best = f" (closest: {ranked[0].query.name}, confidence {ranked[0].score:.2f})" if ranked else ""
            return self._abstain(question, ranked, f"neither a saved query nor a property of the ontology fits the question well enough{best}",
                                 "no-match")
        named = ", ".join(self.index.labels.get(e, e) for e in ranked[0].narrowing)
        return self._abstain(question, ranked, f"no saved query that fits says anything about {named}", "no-results")

    def _resolved(self, mention: Mention, mentions: list[Mention]) -> Mention:
        """An ambiguous mention ("the summit") made known when exactly one of the things it could
        name is linked by a claim to another name of the question ("the summit at the Grand
        Palais"): directly, else through one more entity."""
        if mention.known or not mention.candidates or self._yes_no:
            return mention  # "did China sign the Seoul statement?": the link asked about must not pick the statement
        others = [m.entity for m in mentions if m.entity]
        for depth in (1, 2):
            linked = [c for c in mention.candidates if any(self.relations.linked(c, other, depth) for other in others)]
            if len(linked) == 1:
                return mention._replace(entity=linked[0], cls=self.index.classes.get(linked[0], ""), known=True, candidates=())
        return mention

    def _from_relation(self, question: str, found: Found, asked: Asked, ranked: list[Choice]) -> Reply:
        """The reply of a relation reading: its lead, answers and note, and the SPARQL that finds its claims."""
        from kg.use.sparqltext import with_values

        shaped = shape_found(found, asked, self.index)
        variable = "subject" if found.forward else "value"
        sparql = with_values(CLAIMS, {variable: pyoxigraph.NamedNode(ID + found.anchor)}).strip() + "\n"
        relation = found.relation
        title = f"aig:{relation.name} ({relation.label})"
        return Reply(question, None, title, {}, {}, sparql, round(found.match, 3), shaped.answers, False, None, None, [],
                     shaped.note, shaped.lead, found.verdict, relation.iri)

    def _first_fit(self, question: str, ranked: list[Choice], kinds: set[str]) -> Reply | None:
        """The reply of the best query that fits and whose rows concern every entity the
        question names beyond its parameters; None when none does."""
        for choice in ranked:
            if choice.score < THRESHOLD:
                break
            reply = self._run(question, choice, ranked, kinds)
            if not reply.abstained or not choice.narrowing:
                return reply
        return None

    def _terms(self, choice: Choice) -> dict[str, pyoxigraph.NamedNode | pyoxigraph.Literal]:
        terms: dict[str, pyoxigraph.NamedNode | pyoxigraph.Literal] = {}
        for name, value in choice.params.items():
            if isinstance(value, int):
                terms[name] = pyoxigraph.Literal(str(value), datatype=pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
            else:
                terms[name] = pyoxigraph.NamedNode(ID + value)
        return terms

    def _run(self, question: str, choice: Choice, ranked: list[Choice], kinds: set[str]) -> Reply:
        from kg.use.query import QueryText, execute
        from kg.use.sparqltext import with_values

        terms = self._terms(choice)
        result = execute(self.store, QueryText(choice.query.text, f"queries/{choice.query.name}.rq", choice.query), terms)
        body = "\n".join(line for line in choice.query.text.splitlines() if not line.startswith("#+"))
        sparql = with_values(body, terms).strip() + "\n"
        rows = result.rows
        for entity in choice.narrowing:  # rows about every entity the question names beyond the parameters
            rows = self._about(result.variables, rows, entity)
        for entity in choice.soft:  # "did the EU sign?" on a query whose phrasing names the EU: if any
            rows = self._about(result.variables, rows, entity) or rows
        rows = self._of_kind(question, result.variables, rows)
        answers = shape(result.variables, rows, choice.query, kinds, self.index)
        parameters = {name: (value if isinstance(value, int) else terms[name].value) for name, value in choice.params.items()}
        labels = {name: (str(value) if isinstance(value, int) else self.index.labels.get(value, value)) for name, value in choice.params.items()}
        if not answers:
            return Reply(question, choice.query.name, choice.query.title, parameters, labels, sparql, choice.score, [], True,
                         "the saved query found nothing in the graph for this question", "no-results", self._alternatives(ranked[1:]))
        note = differences(result.variables, rows, choice.query)
        return Reply(question, choice.query.name, choice.query.title, parameters, labels, sparql, choice.score, answers, False, None, None, [],
                     note)

    def _of_kind(self, question: str, variables: list[str], rows: list[tuple]) -> list[tuple]:  # type: ignore[type-arg]
        """On a query whose rows say the kind of party (``?kind``: nation, bloc, organization):
        the rows of the kinds the question names ("which blocs", "which countries"), if any."""
        if "kind" not in variables:
            return rows
        words = {stem(t.word) for t in tokenize(question)}
        wanted = {label for label in self.index.class_labels.values() if " " not in label and stem(label) in words}
        if words & _NATION_WORDS:
            wanted.add("nation")
        if words & _ORGANIZATION_WORDS:
            wanted |= {"organization", "international organization"}
        column = variables.index("kind")
        kept = [row for row in rows if row[column] is not None and row[column].value in wanted]
        return kept or rows

    def _about(self, variables: list[str], rows: list[tuple], entity: str) -> list[tuple]:  # type: ignore[type-arg]
        """The rows about ``entity``: those that hold its IRI; failing any, those with a text
        that names it (a UK row whose reason mentions the United States is not about the US).
        The evidence columns and source titles say where a row comes from, not what it is about."""
        import re

        from kg.use.questions.answer import EVIDENCE_COLUMNS

        iri = ID + entity
        holding = [row for row in rows if any(isinstance(t, pyoxigraph.NamedNode) and t.value == iri for t in row)]
        if holding:
            return holding
        names = [name for name in self.index.entity_names.get(entity, ()) if len(name) > 2]
        about = [i for i, name in enumerate(variables) if name not in EVIDENCE_COLUMNS]

        def named(row: tuple) -> bool:  # type: ignore[type-arg]
            texts = " ".join(row[i].value for i in about if isinstance(row[i], pyoxigraph.Literal)).lower()
            return any(re.search(rf"\b{re.escape(name)}\b", texts) for name in names)

        return [row for row in rows if named(row)]

    def _abstain(self, question: str, ranked: list[Choice], reason: str, code: str) -> Reply:
        return Reply(question, None, None, {}, {}, None, ranked[0].score if ranked else 0.0, [], True, reason, code, self._alternatives(ranked))

    def _alternatives(self, ranked: list[Choice]) -> list[dict[str, str]]:
        """The closest questions the graph can answer: a phrasing of each of the best queries,
        its parameters written as names."""
        chosen = ranked[:ALTERNATIVES] or [
            Choice(p.query, {}, 0.0, p.query.phrasings[0]) for p in self.matcher.profiles[:ALTERNATIVES] if p.query.phrasings
        ]
        out = []
        for choice in chosen:
            text = choice.query.phrasings[0] if choice.phrasing == choice.query.title else choice.phrasing
            for param in choice.query.params:
                value = choice.params.get(param.name, param.default)
                if value is None or (param.name not in choice.params and not self.matcher.unique(value)):
                    continue  # left as {year} or {pledge}: the reader fills it in
                if isinstance(value, int):
                    name = str(value)
                else:  # "the Statement on …" for the one thing of its kind
                    name = self.index.labels.get(value, value)
                    name = f"the {name}" if self.matcher.unique(value) and name[:1].isupper() else name
                text = text.replace("{" + param.name + "}", name)
            out.append({"question": text[:1].upper() + text[1:], "query": choice.query.name})
        return out


def _unknown_reason(unknown: list[Mention], index: EntityIndex) -> tuple[str, str]:
    ambiguous = [m for m in unknown if m.candidates]
    if ambiguous:
        m = ambiguous[0]
        names = " or ".join(index.labels.get(c, c) for c in m.candidates)
        return f"{m.text!r} could name several things in the graph: {names}; say which", "ambiguous-name"
    names = ", ".join(repr(m.text) for m in unknown)
    return f"the graph holds nothing called {names}", "unknown-name"


@lru_cache(maxsize=4)
def _asker(root: Path, stamp: str) -> Asker:
    from kg.use.store import open_store

    return Asker(open_store(Project(root)), Project(root).queries_dir)


def asker_for(project: Project) -> Asker:
    """The answerer for ``project``'s built graph, kept while ``dist/`` does not change."""
    sums = project.dist / "SHA256SUMS"
    stamp = sums.read_text(encoding="utf-8") if sums.is_file() else ""
    return _asker(project.root, stamp)


def ask(question: str, project: Project | None = None, store: pyoxigraph.Store | None = None) -> Reply:
    """Answer ``question`` from the built graph of ``project`` (found from the current directory
    upward unless given), or from ``store``."""
    from kg.project import find_project

    project = project or find_project()
    asker = Asker(store, project.queries_dir) if store is not None else asker_for(project)
    return asker.ask(question)
