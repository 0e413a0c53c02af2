"""Hostile inputs against the real build (``python build.py`` in a new process) and ``kg source
add``: each is refused with file, line, what is wrong and how to fix it, in a message of bounded
size, and nothing is written (dist/ and data/ stay as they were). Text in any script stays fine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg.project import Project
from tests.conftest import ROOT, SOURCE_ID, edit, kg_cli

ENTITIES = "data/entities.yaml"
CLAIMS = f"data/claims/{SOURCE_ID}.yaml"
CITED = "data/claims/newamerica-inside-look-paris-summit.yaml"
CITED_META = "data/sources/newamerica-inside-look-paris-summit.meta.yaml"
DECISIONS = "data/decisions.yaml"
# A message names a value by a short excerpt: the whole of stderr stays far below this.
MAX_MESSAGE = 1500

# A "billion laughs": nine levels of nine aliases, 9**9 (387 million) strings once expanded, used
# as a mapping key so that the old message formatted it with !r (8 levels: 10 s and 730 MB).
LAUGHS = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{name}: &{name} [{','.join(['*' + previous] * 9)}]\n" for previous, name in zip("abcdefgh", "bcdefghi")
) + "? *i\n: 1\n"


def build(project: Project, *args: str) -> subprocess.CompletedProcess[str]:
    """``python build.py --project`` on ``project`` in a new process; the timeout only guards
    against a hang."""
    return subprocess.run([sys.executable, str(ROOT / "build.py"), "--project", str(project.root), *args],
                          capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"}, timeout=300, check=False)


def lines_in(path: Path) -> int:
    return path.read_text(encoding="utf-8").count("\n")


def line_of(path: Path, text: str) -> int:
    content = path.read_text(encoding="utf-8")
    assert content.count(text) == 1, text
    return content[: content.index(text)].count("\n") + 1


def append(path: Path, text: str) -> int:
    """Append ``text`` to ``path`` (created if missing); the line it starts on."""
    line = lines_in(path) + 1 if path.exists() else 1
    with path.open("a", encoding="utf-8") as out:
        out.write(text)
    return line


def assert_refused(project: Project, file: str, line: int | None, *parts: str, args: tuple[str, ...] = ()) -> str:
    """Build ``project`` over a previous dist/; the build must fail naming ``file:line`` (or
    ``file`` alone when ``line`` is None) and
    ``parts``, in a bounded message, and leave dist/ as it was. Returns stderr."""
    project.dist.mkdir(exist_ok=True)
    (project.dist / "kg.ttl").write_text("# the previous build\n", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in project.dist.iterdir()}
    result = build(project, *args)
    assert result.returncode == 1, result.stderr[:MAX_MESSAGE]
    assert f"Error: {file}{f':{line}' if line else ''}: " in result.stderr, result.stderr[:MAX_MESSAGE]
    for part in parts:
        assert part in result.stderr, result.stderr[:MAX_MESSAGE]
    assert "fix:" in result.stderr and len(result.stderr) < MAX_MESSAGE
    assert "Traceback" not in result.stderr
    assert {p.name: p.read_bytes() for p in project.dist.iterdir()} == before
    assert not list(project.root.glob(".dist-*"))
    return result.stderr


# --- 1. aliases, and values in messages ----------------------------------------------------------


@pytest.mark.parametrize("file", [ENTITIES, CLAIMS, CITED_META, DECISIONS])
def test_a_billion_laughs_is_refused_at_its_first_anchor_in_every_yaml_input(project, file):
    path = project.root / file
    if file == DECISIONS:
        path.write_text("decisions: []\n", encoding="utf-8")
    line = append(path, LAUGHS)
    assert len(LAUGHS.encode()) < 400
    assert_refused(project, file, line, "YAML anchor 'a'", "not allowed")


def test_an_alias_alone_is_refused_too(project):
    path = project.root / CITED
    edit(path, "locator: third paragraph}\n  - {subject: united-kingdom",
         "locator: &where third paragraph}\n  - {subject: united-kingdom")
    line = line_of(path, "&where")
    assert_refused(project, CITED, line, "YAML anchor 'where'")


def test_a_huge_value_is_named_by_a_bounded_excerpt(project):
    path = project.root / CLAIMS
    edit(path, "object: paris\n", f"object: {'x' * 100_000}\n")
    assert_refused(project, CLAIMS, line_of(path, "  - subject: ai-action-summit\n    property: heldIn"), "unknown entity id 'xxxx")


# --- 7. ids are matched whole: a final newline is not part of an id -------------------------------


@pytest.mark.parametrize("file, old, new", [
    (ENTITIES, "  - id: paris\n", '  - id: "paris\\n"\n'),
    (CLAIMS, "object: paris\n", 'object: "paris\\n"\n'),
    (DECISIONS, None, 'decisions:\n  - {subject: "paris\\n", property: heldIn, object: paris, rank: preferred, reason: test}\n'),
])
def test_an_id_with_a_final_newline_is_refused(project, file, old, new):
    path = project.root / file
    if old is None:
        path.write_text(new, encoding="utf-8")
    else:
        edit(path, old, new)
    assert_refused(project, file, line_of(path, '"paris\\n"'), "'paris\\n' is not a valid id")


# --- 8. deep, huge and unsafe text -----------------------------------------------------------------


@pytest.mark.parametrize("file, deep", [
    (CLAIMS, "{a: " * 3000 + "1" + "}" * 3000),
    (ENTITIES, "[" * 100_000 + "]" * 100_000),
])
def test_deep_nesting_is_refused_not_a_recursion_error(project, file, deep):
    line = append(project.root / file, f"deep: {deep}\n")
    assert_refused(project, file, line, "nested more than 32 levels deep")


def test_a_huge_file_is_refused_before_it_is_parsed(project):
    path = project.root / ENTITIES
    append(path, ("# padding\n" * 500_000))
    assert_refused(project, ENTITIES, None, "larger than the 4 MB")


def test_a_lone_surrogate_is_refused_at_load_not_a_crash_at_publish(project):
    path = project.root / ENTITIES
    edit(path, "    label: Paris\n", '    label: "Paris\\ud800"\n')
    assert_refused(project, ENTITIES, line_of(path, "Paris\\ud800"), "U+D800, a lone surrogate")


# (file, old text, new text with the character escaped, the character as the message names it)
UNSAFE = [
    (ENTITIES, "    label: Paris\n", '    label: "Paris\\u202e"\n', "U+202E RIGHT-TO-LEFT OVERRIDE, a bidi control character"),
    (ENTITIES, "alt_labels: [AI Action Summit,", 'alt_labels: ["AI\\u2066 Action Summit",', "U+2066 LEFT-TO-RIGHT ISOLATE, a bidi control"),
    (ENTITIES, "note: The building in Paris where the summit was held (its venue).",
     'note: "The building\\e[2J in Paris where the summit was held (its venue)."', "U+001B, a control character, at character 13"),
    (CITED, "locator: second paragraph}", 'locator: "second\\x85paragraph"}', "U+0085, a control character"),
    (CITED, 'note: "at the end of', 'note: "at the\\aend of', "U+0007, a control character"),
    (CITED_META, "publisher: 'New America'", 'publisher: "New \\u202dAmerica"', "U+202D LEFT-TO-RIGHT OVERRIDE"),
    (CITED_META, "title: 'An Inside Look into the Paris AI Summit'", 'title: "An \\x9bInside Look into the Paris AI Summit"',
     "U+009B, a control character"),
]


@pytest.mark.parametrize("file, old, new, named", UNSAFE, ids=[f"{c[0].split('/')[-1]}-{c[3][:6]}" for c in UNSAFE])
def test_control_and_bidi_characters_in_published_text_are_refused(project, file, old, new, named):
    path = project.root / file
    edit(path, old, new)
    line = line_of(path, new.strip().split("\\")[0])
    stderr = assert_refused(project, file, line, named, "letters of any script are fine")
    assert not any(c in stderr for c in "\u202e\u2066\u202d\x1b\x07\x85\x9b")  # the message shows them escaped


def test_a_decision_reason_with_a_bidi_control_is_refused(project):
    (project.root / DECISIONS).write_text(
        "decisions:\n  - subject: paris\n    property: heldIn\n    object: paris\n    rank: preferred\n"
        '    reason: "checked \\u2067on the page"\n', encoding="utf-8")
    assert_refused(project, DECISIONS, 6, "U+2067 RIGHT-TO-LEFT ISOLATE")


def test_text_in_any_script_builds_and_is_published(project):
    names = ["باريس", "पेरिस", "巴黎", "Париж", "\u200fפריז\u200f"]  # with RIGHT-TO-LEFT MARKs, which are not controls
    path = project.root / ENTITIES
    edit(path, "  - id: paris\n    type: Place\n    label: Paris\n",
         "  - id: paris\n    type: Place\n    label: Paris\n    alt_labels: [" + ", ".join(f'"{n}"' for n in names) + "]\n"
         "    note: مدينة في فرنسا، 法国城市\n")
    result = build(project)
    assert result.returncode == 0, result.stderr
    published = (project.dist / "kg.ttl").read_text(encoding="utf-8")
    assert all(f'"{n}"@en' in published for n in names) and "مدينة في فرنسا، 法国城市" in published


# --- 9. a quote that differs only invisibly --------------------------------------------------------


def test_a_zero_width_space_in_a_quote_is_named_with_its_column(project):
    path = project.root / CLAIMS
    edit(path, "    quote: Experts remark that\n", '    quote: "Experts\\u200b remark that"\n')
    assert_refused(project, CLAIMS, line_of(path, "Experts\\u200b"), "quote not found in the source",
                   "the source has 'Experts remark that': the quote has U+200B ZERO WIDTH SPACE at column 8, which the "
                   "text does not: delete it")


def test_a_decomposed_quote_is_told_to_normalise_to_nfc(project, tmp_path):
    text = tmp_path / "article.txt"
    text.write_text("Le café de Paris a accueilli le sommet.\n", encoding="utf-8")
    added = kg_cli("source", "add", "le-cafe", "--text", str(text), "--title", "Le café", "--rights", "ours", project=project)
    assert added.returncode == 0, added.stderr
    path = project.root / "data/claims/le-cafe.yaml"
    edit(path, "groups: []\n", 'groups:\n  - {id: patrons, label: its patrons, quote: "Le cafe\\u0301 de Paris"}\n')
    assert_refused(project, "data/claims/le-cafe.yaml", line_of(path, "- {id: patrons"),
                   "at column 7 the text has U+00E9 LATIN SMALL LETTER E WITH ACUTE where the quote has U+0065 LATIN SMALL "
                   "LETTER E U+0301 COMBINING ACUTE ACCENT (NFD): normalise the quote to NFC", args=("load",))


# --- 10. kg source add --------------------------------------------------------------------------------


def written(project: Project) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for d in (project.sources_dir, project.claims_dir) for p in sorted(d.iterdir())}


@pytest.mark.parametrize("options, named", [
    (["--title", "Summit \u202eetats"], "--title 'Summit \\u202eetats' contains U+202E RIGHT-TO-LEFT OVERRIDE"),
    (["--label", "x", "--author", "A. Writer\x1b]0;pwned\x07"], "--author 'A. Writer\\x1b]0;pwned\\x07' contains U+001B"),
    (["--label", "x", "--publisher", "News\u2069"], "--publisher 'News\\u2069' contains U+2069 POP DIRECTIONAL ISOLATE"),
    (["--label", "x", "--language", "en\n"], "--language 'en\\n' is not a language tag"),
])
def test_source_add_refuses_unsafe_arguments_and_writes_nothing(project, options, named):
    before = written(project)
    result = kg_cli("source", "add", "new-page", "--url", "https://example.org/page", *options, project=project)
    assert result.returncode == 2, result.stderr
    assert named in result.stderr and "fix:" in result.stderr
    assert written(project) == before


def test_source_add_refuses_a_url_with_a_final_newline(project):
    before = written(project)
    result = kg_cli("source", "add", "new-page", "--url", "https://example.org/page\n", "--label", "x", project=project)
    assert result.returncode == 2 and "is not an http(s) URL" in result.stderr
    assert written(project) == before
