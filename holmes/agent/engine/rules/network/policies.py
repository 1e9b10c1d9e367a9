"""The network policies that concern a drop, and what each does to it.

The network runbooks read the policies of the namespaces a drop involves (`kubernetes_list`
of each kind, `net_policy_refs` choosing which to read in full, then `kubernetes_get` of each
CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy and NetworkPolicy). `net_policies_for`
finds those that select the endpoint a drop hit, in the drop's direction, and says what they
admit, so a rule can name the policy and the source it lacks; `net_kubectl_kind` names the
kind for kubectl. Cilium's namespaced policies select endpoints of their own namespace only.

Listed in `FUNCTIONS`; called by the hubble-policy-denied, cilium-auth-required and
dns-failures runbooks.
"""

from __future__ import annotations

import re
from typing import Any

from holmes.agent.engine.rules.network.evidence import tool_data, tool_results
from holmes.agent.engine.rules.network.rules import (
    cilium_peer_matches,
    k8s_peer_matches,
    port_matches,
    ports_text,
    rule_ports,
)
from holmes.agent.engine.rules.network.selectors import (
    NAMESPACE_LABEL,
    endpoint_labels,
    net_peer,
    selector_matches,
    selector_text,
)

_POLICY_KINDS = {
    "CiliumNetworkPolicy": "cnp",
    "CiliumClusterwideNetworkPolicy": "ccnp",
    "NetworkPolicy": "knp",
}
_AGE = re.compile(r"\bage\s+(\S+)")


def net_policy_refs(listings: Any, drops: Any = None, limit: int = 12) -> list[dict[str, Any]]:
    """The policies in `kubernetes_list` results as `{kind, namespace, name, summary, age}`.

    Those whose listing mentions a dropped endpoint's naming label come first, so that the
    `limit` policies read in full include the ones that matter.
    """
    refs: list[dict[str, Any]] = []
    for data in tool_data(listings):
        kind = data.get("kind", "")
        for item in data.get("items") or []:
            summary = str(item.get("summary", ""))
            age = _AGE.search(summary)
            ref = {
                "kind": kind,
                "namespace": item.get("namespace"),
                "name": item.get("name"),
                "summary": summary,
                "age": age[1] if age else "",
            }
            if ref not in refs:
                refs.append(ref)
    values = set()
    for drop in drops or []:
        if isinstance(drop, dict):
            for side in ("server_labels", "client_labels"):
                peer = net_peer(drop.get(side))
                if peer:
                    values.add(peer)
    refs.sort(key=lambda r: not any(v in r["summary"] for v in values))
    return refs[:limit]


def _policy_objects(results: Any) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    found = []
    for result in tool_results(results):
        data = result.get("data")
        if result.get("ok") and isinstance(data, dict) and data.get("kind") in _POLICY_KINDS:
            found.append((data, result.get("item") or {}))
    return found


def _cilium_specs(spec: dict[str, Any]) -> list[dict[str, Any]]:
    specs = [spec] if any(k in spec for k in ("endpointSelector", "nodeSelector")) else []
    return specs + [s for s in spec.get("specs") or [] if isinstance(s, dict)]


