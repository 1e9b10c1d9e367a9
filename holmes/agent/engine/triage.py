"""Triage: from a question or an alert to the subject, its state and its symptoms.

1. Hints from the alert's labels and the question's words (`names.py`).
2. One listing of the cluster's names (namespaces, workloads, services, pods, nodes, claims),
   against which the hints resolve: an exact alert label, a fragment of a name, a namespace.
3. The subject's pods (those of the named workloads, the named pod, else the namespace's, else
   the cluster's unhealthy ones) and a describe of the few that matter most, of the named
   workloads and of the named nodes: this is the evidence every runbook starts from.
4. Symptoms: the waiting and terminated reasons, pod statuses, warning event reasons and
   condition reasons found there, for ranking runbooks.

Called by the engine; every source read goes through the `Gatherer`.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from typing import Any

from holmes.agent.engine.gather import Gatherer, as_evidence
from holmes.agent.engine.intake import InvestigationRequest
from holmes.agent.engine.names import (
    STOPWORDS,
    Hints,
    Named,
    best_matches,
    hints_from_alert,
    namespace_in_question,
    phrases,
)
from holmes.agent.engine.resolve import Resolution, resolve_rest
from holmes.agent.engine.spellings import Spelled, spelled_names, vocabulary, without_spans
from holmes.tools import ToolResult
from holmes.tools.facts.pods import PodFacts

LISTED = (
    ("Deployment", True),
    ("StatefulSet", True),
    ("DaemonSet", True),
    ("Job", True),
    ("CronJob", True),
    ("Service", True),
    ("Pod", True),
    ("Node", False),
    ("ResourceClaim", True),
)
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")
MAX_PODS_DESCRIBED = 4
MAX_WORKLOADS_DESCRIBED = 3


@dataclass
class Triage:
    """The subject of an investigation and the evidence triage gathered about it."""

    subject: dict[str, Any]
    symptoms: list[str]
    pods: list[dict[str, Any]] = field(default_factory=list)  # describe evidence
    workloads: list[dict[str, Any]] = field(default_factory=list)
    nodes: list[dict[str, Any]] = field(default_factory=list)
    listing: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    objects: list[dict[str, Any]] = field(default_factory=list)  # other kinds named, described
    pod_facts: dict[Named, PodFacts] = field(default_factory=dict)  # every listed pod's


async def triage(request: InvestigationRequest, gatherer: Gatherer) -> Triage:
    """Resolve the subject of `request` against the cluster and describe it."""
    alert_labels = request.alert.labels if request.alert else {}
    hints = hints_from_alert(alert_labels)
    *listing, namespace_list, kinds = await asyncio.gather(
        *(gatherer.call("kubernetes_list", {"kind": kind, "limit": 1000}) for kind, _ in LISTED),
        gatherer.call("kubernetes_list", {"kind": "Namespace", "limit": 1000}),
        # Discovery's words for every kind served (CRDs too): `isvc/x`, "the PyTorchJob x".
        gatherer.call("kubernetes_kinds", {}),
    )
    names: list[Named] = []
    summaries: dict[Named, str] = {}
    pod_facts: dict[Named, PodFacts] = {}
    for (kind, namespaced), result in zip(LISTED, listing, strict=True):
        for item in (result.data or {}).get("items", []) if result.ok else []:
            named = Named(kind, item.get("namespace") if namespaced else None, item["name"])
            names.append(named)
            summaries[named] = item.get("summary", "")
            if kind == "Pod" and item.get("facts"):
                pod_facts[named] = PodFacts.model_validate(item["facts"])
    namespaces = {n.namespace for n in names if n.namespace} | _names_of(namespace_list)
    hints.nodes = _cluster_nodes(hints.nodes, {n.name for n in names if n.kind == "Node"})
    question = request.question or ""
    served = (kinds.data or {}).get("kinds") if kinds.ok else None
    hints.spelled = spelled_names(question, namespaces, STOPWORDS, vocabulary(served))
    if not hints.namespace and question:
        hints.namespace = _first_namespace(question, namespaces, hints.spelled)
    hints.phrases, hints.typed_names = phrases(without_spans(question, hints.spelled), namespaces)
    resolved = _resolve(hints, names, namespaces)
    rest = await resolve_rest(
        hints.spelled, resolved.pop("unresolved"), names, hints.namespace, namespaces, gatherer
    )
    _merge(resolved, rest)
    pods = _subject_pods(resolved, names, pod_facts)
    described = await _describe(gatherer, resolved, pods, pod_facts, hints)
    subject = _subject(request, hints, resolved, pods, (summaries, pod_facts), namespaces)
    triaged = Triage(
        subject=subject,
        symptoms=[],
        pods=described["pods"],
        workloads=described["workloads"],
        nodes=described["nodes"],
        listing=[as_evidence(r) for r in listing] + rest.lookups,
        notes=resolved["notes"],
        objects=rest.objects,
        pod_facts=pod_facts,
    )
    triaged.symptoms = symptoms(triaged)
    subject["symptoms"] = triaged.symptoms
    return triaged


def _first_namespace(question: str, namespaces: set[str], spelled: list[Spelled]) -> str | None:
    """The namespace the question names first: in a phrase ("namespace X", "in X") or with a
    name (`X/web`, `web.X.svc`); "team-vision/label-studio ... from the team namespace" is
    about team-vision."""
    phrase = namespace_in_question(question, namespaces)
    named = next((s for s in spelled if s.namespace), None)
    if named is None or phrase is None:
        return phrase or (named.namespace if named else None)
    at = re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", question.lower())
    return phrase if at is not None and at.start() < named.span[0] else named.namespace


def _cluster_nodes(candidates: list[str], known: set[str]) -> list[str]:
    """The first alert node candidate that is a cluster node (a pod name or an exporter's IP
    is not); without a node listing, the first candidate."""
    if known:
        return [c for c in candidates if c in known][:1]
    return candidates[:1]


def _names_of(result: ToolResult) -> set[str]:
    return {item["name"] for item in (result.data or {}).get("items", [])} if result.ok else set()


def _resolve(hints: Hints, names: list[Named], namespaces: set[str]) -> dict[str, Any]:
    """The named objects, the names that match nothing, and notes on how each resolved."""
    namespace = hints.namespace
    in_scope = [n for n in names if namespace is None or n.namespace in (namespace, None)]
    found: list[Named] = []
    missing: list[str] = []
    notes: list[str] = []
    if namespace and namespace not in namespaces:
        missing.append(f"namespace {namespace}")
    if hints.pod:
        pods = [
            n
            for n in names
            if n.kind == "Pod" and n.name == hints.pod and namespace in (None, n.namespace)
        ]
        found += pods[:1]
        if not pods:
            missing.append(f"pod {hints.pod}")
    for kind, name in hints.workloads:
        matches = [n for n in in_scope if n.name == name and (kind is None or n.kind == kind)]
        if matches:
            found += [m for m in matches if m not in found]
        elif kind:
            missing.append(f"{kind.lower()} {name}")
    for node in hints.nodes:
        named = Named("Node", None, node)
        if named in names:
            found.append(named)
    used: set[str] = set()
    for phrase in hints.phrases:
        parts = set(phrase.split("-"))
        if parts & used:
            continue
        matches = best_matches(phrase, in_scope)
        if matches:
            used |= parts
            found += [m for _, m in matches if m not in found]
            notes.append(
                f"'{phrase.replace('-', ' ')}' -> "
                + ", ".join(
                    f"{m.kind} {m.namespace + '/' if m.namespace else ''}{m.name}"
                    for _, m in matches[:4]
                )
            )
    # Typed names that match nothing listed may be of another kind: `resolve.py` looks them up.
    unresolved = [
        typed
        for typed in hints.typed_names
        if not any(typed in n.name or n.name in typed for n in found)
    ]
    return {
        "found": found,
        "missing": missing,
        "notes": notes,
        "namespace": namespace,
        "unresolved": unresolved,
    }


def _merge(resolved: dict[str, Any], rest: Resolution) -> None:
    """Add what `resolve_rest` found, missed and noted to triage's own resolution."""
    resolved["found"] += [n for n in rest.found if n not in resolved["found"]]
    resolved["missing"] += rest.missing
    resolved["notes"] += rest.notes
    resolved["lookalikes"] = rest.lookalikes


