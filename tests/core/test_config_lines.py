"""The line of each key path in a TOML file (tomllib gives values only)."""

from __future__ import annotations

import tomllib

from faas.core.config_lines import KeyLines

TEXT = '''# a comment with [brackets] = and "quotes"
name = "demo"  # trailing comment
description = """
[not.a.header]
fake = 1
"""
package.exclude = []
"quoted.key" = 'x'

[app]
entry = "app:app"
environment = { A = "1", "B.C" = "2", NESTED = { D = 4 } }

[[functions]]
name = "first"
triggers = [
    { schedule = "rate(1 hour)" },  # comment in an array
    { queue = { name = "jobs" } },
]
[functions.environment]
X = "1"

[[functions]]
name = "second"
[[functions.triggers]]
schedule = "rate(2 hours)"

[stages.production]
app = { memory = 1024 }

[tool.faas]
name = "in-pyproject"
'''


def test_the_text_is_valid_toml() -> None:
    tomllib.loads(TEXT)


def test_keys_headers_and_inline_tables_have_their_lines() -> None:
    lines = KeyLines.of(TEXT)
    assert lines.locate(("name",)) == 2
    assert lines.locate(("description",)) == 3
    assert lines.locate(("not",)) is None, "a header inside a multi-line string is text"
    assert lines.locate(("package", "exclude")) == 7
    assert lines.locate(("quoted.key",)) == 8
    assert lines.locate(("app", "entry")) == 11
    assert lines.locate(("app", "environment", "B.C")) == 12
    assert lines.locate(("app", "environment", "NESTED", "D")) == 12
    assert lines.locate(("functions", 0)) == 14
    assert lines.locate(("functions", 0, "triggers", 1, "queue", "name")) == 18
    assert lines.locate(("functions", 0, "environment", "X")) == 21
    assert lines.locate(("functions", 1, "name")) == 24
    assert lines.locate(("functions", 1, "triggers", 0, "schedule")) == 26
    assert lines.locate(("stages", "production", "app", "memory")) == 29
    assert lines.locate(("tool", "faas", "name")) == 32


def test_a_missing_key_points_at_its_nearest_written_parent() -> None:
    lines = KeyLines.of(TEXT)
    assert lines.locate(("functions", 1, "timeout")) == 23
    assert lines.locate(("stages", "production", "app", "timeout")) == 29
    assert lines.locate(("providers", "aws")) is None


def test_text_it_cannot_read_stops_quietly_with_what_it_read() -> None:
    lines = KeyLines.of('name = "x"\n[app\nentry = 1\n')
    assert lines.locate(("name",)) == 1
    assert lines.locate(("app", "entry")) is None
