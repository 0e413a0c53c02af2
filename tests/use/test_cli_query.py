"""`kg query` and `kg queries` as a user runs them: a new process, real files, exit codes."""

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path


from tests.conftest import copy_project, heavy_imports


def kg(*args, cwd, stdin=None, env=None):
    exe = shutil.which("kg", path=str(Path(sys.executable).parent)) or "kg"
    return subprocess.run([exe, *args], capture_output=True, text=True, cwd=cwd, input=stdin, env={**os.environ, **(env or {})}, check=False)


def test_a_saved_query_as_csv(built):
    result = kg("query", "signatories", "--format", "csv", cwd=built.root)
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(result.stdout.splitlines()))
    assert rows[0] == ["party", "partyLabel", "kind", "pledge", "pledgeLabel", "accepted", "declineReported", "quote", "locator", "url",
                       "source", "sourceLabel"]
    assert {row[1] for row in rows[1:] if row[2] == "bloc"} == {"African Union", "European Union"}
    assert {"China", "France", "India", "Holy See"} <= {row[1] for row in rows[1:]}


def test_piped_output_defaults_to_csv_and_table_is_for_people(built):
    assert kg("query", "wikidata-links", cwd=built.root).stdout.startswith("entity,entityLabel,wikidata")
    table = kg("query", "wikidata-links", "--format", "table", cwd=built.root).stdout
    assert "id:china" in table and "wd:Q148" in table and table.rstrip().endswith("(12 rows)")


def test_parameters_by_label_and_json_output(built):
    result = kg("query", "declined", "--param", "pledge=pledge for inclusive AI", "--format", "json", cwd=built.root)
    document = json.loads(result.stdout)
    assert {b["agentLabel"]["value"] for b in document["results"]["bindings"]} == {"United States", "United Kingdom"}
    assert document["results"]["bindings"][0]["agentLabel"]["xml:lang"] == "en"


def test_expression_stdin_and_file(built, tmp_path):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/aigov/ontology#Bloc> }"
    assert kg("query", "-e", count, cwd=built.root).stdout.splitlines()[1] == "2"
    assert kg("query", "-", stdin=count, cwd=built.root).stdout.splitlines()[1] == "2"
    path = tmp_path / "blocs.rq"
    path.write_text(count, encoding="utf-8")
    assert kg("query", str(path), cwd=built.root).stdout.splitlines()[1] == "2"


def test_ask_and_construct(built):
    assert kg("query", "-e", "ASK { ?s a <https://w3id.org/aigov/ontology#Summit> }", "--format", "table", cwd=built.root).stdout == "yes\n"
    construct = "CONSTRUCT { ?s a ?c } WHERE { ?s a <https://w3id.org/aigov/ontology#Bloc> ; a ?c }"
    turtle = kg("query", "-e", construct, cwd=built.root).stdout
    assert "id:african-union" in turtle and "aig:Bloc" in turtle
    result = kg("query", "-e", construct, "--format", "csv", cwd=built.root)
    assert result.returncode == 2 and "cannot be written as csv" in result.stderr


def test_output_file_format_follows_the_extension(built, tmp_path):
    out = tmp_path / "signatories.json"
    result = kg("query", "signatories", "--output", str(out), cwd=built.root)
    assert result.returncode == 0 and result.stdout == ""
    rows = json.loads(out.read_text(encoding="utf-8"))["results"]["bindings"]
    assert {row["partyLabel"]["value"] for row in rows if row["kind"]["value"] == "bloc"} == {"African Union", "European Union"}
    assert kg("query", "signatories", "--output", str(tmp_path / "x.docx"), cwd=built.root).returncode == 2
    assert kg("query", "signatories", "--output", str(tmp_path / "x.csv"), "--format", "json", cwd=built.root).returncode == 2


def test_a_syntax_error_gives_line_and_column(built, tmp_path):
    result = kg("query", "-e", "SELECT * WHERE {\n  ?s ?p\n}", cwd=built.root)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: <-e>:3:") and "SPARQL syntax error" in result.stderr
    path = tmp_path / "bad.rq"
    path.write_text("# a comment\nSELECT * WHERE { ?s ?p ?o ", encoding="utf-8")
    result = kg("query", str(path), cwd=built.root)
    assert result.returncode == 1 and f"{path}:2:" in result.stderr


