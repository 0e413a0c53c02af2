"""Lexical checks on SPARQL text, made before a query reaches the engine.

pyoxigraph's parser recurses once per nested group or bracket and crashes the whole process
(a stack overflow, not an exception) on a query nested a few thousand levels deep, so the
nesting is measured here first. Strings, comments and IRIs are masked so their brackets do
not count. Its evaluator recurses likewise along a flat chain of operators, path steps or
joined patterns, so those are counted too (:func:`check_chains`).
"""

from __future__ import annotations

import re

import pyoxigraph

from kg.errors import KGError

# Far beyond any real query (the saved ones nest at most 4 deep), far below the crash.
MAX_NESTING = 128

_STRING_PATTERN = (
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
)
_IRI_PATTERN = r"<[^<>\"{}|^`\\\s]*>"
_MASKED = re.compile(rf"{_STRING_PATTERN}|{_IRI_PATTERN}|#[^\n]*", re.DOTALL)
_STRING = re.compile(_STRING_PATTERN, re.DOTALL)
_IRI = re.compile(_IRI_PATTERN)


class QueryTextError(ValueError):
    """A query refused before it reaches the engine; ``line`` and ``column`` are 1-based and
    ``hint`` tells the user how to rewrite it."""

    def __init__(self, message: str, line: int, column: int, hint: str = "flatten the query") -> None:
        super().__init__(message)
        self.line = line
        self.column = column
        self.hint = hint


def mask(text: str) -> str:
    """``text`` with strings, IRIs and comments blanked out, every other character in place."""
    return _MASKED.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def query_form(text: str) -> str | None:
    """The form of the query (``SELECT``, ``CONSTRUCT``, ``ASK``, ``DESCRIBE``), read past its
    comments, strings and IRIs; None when it has none (an update, or not SPARQL)."""
    form = re.search(r"\b(SELECT|CONSTRUCT|ASK|DESCRIBE)\b", mask(text), re.IGNORECASE)
    return form.group(1).upper() if form else None


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def check_nesting(text: str, limit: int = MAX_NESTING) -> None:
    """Refuse a query whose groups and brackets nest deeper than ``limit``."""
    depth = 0
    for index, char in enumerate(mask(text)):
        if char in "{([":
            depth += 1
            if depth > limit:
                line, column = _position(text, index)
                raise QueryTextError(
                    f"the query nests more than {limit} groups or brackets deep, which the engine cannot survive",
                    line,
                    column,
                )
        elif char in "})]":
            depth -= 1


# pyoxigraph 0.5.13 also recurses once per operator of a flat chain (``1+1+…`` becomes a
# left-deep tree) and once per pattern a group joins; past a few thousand it overflows the
# stack and the process dies (exit 139, no message). Measured with ``Store().query`` on an
# empty store, each probe in its own process on the 8 MB main-thread stack, the last length
# that survived and the first that crashed:
#   ``+ - * /`` chain       6,835 / 6,933        ``/`` path steps         8,104 / 8,202
#   ``! || &&`` chain       9,277 / 9,375        ``|`` path alternatives  10,741 / 10,937
#   triple patterns ``.``   8,007 / 8,104        ``(`` nesting            4,638 / 4,687
#   MINUS groups            2,400 / 2,700        BINDs                    2,500 / 2,800
#   ``(1 AS ?x)`` in SELECT 2,000 / 4,000        collection members       4,000 / 6,000
#   FILTERs, UNIONs         3,000 / 10,000       OPTIONALs, ``,`` ``;`` lists  crash at 10,000
# Parsing alone (the same text made a syntax error at its end) survives far longer: ``!`` and
# ``/`` chains 20,000 / 25,000, ``+`` 100,000 / 300,000, UNIONs 30,000 / 100,000. Unary ``-``,
# ``+`` and ``^`` do not chain (``- - 1``, ``^^<p>`` are syntax errors); IN lists, function
# arguments, ``!(…|…)`` sets, VALUES rows, ORDER BY keys and CONSTRUCT templates are flat
# (30,000 survive). A chain may go on through brackets (``1+(1+(1+…))``), so it is summed from
# the top of the query down through them. The saved queries chain at most 4 operators and hold
# at most 90 parts; the limits are far above that and far below the least crash (MINUS, 2,400).
MAX_CHAIN = 256
MAX_PARTS = 500