def _owned(pod: Named, workload: Named) -> bool:
    """Whether a pod belongs to a workload by the naming its controller gives it."""
    if pod.namespace != workload.namespace:
        return False
    if workload.kind == "StatefulSet":
        return re.fullmatch(re.escape(workload.name) + r"-\d+", pod.name) is not None
    return pod.name.startswith(workload.name + "-")


def _subject_pods(
    resolved: dict[str, Any], names: list[Named], pod_facts: dict[Named, PodFacts]
) -> list[Named]:
    all_pods = [n for n in names if n.kind == "Pod"]
    found: list[Named] = resolved["found"]
    pods = [n for n in found if n.kind == "Pod"]
    for owner in (n for n in found if n.kind in (*WORKLOAD_KINDS, "Service")):
        pods += [p for p in all_pods if _owned(p, owner) and p not in pods]
    for node in (n for n in found if n.kind == "Node"):
        pods += [p for p in all_pods if _facts(pod_facts, p).node == node.name and p not in pods]
    if not found and not resolved["missing"]:
        namespace = resolved["namespace"]
        scope = [p for p in all_pods if namespace is None or p.namespace == namespace]
        pods = scope if namespace else [p for p in scope if _facts(pod_facts, p).problem]
    return sorted(pods, key=lambda p: -_facts(pod_facts, p).severity)


def _facts(pod_facts: dict[Named, PodFacts], pod: Named) -> PodFacts:
    """A listed pod's facts (empty ones for a pod the listing did not return)."""
    return pod_facts.get(pod) or PodFacts()


