"""Direct answers about a namespace or a workload: which pods are not ready, what changed.

Called by `direct.py`. "Which pods are not ready" lists the pods (of the named objects, else
of the namespace) that are not ready or restart, with kubectl's STATUS, readiness, restarts
and each failing container's reason, citing the pod listing and triage's describes. "What
changed" lists the objects created or written inside the question's window (a new ReplicaSet
is a rollout; a ConfigMap or Secret written is a config change) and the events of the window.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from holmes.agent.engine.diagnosis import Claim, Diagnosis
from holmes.agent.engine.gather import Gatherer
from holmes.agent.engine.questions import DirectQuestion
from holmes.agent.engine.triage import Triage
from holmes.tools.facts import PodFacts, ago, clip, duration_text

MAX_PODS_LISTED = 1000
MAX_ROWS = 12
# What a change in a namespace is made of: rollouts, config, scaling, jobs; pods are counted.
CHANGE_KINDS = (
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "ConfigMap",
    "Secret",
    "Service",
    "Job",
    "CronJob",
    "HorizontalPodAutoscaler",
    "Pod",
)


def subject_text(subject: dict[str, Any]) -> str:
    """The subject in a few words: what was named, else the namespace, else the cluster."""
    named = [
        f"{o['kind']} {o['namespace']}/{o['name']}"
        for group in ("workloads", "services", "objects")
        for o in subject.get(group, [])
    ] or [f"pod {p['namespace']}/{p['name']}" for p in subject.get("named_pods", [])]
    if named:
        return ", ".join(named[:3])
    return f"namespace {subject['namespace']}" if subject.get("namespace") else "the cluster"


def _scope(triaged: Triage) -> tuple[str | None, set[str] | None, str]:
    """Namespace to list, the subject's pod names (None: every pod there), and its words."""
    subject = triaged.subject
    namespace = subject.get("namespace")
    named = subject["scope"] == "named"
    pods = {p["name"] for p in subject["pods"]} if named else None
    return namespace, pods, subject_text(subject)


async def not_ready_answer(triaged: Triage, gatherer: Gatherer) -> Diagnosis:
    """The pods that are not ready (or restart), worst first, each with why."""
    namespace, only, what = _scope(triaged)
    arguments: dict[str, Any] = {"kind": "Pod", "limit": MAX_PODS_LISTED}
    if namespace:
        arguments["namespace"] = namespace
    listed = await gatherer.call("kubernetes_list", arguments)
    if not listed.ok:
        reason = listed.error.message if listed.error else "no answer"
        return Diagnosis(
            summary=f"Could not list the pods of {what}",
            root_cause=f"Not determined: the pods of {what} could not be listed ({reason}).",
            evidence=[Claim(claim=f"pod listing failed: {reason}", evidence_ids=[])],
            fault_found=False,
            answer_kind="not_ready",
        )
    facts = [
        PodFacts.model_validate(item["facts"])
        for item in (listed.data or {}).get("items", [])
        if item.get("facts") and (only is None or item.get("name") in only)
    ]
    bad = sorted((f for f in facts if f.problem), key=lambda f: (-f.severity, f.name))
    described = _described(triaged)
    warnings = _warnings(triaged)
    rows = {f.name: _pod_row(f) + warnings.get(f.name, "") for f in bad[:MAX_ROWS]}
    claims = [
        Claim(claim=rows[f.name], evidence_ids=[listed.evidence_id, *described.get(f.name, [])])
        for f in bad[:MAX_ROWS]
    ]
    unready = [f for f in bad if f.unready]
    if bad:
        more = f" ({len(bad) - MAX_ROWS} more not shown)" if len(bad) > MAX_ROWS else ""
        body = (
            f"{len(unready)} of {len(facts)} pod(s) of {what} are not ready"
            + (
                f" and {len(bad) - len(unready)} ready but restarting"
                if len(bad) > len(unready)
                else ""
            )
            + f": {'; '.join(rows.values())}{more}."
        )
    else:
        body = f"All {len(facts)} pod(s) of {what} are ready (or completed), with no restarts."
        claims = [Claim(claim=body, evidence_ids=[listed.evidence_id])]
    return Diagnosis(
        summary=f"Pods of {what} that are not ready: {len(unready)} of {len(facts)}",
        root_cause=body,
        evidence=claims,
        confidence="high",
        fault_found=bool(bad),
        answer_kind="not_ready",
    )


def _pod_row(facts: PodFacts) -> str:
    """`ns/pod: CrashLoopBackOff, ready 0/2, restarts 7 (app CrashLoopBackOff, last Error
    exit 1)`."""
    reasons = []
    for container in facts.containers:
        if container.ready or (container.init and container.state == "terminated"):
            continue
        why = container.reason or (
            "running, not ready" if container.state == "running" else container.state
        )
        why = why or "not created"
        if container.last_reason:
            why += f", last {container.last_reason}"
            if container.last_exit_code is not None:
                why += f" exit {container.last_exit_code}"
        reasons.append(f"{container.name} {why}")
    detail = f" ({'; '.join(reasons)})" if reasons else ""
    return (
        f"{facts.namespace}/{facts.name}: {facts.status or facts.phase}, ready "
        f"{facts.ready}/{facts.total}, restarts {facts.restarts}{detail}"
    )


