"""The asker's frame: the reported symptom in their words, and the suspects they named.

An answer that is right about its finding can still miss the question: "why does the
training job stall?" wants the stall explained, and "is it the GPU?" wants the GPU ruled in
or out. `frame` (called by the engine on every answer) sets `Diagnosis.symptom` from the
question or the alert, leads the root cause with it ("The training job stalls because ..."),
and fills `Diagnosis.hypotheses`: each suspect the question names (`asked_suspects`) and
each one the evidence makes tempting (a second finding that also holds, a restart long before
the question's time) gets a verdict, with the evidence ids behind it.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from holmes.agent.diagnosis import Diagnosis, Hypothesis
from holmes.agent.findings import Verdict, write
from holmes.agent.gather import Gatherer
from holmes.agent.intake import InvestigationRequest
from holmes.agent.symptoms import symptom_of
from holmes.agent.triage import Triage
from holmes.tools import ToolResult

_HUBBLE = ("hubble_flow_summary", "hubble_flows")
_PROMETHEUS = ("prometheus_gpu_health", "prometheus_query", "prometheus_query_range")
# A restart this long before "now" is history, not the fault being asked about.
OLD_RESTART = timedelta(hours=6)


@dataclass(frozen=True)
class Suspect:
    """A kind of cause an asker may name: the words for it, the findings that would confirm
    it (prefixes of `runbook/finding`), and the tools whose results speak to it."""

    name: str
    words: str
    runbooks: tuple[str, ...]
    tools: tuple[str, ...]


# More specific first: "network policy" before "network".
SUSPECTS = (
    Suspect(
        "the GPU",
        r"\b(gpus?|xids?|cuda|nvlink|ecc|dcgm|nvidia|gpu driver)\b",
        ("gpu-", "cuda-oom"),
        _PROMETHEUS,
    ),
    Suspect(
        "the network policy",
        r"network ?polic|netpol|\bpolic(y|ies)\b|firewall|cilium",
        ("hubble-policy-denied", "dns-failures/dns-egress-denied", "cilium-auth-required"),
        _HUBBLE,
    ),
    Suspect("DNS", r"\bdns\b|resolv|nxdomain|coredns", ("dns-failures",), _HUBBLE),
    Suspect(
        "the network",
        r"\bnetwork\b|connectivity|packet|\bnccl\b|\bnic\b|infiniband|rdma",
        ("hubble-policy-denied", "dns-failures", "cilium-auth-required", "service-no-endpoints"),
        _HUBBLE,
    ),
    Suspect(
        "memory",
        r"memory|\boom|\bram\b",
        ("oom-killed", "cuda-oom"),
        ("kubernetes_describe", *_PROMETHEUS),
    ),
    Suspect(
        "the node",
        r"\bnodes?\b|kubelet|\bhost\b|\bhardware\b",
        ("node-not-ready", "gpu-xid-errors"),
        ("kubernetes_node",),
    ),
    Suspect(
        "storage",
        r"\bdisk\b|\bpvcs?\b|volume|storage",
        ("pvc-pending-mount", "volume-mount-failure"),
        ("kubernetes_describe",),
    ),
    Suspect(
        "the image", r"\bimage\b|registry|\bpull", ("image-pull-failure",), ("kubernetes_describe",)
    ),
    Suspect(
        "the configuration",
        r"\bconfig|secret|\benv\b|environment variable",
        ("container-config-error", "volume-mount-failure", "crashloop-"),
        ("kubernetes_describe", "kubernetes_logs"),
    ),
    Suspect(
        "quota or capacity",
        r"quota|capacity|scheduler|kueue|\bqueue",
        ("pending-", "kueue-", "failed-create", "dra-"),
        ("kubernetes_describe", "kubernetes_list"),
    ),
    Suspect(
        "the upstream service",
        r"upstream|backend|gateway|load ?balancer|ingress",
        ("upstream-http-5xx", "service-no-endpoints"),
        _HUBBLE,
    ),
)
_ASKED = re.compile(
    r"(?:\bis it|\bcould it be|\bmight it be|\bcan it be|\bwas it|\bi think it(?:'s| is)|"
    r"\bi suspect|\bmaybe it(?:'s| is)|\bperhaps it(?:'s| is)|\bit(?:'s| is) probably|"
    r"\bsuspect(?:ing)?|\bblame|\bdue to|"
    r"\bcaused by|\bbecause of|\bor is it)\s+(?:the\s+|a\s+|an\s+|our\s+|that\s+)?"
    r"([^?.!,;]{2,60})",
    re.IGNORECASE,
)


def frame(
    diagnosis: Diagnosis,
    request: InvestigationRequest,
    triaged: Triage,
    verdicts: list[Verdict],
    results: list[ToolResult],
    now: datetime,
) -> None:
    """Set the symptom and the hypotheses of `diagnosis`, and lead its root cause with the
    symptom when a cause was found."""
    diagnosis.symptom = symptom_of(request)
    if _leads(diagnosis):
        diagnosis.root_cause = (
            f"{_capital(diagnosis.symptom)} because {_lower(diagnosis.root_cause)}"
        )
    diagnosis.hypotheses = [
        *(_judge(s, phrase, diagnosis, verdicts, results) for phrase, s in asked_suspects(request)),
        *_also_held(diagnosis, verdicts),
        *_old_restarts(diagnosis, triaged, now),
        *_stray_xids(diagnosis, triaged, results),
    ]


async def check_suspects(
    request: InvestigationRequest, triaged: Triage, gatherer: Gatherer
) -> None:
    """One look at each suspect the question names that no gathered evidence speaks to yet
    (the GPUs' health on the subject's nodes, the namespace's flows, the node), so that it can
    be ruled out with evidence rather than left unchecked."""
    namespace = triaged.subject.get("namespace") or ""
    nodes = sorted({p["data"].get("node") for p in triaged.pods if p["ok"]} - {None, ""})
    nodes = nodes or list(triaged.subject.get("nodes") or [])
    calls = []
    for _, suspect in asked_suspects(request):
        if any(r.tool in suspect.tools for r in gatherer.results):
            continue
        if suspect.tools == _PROMETHEUS:
            calls += [
                ("prometheus_gpu_health", {"node": node, "since": "1h"}) for node in nodes[:2]
            ]
            if not nodes and namespace:
                calls.append(("prometheus_gpu_health", {"namespace": namespace, "since": "1h"}))
        elif suspect.tools == _HUBBLE:
            calls.append(("hubble_flow_summary", {"namespace": namespace}))
        elif suspect.tools == ("kubernetes_node",):
            calls += [("kubernetes_node", {"name": node}) for node in nodes[:2]]
    await asyncio.gather(*(gatherer.call(tool, args) for tool, args in calls))


def _leads(diagnosis: Diagnosis) -> bool:
    """Whether the symptom should lead the root cause: a cause was found and the root cause
    does not already open with the same words (an alert summary often does)."""
    if not (diagnosis.symptom and diagnosis.fault_found and diagnosis.confidence != "none"):
        return False
    opening = diagnosis.symptom.lower().split()[:2]
    return diagnosis.root_cause.lower().split()[:2] != opening


def asked_suspects(request: InvestigationRequest) -> list[tuple[str, Suspect]]:
    """The suspects the question names ("is it the GPU?", "I think it's the network
    policy"), each once, with the asker's phrase."""
    found: list[tuple[str, Suspect]] = []
    for match in _ASKED.finditer(request.question or ""):
        phrase = re.split(r"\s+(?:and|or|but|that|which|since)\s+", match[1].strip())[0]
        suspect = next((s for s in SUSPECTS if re.search(s.words, phrase, re.I)), None)
        if suspect is not None and all(s != suspect for _, s in found):
            found.append((phrase, suspect))
    return found


def _fits(runbook_id: str | None, suspect: Suspect) -> bool:
    """Whether `runbook/finding` is one of the suspect's (prefixes of either)."""
    return bool(runbook_id) and any(runbook_id.startswith(p) for p in suspect.runbooks)


def _judge(
    suspect: Suspect,
    phrase: str,
    diagnosis: Diagnosis,
    verdicts: list[Verdict],
    results: list[ToolResult],
) -> Hypothesis:
    """The verdict on a suspect the question named."""
    bare = suspect.name.removeprefix("the ")
    asked = phrase if bare.lower() in phrase.lower() else f"{phrase} ({suspect.name})"
    hops = diagnosis.chain
    root_id = (
        f"{hops[-1].runbook_id}/{hops[-1].finding_id}"
        if hops
        else (f"{verdicts[0].runbook.id}/{verdicts[0].finding.id}" if verdicts else None)
    )
    if diagnosis.fault_found and _fits(root_id, suspect) and diagnosis.confidence != "none":
        ids = [i for claim in diagnosis.evidence[:2] for i in claim.evidence_ids]
        return Hypothesis(
            hypothesis=asked,
            origin="question",
            verdict="confirmed",
            reason=f"The root cause is there: {diagnosis.summary}",
            evidence_ids=list(dict.fromkeys(ids)),
        )
    for hop in hops[:-1]:
        if _fits(f"{hop.runbook_id}/{hop.finding_id}", suspect):
            return Hypothesis(
                hypothesis=asked,
                origin="question",
                verdict="contributing",
                reason=f"A link of the chain, not its root: {hop.summary}",
                evidence_ids=[i for c in hop.evidence[:1] for i in c.evidence_ids],
            )
    for other in verdicts[1:]:
        if _fits(f"{other.runbook.id}/{other.finding.id}", suspect):
            first = write(other)["evidence"][0]
            return Hypothesis(
                hypothesis=asked,
                origin="question",
                verdict="contributing",
                reason=f"It also holds, beside the root cause: {first.claim}",
                evidence_ids=first.evidence_ids,
            )
    return _ruled_out_or_unchecked(asked, suspect, diagnosis, results)


def _ruled_out_or_unchecked(
    asked: str, suspect: Suspect, diagnosis: Diagnosis, results: list[ToolResult]
) -> Hypothesis:
    """Ruled out when evidence about the suspect was read and none of it held a fault; not
    checked when no tool that speaks to it answered. The GPU's evidence is its health."""
    preferred = [r for r in results if r.tool == suspect.tools[0] and r.ok]
    looked = (preferred or [r for r in results if r.tool in suspect.tools and r.ok])[:3]
    if not looked:
        failed = [r for r in results if r.tool in suspect.tools and not r.ok]
        why = f" ({failed[0].error.message})" if failed and failed[0].error else ""
        return Hypothesis(
            hypothesis=asked,
            origin="question",
            verdict="not_checked",
            reason=f"No evidence about {suspect.name} could be read{why}; it is neither "
            "confirmed nor ruled out.",
        )
    seen = "; ".join(f"{r.evidence_id} {_first_line(r.text)}" for r in looked)
    elsewhere = (
        f"the cause is elsewhere ({diagnosis.summary.rstrip('.')})"
        if diagnosis.fault_found and diagnosis.confidence != "none"
        else "no fault was found"
    )
    return Hypothesis(
        hypothesis=asked,
        origin="question",
        verdict="ruled_out",
        reason=f"No runbook finding about {suspect.name} holds and {elsewhere}. Read: {seen}",
        evidence_ids=[r.evidence_id for r in looked],
    )


def _also_held(diagnosis: Diagnosis, verdicts: list[Verdict]) -> list[Hypothesis]:
    """Other findings that hold: tempting, and real, but not the root cause chosen."""
    chained = {(h.runbook_id, h.finding_id) for h in diagnosis.chain}
    found = []
    for other in verdicts[1:3]:
        if (other.runbook.id, other.finding.id) in chained:
            continue
        if other.runbook.priority < verdicts[0].runbook.priority:
            continue  # a generic finding that yields to the specific one (a crash loop to an Xid)
        first = write(other)["evidence"][0]
        found.append(
            Hypothesis(
                hypothesis=other.runbook.title,
                origin="evidence",
                verdict="contributing",
                reason=f"Also holds ({other.finding.confidence} confidence), ranked below the "
                f"root cause: {first.claim}",
                evidence_ids=first.evidence_ids,
            )
        )
    return found


def _old_restarts(diagnosis: Diagnosis, triaged: Triage, now: datetime) -> list[Hypothesis]:
    """Restarts that ended long before the question's time: history, ruled out as the cause
    (unless the answer is itself about restarts)."""
    found = []
    for pod in triaged.pods:
        if not pod["ok"]:
            continue
        for container in pod["data"].get("containers", []):
            finished = _when(container.get("last_finished"))
            if not container.get("restart_count") or finished is None:
                continue
            if now - finished < OLD_RESTART or _about_restarts(diagnosis):
                continue
            hours = int((now - finished).total_seconds() // 3600)
            found.append(
                Hypothesis(
                    hypothesis=f"the restart of {pod['data'].get('name', 'the pod')}"
                    f"/{container.get('name')}",
                    origin="evidence",
                    verdict="ruled_out",
                    reason=f"{container.get('restart_count')} restart(s), the last ended "
                    f"{_ago(hours)} before the question's time ({container.get('last_reason')}"
                    f", exit {container.get('last_exit_code')}); the container has run since.",
                    evidence_ids=[pod["id"]],
                )
            )
    return found[:2]


def _stray_xids(
    diagnosis: Diagnosis, triaged: Triage, results: list[ToolResult]
) -> list[Hypothesis]:
    """Xids in the GPU health read when the root cause is not the GPU: an old one (the
    counter keeps its last value) or one on a GPU that serves none of the subject's pods is
    ruled out; a new one on a GPU of the subject's pods is kept as contributing."""
    gpu = SUSPECTS[0]
    root = [f"{h.runbook_id}/{h.finding_id}" for h in diagnosis.chain[-1:]] or [
        diagnosis.runbook_id or ""
    ]
    if not diagnosis.fault_found or _fits(root[0], gpu):
        return []
    subject_pods = {f"{p['namespace']}/{p['name']}" for p in triaged.subject.get("pods", [])}
    found: list[Hypothesis] = []
    for result in results:
        if result.tool != "prometheus_gpu_health" or not result.ok:
            continue
        for state in (result.data or {}).get("gpus", []):
            xid = state.get("xid")
            if not xid or any(h.evidence_ids == [result.evidence_id] for h in found):
                continue
            ours = bool(subject_pods & set(state.get("pods") or []))
            old = xid.get("since") is None or not xid.get("current", True)
            verdict = "contributing" if ours and not old else "ruled_out"
            why = (
                "an old value: DCGM keeps reporting the last Xid, and this one did not change "
                "in the window"
                if old
                else (
                    "new in the window, on a GPU of the subject's pods"
                    if ours
                    else "new in the window, but on a GPU that serves none of the subject's pods"
                )
            )
            found.append(
                Hypothesis(
                    hypothesis=f"Xid {xid.get('code')} on GPU {state.get('gpu')} of "
                    f"{state.get('node')}",
                    origin="evidence",
                    verdict=verdict,
                    reason=f"{why}; the root cause found is {diagnosis.summary.rstrip('.')}.",
                    evidence_ids=[result.evidence_id],
                )
            )
    return found[:2]


def _about_restarts(diagnosis: Diagnosis) -> bool:
    ids = [h.runbook_id for h in diagnosis.chain] or [diagnosis.runbook_id or ""]
    return any(i.startswith(("crashloop", "oom-killed", "probe-failures", "cuda-oom")) for i in ids)


def _ago(hours: int) -> str:
    return f"{hours // 24} day(s)" if hours >= 48 else f"{hours} h"


def _first_line(text: str) -> str:
    line = text.strip().split("\n")[0]
    return line if len(line) <= 140 else line[:137] + "..."


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower(text: str) -> str:
    """The first letter lowered unless it starts an acronym or a name (GPU, XID, Service)."""
    if len(text) > 1 and text[0].isupper() and text[1].islower() and not _proper(text):
        return text[0].lower() + text[1:]
    return text


def _proper(text: str) -> bool:
    first = text.split(" ", 1)[0]
    return first in {
        "Service",
        "Pod",
        "Node",
        "Job",
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "Kueue",
        "Hubble",
        "Cilium",
        "ResourceClaim",
        "CronJob",
        "Container",
    } or any(c.isupper() for c in first[1:])


def _when(value: Any) -> datetime | None:
    """An API server timestamp (`2026-03-18T14:32:00Z`), or None."""
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None