def pod_health(facts: PodFacts) -> dict[str, Any]:
    """Status, readiness and restarts of a pod, and how bad they are."""
    return {
        "status": facts.status,
        "ready": f"{facts.ready}/{facts.total}",
        "restarts": facts.restarts,
        "problem": facts.problem,
        "severity": facts.severity,
    }


async def _describe(
    gatherer: Gatherer,
    resolved: dict[str, Any],
    pods: list[Named],
    pod_facts: dict[Named, PodFacts],
    hints: Hints,
) -> dict[str, list[dict[str, Any]]]:
    chosen = [p for p in pods if _facts(pod_facts, p).problem][:MAX_PODS_DESCRIBED]
    if not chosen:
        chosen = pods[:1]  # a healthy subject: one pod shows that it is healthy
    workloads = [n for n in resolved["found"] if n.kind in (*WORKLOAD_KINDS, "Service")]
    nodes = [n.name for n in resolved["found"] if n.kind == "Node"] or hints.nodes
    calls = [
        *(
            gatherer.call(
                "kubernetes_describe", {"kind": "Pod", "namespace": p.namespace, "name": p.name}
            )
            for p in chosen
        ),
        *(
            gatherer.call(
                "kubernetes_describe", {"kind": w.kind, "namespace": w.namespace, "name": w.name}
            )
            for w in workloads[:MAX_WORKLOADS_DESCRIBED]
        ),
        *(gatherer.call("kubernetes_node", {"name": node}) for node in nodes[:2]),
    ]
    results = await asyncio.gather(*calls)
    pods_count, workload_count = len(chosen), len(workloads[:MAX_WORKLOADS_DESCRIBED])
    return {
        "pods": [as_evidence(r) for r in results[:pods_count]],
        "workloads": [as_evidence(r) for r in results[pods_count : pods_count + workload_count]],
        "nodes": [as_evidence(r) for r in results[pods_count + workload_count :]],
    }


def _subject(
    request: InvestigationRequest,
    hints: Hints,
    resolved: dict[str, Any],
    pods: list[Named],
    listed: tuple[dict[Named, str], dict[Named, PodFacts]],
    namespaces: set[str],
) -> dict[str, Any]:
    found: list[Named] = resolved["found"]
    summaries, pod_facts = listed

    def refs(kinds: tuple[str, ...]) -> list[dict[str, Any]]:
        return [
            {"kind": n.kind, "namespace": n.namespace, "name": n.name, "status": summaries.get(n)}
            for n in found
            if n.kind in kinds
        ]

    pod_rows = [
        {"namespace": p.namespace, "name": p.name, **pod_health(_facts(pod_facts, p))} for p in pods
    ]
    scope = "named" if found else ("namespace" if resolved["namespace"] else "cluster")
    if resolved["missing"] and not found:
        scope = "missing"
    return {
        "scope": scope,
        "namespace": resolved["namespace"],
        "namespace_exists": resolved["namespace"] in namespaces if resolved["namespace"] else None,
        "workloads": refs(WORKLOAD_KINDS),
        "services": refs(("Service",)),
        "claims": refs(("ResourceClaim",)),
        "objects": [
            {"kind": n.kind, "namespace": n.namespace, "name": n.name}
            for n in found
            if n.kind not in (*WORKLOAD_KINDS, "Service", "ResourceClaim", "Pod", "Node")
        ],
        "lookalikes": resolved.get("lookalikes", {}),
        "named_pods": refs(("Pod",)),
        "nodes": [n.name for n in found if n.kind == "Node"] or hints.nodes,
        "pods": pod_rows,
        "unhealthy_pods": [p for p in pod_rows if p["problem"]],
        "gpu": hints.gpu,
        "container": hints.container,
        "missing": resolved["missing"],
        "notes": resolved["notes"],
        "question": request.question or "",
    }


def symptoms(triaged: Triage) -> list[str]:
    """Reasons and statuses found in the subject's describes, each once."""
    found: list[str] = []

    def add(value: Any) -> None:
        if isinstance(value, str) and value and value not in found:
            found.append(value)

    for pod in (p["data"] for p in triaged.pods if p["ok"]):
        add(pod.get("status"))
        add(pod.get("phase"))
        for container in pod.get("containers", []):
            for state in (container.get("state") or {}).values():
                add((state or {}).get("reason"))
            add(container.get("last_reason"))
        for condition in pod.get("conditions", []):
            if condition.get("status") != "True":
                add(condition.get("reason"))
        for event in pod.get("events", []):
            if event.get("type") == "Warning":
                add(event.get("reason"))
        if pod.get("claims"):
            add("ResourceClaim")
    for workload in (w["data"] for w in triaged.workloads if w["ok"]):
        for condition in workload.get("conditions", []) or []:
            add(condition.get("reason"))
        for event in workload.get("events", []) or []:
            if event.get("type") == "Warning":
                add(event.get("reason"))
    for node in (n["data"] for n in triaged.nodes if n["ok"]):
        for condition in (node or {}).get("conditions", []) or []:
            if isinstance(condition, dict) and condition.get("reason"):
                add(condition.get("reason"))
    return found
