"""Style lint for runbooks (`holmes runbooks check`): lines a reader can take in, and no long
expression written out again and again where a `let` value or a named function would do.

Warnings, not errors: a runbook that breaks them still loads and runs; `--strict` fails on them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel

from holmes.agent.engine.rules.loader import LoadedRunbook, expressions

MAX_LINE = 120
MAX_REPEATS = 2
# A call shorter than this is cheap to repeat (`get(p, 'x')`); longer ones want a name.
MIN_REPEATED_CHARS = 30
_CALL_START = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\(")


class LintWarning(BaseModel):
    """One style problem: the file, the line when there is one, and what is wrong."""

    path: Path
    line: int | None = None
    message: str

    def text(self) -> str:
        """`file:line: message`."""
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.message}"


def lint(loaded: Iterable[LoadedRunbook], max_line: int = MAX_LINE) -> list[LintWarning]:
    """The style warnings of every runbook: long lines, then repeated expressions."""
    found: list[LintWarning] = []
    for item in loaded:
        found += long_lines(item.path, max_line)
        found += repeated_expressions(item)
    return found


def long_lines(path: Path, max_line: int = MAX_LINE) -> list[LintWarning]:
    """Lines of a runbook file longer than `max_line` characters."""
    return [
        LintWarning(
            path=path, line=number, message=f"line of {len(line)} characters (> {max_line})"
        )
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if len(line) > max_line
    ]


def repeated_expressions(item: LoadedRunbook) -> list[LintWarning]:
    """Function calls of at least MIN_REPEATED_CHARS written more than MAX_REPEATS times in one
    runbook (counted once per expression they appear in)."""
    counts: Counter[str] = Counter()
    for _field, source in expressions(item.runbook):
        counts.update(set(calls(source)))
    return [
        LintWarning(
            path=item.path,
            message=f"`{call}` is written {count} times: name it (a `let` value or a function)",
        )
        for call, count in counts.most_common()
        if count > MAX_REPEATS
    ]


def calls(source: str) -> list[str]:
    """Every function call in a CEL source (nested ones too), whitespace folded, long ones only."""
    found = []
    for start in _CALL_START.finditer(source):
        end = _closing(source, start.end() - 1)
        if end is not None:
            text = " ".join(source[start.start() : end + 1].split())
            if len(text) >= MIN_REPEATED_CHARS:
                found.append(text)
    return found


def _closing(source: str, opening: int) -> int | None:
    """The index of the parenthesis closing the one at `opening` (strings skipped), or None."""
    depth, quote, index = 0, "", opening
    while index < len(source):
        char = source[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return None
