"""The series selectors a PromQL expression reads, and how far back it looks.

Called by `holmes record` (holmes/tools/recording.py): to save the raw series behind a query it
asks Prometheus for each selector's samples (`selector[window]`), and widens the window by the
ranges, subqueries and offsets the expression uses, so that a replay evaluates the query exactly
as the live server did. Prometheus 2.42 (Debian's) has no parse endpoint and no maintained PromQL
parser exists for Python, so this is a small scanner of PromQL's lexical grammar: it skips
strings, comments, function names, grouping label lists (`by (...)`, `on (...)`) and keywords,
and keeps `name`, `name{...}` and `{...}` as selectors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from holmes.tools.times import duration_seconds

_IDENT = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_NUMBER = re.compile(r"0[xX][0-9a-fA-F]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?(?:ms|[smhdwy])*")
_DURATION = re.compile(r"\d+(?:\.\d+)?(?:ms|[smhdwy])(?:\d+(?:\.\d+)?(?:ms|[smhdwy]))*")
_GROUPING = {"by", "without", "on", "ignoring", "group_left", "group_right"}
# Aggregations may be followed by `by (...)` rather than `(`: never a metric name.
_AGGREGATIONS = {
    "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
    "bottomk", "topk", "quantile", "limitk", "limit_ratio",
}  # fmt: skip
_KEYWORDS = (
    _GROUPING | _AGGREGATIONS | {"and", "or", "unless", "bool", "offset", "atan2", "inf", "nan"}
)
# The default lookback of an instant selector: a sample up to 5m old still counts.
LOOKBACK_SECONDS = 300.0


@dataclass(frozen=True)
class QueryReads:
    """What one expression reads: its selectors and the seconds it looks back beyond its time."""

    selectors: tuple[str, ...]
    lookback_seconds: float


def query_reads(promql: str) -> QueryReads:
    """The selectors of `promql` and its lookback (ranges + offsets + the 5m default)."""
    selectors: list[str] = []
    lookback = LOOKBACK_SECONDS
    text, position = promql, 0
    while position < len(text):
        char = text[position]
        if char.isspace():
            position += 1
        elif char in "\"'`":
            position = _skip_string(text, position)
        elif char == "#":
            end = text.find("\n", position)
            position = len(text) if end < 0 else end
        elif char == "{":
            end = _skip_braces(text, position)
            selectors.append(text[position:end])
            position = end
        elif char == "[":
            end = text.find("]", position)
            end = len(text) if end < 0 else end + 1
            lookback += _range_seconds(text[position + 1 : end - 1])
            position = end
        elif match := _NUMBER.match(text, position) if char.isdigit() or char == "." else None:
            position = match.end()
        elif match := _IDENT.match(text, position):
            position = _identifier(text, match, selectors)
            if match[0].lower() == "offset":
                offset = _DURATION.match(text, _skip_space(text, position))
                if offset:
                    lookback += duration_seconds(offset[0])
                    position = offset.end()
        else:
            position += 1
    return QueryReads(tuple(dict.fromkeys(selectors)), lookback)


def _identifier(text: str, match: re.Match[str], selectors: list[str]) -> int:
    """Handle a word: a selector (kept), a function, a keyword or a grouping list (skipped)."""
    word, after = match[0], _skip_space(text, match.end())
    following = text[after] if after < len(text) else ""
    if word.lower() in _GROUPING:
        return _skip_parens(text, after) if following == "(" else match.end()
    if following == "(" or word.lower() in _KEYWORDS:
        return match.end()  # a function or aggregation name, or an operator keyword
    if following == "{":
        end = _skip_braces(text, after)
        selectors.append(word + text[after:end])
        return end
    selectors.append(word)
    return match.end()


def _range_seconds(inside: str) -> float:
    """`5m` -> 300; a subquery's `1h:30s` -> 3600; anything unreadable -> 0."""
    span = inside.split(":", 1)[0].strip()
    try:
        return duration_seconds(span) if span else 0.0
    except ValueError:
        return 0.0


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _skip_string(text: str, position: int) -> int:
    quote, position = text[position], position + 1
    while position < len(text) and text[position] != quote:
        position += 2 if text[position] == "\\" and quote != "`" else 1
    return position + 1


def _skip_braces(text: str, position: int) -> int:
    """The index after the `}` closing the `{` at `position` (strings inside skipped)."""
    position += 1
    while position < len(text) and text[position] != "}":
        position = _skip_string(text, position) if text[position] in "\"'`" else position + 1
    return position + 1


def _skip_parens(text: str, position: int) -> int:
    end = text.find(")", position)
    return len(text) if end < 0 else end + 1
