"""The conversation a question asks about ("why can't A reach B on port N?"), without Hubble.

With no flows to read, the plain NetworkPolicy runbook judges the traffic the question names:
`net_asked_ends` finds the workloads and Services the question names in the cluster listing
(triage's `evidence.subject`), which is the client (named before "reach", "connect to",
"call"... or after "from") and which the server; `net_asked_conversation` turns the objects read
for them (`kubernetes_get` of each end, the Namespace listing) into the same conversation shape
a Hubble drop has (client/server labels and namespaces, port, protocol, direction), so
`net_policies_for` and `net_allow_rule` judge it as they judge a drop.

Registered on import; called by the network-policy-blocks-traffic runbook.
"""

from __future__ import annotations

import re
from typing import Any

from holmes.agent.engine.rules.network.evidence import tool_data, tool_results

# "port 8080", "svc:8080" (a host before the colon: "16:40" is a time, not a port).
_PORT = re.compile(r"(?:\bport\s+|(?<=[a-z\]]):)(\d{2,5})\b", re.IGNORECASE)
_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Service")
_NAMESPACE_LABELS_PREFIX = "io.cilium.k8s.namespace.labels."


def _mentions(question: str, name: str) -> int:
    """Where `name` occurs as a whole word in the question (-1 when it does not)."""
    found = re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w-])", question, re.IGNORECASE)
    return found.start() if found else -1


def net_asked_ends(question: Any, listing: Any, subject: Any = None) -> list[dict[str, Any]]:
    """The client and the server the question names: `[{role, kind, namespace, name,
    position, service}]` (client first; `service` is the Service of that name in the same
    namespace, "" if none). A name in several namespaces resolves to the one the question (or
    the subject) names, a workload before a Service of the same name. The client is named
    first ("A reach B", "from A to B") unless the second follows "from" or "by" ("B from A").
    [] unless two distinct ends are found."""
    text = str(question or "")
    items = [
        (str(data.get("kind")), i)
        for data in tool_data(listing)
        if data.get("kind") in _KINDS
        for i in data.get("items") or []
    ]
    namespaces = {str(i.get("namespace")) for _, i in items if i.get("namespace")}
    asked = {n for n in namespaces if _mentions(text, n) >= 0}
    home = str(subject.get("namespace") or "") if isinstance(subject, dict) else ""
    services = {(str(i.get("namespace")), str(i.get("name"))) for k, i in items if k == "Service"}
    found: dict[str, dict[str, Any]] = {}
    for kind, item in items:
        name, namespace = str(item.get("name", "")), str(item.get("namespace", ""))
        position = _mentions(text, name)
        if position < 0:
            continue
        rank = (namespace in asked, namespace == home, kind != "Service")
        if name not in found or rank > found[name]["rank"]:
            found[name] = {"kind": kind, "namespace": namespace, "name": name}
            found[name].update(position=position, rank=rank)
    ends = sorted(found.values(), key=lambda e: e["position"])
    if len(ends) > 2:  # a namespace that shares a workload's name is not an end
        ends = [e for e in ends if e["name"] not in asked] or ends
    if len(ends) < 2:
        return []
    first, second = ends[:2]
    lead = text[: second["position"]]
    swapped = bool(re.search(r"\b(from|by)\s+(the\s+)?$", lead, re.IGNORECASE))
    client, server = (second, first) if swapped else (first, second)
    return [
        {
            "role": role,
            "kind": end["kind"],
            "namespace": end["namespace"],
            "name": end["name"],
            "position": end["position"],
            "service": end["name"] if (end["namespace"], end["name"]) in services else "",
        }
        for role, end in (("client", client), ("server", server))
    ]


def _namespace_labels(namespaces: Any, name: str) -> dict[str, str]:
    for data in tool_data(namespaces):
        for item in data.get("items") or []:
            if item.get("name") == name:
                return {str(k): str(v) for k, v in (item.get("labels") or {}).items()}
    return {"kubernetes.io/metadata.name": name}


def _end_object(ends: Any, role: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the end's item, its object) for `role`, preferring a workload over its Service."""
    best: tuple[dict[str, Any], dict[str, Any]] = ({}, {})
    for result in tool_results(ends):
        item, data = result.get("item") or {}, result.get("data")
        if item.get("role") != role or not result.get("ok") or not isinstance(data, dict):
            continue
        if not best[1] or data.get("kind") != "Service":
            best = (item, data)
    return best


def _pod_labels(obj: dict[str, Any]) -> dict[str, str]:
    """A workload's pod template labels, or a Service's selector (what its pods carry)."""
    spec = obj.get("spec") or {}
    if obj.get("kind") == "Service":
        return {str(k): str(v) for k, v in (spec.get("selector") or {}).items()}
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    return {str(k): str(v) for k, v in labels.items()}


def _server_port(question: str, service: dict[str, Any], server: dict[str, Any]) -> int:
    """The port the server's pods receive on: the asked port (a Service port maps to its
    targetPort), else the Service's first numeric targetPort, else the first container port."""
    asked = _PORT.search(question)
    ports = (service.get("spec") or {}).get("ports") or []
    for entry in ports:
        target = entry.get("targetPort", entry.get("port"))
        if (not asked or int(asked[1]) == entry.get("port")) and str(target).isdigit():
            return int(target)
    if asked:
        return int(asked[1])
    template = ((server.get("spec") or {}).get("template") or {}).get("spec") or {}
    for container in template.get("containers") or []:
        for port in container.get("ports") or []:
            if port.get("containerPort"):
                return int(port["containerPort"])
    return 0


def net_asked_conversation(
    question: Any, ends: Any, namespaces: Any, direction: str = "INGRESS"
) -> dict[str, Any]:
    """The asked traffic in the shape of a Hubble conversation: `{client, server,
    client_labels, server_labels, client_namespace, server_namespace, port, protocol,
    direction, service, client_namespace_labels, server_namespace_labels}` (the last two as
    `k=v,...` text); {} when an end could not be read. Labels carry the namespace's
    labels (as Cilium publishes them), so namespaceSelectors are judged too."""
    (client_item, client), (server_item, server) = (
        _end_object(ends, "client"),
        _end_object(ends, "server"),
    )
    if not client or not server:
        return {}
    services = [
        r["data"]
        for r in tool_results(ends)
        if r.get("ok")
        and isinstance(r.get("data"), dict)
        and r["data"].get("kind") == "Service"
        and (r.get("item") or {}).get("role") == "server"
    ]
    conversation: dict[str, Any] = {"direction": direction, "protocol": "TCP"}
    for role, item, obj in (("client", client_item, client), ("server", server_item, server)):
        namespace = str(item.get("namespace", ""))
        labels = _pod_labels(obj)
        namespace_labels = _namespace_labels(namespaces, namespace)
        for key, value in namespace_labels.items():
            labels[_NAMESPACE_LABELS_PREFIX + key] = value
        conversation[f"{role}_namespace_labels"] = ",".join(
            f"{k}={v}" for k, v in sorted(namespace_labels.items())
        )
        conversation[role] = f"{namespace}/{item.get('name', '')}"
        conversation[f"{role}_labels"] = labels
        conversation[f"{role}_namespace"] = namespace
    conversation["service"] = server_item.get("service", "")
    conversation["port"] = _server_port(
        str(question or ""), services[0] if services else {}, server
    )
    return conversation


# The CEL functions of this module, by the name runbooks call them (`builtin.py` registers them).
FUNCTIONS = {
    "net.asked_ends": net_asked_ends,
    "net.asked_conversation": net_asked_conversation,
}
