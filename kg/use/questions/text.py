"""Words of a question: tokens, stems, the concepts they stand for, and the words every
question may use without naming anything.

The concept lexicon maps the many ways of saying one thing ("signed", "backed", "endorsed")
to one concept, so a question matches a saved query's header whatever words it uses. It is
deliberately about the domain's verbs and nouns, not about any one question.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# Concept -> the words (any inflection) and phrases that express it.
LEXICON: dict[str, tuple[str, ...]] = {
    "endorse": ("endorse", "endorsed", "endorsing", "endorser", "endorsers", "endorsement", "sign", "signed", "signing",
                "signatory", "signatories", "signer", "back", "backed", "backing", "backer", "support", "supported",
                "supporting", "supporter", "supporters", "adopt", "adopted", "approve", "approved", "join", "joined",
                "subscribe", "subscribed", "ratify", "ratified", "commit to", "sign on", "sign up", "put their name to"),
    "decline": ("decline", "declined", "declining", "refuse", "refused", "refusal", "reject", "rejected", "abstain",
                "abstained", "abstention", "opt out", "opted out", "boycott", "boycotted", "snub", "snubbed",
                "stay out", "stayed out", "hold out", "held out", "hold back", "held back"),
    "nation": ("nation", "nations", "country", "countries", "state", "states", "government", "governments",
               "national", "sovereign"),
    "bloc": ("bloc", "blocs", "union", "unions", "regional", "grouping", "groupings", "coalition", "coalitions",
             "alliance", "alliances", "group of countries", "groups of countries", "group of nations",
             "groups of nations", "supranational"),
    "organization": ("organization", "organisation", "organizations", "organisations", "body", "bodies", "institution"),
    "count": ("how many", "number of", "count", "total", "tally", "how much"),
    "propose": ("propose", "proposed", "proposer", "proposal", "launch", "launched", "start", "started", "initiate",
                "initiated", "introduce", "introduced", "create", "created", "behind", "originate", "originated",
                "begin", "began", "begun", "founded", "establish", "established", "come out", "came out",
                "came up with", "come up with", "put forward", "unveil", "unveiled", "announce", "announced"),
    "initiative": ("initiative", "initiatives", "programme", "program", "plan", "scheme", "project"),
    "when": ("when", "what year", "which year", "since when", "what date", "which date"),
    "time": ("date", "dates", "year", "years", "dated"),
    "where": ("where", "location", "located", "city", "venue", "place", "take place", "took place"),
    "hold": ("held", "hold", "holds", "happen", "happened", "convene", "convened", "organised", "organized"),
    "represent": ("represent", "represented", "representing", "representative", "representatives", "delegate",
                  "delegation", "delegates", "envoy", "on behalf", "sent", "send", "stand in", "stood in",
                  "in place of", "instead of"),
    "office": ("office", "offices", "position", "positions", "role", "title", "post", "capacity", "minister",
               "premier", "president", "vice"),
    "participate": ("participate", "participated", "participating", "participant", "participants", "attend",
                    "attended", "attendee", "attendees", "attendance", "take part", "took part", "taking part", "taken part",
                    "present", "show up", "showed up", "involved", "turn up", "turned up"),
    "summit": ("summit", "summits", "conference", "meeting", "gathering", "event"),
    "series": ("follow", "follows", "followed", "following", "precede", "precedes", "preceded", "preceding", "before",
               "after", "next", "previous", "earlier", "later", "came after", "came before", "succeed", "succeeded",
               "series", "edition", "editions"),
    "pledge": ("pledge", "pledges", "statement", "statements", "declaration", "declarations", "charter", "accord"),
    "resolution": ("resolution", "resolutions", "motion"),
    "un": ("un", "united nations", "general assembly"),
    "lead": ("lead", "led", "leading", "sponsor", "sponsored", "draft", "drafted", "author", "authored", "champion",
             "championed", "spearhead", "spearheaded", "table", "tabled"),
    "warn": ("warn", "warned", "warning", "warnings", "caution", "cautioned", "alert", "alerted", "danger", "dangers",
             "risk", "risks", "concern", "concerns", "fear", "fears"),
    "claim": ("claim", "claimed", "claims", "say", "said", "says", "opinion", "opinions", "view", "views", "argue",
              "argued", "think", "believe", "analyst", "analysts", "expert", "experts", "commentator", "commentators",
              "observer", "observers", "assessment", "assessments", "comment", "comments"),
    "company": ("company", "companies", "firm", "firms", "startup", "startups", "business", "businesses", "lab",
                "labs", "developer", "developers", "corporation"),
    "model": ("model", "models", "llm", "llms", "chatbot", "system", "systems", "open source", "open-source",
              "release", "released"),
    "advocate": ("advocate", "advocated", "advocating", "advocacy", "commit", "committed", "commitment",
                 "commitments", "aim", "aims", "aimed", "goal", "goals", "emphasise", "emphasize", "emphasised",
                 "emphasized", "stress", "stressed", "stance", "stand", "push", "pushed", "promote", "promoted",
                 "priority", "priorities", "agenda", "want", "wanted", "call for", "called for", "urge", "urged",
                 "policy", "policies", "position on"),
    "entity": ("entity", "entities", "thing", "things", "everything", "anything", "item", "items", "topics"),
    "list": ("list", "all", "every", "each", "show", "enumerate"),
    "about": ("tell", "know", "facts", "fact", "information", "info", "describe", "details", "profile",
              "who is", "what is", "tell me about", "know about", "say about", "said about", "record about",
              "recorded about", "have on", "has on", "hold on", "holds on", "about them", "everything on"),
    "wikidata": ("wikidata", "qid", "qids", "identifier", "identifiers", "link", "links", "linked", "mapping",
                 "mappings"),
    "unlinked": ("unlinked", "missing", "lack", "lacking", "without"),
    "member": ("member", "members", "membership", "belong", "belongs", "part of"),
    "evidence": ("evidence", "source", "sources", "quote", "quotes", "proof", "cite", "citation", "document", "documents",
                 "publication", "publications", "outlet", "outlets", "reference", "references", "taken from", "come from",
                 "comes from", "where from"),
    "disagree": ("disagree", "disagrees", "disagreed", "disagreement", "disagreements", "contradict", "contradicts",
                 "contradicted", "contradiction", "contradictions", "conflict", "conflicts", "conflicting", "contest",
                 "contested", "dispute", "disputes", "disputed", "differ", "differs", "differed", "difference",
                 "differences", "inconsistent", "inconsistency", "inconsistencies", "discrepancy", "discrepancies"),
    "agree": ("agree", "agrees", "agreed", "agreement", "consensus", "concur", "concurs", "consistent"),
    "who": ("who", "whom", "whose", "which party", "which parties", "official", "officials", "person", "people",
            "leader", "leaders", "politician", "politicians"),
    "why": ("why", "reason", "reasons", "because"),
}
# Adjectives of nationality, as a name of the nation (only used when the graph has the nation).
DEMONYMS = {"chinese": ("china",), "american": ("united", "states"), "french": ("france",), "indian": ("india",)}
# "not" + concept: what the negated concept means.
NEGATED = {"endorse": "decline", "wikidata": "unlinked", "participate": None, "agree": "disagree"}
NEGATIONS = {"not", "no", "never", "didn't", "didnt", "did't", "don't", "dont", "doesn't", "won't", "n't", "nor", "without"}
# Question words that, after the first word, leave the object of the question open
# ("who endorsed what?"): a parameter must then not be filled by its default.
OPEN = frozenset({"what", "which", "whom"})
# Concepts that ask what kind of answer is wanted: a query must be able to give it.
ANSWER_KINDS = ("when", "where", "count")

# Words that carry no meaning for matching (and are never a name).
STOPWORDS = frozenset(
    """