# Outside parentheses only a property path's operators can chain (an expression is always in
# parentheses): there ``-`` and ``+`` are signs (``VALUES ?x { -1 }``), and ``*``, ``+``, ``?``
# path modifiers, one to a step.
_PATH_OPERATORS = frozenset("/|^")
_OPERATOR = re.compile(r"\^\^|\|\||&&|!=|<=|>=|[!=<>+*/|^]")
_NAME_RUN = re.compile(r"[\w\-.:%\\]+")
_VARIABLE = re.compile(r"[?$]\w+")
_LANGUAGE = re.compile(r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*")
_NUMBER = re.compile(r"\d+\.\d*[eE][+-]?\d+|\.?\d+[eE][+-]?\d+|\d*\.\d+|\d+")
_WORD = re.compile(r"\w+|.")
_SPACE = re.compile(r"\s+")


class _Frame:
    """One bracket level: the operators of its current piece (up to a ``,``, ``;`` or ``.``),
    the longest chain inside a bracket of that piece, and the longest piece before it; ``data``
    when it is (or is inside) the rows of a VALUES block, which the engine keeps flat."""

    __slots__ = ("data", "inner", "longest", "opener", "operators")

    def __init__(self, opener: str, data: bool = False) -> None:
        self.opener = opener
        self.data = data
        self.operators = 0
        self.inner = 0
        self.longest = 0

    def piece(self) -> int:
        return self.operators + self.inner

    def end_piece(self) -> None:
        self.longest = max(self.longest, self.piece())
        self.operators = self.inner = 0


class _Measure:
    """The longest operator chain and the count of parts (patterns, brackets, path steps) of a
    query, and where each first went over its limit."""

    def __init__(self, chain_limit: int, parts_limit: int) -> None:
        self.chain_limit = chain_limit
        self.parts_limit = parts_limit
        self.frames = [_Frame("")]
        self.operand = False  # the last token ends an operand: a "<" after it compares
        self.values_next = False  # VALUES was read: the next "{" opens its rows
        self.parts = 0
        self.chain_over: tuple[int, bool] | None = None  # index, and whether in a property path
        self.parts_over: int | None = None

    def in_parentheses(self) -> bool:
        """Whether the current bracket is ``(``: an expression, or a collection, path or row."""
        return self.frames[-1].opener == "("

    def term(self, index: int, visible: bool) -> None:
        """A term starts. Right after another in parentheses it is the next member of a
        collection, ``(1 2 3)``, which the engine turns into two triple patterns."""
        if self.operand and visible and self.in_parentheses():
            self.part(index)
        self.operand = True

    def operator(self, index: int, op: str, visible: bool) -> None:
        self.operand = False
        if not (self.in_parentheses() or op in _PATH_OPERATORS):
            return
        self.frames[-1].operators += 1
        self._check_chain(index, path=not self.in_parentheses() or op in "|^")
        if visible and op in _PATH_OPERATORS:
            self.part(index)  # a path step is a pattern joined; an expression's operators are not

    def part(self, index: int) -> None:
        if self.frames[-1].data:
            return
        self.parts += 1
        if self.parts > self.parts_limit and self.parts_over is None:
            self.parts_over = index

    def separator(self, index: int, visible: bool) -> None:
        self.operand = False
        if visible and not self.in_parentheses():
            self.part(index)
        self.frames[-1].end_piece()

    def open(self, index: int, char: str, visible: bool) -> None:
        self.operand = False
        if visible:
            self.part(index)
        self.frames.append(_Frame(char, self.frames[-1].data or (char == "{" and self.values_next)))
        if char == "{":
            self.values_next = False

    def close(self, index: int) -> None:
        self.operand = True
        if len(self.frames) > 1:
            inner = self.frames.pop()
            self.frames[-1].inner = max(self.frames[-1].inner, self.longest(inner))
            self._check_chain(index, path=inner.opener != "(")

    def _check_chain(self, index: int, path: bool) -> None:
        if self.chain_over is None and self.frames[-1].piece() > self.chain_limit:
            self.chain_over = (index, path)

    @staticmethod
    def longest(frame: _Frame) -> int:
        return max(frame.longest, frame.piece())

    def longest_chain(self) -> int:
        """The longest chain in the whole query, read to its end (brackets left open included)."""
        chain = 0
        for frame in reversed(self.frames):
            chain = max(frame.longest, frame.operators + max(frame.inner, chain))
        return chain


def _name_run(code: str, start: int, end: int, measure: _Measure, visible: bool) -> None:
    """Read a run of name characters: names, numbers, prefixed names (whose ``-`` and ``.``
    are their own), the ``-`` operators and the ``.`` that ends a triple pattern between them."""
    colon = code.find(":", start, end)
    index = start
    while index < end:
        char = code[index]
        if char == "-":
            measure.operator(index, "-", visible)
            index += 1
        elif char == "." and not code[index + 1:index + 2].isdigit():
            measure.separator(index, visible)
            index += 1
        elif char == ":" or (index < colon and (char.isalpha() or char == "_")):
            last = end
            while code[last - 1] == ".":
                last -= 1  # a prefixed name cannot end with a dot: those end the pattern
            measure.term(index, visible)
            for dot in range(last, end):
                measure.separator(dot, visible)
            return
        else:
            word = (_NUMBER if char.isdigit() or char == "." else _WORD).match(code, index, end)
            measure.term(index, visible)
            measure.values_next |= word.group(0).upper() == "VALUES"
            index = word.end()


def _measure(text: str, chain_limit: int, parts_limit: int) -> _Measure:
    """Scan ``text`` token by token, the way the engine's parser would split it."""
    measure = _Measure(chain_limit, parts_limit)
    quiet_until = 0  # the end of an IRI-like span the engine reads as a comparison: no parts in it
    index = 0
    while index < len(text):
        char = text[index]
        visible = index >= quiet_until
        if char.isspace():
            index = _SPACE.match(text, index).end()
        elif char == "#":
            end = text.find("\n", index)
            index = len(text) if end < 0 else end
        elif match := _STRING.match(text, index) or _VARIABLE.match(text, index):
            measure.term(index, visible)
            index = match.end()
        elif match := _LANGUAGE.match(text, index):
            index = match.end()
        elif char == "<" and (iri := _IRI.match(text, index)) and not (measure.in_parentheses() and measure.operand):
            measure.term(index, visible)
            index = iri.end()
        elif match := _OPERATOR.match(text, index):
            if char == "<" and (iri := _IRI.match(text, index)):
                # ``?a<?b+1>``: after an operand the engine compares, so what looks like an IRI
                # is read on as code; in a list of IRIs, ``(<a> <b>)``, it holds no parts
                quiet_until = iri.end()
            if match.group(0) == "^^":
                measure.operand = False  # the datatype follows: its IRI is no comparison
            else:
                measure.operator(index, match.group(0), visible)
            index = match.end()
        elif char in "{([":
            measure.open(index, char, visible)
            index += 1
        elif char in "})]":
            measure.close(index)
            index += 1
        elif char in ",;":
            measure.separator(index, visible)
            index += 1
        elif match := _NAME_RUN.match(text, index):
            _name_run(text, index, match.end(), measure, visible)
            index = match.end()
        else:
            index += 1
    return measure


def check_chains(text: str, chain_limit: int = MAX_CHAIN, parts_limit: int = MAX_PARTS) -> None:
    """Refuse a query that chains more than ``chain_limit`` operators in one expression or
    property path, or holds more than ``parts_limit`` patterns, brackets and path steps in all."""
    measure = _measure(text, chain_limit, parts_limit)
    if measure.chain_over is not None:
        index, path = measure.chain_over
        chain = measure.longest_chain()
        what, hint = (
            ("path operators (/ | ^) in one property path", "split the path into triple patterns through variables")
            if path
            else ("operators in one expression", "split the expression: BIND parts of it to variables, or use IN (…) for a list of values")
        )
        raise QueryTextError(
            f"the query chains {chain:,} {what}; at most {chain_limit:,} fit, "
            "as a longer chain could crash the query engine",
            *_position(text, index),
            hint=hint,
        )
    if measure.parts_over is not None:
        raise QueryTextError(
            f"the query joins {measure.parts:,} patterns, brackets and path steps; at most {parts_limit:,} fit, "
            "as more could crash the query engine",
            *_position(text, measure.parts_over),
            hint="split it into smaller queries",
        )


def check_text(text: str) -> None:
    """Refuse a query the engine could not survive: nested too deep (:func:`check_nesting`),
    or with chains too long or too many parts (:func:`check_chains`)."""
    if surely_within_limits(text):
        return
    check_nesting(text)
    check_chains(text)


def surely_within_limits(text: str) -> bool:
    """True when counting characters is enough to know that ``text`` passes :func:`check_text`,
    without scanning it (a tenth of a millisecond, most of the work of a lookup on the server):
    every part :func:`check_chains` counts starts at a character of its own, so there are no
    more parts than characters; every operator of a chain is one of ``^|&!=<>+*/-``; every
    level of nesting opens with one of ``{([``. Strings, IRIs and comments are counted too,
    which can only make the answer False, never wrongly True."""
    return (
        len(text) <= MAX_PARTS
        and sum(map(text.count, "{([")) <= MAX_NESTING
        and sum(map(text.count, "^|&!=<>+*-/")) <= MAX_CHAIN
    )


def where_group_start(text: str) -> int:
    """The index of the ``{`` that opens the query's own WHERE group (not a sub-query's, not a
    CONSTRUCT template's); -1 when there is none (a DESCRIBE without WHERE)."""
    masked = mask(text)
    form = re.search(r"\b(SELECT|CONSTRUCT|ASK|DESCRIBE)\b", masked, re.IGNORECASE)
    if form is None:
        return -1
    skip = 0
    if form.group(1).upper() == "CONSTRUCT" and not re.match(r"\s*WHERE\b", masked[form.end():], re.IGNORECASE):
        skip = 1  # the template comes first
    depth = 0
    for index in range(form.end(), len(masked)):
        char = masked[index]
        if char == "{":
            if depth == 0:
                if skip == 0:
                    return index
                skip -= 1
            depth += 1
        elif char == "}":
            depth -= 1
    return -1


_SERVICE = re.compile(r"\bSERVICE(\s+SILENT)?(\s*)<([^<>\"{}|^`\\\s]*)>", re.IGNORECASE)


def redirect_services(text: str, redirects: dict[str, str]) -> str:
    """``text`` with the endpoint IRI of each ``SERVICE <from>`` clause (not inside a string or
    comment) replaced by ``redirects[from]``, e.g. to send a federated query to a Wikidata mirror."""
    code = mask(text)
    pieces, last = [], 0
    for match in _SERVICE.finditer(text):
        if code[match.start()] == " " or match.group(3) not in redirects:
            continue
        start, end = match.span(3)
        pieces += [text[last:start], redirects[match.group(3)]]
        last = end
    return "".join(pieces) + text[last:]


def with_values(text: str, terms: dict[str, pyoxigraph.NamedNode | pyoxigraph.Literal]) -> str:
    """``text`` with ``VALUES (?a ?b) { (t1 t2) }`` opening its WHERE group."""
    if not terms:
        return text
    start = where_group_start(text)
    if start < 0:
        raise KGError("cannot bind parameters: the query has no WHERE group", hint="add a WHERE { … } clause")
    names = " ".join(f"?{name}" for name in terms)
    values = " ".join(str(term) for term in terms.values())
    return f"{text[:start + 1]}\n  VALUES ({names}) {{ ({values}) }}{text[start + 1:]}"