def test_no_built_graph_says_how_to_build(project):
    result = kg("query", "signatories", cwd=project.root)
    assert result.returncode == 1
    assert "no built graph" in result.stderr and "run python build.py" in result.stderr


def test_the_project_is_found_upward_or_named(built, tmp_path):
    sub = built.root / "data" / "claims"
    assert kg("query", "entities", cwd=sub).returncode == 0
    assert kg("query", "entities", "--project", str(built.root), cwd=tmp_path).returncode == 0
    assert kg("query", "entities", cwd=tmp_path, env={"KG_PROJECT": str(built.root)}).returncode == 0
    result = kg("query", "entities", cwd=tmp_path)
    assert result.returncode == 1 and "not inside an aigov-kg project" in result.stderr


def test_parameter_mistakes_are_usage_errors(built):
    unknown = kg("query", "signatories", "--param", "colour=red", cwd=built.root)
    assert unknown.returncode == 2 and "no parameter 'colour'" in unknown.stderr and "pledge (entity)" in unknown.stderr
    missing = kg("query", "initiatives-proposed-in", cwd=built.root)
    assert missing.returncode == 2 and "needs --param year=" in missing.stderr
    assert kg("query", "signatories", "--param", "pledge", cwd=built.root).returncode == 2
    assert kg("query", cwd=built.root).returncode == 2
    assert kg("query", "signatories", "-e", "ASK {}", cwd=built.root).returncode == 2


def test_a_value_that_tries_to_inject_sparql_matches_nothing(built):
    attack = 'x" } } ; DROP ALL ; SELECT * WHERE { ?s ?p "'
    result = kg("query", "signatories", "--param", f"pledge={attack}", cwd=built.root)
    assert result.returncode == 1 and "no entity has the id, label or alternative label" in result.stderr
    result = kg("query", "initiatives-proposed-in", "--param", "year=2023 } UNION { ?s ?p ?o", cwd=built.root)
    assert result.returncode == 1 and "is not a year" in result.stderr
    still = kg("query", "-e", "SELECT ?x (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?x", "--param", f"x={attack}", "--format", "json", cwd=built.root)
    (row,) = json.loads(still.stdout)["results"]["bindings"]
    assert row["x"]["value"] == attack and int(row["n"]["value"]) > 1000
    unused = kg("query", "-e", "SELECT ?s WHERE { ?s ?p ?o }", "--param", "x=1", cwd=built.root)
    assert unused.returncode == 2 and "add ?x to the SELECT clause" in unused.stderr


def test_a_query_nested_too_deep_is_refused_without_crashing(built):
    deep = "SELECT * WHERE " + "{ " * 5000 + "?s ?p ?o " + "} " * 5000
    result = kg("query", "-", stdin=deep, cwd=built.root)
    assert result.returncode == 1, result.returncode  # a crash would be a negative signal number
    assert "nests more than 128" in result.stderr and "<stdin>:1:" in result.stderr


def test_operator_chains_that_would_crash_the_engine_are_refused_without_crashing(built):
    """Each of these kills pyoxigraph 0.5.13 with a stack overflow (exit 139) if it reaches it."""
    prefix = "PREFIX ex: <https://example.org/> "
    attacks = {
        "chains 10,000 operators in one expression": "SELECT * WHERE { FILTER(" + "!" * 10_000 + "true) }",
        "chains 9,999 operators in one expression": "SELECT (" + "+".join(["1"] * 10_000) + " AS ?x) {}",
        "chains 9,999 operators in one expression;": "ASK { FILTER(" + " || ".join(["?x"] * 10_000) + ") }",
        "chains 9,999 path operators (/ | ^) in one property path": prefix + "SELECT * { ?s " + "/".join(["ex:p"] * 10_000) + " ?o }",
        "chains 9,999 path operators (/ | ^) in one property path;": prefix + "SELECT * { ?s " + "|".join(["ex:p"] * 10_000) + " ?o }",
    }
    for message, text in attacks.items():
        result = kg("query", "-e", text, cwd=built.root)
        assert result.returncode == 1, (message, result.returncode)  # a crash would be a negative signal number
        assert message in result.stderr and "at most 256" in result.stderr and "<-e>:1:" in result.stderr, result.stderr
    megabyte = "SELECT * WHERE { " + "?s ?p ?o . " * 100_000 + "}"
    result = kg("query", "-", stdin=megabyte, cwd=built.root)
    assert result.returncode == 1 and "joins 100,001 patterns" in result.stderr and "split it into smaller queries" in result.stderr


