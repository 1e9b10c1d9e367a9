"""CEL functions for the placement-constraint runbook (registered on import); pure functions.

A pod's required node affinity, pod affinity, pod anti-affinity and topology spread
constraints each leave the scheduler's own words in its FailedScheduling message ("3 node(s)
didn't match pod anti-affinity rules", "... pod topology spread constraints"). These functions
count those words (`placement_reasons`), and judge each constraint against the nodes' labels
(the Node listing's facts) and the pods it refers to (a `kubernetes_list` of Pods with the
term's selector), so a rule can say which term fails, on which nodes, and which nodes would fit.

Pod data is `kubernetes_describe` data (`node_selector`, `node_affinity`, `pod_affinity`,
`pod_anti_affinity`, `topology_spread`, `tolerations`); node data is the Node listing's items
(`name`, `labels`, `taints`, `unschedulable`).
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from holmes.tools.facts import NO_SCHEDULE_EFFECTS, LabelRequirement, LabelSelector, tolerated

_COUNTED = re.compile(r"(\d+)\s+node\(s\)\s+([^,.]+?)(?=,|\.|$)")
# The scheduler plugins' failure wording (NodeAffinity, InterPodAffinity, PodTopologySpread).
_PHRASES = (
    ("spread_missing_label", "topology spread constraints (missing required label)"),
    ("node_affinity", "didn't match pod's node affinity/selector"),
    ("existing_anti_affinity", "didn't satisfy existing pods anti-affinity rules"),
    ("pod_anti_affinity", "didn't match pod anti-affinity rules"),
    ("pod_affinity", "didn't match pod affinity rules"),
    ("topology_spread", "didn't match pod topology spread constraints"),
)


def placement_reasons(message: Any) -> dict[str, int]:
    """How many nodes each placement constraint ruled out in a FailedScheduling message:
    `{node_affinity, pod_affinity, pod_anti_affinity, existing_anti_affinity, topology_spread,
    spread_missing_label, other}` (other: nodes ruled out for anything else)."""
    counts = {kind: 0 for kind, _ in _PHRASES} | {"other": 0}
    head = re.split(r"preemption:", str(message or ""), maxsplit=1)[0]
    for number, text in _COUNTED.findall(head):
        lowered = text.lower()
        kind = next((k for k, phrase in _PHRASES if phrase in lowered), "other")
        counts[kind] += int(number)
    for other in re.findall(r"(\d+)\s+(?:Insufficient|Too many)\s", head):
        counts["other"] += int(other)
    return counts


def _labels(node: Any) -> dict[str, str]:
    return (node.get("labels") or {}) if isinstance(node, dict) else {}


def _requirement(raw: dict[str, Any]) -> LabelRequirement:
    return LabelRequirement(
        key=str(raw.get("key", "")),
        operator=str(raw.get("operator", "")),
        values=tuple(str(v) for v in raw.get("values") or []),
    )


def _expression_text(raw: dict[str, Any]) -> str:
    values = ",".join(str(v) for v in raw.get("values") or [])
    return f"{raw.get('key', '')} {raw.get('operator', '')} ({values})".replace(" ()", "")


def _node_matches_term(term: dict[str, Any], node: dict[str, Any]) -> bool:
    labels = _labels(node)
    fields = {"metadata.name": str(node.get("name", ""))}
    return all(_requirement(e).matches(labels) for e in term.get("matchExpressions") or []) and all(
        _requirement(e).matches(fields) for e in term.get("matchFields") or []
    )


def _likeness(wanted: str, found: str) -> tuple[bool, float]:
    """How much a label value looks like the wanted one: one containing the other first
    (a suffix or a prefix added), then by similarity."""
    lowered, other = wanted.lower(), found.lower()
    contained = bool(lowered) and (lowered in other or other in lowered)
    return contained, difflib.SequenceMatcher(None, lowered, other).ratio()


def node_affinity_fit(pod: Any, nodes: Any) -> dict[str, Any]:
    """The pod's required node affinity against the nodes.

    `{terms: [{text, nodes: [names matching the term], failing: [{text, key, values, found:
    [values the nodes have, closest first], matching: count}], expressions: [{text, nodes}]}],
    fits: [names matching a term
    and the nodeSelector], selector_fits: [names matching the nodeSelector alone]}`. A failing
    expression is one no node satisfies; a term can also fail with every expression satisfied
    somewhere but never all on one node.
    """
    pod = pod if isinstance(pod, dict) else {}
    nodes = [n for n in nodes or [] if isinstance(n, dict)]
    selector = LabelSelector.of({"matchLabels": pod.get("node_selector") or {}})
    selector_fits = [n["name"] for n in nodes if selector.matches(_labels(n))]
    terms = []
    fits: list[str] = []
    for term in pod.get("node_affinity") or []:
        if not isinstance(term, dict):
            continue
        matching = [n["name"] for n in nodes if _node_matches_term(term, n)]
        failing = []
        for raw in term.get("matchExpressions") or []:
            requirement = _requirement(raw)
            count = sum(1 for n in nodes if requirement.matches(_labels(n)))
            if count:
                continue
            found = sorted(
                {_labels(n)[requirement.key] for n in nodes if requirement.key in _labels(n)}
            )
            wanted = requirement.values[0] if requirement.values else ""
            found.sort(key=lambda v: _likeness(wanted, v), reverse=True)
            failing.append(
                {
                    "text": _expression_text(raw),
                    "key": requirement.key,
                    "operator": requirement.operator,
                    "values": list(requirement.values),
                    "found": found,
                    "matching": count,
                }
            )
        expressions = [
            {
                "text": _expression_text(raw),
                "nodes": [n["name"] for n in nodes if _requirement(raw).matches(_labels(n))],
            }
            for raw in term.get("matchExpressions") or []
        ]
        terms.append(
            {
                "text": " AND ".join(e["text"] for e in expressions),
                "nodes": matching,
                "failing": failing,
                "expressions": expressions,
            }
        )
        fits += [name for name in matching if name in selector_fits and name not in fits]
    return {"terms": terms, "fits": fits, "selector_fits": selector_fits}


def affinity_terms(pod: Any) -> list[dict[str, Any]]:
    """The pod's required pod affinity and anti-affinity terms:
    `[{kind: affinity|anti-affinity, selector, query, topology_key, namespaces}]` (`query` is
    the label selector as `kubernetes_list` takes it; `namespaces` [] = the pod's own)."""
    pod = pod if isinstance(pod, dict) else {}
    found = []
    for field, kind in (("pod_anti_affinity", "anti-affinity"), ("pod_affinity", "affinity")):
        for term in pod.get(field) or []:
            if not isinstance(term, dict):
                continue
            selector = LabelSelector.of(term.get("labelSelector"))
            found.append(
                {
                    "kind": kind,
                    "selector": selector.text() or "all pods",
                    "query": selector.query(),
                    "topology_key": str(term.get("topologyKey", "")),
                    "namespaces": [str(n) for n in term.get("namespaces") or []],
                    "namespace": (term.get("namespaces") or [pod.get("namespace", "")])[0],
                }
            )
    return found


def _placed(pods_results: Any, exclude: str = "") -> list[dict[str, Any]]:
    """Scheduled, not finished pods of `kubernetes_list` Pod results: `[{name, node}]`."""
    placed: list[dict[str, Any]] = []
    seen: set[str] = set()
    for result in pods_results or []:
        if not isinstance(result, dict) or not result.get("ok"):
            continue
        for item in (result.get("data") or {}).get("items") or []:
            facts = item.get("facts") or {}
            done = facts.get("phase") in ("Succeeded", "Failed")
            key = f"{item.get('namespace')}/{item.get('name')}"
            if facts.get("node") and not done and item.get("name") != exclude and key not in seen:
                seen.add(key)  # several steps may list the same pods
                placed.append({"name": item.get("name", ""), "node": facts["node"]})
    return placed


def _domains(nodes: list[dict[str, Any]], key: str) -> dict[str, list[str]]:
    domains: dict[str, list[str]] = {}
    for node in nodes:
        if key in _labels(node):
            domains.setdefault(_labels(node)[key], []).append(node["name"])
    return domains


def affinity_domains(term: Any, pods_results: Any, nodes: Any, pod: Any = None) -> dict[str, Any]:
    """Where a pod (anti-)affinity term lets the pod go.

    `{matching: [{name, node, domain}], domains: {value: [nodes]}, occupied: [values],
    free: [values], free_nodes: [names], allowed_nodes: [names], missing_key: [names]}`:
    for anti-affinity the allowed nodes are those of free domains, for affinity those of
    occupied ones; nodes without the topology key never satisfy the term.
    """
    term = term if isinstance(term, dict) else {}
    key = str(term.get("topology_key", ""))
    nodes = [n for n in nodes or [] if isinstance(n, dict) and n.get("name")]
    by_name = {n["name"]: n for n in nodes}
    own = str((pod or {}).get("pod", "")) if isinstance(pod, dict) else ""
    domains = _domains(nodes, key)
    matching = []
    for placed in _placed(pods_results, own):
        domain = _labels(by_name.get(placed["node"], {})).get(key, "")
        matching.append({**placed, "domain": domain})
    occupied = sorted({m["domain"] for m in matching if m["domain"]})
    free = sorted(d for d in domains if d not in occupied)
    anti = term.get("kind") == "anti-affinity"
    allowed = [n for d in (free if anti else occupied) for n in domains.get(d, [])]
    return {
        "matching": matching,
        "domains": domains,
        "occupied": occupied,
        "free": free,
        "free_nodes": [n for d in free for n in domains.get(d, [])],
        "allowed_nodes": allowed,
        "missing_key": [n["name"] for n in nodes if key not in _labels(n)],
    }


def _eligible(pod: dict[str, Any], nodes: list[dict[str, Any]], spread: dict[str, Any]) -> list:
    """Nodes the spread counts: those the pod's nodeSelector and node affinity admit
    (nodeAffinityPolicy Honor, the default); taints count only with nodeTaintsPolicy Honor."""
    fit = node_affinity_fit(pod, nodes)
    admitted = fit["fits"] if pod.get("node_affinity") else fit["selector_fits"]
    if spread.get("nodeAffinityPolicy") == "Ignore":
        admitted = [n["name"] for n in nodes]
    found = [n for n in nodes if n["name"] in admitted]
    if spread.get("nodeTaintsPolicy") == "Honor":
        found = [n for n in found if not untolerated_taints(pod, n)]
    return found


def untolerated_taints(pod: Any, node: Any) -> list[str]:
    """The node's NoSchedule/NoExecute taints the pod does not tolerate, as `key=value:Effect`."""
    tolerations = (pod or {}).get("tolerations") if isinstance(pod, dict) else []
    found = []
    for taint in (node or {}).get("taints") or [] if isinstance(node, dict) else []:
        if taint.get("effect") in NO_SCHEDULE_EFFECTS and not tolerated(tolerations, taint):
            value = f"={taint['value']}" if taint.get("value") else ""
            found.append(f"{taint.get('key')}{value}:{taint.get('effect')}")
    return found


def spread_constraints(pod: Any) -> list[dict[str, Any]]:
    """The pod's DoNotSchedule topology spread constraints: `[{key, max_skew, selector,
    query, min_domains, raw}]` (ScheduleAnyway ones never keep a pod Pending)."""
    pod = pod if isinstance(pod, dict) else {}
    found = []
    for spread in pod.get("topology_spread") or []:
        if not isinstance(spread, dict):
            continue
        if spread.get("whenUnsatisfiable", "DoNotSchedule") != "DoNotSchedule":
            continue
        selector = LabelSelector.of(spread.get("labelSelector"))
        found.append(
            {
                "key": str(spread.get("topologyKey", "")),
                "max_skew": int(spread.get("maxSkew") or 1),
                "selector": selector.text() or "all pods",
                "query": selector.query(),
                "min_domains": int(spread.get("minDomains") or 1),
                "namespace": str(pod.get("namespace", "")),
                "raw": spread,
            }
        )
    return found


def other_reasons(message: Any) -> list[str]:
    """The parts of a FailedScheduling message that are not placement constraints
    (`1 Insufficient cpu`, `1 node(s) were unschedulable`)."""
    head = re.split(r"\.?\s*preemption:", str(message or ""), maxsplit=1)[0]
    head = re.sub(r"^\s*\d+/\d+ nodes are available:\s*", "", head).rstrip(". ")
    parts = re.split(r",\s+(?=\d+\s)", head)
    return [
        p.strip()
        for p in parts
        if p.strip() and not any(phrase in p.lower() for _, phrase in _PHRASES)
    ]


def _blocked(pod: dict[str, Any], nodes: list[dict[str, Any]], message: Any) -> list:
    """Why each node cannot take the pod: cordoned, an untolerated taint, or (from the
    scheduler's message) another reason such as Insufficient cpu. `[{node, why}]`."""
    found = []
    for node in nodes:
        why = untolerated_taints(pod, node)
        if node.get("unschedulable"):
            cordon = "node.kubernetes.io/unschedulable"
            why = ["cordoned (SchedulingDisabled)", *(w for w in why if cordon not in w)]
        if not why and message:
            others = other_reasons(message)
            lacking = [r for r in others if re.search(r"Insufficient|Too many", r)]
            why = ["does not fit: " + "; ".join(lacking or others)]
        if why:
            found.append({"node": node["name"], "why": ", ".join(why)})
    return found


def spread_skew(
    constraint: Any, pods_results: Any, nodes: Any, pod: Any, message: Any = ""
) -> dict[str, Any]:
    """A topology spread constraint counted as the scheduler counts it.

    `{key, max_skew, domains: [{domain, pods, nodes, allowed, blocked_nodes: [{node, why}]}],
    min, allowed: [domains], blocked: [domains], missing_key: [nodes], stuck: [domains]}`:
    a domain is allowed when placing one more pod there keeps count - min <= maxSkew; `stuck`
    are the allowed domains whose every node is cordoned, tainted against the pod or (given the
    scheduler's `message`) ruled out for another reason it names, so the global minimum cannot
    rise and every other domain stays blocked.
    """
    constraint = constraint if isinstance(constraint, dict) else {}
    pod = pod if isinstance(pod, dict) else {}
    key, max_skew = str(constraint.get("key", "")), int(constraint.get("max_skew") or 1)
    nodes = [n for n in nodes or [] if isinstance(n, dict) and n.get("name")]
    eligible = _eligible(pod, nodes, constraint.get("raw") or {})
    domains = _domains(eligible, key)
    by_node = {n["name"]: _labels(n).get(key) for n in eligible}
    counts = {d: 0 for d in domains}
    for placed in _placed(pods_results, str(pod.get("pod", ""))):
        domain = by_node.get(placed["node"])
        if domain in counts:
            counts[domain] += 1
    lowest = min(counts.values()) if counts else 0
    if len(counts) < int(constraint.get("min_domains") or 1):
        lowest = 0
    by_name = {n["name"]: n for n in eligible}
    rows = [
        {
            "domain": domain,
            "pods": counts[domain],
            "nodes": domains[domain],
            "allowed": counts[domain] + 1 - lowest <= max_skew,
            "blocked_nodes": _blocked(pod, [by_name[n] for n in domains[domain]], message),
        }
        for domain in sorted(domains)
    ]
    allowed = [r["domain"] for r in rows if r["allowed"]]
    return {
        "key": key,
        "max_skew": max_skew,
        "domains": rows,
        "min": lowest,
        "allowed": allowed,
        "blocked": [r["domain"] for r in rows if not r["allowed"]],
        "stuck": [
            r["domain"]
            for r in rows
            if r["allowed"] and r["nodes"] and len(r["blocked_nodes"]) == len(r["nodes"])
        ],
        "missing_key": [n["name"] for n in nodes if key not in _labels(n)],
    }


# The CEL functions of this module, by the name runbooks call them (`builtin.py` registers them).
FUNCTIONS = {
    "k8s.placement_reasons": placement_reasons,
    "k8s.node_affinity_fit": node_affinity_fit,
    "k8s.affinity_terms": affinity_terms,
    "k8s.affinity_domains": affinity_domains,
    "k8s.untolerated_taints": untolerated_taints,
    "k8s.spread_constraints": spread_constraints,
    "k8s.spread_skew": spread_skew,
    "k8s.other_reasons": other_reasons,
}
