from pathlib import Path

import pytest

from kg.errors import KGError
from kg.yamlfile import read_yaml


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "f.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_mappings_know_their_lines(tmp_path):
    doc = read_yaml(write(tmp_path, "a: 1\nitems:\n  - x: 1\n    y: 2\n  - x: 3\n"), "f.yaml")
    assert doc == {"a": 1, "items": [{"x": 1, "y": 2}, {"x": 3}]}
    assert doc["items"][0].line == 3
    assert doc["items"][1].line == 5
    assert doc["items"][0].line_of("y") == 4


def test_malformed_yaml_names_file_and_line(tmp_path):
    with pytest.raises(KGError) as err:
        read_yaml(write(tmp_path, "a: 1\nb: [1, 2\nc: 3\n"), "data/claims/x.yaml")
    assert err.value.path == "data/claims/x.yaml"
    assert err.value.line == 3
    assert "malformed YAML" in str(err.value)


def test_duplicate_keys_are_refused(tmp_path):
    with pytest.raises(KGError) as err:
        read_yaml(write(tmp_path, "a: 1\nb: 2\na: 3\n"), "f.yaml")
    assert err.value.line == 3
    assert "duplicate key 'a' (first on line 1)" in str(err.value)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"a: \xff\xfe\n", "not UTF-8"),
        (b"a: 1\nb: \x07\n", "malformed YAML"),
        (b"? [a, b]\n: 1\n", "a key must be a plain word"),
    ],
)
def test_unreadable_yaml_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / "f.yaml"
    path.write_bytes(content)
    with pytest.raises(KGError, match=message):
        read_yaml(path, "f.yaml")


def test_an_impossible_date_names_its_line(tmp_path):
    with pytest.raises(KGError) as err:
        read_yaml(write(tmp_path, "a: 2025-02-28\nitems:\n  - {value: 2025-02-30}\n"), "data/claims/x.yaml")
    assert err.value.line == 3 and "day is out of range" in err.value.message and err.value.hint