def _describe_policy(
    data: dict[str, Any],
    ref: dict[str, Any],
    direction: str,
    endpoint: dict[str, str],
    peer: dict[str, str],
    port: int,
    protocol: str,
) -> dict[str, Any] | None:
    """What one policy does to the endpoint in `direction`; None if it does not apply."""
    kind = data.get("kind", "")
    metadata = data.get("metadata") or {}
    namespace = metadata.get("namespace")
    spec = data.get("spec") or {}
    if namespace and endpoint.get(NAMESPACE_LABEL) != namespace:
        return None
    cilium = kind != "NetworkPolicy"
    ingress = direction == "INGRESS"
    rules: list[dict[str, Any]] = []
    deny_rules: list[dict[str, Any]] = []
    selects = ""
    governs = False
    if cilium:
        for part in _cilium_specs(spec):
            selector = part.get("endpointSelector")
            if not selector_matches(selector, endpoint):
                continue
            selects = selector_text(selector)
            key = "ingress" if ingress else "egress"
            if key in part or f"{key}Deny" in part:
                governs = True
                rules += [r for r in part.get(key) or [] if isinstance(r, dict)]
                deny_rules += [r for r in part.get(f"{key}Deny") or [] if isinstance(r, dict)]
    else:
        selector = spec.get("podSelector")
        if selector_matches(selector if selector is not None else {}, endpoint):
            selects = selector_text(selector or {})
            types = spec.get("policyTypes") or (
                ["Ingress"] + (["Egress"] if "egress" in spec else [])
            )
            governs = ("Ingress" if ingress else "Egress") in types
            listed = spec.get("ingress" if ingress else "egress") or []
            rules = [r if isinstance(r, dict) else {} for r in listed]  # `{}` admits everyone
    if not governs:
        return None
    side = "from" if ingress else "to"
    allows: list[str] = []
    admits = False
    auth = False
    for rule in rules:
        if cilium and not rule:
            continue  # Cilium's empty rule `{}` selects the endpoint and admits nothing
        if cilium:
            peer_ok, who = cilium_peer_matches(rule, side, peer, namespace)
        else:
            peer_ok, who = k8s_peer_matches(rule, side, peer, namespace)
        ports = rule_ports(rule, cilium)
        required = ((rule.get("authentication") or {}).get("mode") or "") == "required"
        text = f"{who} on {ports_text(ports)}" + (" with mutual authentication" if required else "")
        allows.append(text)
        if peer_ok and port_matches(ports, port, protocol):
            admits = True
            auth = auth or required
    denied = any(
        cilium_peer_matches(rule, side, peer, namespace)[0]
        and port_matches(rule_ports(rule, True), port, protocol)
        for rule in deny_rules
    )
    ref_text = f"{kind} {namespace + '/' if namespace else ''}{metadata.get('name', '')}"
    way, side_word = ("ingress", "from") if ingress else ("egress", "to")
    if allows:
        does = f"allows {way} only {side_word} " + "; ".join(allows)
    else:
        does = f"allows no {way} at all (default deny)"
    age = ref.get("age") or ""
    return {
        "kind": kind,
        "namespace": namespace,
        "name": metadata.get("name", ""),
        "ref": ref_text.strip(),
        "age": age,
        "created": metadata.get("creationTimestamp", ""),
        "selects": selects,
        "direction": direction,
        "rules": len(rules),
        "allows": allows,
        "admits_peer": admits and not denied,
        "denies_peer": denied,
        "auth_required": auth,
        "text": f"{ref_text.strip()}{f' (created {age} ago)' if age else ''} selects {selects} "
        f"and {does}",
    }


def net_policies_for(policies: Any, drop: Any) -> list[dict[str, Any]]:
    """The policies that select the endpoint a drop hit, in the drop's direction.

    An INGRESS drop is judged at the server against the client, an EGRESS drop at the client
    against the server. Each: `{kind, namespace, name, ref, age, selects, direction, rules,
    allows: [text], admits_peer, denies_peer, auth_required, text}`; those with rules (the
    allow lists to amend) before the default-deny ones.
    """
    if not isinstance(drop, dict):
        return []
    direction = str(drop.get("direction") or "INGRESS").upper()
    if direction not in ("INGRESS", "EGRESS"):
        direction = "INGRESS"
    client = endpoint_labels(drop.get("client_labels"), drop.get("client_namespace"))
    server = endpoint_labels(drop.get("server_labels"), drop.get("server_namespace"))
    endpoint, peer = (server, client) if direction == "INGRESS" else (client, server)
    port, protocol = int(drop.get("port") or 0), str(drop.get("protocol") or "TCP")
    found = []
    for data, ref in _policy_objects(policies):
        described = _describe_policy(data, ref, direction, endpoint, peer, port, protocol)
        if described:
            found.append(described)
    found.sort(key=lambda p: (p["rules"] == 0, p["admits_peer"]))
    return found


def net_kubectl_kind(kind: Any) -> str:
    """The short resource name kubectl takes for a policy kind."""
    return {
        "CiliumNetworkPolicy": "ciliumnetworkpolicy",
        "CiliumClusterwideNetworkPolicy": "ciliumclusterwidenetworkpolicy",
        "NetworkPolicy": "networkpolicy",
    }.get(str(kind), str(kind).lower())


# The CEL functions of this module, by the name runbooks call them (`builtin.py` registers them).
FUNCTIONS = {
    "net.policy_refs": net_policy_refs,
    "net.policies_for": net_policies_for,
    "net.kubectl_kind": net_kubectl_kind,
}