def _warnings(triaged: Triage) -> dict[str, str]:
    """Pod name -> why its describe says it is unscheduled or failing (a condition's message,
    else its latest Warning event), for the pods triage described."""
    found: dict[str, str] = {}
    for row in triaged.pods:
        data = row.get("data") if row.get("ok") else None
        name = (row.get("args") or {}).get("name")
        if not isinstance(data, dict) or not name:
            continue
        unscheduled = [
            c
            for c in data.get("conditions") or []
            if c.get("type") == "PodScheduled" and c.get("status") != "True"
        ]
        warning = [e for e in data.get("events") or [] if e.get("type") == "Warning"]
        if unscheduled:
            found[name] = (
                f"; {unscheduled[0].get('reason')}: {clip(unscheduled[0].get('message'), 120)}"
            )
        elif warning:
            found[name] = f"; {warning[0].get('reason')}: {clip(warning[0].get('message'), 120)}"
    return found


def _described(triaged: Triage) -> dict[str, list[str]]:
    """Pod name -> the evidence ids of triage's describes of it."""
    found: dict[str, list[str]] = {}
    for row in triaged.pods:
        name = (row.get("args") or {}).get("name")
        if row.get("ok") and name:
            found.setdefault(name, []).append(row["id"])
    return found


async def changes_answer(asked: DirectQuestion, triaged: Triage, gatherer: Gatherer) -> Diagnosis:
    """Objects created or written inside the window, and the window's events."""
    namespace, _, what = _scope(triaged)
    window = asked.window
    assert window is not None  # questions.py gives "what changed" a window (1h by default)
    now = gatherer.ctx.now()
    since = now - window
    where = {"namespace": namespace} if namespace else {}
    lists = await asyncio.gather(
        *(
            gatherer.call("kubernetes_list", {"kind": k, "limit": 500, **where})
            for k in CHANGE_KINDS
        )
    )
    minutes = f"{max(1, int(window.total_seconds() // 60))}m"
    events = await gatherer.call("kubernetes_events", {**where, "since": minutes, "limit": 40})
    claims: list[Claim] = []
    pods_created = 0
    for kind, result in zip(CHANGE_KINDS, lists, strict=True):
        for item in (result.data or {}).get("items", []) if result.ok else []:
            change = _change(item, since, now)
            if change is None:
                continue
            if kind == "Pod":
                pods_created += 1
                continue
            name = f"{item.get('namespace')}/{item.get('name')}"
            claims.append(Claim(claim=f"{kind} {name} {change}", evidence_ids=[result.evidence_id]))
    span = duration_text(int(window.total_seconds()))
    rows = [c.claim for c in claims[:MAX_ROWS]]
    if pods_created:
        rows.append(f"{pods_created} pod(s) created")
    event_rows = _event_rows(events.data if events.ok else None)
    if event_rows:
        claims.append(
            Claim(claim="events: " + "; ".join(event_rows), evidence_ids=[events.evidence_id])
        )
    body = (
        f"In the last {span} in {what}: " + "; ".join(rows) + "."
        if rows
        else f"No object of {what} was created or written in the last {span}."
    )
    if event_rows:
        body += " Events: " + "; ".join(event_rows) + "."
    failed = [r.error.message for r in [*lists, events] if not r.ok and r.error]
    return Diagnosis(
        summary=f"What changed in {what} in the last {span}",
        root_cause=body,
        explanation=("Not read: " + "; ".join(failed[:3]) + ".") if failed else "",
        evidence=claims
        or [Claim(claim=body, evidence_ids=[r.evidence_id for r in lists if r.ok][:3])],
        confidence="high" if not failed else "low",
        fault_found=False,
        answer_kind="changes",
    )


def _change(item: dict[str, Any], since: datetime, now: datetime) -> str | None:
    """ "created 20m ago" / "changed 5m ago" when inside the window, else None."""
    created, updated = _time(item.get("created")), _time(item.get("updated"))
    if created and since <= created <= now:
        return f"created {ago(created, now)}"
    if updated and since <= updated <= now:
        return f"changed {ago(updated, now)}"
    return None


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _event_rows(data: Any) -> list[str]:
    """The window's events as `reason object: message (xN)`, Warnings first (the tool's order)."""
    rows = []
    for event in (data or {}).get("events", [])[:8]:
        subject = f"{event.get('kind')} {event.get('name')}"
        count = f" (x{event['count']})" if int(event.get("count") or 1) > 1 else ""
        rows.append(f"{event.get('reason')} {subject}: {str(event.get('message'))[:160]}{count}")
    return rows