def test_many_short_chains_run(built):
    filters = " ".join(f"FILTER(?n + {i} * 2 + 1 > 0 || !BOUND(?n) && ?n != {i})" for i in range(100))
    result = kg("query", "-e", f"SELECT (COUNT(*) AS ?count) WHERE {{ BIND(1 AS ?n) {filters} }}", cwd=built.root)
    assert result.returncode == 0 and result.stdout.splitlines() == ["count", "1"], result.stderr


def test_kg_queries_lists_main_queries_and_with_all_the_sub_folders(built):
    listing = kg("queries", cwd=built.root).stdout
    assert "signatories" in listing and "[pledge: entity = statement-on-inclusive-and-sustainable-ai]" in listing
    assert "qc/" not in listing
    assert "qc/missing-label-violation" in kg("queries", "--all", cwd=built.root).stdout


def test_help_and_unknown_commands(built):
    assert kg("--help", cwd=built.root).returncode == 0
    assert kg("query", "--help", cwd=built.root).returncode == 0
    assert kg("frobnicate", cwd=built.root).returncode == 2


def test_the_query_path_imports_no_heavy_library(built):
    assert heavy_imports(built, "query", "entity-facts", "--param", "entity=EU") == []


def test_a_second_project_copy_works_independently(tmp_path, built):
    other = copy_project(tmp_path / "other")
    shutil.copytree(built.dist, other.dist)
    assert kg("query", "entities", cwd=other.root).returncode == 0


def test_files_that_cannot_be_read_or_written_are_reported(built, tmp_path):
    bad = tmp_path / "latin1.rq"
    bad.write_bytes(b"SELECT \xff WHERE {}")
    result = kg("query", str(bad), cwd=built.root)
    assert result.returncode == 1 and "not UTF-8" in result.stderr
    result = kg("query", "entities", "--output", str(tmp_path / "missing" / "x.csv"), cwd=built.root)
    assert result.returncode == 1 and "No such file or directory" in result.stderr and "Traceback" not in result.stderr


def test_malformed_urls_and_unreachable_stores_are_reported(built):
    result = kg("query", "--endpoint", "localhost:7878/query", "-e", "ASK {}", cwd=built.root)
    assert result.returncode == 1 and "unknown url type" in result.stderr and "Traceback" not in result.stderr
    result = kg("push", "--store", "localhost:7878/store", cwd=built.root)
    assert result.returncode == 2 and "is not an http(s) URL" in result.stderr
    result = kg("push", "--store", "http://127.0.0.1:7878/store", "--graph", "urn:g> ; DROP ALL ; CLEAR GRAPH <urn:x", cwd=built.root)
    assert result.returncode == 2 and "is not an IRI" in result.stderr
    from tests.conftest import free_port

    result = kg("push", "--store", f"http://127.0.0.1:{free_port()}/store", cwd=built.root)
    assert result.returncode == 1 and "failed at chunk 1 of 1" in result.stderr and "nothing was written" in result.stderr


def test_a_damaged_build_says_to_rebuild(tmp_path, built):
    other = copy_project(tmp_path / "other")
    shutil.copytree(built.dist, other.dist)
    (other.dist / "kg.nt").write_text("this is not n-triples\n", encoding="utf-8")
    result = kg("query", "entities", cwd=other.root)
    assert result.returncode == 1 and "damaged" in result.stderr and "python build.py" in result.stderr


def test_an_explicit_format_accepts_any_output_name_and_chunks_must_be_positive(built, tmp_path):
    out = tmp_path / "signatories.dat"
    assert kg("query", "signatories", "--format", "csv", "--output", str(out), cwd=built.root).returncode == 0
    assert out.read_text(encoding="utf-8").startswith("party,partyLabel,kind")
    result = kg("push", "--store", "http://127.0.0.1:9/store", "--chunk-triples", "0", cwd=built.root)
    assert result.returncode == 2 and "must be at least 1" in result.stderr


def test_a_param_with_a_line_break_is_a_usage_error(built):
    """A value pasted with its newline: a clear message, no traceback, on the local graph and an endpoint alike."""
    for extra in ((), ("--endpoint", "http://127.0.0.1:9/query", "--timeout", "5")):
        result = kg("query", "entity-facts", "--param", "entity=china\n", *extra, cwd=built.root)
        assert result.returncode == 2 and "holds a control character or a line break" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
