"""Suspects an asker may name ("is it the GPU?", "I think it's the network policy").

`SUSPECTS` is the table: for each kind of cause, the words that name it, the findings that
would confirm it (prefixes of `runbook/finding`) and the tools whose results speak to it.
`asked_suspects` finds them in a question; `check_suspects` gives each one look (the GPUs'
health on the subject's nodes, the namespace's flows, the node) when no gathered evidence
speaks to it yet, so that `frame.py` can rule it out with evidence. Called by the engine and
`frame.py`.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

from holmes.agent.engine.gather import Gatherer
from holmes.agent.engine.intake import InvestigationRequest
from holmes.agent.engine.triage import Triage

_HUBBLE = ("hubble_flow_summary", "hubble_flows")
_PROMETHEUS = ("prometheus_gpu_health", "prometheus_query", "prometheus_query_range")


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
        "a noisy neighbour",
        r"noisy neighbou?r|\bneighbou?rs?\b|contention|co-?located|another (?:pod|workload|job)",
        ("node-pressure", "gpu-throttling"),
        ("kubernetes_node",),
    ),
    Suspect(
        "the GPU",
        r"\b(gpus?|xids?|cuda|nvlink|ecc|dcgm|nvidia|gpu driver)\b",
        ("gpu-", "cuda-oom", "model-does-not-fit"),
        _PROMETHEUS,
    ),
    Suspect(
        "the network policy",
        r"network ?polic|netpol|\bpolic(y|ies)\b|firewall|cilium",
        (
            "hubble-policy-denied",
            "network-policy-blocks-traffic",
            "dns-failures/dns-egress-denied",
            "cilium-auth-required",
        ),
        _HUBBLE,
    ),
    Suspect(
        "DNS",
        r"\bdns\b|resolv|nxdomain|coredns",
        ("dns-failures", "statefulset-headless-service"),
        _HUBBLE,
    ),
    Suspect(
        "the network",
        r"\bnetwork\b|connectivity|packet|\bnccl\b|\bnic\b|infiniband|rdma",
        (
            "hubble-policy-denied",
            "network-policy-blocks-traffic",
            "dns-failures",
            "cilium-auth-required",
            "service-no-endpoints",
            "ingress-route-backend",
            "gpu-nic-topology-misaligned",
        ),
        _HUBBLE,
    ),
    Suspect(
        "memory",
        r"memory|\boom|\bram\b",
        ("oom-killed", "cuda-oom", "model-does-not-fit", "node-pressure"),
        ("kubernetes_describe", *_PROMETHEUS),
    ),
    Suspect(
        "the node",
        r"\bnodes?\b|kubelet|\bhost\b|\bhardware\b",
        (
            "node-not-ready",
            "node-pressure",
            "gpu-xid-errors",
            "gpu-repeated-faults",
            "pdb-blocks-eviction",
        ),
        ("kubernetes_node",),
    ),
    Suspect(
        "storage",
        r"\bdisk\b|\bpvcs?\b|volume|storage",
        ("pvc-pending-mount", "volume-mount-failure", "node-pressure"),
        ("kubernetes_describe",),
    ),
    Suspect(
        "the image", r"\bimage\b|registry|\bpull", ("image-pull-failure",), ("kubernetes_describe",)
    ),
    Suspect(
        "the configuration",
        r"\bconfig|secret|\benv\b|environment variable|\bcron",
        (
            "container-config-error",
            "volume-mount-failure",
            "crashloop-",
            "cronjob-not-running",
            "statefulset-rollout-stuck",
        ),
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
        ("upstream-http-5xx", "service-no-endpoints", "ingress-route-backend"),
        _HUBBLE,
    ),
    Suspect(
        "the scheduling constraints",
        r"affinity|topology spread|spread constraint|node ?selector|\btaints?\b|toleration",
        ("pending-placement-constraints", "pending-node-selector", "pending-untolerated-taint"),
        ("kubernetes_describe",),
    ),
    Suspect(
        "the probes",
        r"\bprobes?\b|health ?checks?|liveness|readiness",
        ("probe-failures", "deployment-rollout-stuck"),
        ("kubernetes_describe",),
    ),
    Suspect(
        "the rollout",
        r"rollout|roll-out|new version|\brelease\b|\bupgrade|\bdeploy\b",
        ("deployment-rollout-stuck", "statefulset-rollout-stuck", "image-pull-failure"),
        ("kubernetes_describe",),
    ),
)
# Runbooks no suspect stands for: their cause is the workload's own failure, which its logs name.
NO_SUSPECT = frozenset({"job-backoff-limit"})
_ASKED = re.compile(
    r"(?:\bis it|\bcould it be|\bmight it be|\bcan it be|\bwas it|\bi think it(?:'s| is)|"
    r"\bi suspect|\bmaybe it(?:'s| is)|\bperhaps it(?:'s| is)|\bit(?:'s| is) probably|"
    r"\bsuspect(?:ing)?|\bblame|\bdue to|"
    r"\bcaused by|\bbecause of|\bor is it)\s+(?:the\s+|a\s+|an\s+|our\s+|that\s+)?"
    r"([^?.!,;]{2,60})",
    re.IGNORECASE,
)


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


def fits(runbook_id: str | None, suspect: Suspect) -> bool:
    """Whether `runbook/finding` is one of the suspect's (prefixes of either)."""
    return bool(runbook_id) and any(runbook_id.startswith(p) for p in suspect.runbooks)


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
