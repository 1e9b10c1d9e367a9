"""The evidence sweep's typed facts: what it looked at, and each signal it found.

A `SweepSignal` is one observation that may explain a complaint no runbook explains: a log
line class seen in a container, CPU throttling, memory near its limit, an autoscaler at its
maximum or blind, a rollout or a config change in the window. Each carries its weight (how
decisive it is), the sentence an answer quotes, the evidence ids behind it and the remediation
it calls for. Built by sweep_logs, sweep_metrics and sweep_changes; read by sweep_answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SignalClass = Literal["logs", "cpu", "memory", "autoscaler", "rollout", "config"]
# A signal at or above this weight is a symptom on its own; below it (a rollout, a config
# change, scattered error lines) it only supports one: a healthy workload that was merely
# redeployed must not be reported as faulty.
SYMPTOM_WEIGHT = 4


@dataclass
class Remedy:
    """One remediation step a signal calls for."""

    action: str
    command: str | None = None


@dataclass
class SweepSignal:
    """One observation of the sweep, with its weight, its sentence and its evidence."""

    kind: SignalClass
    weight: int
    claim: str
    evidence_ids: list[str]
    remedies: list[Remedy] = field(default_factory=list)

    @property
    def symptom(self) -> bool:
        """Whether this signal shows a fault by itself (see SYMPTOM_WEIGHT)."""
        return self.weight >= SYMPTOM_WEIGHT


@dataclass
class SweepResult:
    """Everything the sweep found, and what it looked at (for an honest abstention)."""

    window_seconds: float
    signals: list[SweepSignal] = field(default_factory=list)
    swept: list[str] = field(default_factory=list)  # "logs of 4 containers (current, previous)"
    evidence_ids: list[str] = field(default_factory=list)

    def add(self, found: SweepPart) -> None:
        """Fold in one part's signals, what it swept and the evidence it read."""
        self.signals += found.signals
        self.swept += found.swept
        self.evidence_ids += [i for i in found.evidence_ids if i not in self.evidence_ids]

    def ranked(self) -> list[SweepSignal]:
        """The signals, most decisive first."""
        return sorted(self.signals, key=lambda s: -s.weight)

    @property
    def symptoms(self) -> list[SweepSignal]:
        """The signals that show a fault by themselves, most decisive first."""
        return [s for s in self.ranked() if s.symptom]


@dataclass
class SweepPart:
    """What one part of the sweep (logs, metrics, changes) returns."""

    signals: list[SweepSignal] = field(default_factory=list)
    swept: list[str] = field(default_factory=list)
    evidence_ids: list[str] = field(default_factory=list)


def window_text(seconds: float) -> str:
    """`1h`, `30m`, `2h30m` for a window in seconds."""
    minutes = int(seconds // 60)
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours}h{rest}m"
    return f"{hours}h" if hours else f"{max(1, minutes)}m"
