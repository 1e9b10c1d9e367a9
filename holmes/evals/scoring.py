"""Scoring an answer against a bundle's `expected` (see "Scoring" in the incident format).

An answer passes when every `must_mention` entry matches its root cause and explanation, every
`remediation_must_mention` entry matches its remediation, and, where `runbook` is given, that
runbook is the one the answer names; where `chain` is given, the causal chain's runbooks
(symptom first) are those; where `hypotheses` are given, each is addressed with its verdict. An
entry is a case-insensitive regular expression, or a
list of them of which any one may match. Only the eval runner calls this: `expected` never
reaches an investigation.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from holmes.agent.engine.diagnosis import Diagnosis
from holmes.evals.bundle import Expected, MentionEntry


class Score(BaseModel):
    """The verdict on one answer, with what was missing."""

    passed: bool
    missing: list[str] = Field(default_factory=list)


def entry_matches(entry: MentionEntry, text: str) -> bool:
    """Whether a must-mention entry (a regex, or a list of alternatives) matches `text`."""
    patterns = [entry] if isinstance(entry, str) else entry
    return any(re.search(pattern, text, re.IGNORECASE) for pattern in patterns)


def score(diagnosis: Diagnosis, expected: Expected) -> Score:
    """Score one diagnosis; `missing` names each entry that did not match, and where."""
    missing = [
        f"root cause lacks {_show(entry)}"
        for entry in expected.must_mention
        if not entry_matches(entry, diagnosis.cause_text())
    ]
    missing += [
        f"remediation lacks {_show(entry)}"
        for entry in expected.remediation_must_mention
        if not entry_matches(entry, diagnosis.remediation_text())
    ]
    if expected.runbook and diagnosis.runbook_id != expected.runbook:
        missing.append(f"runbook is {diagnosis.runbook_id!r}, expected {expected.runbook!r}")
    missing += _chain_missing(diagnosis, expected) + _hypotheses_missing(diagnosis, expected)
    return Score(passed=not missing, missing=missing)


def _chain_missing(diagnosis: Diagnosis, expected: Expected) -> list[str]:
    """The chain's runbooks, symptom first, must be `expected.chain` (when given)."""
    if not expected.chain:
        return []
    got = [hop.runbook_id for hop in diagnosis.chain]
    return [] if got == expected.chain else [f"chain is {got}, expected {expected.chain}"]


def _hypotheses_missing(diagnosis: Diagnosis, expected: Expected) -> list[str]:
    """Each expected hypothesis must be addressed with the expected verdict."""
    missing = []
    for pattern, verdict in expected.hypotheses.items():
        found = [h for h in diagnosis.hypotheses if re.search(pattern, h.hypothesis, re.I)]
        if not found:
            missing.append(f"no hypothesis matches {pattern!r}")
        elif all(h.verdict != verdict for h in found):
            missing.append(f"hypothesis {pattern!r} is {found[0].verdict}, expected {verdict}")
    return missing


def _show(entry: MentionEntry) -> str:
    return repr(entry) if isinstance(entry, str) else " | ".join(repr(p) for p in entry)