a an the of in on at to for from by with and or but as is are was were be been being do does did
done has have had having i me my we our us you your it its this that these those there here what
which whose whom how can could would should will shall may might must please kindly any some any one
ones their them they he she his her him then than so very also just only ever into onto upon over
under about between during after before while within across per via let lets tell give show find get
know anything something someone somebody ai artificial intelligence article articles graph text news
data dataset database record recorded records mention mentioned mentions appear appears appeared
""".split()  # noqa: SIM905  (a word list reads best as text)
)

# Ordinary English words a question may use without naming anything: a word outside this list,
# the lexicon, the saved queries' headers and the graph's names is taken as a name the graph
# does not know.
COMMON = frozenset(
    """
ask asked answer answers question questions graph data dataset database article articles news report
reported reports reporting figure figures number numbers mention mentioned mentions name named names call called known record
recorded records say said happen happened make made take took give gave go went come came see saw
look looked find found get got want wanted need needed use used using like liked try tried work
worked help helped mean meant means keep kept hold held put set stay run ran read write wrote
written include included including involve involved change changed show shown become became seem
seemed leave left bring brought begin began let allow allowed follow followed agree agreed decide
decided plan planned expect expected play played win won lose lost pay paid meet met build built
grow grew offer offered provide provided reach reached raise raised open opened close closed end
ended move moved speak spoke spoken talk talked discuss discussed argue argued explain explained
note noted add added suggest suggested respond responded reply replied react reacted vote voted sign
signed attend attended host hosted invite invited represent first second third last next latest
recent recently new old big small large great high low good bad best worst main major minor key
important global international world worldwide regional local national public private other others
another same different such own many much more most less least few several enough each every all
both either neither none nothing everyone everybody people person persons leader leaders head heads
official officials country countries nation nations group groups side sides part parts party parties
member members time times year years day days month months week weeks today yesterday now then ago
january february march april may june july august september october november december
still yet already again once twice way ways thing things kind kinds sort type types role roles
number numbers total amount percent level levels area areas field fields sector sectors issue issues
matter matters topic topics subject subjects point points case cases fact facts view views idea
ideas artificial intelligence ai technology technologies tech digital innovation development
developments governance government governments regulation regulations regulate regulated rule rules
law laws policy policies safety security risk risks ethics ethical responsible trustworthy inclusive
inclusion sustainable sustainability divide divides gap gaps access equal equality fair fairness
cooperation collaboration partnership partnerships framework frameworks standard standards norm
norms principle principles agreement agreements treaty treaties deal deals declaration declarations
process processes act acts conference summit summits event events meeting meetings session sessions
forum forums assembly council commission committee organisation organization organizations
organisations institution institutions company companies firm firms model models system systems tool
tools capacity building president vice premier minister prime secretary general chair chief director
envoy delegate statement statements pledge pledges initiative initiatives resolution resolutions
program programme contain contains contained holds includes list listed appear appears appeared
feature featured issued state stated express expressed voice voiced publish published release
released store stored cover covered concern concerned regard regarding according happens occur
occurred yes no true false really actually exactly approximately about around roughly nearly almost
over under above below behind beyond between among against toward towards along through throughout
whether if why because since until unless though although however therefore also too who when where
which what how whose whom exist exists existed existing begins begun beginning continue continued
remain remained lasted taking taken join joined leaving return returned stand stood sit sat serve
served lead led following seems becomes becoming turn turned create created makes making gives given
giving know knows knew think thinks thought believe believed consider considered hope hoped plans
wants needs require required asks asking tell tells told says saying speaks talks describe described
shows showed sees seen looks finds gets keeps puts sets runs brings send sends sent receive received
accept accepted choose chose chosen uses works live lived involves relate related refer refers
referred covers
""".split()  # noqa: SIM905  (a word list reads best as text)
)


class Token(NamedTuple):
    """One word of the question: ``text`` as written, ``word`` lower-cased, ``start`` its index
    in the question."""

    text: str
    word: str
    start: int


_ABBREVIATION = re.compile(r"\b([A-Z])\.([A-Z])\.(?:([A-Z])\.)?")
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")  # letters and digits of any script


def tokenize(question: str) -> list[Token]:
    """The words of ``question``; "U.S." becomes "US", "China's" becomes "China", "didn't"
    becomes "did" and "not"."""
    text = _ABBREVIATION.sub(lambda m: "".join(g for g in m.groups() if g) + " ", question.replace("’", "'"))
    tokens = []
    for match in _WORD.finditer(text):
        raw = match.group(0)
        base, _, tail = raw.partition("'")
        if tail.lower() == "t" and base.lower().endswith("n"):
            tokens.append(Token(base[:-1], base[:-1].lower(), match.start()))
            tokens.append(Token("not", "not", match.start() + len(base) - 1))
            continue
        tokens.append(Token(base, base.lower(), match.start()))
    return tokens


def stem(word: str) -> str:
    """A crude English stem (enough to equate "signs", "signed" and "signing")."""
    w = word.lower()
    if len(w) <= 3 or not w.isalpha():
        return w
    for suffix, replacement in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            if suffix == "s" and w.endswith(("ss", "us", "is")):
                break
            if suffix == "es" and not w.endswith(("ses", "xes", "zes", "ches", "shes")):
                continue
            w = w[: len(w) - len(suffix)] + replacement
            break
    return w[:-1] if w.endswith("e") and len(w) > 4 else w


def _index() -> tuple[dict[str, str], dict[tuple[str, ...], str]]:
    single: dict[str, str] = {}
    phrases: dict[tuple[str, ...], str] = {}
    for concept, forms in LEXICON.items():
        for form in forms:
            words = tuple(stem(w) for w in form.split())
            if len(words) == 1:
                single.setdefault(words[0], concept)
            else:
                phrases.setdefault(words, concept)
    return single, phrases


SINGLE, PHRASES = _index()
MAX_PHRASE = max(len(p) for p in PHRASES)


def concepts_of(words: list[str]) -> list[str]:
    """The concepts ``words`` (lower-case, in order) express; a content word the lexicon does not
    know stands for itself (as ``word:<stem>``); stopwords stand for nothing. A negation turns
    the next concept into its opposite ("did not sign" -> decline)."""
    stems = [stem(w) for w in words]
    found: list[str] = []
    negate = False
    i = 0
    while i < len(stems):
        for size in range(min(MAX_PHRASE, len(stems) - i), 1, -1):
            concept = PHRASES.get(tuple(stems[i:i + size]))
            if concept:
                found.append(_negated(concept, negate))
                negate = False
                i += size
                break
        else:
            word = words[i]
            if word in NEGATIONS:
                negate = True
            elif stems[i] in SINGLE:
                found.append(_negated(SINGLE[stems[i]], negate))
                negate = False
            elif word not in STOPWORDS and not word.isdigit():
                found.append(f"word:{stems[i]}")
            i += 1
    return found


def _negated(concept: str, negate: bool) -> str:
    if negate and NEGATED.get(concept):
        return NEGATED[concept]  # type: ignore[return-value]
    return concept


COMMON_STEMS = frozenset(stem(w) for w in COMMON)
