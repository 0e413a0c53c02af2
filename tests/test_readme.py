"""The README stays true: its two set-up commands are what CI runs, and every command is shown."""

import re

from kg.cli import COMMANDS
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def setup_commands() -> list[str]:
    section = README.split("## Set up on a fresh machine", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_exactly_two_setup_commands_and_ci_runs_them():
    commands = setup_commands()
    assert len(commands) == 2
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for command in commands:
        assert command in ci.splitlines()
    assert "build.py" in commands[0] and "pytest" in commands[1]


def test_every_kg_command_is_shown_in_the_readme():
    for name in COMMANDS:
        assert f"kg {name}" in README, name
    for option in ("--endpoint", "--param", "--format", "--replace"):
        assert option in README


def test_every_saved_query_named_in_the_readme_exists():
    for name in set(re.findall(r"kg query ([a-z][a-z0-9-]+)(?= --|`|$)", README, re.MULTILINE)):
        assert (ROOT / "queries" / f"{name}.rq").is_file(), name
