"""Next steps for an answer that abstains: what would decide, since holmes could not.

An abstaining answer ("not found", "no fault found", "something is wrong but no runbook
explains it") still owes the asker a way forward: the names that exist and look like the one
asked about, the data that would decide a latency or timeout complaint (client-side timings,
traces, L7 visibility), a wider time window, and each source that is not configured or failed.
`next_steps` returns them as remediation steps, built from triage's typed listing and the
sources' state; called by `abstain.py`.
"""

from __future__ import annotations

import difflib
import re

from holmes.agent.engine.diagnosis import RemediationStep, SourceUnavailable
from holmes.agent.engine.intake import InvestigationRequest
from holmes.agent.engine.triage import Triage

_LATENCY = re.compile(
    r"slow|latency|lag|time[sd]? ?out|timing out|timeouts?|stall|hang|stuck|p9\d|5\d\d|5xx|"
    r"intermittent|flaky|sometimes",
    re.IGNORECASE,
)
_WHAT_A_SOURCE_DECIDES = {
    "prometheus": "GPU (DCGM) health, Xid errors, throttling and resource metrics",
    "hubble": "dropped flows, DNS failures and HTTP status codes and latencies between workloads",
    "kubernetes": "the cluster's objects, events and logs",
}


def next_steps(
    request: InvestigationRequest,
    triaged: Triage,
    unavailable: list[SourceUnavailable],
    asked: list[str],
) -> list[RemediationStep]:
    """The steps that would decide what holmes could not; `asked` are names asked about that
    do not exist."""
    steps = _look_alikes(triaged, asked)
    text = " ".join(
        [request.question or ""]
        + (list(request.alert.annotations.values()) if request.alert else [])
    )
    namespace = triaged.subject.get("namespace") or ""
    if _LATENCY.search(text):
        steps += _timing_steps(namespace)
    steps += _source_steps(unavailable)
    steps.append(
        RemediationStep(
            action="Ask again with a wider time window or at the time the problem happened "
            "(an intermittent fault may be gone now): name when it started, or investigate "
            "the alert that fired then.",
            command=(
                f"kubectl get events -n {namespace} --sort-by=.lastTimestamp"
                if namespace
                else "kubectl get events -A --sort-by=.lastTimestamp"
            ),
        )
    )
    return steps


def _look_alikes(triaged: Triage, asked: list[str]) -> list[RemediationStep]:
    """The listed objects whose names look like each name asked about."""
    listed = []
    for row in triaged.listing:
        if not row["ok"]:
            continue
        kind = row["args"].get("kind", "object")
        for item in (row["data"] or {}).get("items", []):
            where = f"{item['namespace']}/" if item.get("namespace") else ""
            listed.append((item["name"], f"{kind} {where}{item['name']}"))
            if item.get("namespace"):
                listed.append((item["namespace"], f"namespace {item['namespace']}"))
    steps = []
    for name in asked:
        bare = name.split()[-1]
        names = [n for n, _ in listed]
        close = difflib.get_close_matches(bare, names, n=6, cutoff=0.6)
        close += [n for n in names if (bare in n or n in bare) and n not in close][:4]
        shown = list(dict.fromkeys(label for n, label in listed if n in close))[:6]
        if shown:
            steps.append(
                RemediationStep(
                    action=f"Names that exist and look like {name}: {', '.join(shown)}. Ask "
                    "again with the right one (and its namespace).",
                    command=f"kubectl get deploy,sts,job,svc,pods -A | grep -i {bare[:12]}",
                )
            )
    return steps


def _timing_steps(namespace: str) -> list[RemediationStep]:
    where = f" -n {namespace}" if namespace else ""
    return [
        RemediationStep(
            action="Measure where the time goes from the caller's side: client-side request "
            "timings (a latency histogram per upstream, timeouts by status) and traces of "
            "slow requests (OpenTelemetry spans) decide whether the delay is in the server, "
            "the network or the client."
        ),
        RemediationStep(
            action="Turn on Hubble L7 (HTTP/gRPC) visibility for the service, so status codes "
            "and latencies per request are recorded, then ask again.",
            command=f"hubble observe{where} --protocol http --last 200",
        ),
    ]


def _source_steps(unavailable: list[SourceUnavailable]) -> list[RemediationStep]:
    steps = []
    for source in unavailable:
        decides = _WHAT_A_SOURCE_DECIDES.get(source.source, "what it records")
        if source.fault == "not_configured":
            action = (
                f"Configure {source.source} (its endpoint in holmes's config), so {decides} "
                "can be checked."
            )
            command = "holmes config"
        else:
            action = (
                f"Make {source.source} reachable ({source.reason}), so {decides} can be checked."
            )
            command = "holmes doctor"
        steps.append(RemediationStep(action=action, command=command))
    return steps
