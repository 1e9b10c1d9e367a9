"""The general evidence sweep: what the engine does when no runbook's finding holds.

Pods that are Running and Ready can still be the fault: their logs show exceptions, RBAC
denials, refused connections, timeouts or slow operations; their CPU is throttled at its limit
or their memory is at its limit; their autoscaler is at its maximum or blind; their last rollout
or ConfigMap change is what broke. For the subject's pods (every container) and workloads, the
sweep reads all of that in parallel, within the question's window (default 1 h), and returns
typed signals (`sweep_facts`): `sweep_answer` turns them into a low- or medium-confidence
finding that quotes them, or an abstention that lists what was swept.

Called by the engine only when no runbook finding holds. Parts: `sweep_logs`, `sweep_metrics`,
`sweep_changes`.
"""

from __future__ import annotations

import asyncio
import re

from holmes.agent.engine.gather import Gatherer
from holmes.agent.engine.intake import InvestigationRequest
from holmes.agent.engine.sweep_changes import sweep_changes
from holmes.agent.engine.sweep_facts import SweepPart, SweepResult
from holmes.agent.engine.sweep_logs import sweep_logs
from holmes.agent.engine.sweep_metrics import Key, sweep_metrics
from holmes.agent.engine.triage import Triage
from holmes.tools.facts.pods import PodFacts
from holmes.tools.facts.quantities import quantity_number

DEFAULT_WINDOW = 3600.0
MAX_PODS = 3  # pods swept (unhealthy first, as triage orders them)
MAX_CONTAINERS = 8  # log reads in all
MAX_DEPLOYMENTS = 2  # workloads whose rollout history is read
_WINDOW = re.compile(
    r"(?i)\b(?:last|past|previous|since|for|in the last|over the last)\s+(?:(\d+|an?|one|two|"
    r"few)\s*)?(seconds?|secs?|minutes?|mins?|m|hours?|hrs?|h|days?|d)\b"
)
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "few": 3}
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def question_window(question: str) -> float:
    """The window a question names ("in the last 30 minutes", "past 2 hours"), in seconds;
    DEFAULT_WINDOW when it names none."""
    match = _WINDOW.search(question or "")
    if match is None:
        return DEFAULT_WINDOW
    amount, unit = match.group(1), match.group(2).lower()
    count = int(amount) if amount and amount.isdigit() else _NUMBERS.get((amount or "a").lower(), 1)
    seconds = count * _UNITS["s" if unit.startswith("s") else unit[0]]
    return float(min(max(seconds, 300), 7 * 86400))


def subject_name(subject: dict) -> str:
    """What the answer calls the subject: its named workloads, services or pods, else its
    namespace."""
    named = [f"{w['kind']} {w['namespace']}/{w['name']}" for w in subject["workloads"]]
    named += [f"Service {s['namespace']}/{s['name']}" for s in subject["services"]]
    named = named or [f"pod {p['namespace']}/{p['name']}" for p in subject.get("named_pods", [])]
    if named:
        return ", ".join(named[:3])
    return f"namespace {subject['namespace']}" if subject["namespace"] else "the cluster"


def should_sweep(triaged: Triage) -> bool:
    """Whether there is a subject to sweep: named objects or a namespace, with pods."""
    subject = triaged.subject
    return subject["scope"] in ("named", "namespace") and bool(subject["pods"])


def subject_pods(triaged: Triage) -> list[PodFacts]:
    """The facts of the subject's pods (from triage's pod listing), in triage's order."""
    wanted = [(p["namespace"], p["name"]) for p in triaged.subject["pods"]][:MAX_PODS]
    listed: dict[tuple[str, str], PodFacts] = {}
    for row in triaged.listing:
        if not row["ok"] or (row["args"] or {}).get("kind") != "Pod":
            continue
        for item in (row["data"] or {}).get("items", []):
            if item.get("facts"):
                facts = PodFacts.model_validate(item["facts"])
                listed[(facts.namespace, facts.name)] = facts
    return [listed[key] for key in wanted if key in listed]


_ROLLED_OUT = ("Deployment", "StatefulSet", "DaemonSet")


def _workloads(triaged: Triage, pods: list[PodFacts]) -> list[tuple[str, str]]:
    """The subject's workloads that roll out, as (kind, name): the named ones, else the owners
    of its pods (a ReplicaSet's Deployment, a StatefulSet, a DaemonSet)."""
    named = [
        (w["kind"], w["name"]) for w in triaged.subject["workloads"] if w["kind"] in _ROLLED_OUT
    ]
    owned = []
    for p in pods:
        if p.owner is None:
            continue
        if p.owner.kind == "ReplicaSet" and "-" in p.owner.name:
            owned.append(("Deployment", p.owner.name.rsplit("-", 1)[0]))
        elif p.owner.kind in ("StatefulSet", "DaemonSet"):
            owned.append((p.owner.kind, p.owner.name))
    return list(dict.fromkeys(named + owned))[:MAX_DEPLOYMENTS]


def _limits(pods: list[PodFacts], resource: str) -> dict[Key, float]:
    return {
        (pod.name, c.name): quantity_number(c.limits[resource])
        for pod in pods
        for c in pod.containers
        if not c.init and c.limits.get(resource)
    }


async def sweep_evidence(
    request: InvestigationRequest, triaged: Triage, gatherer: Gatherer
) -> SweepResult:
    """Read every container's logs, the cAdvisor metrics, the autoscalers and recent changes of
    the subject, in parallel; the signals found and what was swept."""
    window = question_window(request.question or "")
    result = SweepResult(window_seconds=window)
    pods = subject_pods(triaged)
    if not pods:
        return result
    namespace = pods[0].namespace
    pods = [p for p in pods if p.namespace == namespace]
    containers = [(p.namespace, p.name, c.name) for p in pods for c in p.containers if not c.init]
    workloads = _workloads(triaged, pods)
    targets = {name for _, name in workloads} | {w["name"] for w in triaged.subject["workloads"]}
    parts: list[asyncio.Future[SweepPart]] = [
        asyncio.ensure_future(sweep_logs(gatherer, containers[:MAX_CONTAINERS], window)),
        asyncio.ensure_future(sweep_changes(gatherer, namespace, workloads, targets, window)),
    ]
    if gatherer.ctx.endpoints.prometheus_url:
        cpu, memory = _limits(pods, "cpu"), _limits(pods, "memory")
        parts.append(asyncio.ensure_future(sweep_metrics(gatherer, namespace, cpu, memory, window)))
    for part in await asyncio.gather(*parts):
        result.add(part)
    if not gatherer.ctx.endpoints.prometheus_url:
        result.swept.append("not CPU throttling or memory: no Prometheus is configured")
    return result
