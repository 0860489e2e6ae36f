"""Where each key of a TOML file is written: the line of a key path, for config error messages.

tomllib returns values without positions, so this reads the text once more, just enough to know
where each key starts: table headers (`[app]`, `[[functions]]`, `[tool.faas]`), dotted keys
(`app.memory = 1`), and the keys inside inline tables and arrays (`triggers = [{ schedule = ... }]`),
while skipping strings (multi-line ones too) and comments. It never fails: text it does not
understand just yields no line, and the message then names the file alone.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field

KeyPath = tuple[str | int, ...]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_SPACE = " \t"


@dataclass(frozen=True)
class KeyLines:
    """The 1-based line where each key path (as tomllib would nest it) is first written."""

    lines: dict[KeyPath, int] = field(default_factory=dict)

    def locate(self, path: KeyPath) -> int | None:
        """The line of `path`, else of its nearest written parent (a missing key: its table's line)."""
        for end in range(len(path), 0, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None

    @classmethod
    def of(cls, text: str) -> KeyLines:
        scanner = _Scanner(text)
        # Invalid TOML is reported by tomllib; whatever was read before it still helps.
        with contextlib.suppress(_Stop, IndexError):
            scanner.document()
        return cls(scanner.found)


class _Stop(Exception):
    """The text is not TOML this scanner understands; stop quietly."""


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0
        self.line = 1
        self.found: dict[KeyPath, int] = {}
        self.array_counts: dict[KeyPath, int] = {}

    # -- the document: headers and key/value lines ------------------------------------------------

    def document(self) -> None:
        table: KeyPath = ()
        while self.at < len(self.text):
            self.skip_blank_and_comments()
            if self.at >= len(self.text):
                return
            if self.text.startswith("[[", self.at):
                self.at += 2
                table = self.header(array=True)
            elif self.text[self.at] == "[":
                self.at += 1
                table = self.header(array=False)
            else:
                self.key_value(table)
            self.rest_of_line()

    def header(self, *, array: bool) -> KeyPath:
        line = self.line
        keys = self.dotted_key()
        self.expect("]]" if array else "]")
        path = (*self.resolve(keys[:-1]), keys[-1])
        if array:
            index = self.array_counts.get(path, 0)
            self.array_counts[path] = index + 1
            path = (*path, index)
        self.record(path, line)
        return path

    def resolve(self, keys: list[str]) -> KeyPath:
        """Header keys with the index of each array of tables they pass through (`[functions.x]`)."""
        path: KeyPath = ()
        for key in keys:
            path = (*path, key)
            count = self.array_counts.get(path)
            if count:
                path = (*path, count - 1)
        return path

    def key_value(self, table: KeyPath) -> None:
        line = self.line
        path = (*table, *self.dotted_key())
        self.record(path, line)
        self.expect("=")
        self.value(path)

    def record(self, path: KeyPath, line: int) -> None:
        for end in range(1, len(path) + 1):
            self.found.setdefault(path[:end], line)

    # -- keys ---------------------------------------------------------------------------------------

    def dotted_key(self) -> list[str]:
        keys = [self.simple_key()]
        while True:
            self.skip_space()
            if self.peek() != ".":
                return keys
            self.at += 1
            keys.append(self.simple_key())

    def simple_key(self) -> str:
        self.skip_space()
        char = self.peek()
        if char in ('"', "'"):
            return self.string()
        match = _BARE_KEY.match(self.text, self.at)
        if match is None:
            raise _Stop
        self.at = match.end()
        return match.group()

    # -- values: only their extent matters, and the keys inside inline tables ------------------------

    def value(self, path: KeyPath) -> None:
        self.skip_space()
        char = self.peek()
        if char in ('"', "'"):
            self.string()
        elif char == "{":
            self.inline_table(path)
        elif char == "[":
            self.array(path)
        else:
            while self.at < len(self.text) and self.text[self.at] not in ",]}\n#":
                self.at += 1

    def inline_table(self, path: KeyPath) -> None:
        self.at += 1
        while True:
            self.skip_space()
            if self.peek() == "}":
                self.at += 1
                return
            line = self.line
            inner = (*path, *self.dotted_key())
            self.record(inner, line)
            self.expect("=")
            self.value(inner)
            self.skip_space()
            if self.peek() == ",":
                self.at += 1

    def array(self, path: KeyPath) -> None:
        self.at += 1
        index = 0
        while True:
            self.skip_blank_and_comments()
            if self.peek() == "]":
                self.at += 1
                return
            self.record((*path, index), self.line)
            self.value((*path, index))
            self.skip_blank_and_comments()
            if self.peek() == ",":
                self.at += 1
            index += 1

    def string(self) -> str:
        quote = self.text[self.at]
        triple = quote * 3
        if self.text.startswith(triple, self.at):
            end = self.text.find(triple, self.at + 3)
            if end < 0:
                raise _Stop
            while self.text.startswith(quote, end + 3):  # up to two quotes may close a multi-line string
                end += 1
            content = self.text[self.at + 3 : end]
            self.line += content.count("\n")
            self.at = end + 3
            return content
        start = self.at + 1
        self.at = start
        while self.at < len(self.text) and self.text[self.at] != quote:
            if self.text[self.at] == "\n":
                raise _Stop
            self.at += 2 if quote == '"' and self.text[self.at] == "\\" else 1
        content = self.text[start : self.at]
        self.at += 1
        return content

    # -- whitespace ---------------------------------------------------------------------------------

    def peek(self) -> str:
        return self.text[self.at] if self.at < len(self.text) else ""

    def expect(self, token: str) -> None:
        self.skip_space()
        if not self.text.startswith(token, self.at):
            raise _Stop
        self.at += len(token)

    def skip_space(self) -> None:
        while self.peek() and self.peek() in _SPACE:
            self.at += 1

    def skip_blank_and_comments(self) -> None:
        while self.at < len(self.text):
            char = self.text[self.at]
            if char in _SPACE or char == "\r":
                self.at += 1
            elif char == "\n":
                self.at += 1
                self.line += 1
            elif char == "#":
                while self.at < len(self.text) and self.text[self.at] != "\n":
                    self.at += 1
            else:
                return

    def rest_of_line(self) -> None:
        """After a header or a value: a comment at most, then the newline."""
        while self.at < len(self.text) and self.text[self.at] != "\n":
            self.at += 1
