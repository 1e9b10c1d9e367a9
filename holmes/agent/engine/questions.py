"""What kind of question was asked: a diagnosis ("why ...?") or a direct request for data.

Some questions ask for data, not for a root cause:

    logs        "show me the logs of web", "fetch the trainer's logs", "tail web's logs"
    log_errors  "what errors are in the logs of web?", "any exceptions in web's logs?"
    not_ready   "which pods in shop are not ready?", "list the failing pods in team-a"
    changes     "what changed in shop in the last hour?", "what was deployed in ml today?"

`direct_question` recognises them with a few general patterns (a verb or question word that
asks for data, and the thing asked about); anything else, and any "why" question, is a
diagnosis. The engine answers a direct question from the tools (`direct.py`) instead of the
runbooks. Pure functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

QuestionKind = Literal["logs", "log_errors", "not_ready", "changes"]

_WHY = re.compile(r"^\s*(why|how come)\b|\bwhy\b.{0,40}\?\s*$", re.IGNORECASE)
# "logs" as what is asked for, not a word of a name ("the logs pipeline").
_LOGS = r"\blogs?\b(?!\s*(pipeline|shipper|collector|agent|forwarder|volume|dir\w*|bucket|index))"
# A question that asks what is wrong is a diagnosis, whatever data it mentions.
_DIAGNOSIS = re.compile(
    r"\b(what('s| is| was)? (wrong|going on|happening|happened|broken|the (problem|issue|cause))|"
    r"root cause|diagnos\w*|troubleshoot\w*|explain|cause[sd]?)\b",
    re.IGNORECASE,
)
_ASK_DATA = (
    r"\b(show|fetch|get|give|print|display|tail|read|dump|see|view|pull|grab|list|find|"
    r"what|which|any|are there|is there|check)\b"
)
_ERRORS = r"\b(errors?|exceptions?|warnings?|failures?|stack ?traces?|panics?|fatal)\b"
_NOT_READY = (
    r"(not[\s-]+ready|unready|not[\s-]+running|failing|failed|crash\w*|unhealthy|broken|"
    r"pending|restarting|in (an? )?error|down|stuck)"
)
_PODS_WORDS = r"\b(pods?|replicas?|containers?|workloads?)\b"
_CHANGED = re.compile(
    r"\b(what|anything|something|which \w+)\b.{0,30}\b(changed?|changes|deployed|rolled out|"
    r"updated|modified|new)\b|\b(recent|latest) (changes|deploy(ment)?s|rollouts)\b",
    re.IGNORECASE,
)
_WINDOW = re.compile(
    r"\b(?:in|during|over|within|for) the (?:last|past) (?:(\d+|an?|one|two|few)\s*)?"
    r"(minutes?|mins?|hours?|hrs?|days?|h|m|d)\b|\b(today|this morning|since yesterday)\b",
    re.IGNORECASE,
)
_UNITS = {"m": 60, "h": 3600, "d": 86400}
_COUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "few": 3}


@dataclass(frozen=True)
class DirectQuestion:
    """A question answered from the tools: what it asks for, and over which window."""

    kind: QuestionKind
    window: timedelta | None = None  # "in the last hour"; None when it names none


def direct_question(question: str | None) -> DirectQuestion | None:
    """The direct question `question` asks, or None for a diagnosis."""
    if not question or _WHY.search(question) or _DIAGNOSIS.search(question):
        return None
    text = " ".join(question.split())
    window = question_window(text)
    asks = re.search(_ASK_DATA, text, re.IGNORECASE) is not None
    if re.search(_LOGS, text, re.IGNORECASE) and asks:
        errors = re.search(_ERRORS, text, re.IGNORECASE) is not None
        return DirectQuestion("log_errors" if errors else "logs", window)
    if _CHANGED.search(text):
        return DirectQuestion("changes", window or timedelta(hours=1))
    pods_asked = re.search(
        rf"\b(which|what|list|show|any|how many|are there)\b.{{0,40}}{_PODS_WORDS}", text, re.I
    ) or re.search(rf"{_PODS_WORDS}.{{0,30}}\b(are|is)\b.{{0,20}}{_NOT_READY}", text, re.I)
    if pods_asked and re.search(_NOT_READY, text, re.IGNORECASE):
        return DirectQuestion("not_ready", window)
    return None


def question_window(text: str) -> timedelta | None:
    """The window a question names ("in the last 2 hours", "today"), or None."""
    match = _WINDOW.search(text)
    if match is None:
        return None
    if match[3]:
        return timedelta(hours=24) if match[3].lower() == "today" else timedelta(hours=12)
    count = match[1].lower() if match[1] else "1"
    number = int(count) if count.isdigit() else _COUNTS.get(count, 1)
    unit = match[2].lower()
    seconds = _UNITS["m" if unit.startswith("m") else unit[0]]
    return timedelta(seconds=number * seconds)
