"""Ranking runbooks for an investigation: which problem classes the signals point at, and why.

A runbook scores by its alert names (the strongest signal), its alert label conditions, the
symptoms triage found that it lists, its question keywords, and its CEL `match.when` over the
subject. Each point comes with a reason, so the answer can say why a runbook was chosen.
Pure functions; called by the engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from holmes.agent.engine.rules import FunctionRegistry, LoadedRunbook
from holmes.agent.engine.rules.expressions import ExpressionError, truthy

ALERT_POINTS = 6
LABEL_POINTS = 3
SYMPTOM_POINTS = 3
KEYWORD_POINTS = 1
WHEN_POINTS = 2
MAX_SYMPTOM_POINTS = 9
MAX_KEYWORD_POINTS = 3


@dataclass
class Ranked:
    """A runbook with its score and the reasons for it."""

    loaded: LoadedRunbook
    score: int = 0
    reasons: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        """The runbook's id."""
        return self.loaded.runbook.id


def rank(
    runbooks: list[LoadedRunbook],
    *,
    alert_name: str,
    alert_labels: dict[str, str],
    text: str,
    symptoms: list[str],
    variables: dict[str, Any],
    functions: FunctionRegistry,
    routed: str | None = None,
) -> list[Ranked]:
    """Every runbook with its score, best first (ties keep the runbooks' priority order);
    `match.when` conditions call `functions`.

    `routed` is the runbook the alert-route table names for the alert: it ranks first."""
    ranked = [
        _score(loaded, alert_name, alert_labels, text, symptoms, variables, functions)
        for loaded in runbooks
    ]
    for candidate in ranked:
        if candidate.id == routed:
            candidate.reasons.insert(0, f"alert route table: {alert_name} -> {routed}")
    return sorted(
        ranked, key=lambda r: (r.id != routed, -r.score, -r.loaded.runbook.priority, r.id)
    )


def _score(
    loaded: LoadedRunbook,
    alert_name: str,
    labels: dict[str, str],
    text: str,
    symptoms: list[str],
    variables: dict[str, Any],
    functions: FunctionRegistry,
) -> Ranked:
    match = loaded.runbook.match
    ranked = Ranked(loaded)
    if alert_name and any(a.lower() == alert_name.lower() for a in match.alerts):
        ranked.score += ALERT_POINTS
        ranked.reasons.append(f"alert {alert_name}")
    if (
        match.labels
        and labels
        and all(re.search(pattern, labels.get(name, "")) for name, pattern in match.labels.items())
    ):
        ranked.score += LABEL_POINTS
        ranked.reasons.append("alert labels " + ", ".join(sorted(match.labels)))
    wanted = {s.lower() for s in match.symptoms}
    seen = [s for s in symptoms if s.lower() in wanted]
    if seen:
        ranked.score += min(MAX_SYMPTOM_POINTS, SYMPTOM_POINTS * len(seen))
        ranked.reasons.append("symptoms " + ", ".join(seen))
    hits = [k for k in match.keywords if text and re.search(k, text, re.IGNORECASE)]
    if hits:
        ranked.score += min(MAX_KEYWORD_POINTS, KEYWORD_POINTS * len(hits))
        ranked.reasons.append("question mentions " + ", ".join(hits[:3]))
    if match.when:
        try:
            if truthy(match.when, variables, functions):
                ranked.score += WHEN_POINTS
                ranked.reasons.append("subject matches")
        except ExpressionError:
            pass  # a condition over data this subject lacks does not apply
    return ranked
