"""One rule of a network policy: which peers and ports it admits, and the rule to add that
would admit a dropped peer.

The peer and port matching of Cilium rules (endpoints, entities, CIDRs, FQDNs, L4-only rules)
and of Kubernetes NetworkPolicy rules (pod and namespace selectors, ipBlocks), with the text
that says what a rule admits, is used by the policies module. `net_allow_rule` writes the
rule (YAML flow) that admits a drop's peer on its port; listed in `FUNCTIONS` and called by the
hubble-policy-denied and dns-failures runbooks.
"""

from __future__ import annotations

from typing import Any

from holmes.agent.engine.rules.network.dns import net_is_dns
from holmes.agent.engine.rules.network.selectors import (
    NAMESPACE_LABEL,
    label_key,
    namespace_labels,
    net_peer,
    selector_matches,
    selector_text,
)


def rule_ports(rule: dict[str, Any], cilium: bool) -> list[dict[str, Any]]:
    """A rule's ports as [{port, end, protocol}]; [] means every port."""
    found = []
    entries = rule.get("toPorts") if cilium else [{"ports": rule.get("ports")}]
    for entry in entries or []:
        for port in (entry or {}).get("ports") or []:
            protocol = str(port.get("protocol") or ("ANY" if cilium else "TCP")).upper()
            found.append(
                {"port": port.get("port"), "end": port.get("endPort"), "protocol": protocol}
            )
    return found


def port_matches(ports: list[dict[str, Any]], port: int, protocol: str) -> bool:
    """Whether a rule's ports (as `rule_ports` gives them) include `port`/`protocol`."""
    if not ports:
        return True
    for entry in ports:
        if entry["protocol"] not in ("ANY", protocol.upper()):
            continue
        value = entry["port"]
        if value in (None, "", 0, "0"):
            return True
        if not str(value).isdigit():
            continue  # a named port: cannot be checked against a number
        low = int(value)
        high = int(entry["end"]) if str(entry.get("end") or "").isdigit() else low
        if low <= port <= high:
            return True
    return False


def ports_text(ports: list[dict[str, Any]]) -> str:
    """`TCP/8080,UDP/53`, `TCP/8000-8100`, or `any port`."""
    if not ports:
        return "any port"
    words = []
    for entry in ports:
        value = entry["port"] if entry["port"] not in (None, "") else "any"
        if entry.get("end"):
            value = f"{value}-{entry['end']}"
        words.append(f"{entry['protocol']}/{value}")
    return ",".join(words)


def _entities_match(entities: list[str], peer: dict[str, str]) -> bool:
    wanted = {str(e).lower() for e in entities}
    if "all" in wanted:
        return True
    reserved = {k.split(":", 1)[1] for k in peer if k.startswith("reserved:")}
    if wanted & reserved:
        return True
    in_cluster = not (reserved & {"world", "world-ipv4", "world-ipv6"})
    return "cluster" in wanted and in_cluster


def cilium_peer_matches(
    rule: dict[str, Any], side: str, peer: dict[str, str], policy_namespace: str | None
) -> tuple[bool, str]:
    """(admits the peer, text of the peers) for one Cilium rule; side is `from` or `to`."""
    texts = []
    admitted = False
    for selector in rule.get(f"{side}Endpoints") or []:
        selector = selector or {}
        keys = {label_key(str(k)) for k in (selector.get("matchLabels") or {})}
        keys |= {label_key(str(e.get("key", ""))) for e in selector.get("matchExpressions") or []}
        implicit = policy_namespace and NAMESPACE_LABEL not in keys
        text = selector_text(selector)
        if text == "every pod":
            text = "any endpoint" + (" in the namespace" if implicit else "")
        texts.append(text)
        if selector_matches(selector, peer) and (
            not implicit or peer.get(NAMESPACE_LABEL) == policy_namespace
        ):
            admitted = True
    entities = rule.get(f"{side}Entities") or []
    if entities:
        texts.append("entities " + ",".join(str(e) for e in entities))
        admitted = admitted or _entities_match(entities, peer)
    for key in (
        f"{side}CIDR",
        f"{side}CIDRSet",
        f"{side}FQDNs",
        f"{side}Services",
        f"{side}Groups",
    ):
        if rule.get(key):
            texts.append(key.removeprefix(side))
    has_peers = any(
        k.startswith(side) and k not in ("toPorts",) and rule.get(k) is not None for k in rule
    )
    if not has_peers and rule.get("toPorts"):
        admitted, texts = True, ["any peer"]  # L4-only rule
    return admitted, " or ".join(texts) if texts else "nothing"


def k8s_peer_matches(
    rule: dict[str, Any], side: str, peer: dict[str, str], policy_namespace: str | None
) -> tuple[bool, str]:
    """(admits the peer, text of the peers) for one NetworkPolicy rule; side is `from` or `to`."""
    peers = rule.get(side)
    if peers is None:
        return True, "any peer"
    texts = []
    admitted = False
    for entry in peers or []:
        pods, namespaces = entry.get("podSelector"), entry.get("namespaceSelector")
        if entry.get("ipBlock"):
            texts.append(f"ipBlock {entry['ipBlock'].get('cidr', '')}")
            continue
        if namespaces is not None:
            namespace_ok = selector_matches(namespaces, namespace_labels(peer))
            named = (namespaces.get("matchLabels") or {}).get("kubernetes.io/metadata.name")
            if named and len(namespaces.get("matchLabels") or {}) == 1:
                where = f"namespace {named}"
            else:
                where = "namespaces " + selector_text(namespaces).replace("every pod", "all")
        else:
            namespace_ok = peer.get(NAMESPACE_LABEL) == policy_namespace
            where = ""
        pod_ok = pods is None or selector_matches(pods, peer)
        who = selector_text(pods) if pods is not None else ""
        texts.append(" in ".join(w for w in (who, where) if w) or "any pod")
        if namespace_ok and pod_ok:
            admitted = True
    return admitted, " or ".join(texts) if texts else "nothing"


def net_allow_rule(policy: Any, drop: Any) -> str:
    """The rule to add to `policy` so that it admits the drop's peer on its port (YAML flow)."""
    if not isinstance(policy, dict) or not isinstance(drop, dict):
        return ""
    ingress = policy.get("direction", "INGRESS") == "INGRESS"
    peer_labels = drop.get("client_labels") if ingress else drop.get("server_labels")
    peer_namespace = drop.get("client_namespace") if ingress else drop.get("server_namespace")
    own_namespace = policy.get("namespace")
    key, _, value = net_peer(peer_labels).partition("=")
    port, protocol = drop.get("port"), str(drop.get("protocol") or "TCP")
    other = peer_namespace and peer_namespace != own_namespace
    if policy.get("kind") == "NetworkPolicy":
        side = "from" if ingress else "to"
        pod = f"podSelector: {{matchLabels: {{{key}: {value}}}}}" if key else "podSelector: {}"
        name_label = "kubernetes.io/metadata.name"
        where = (
            f", namespaceSelector: {{matchLabels: {{{name_label}: {peer_namespace}}}}}"
            if other
            else ""
        )
        ports = f", ports: [{{port: {port}, protocol: {protocol}}}]" if port else ""
        return f"- {side}: [{{{pod}{where}}}]{ports}"
    side = "fromEndpoints" if ingress else "toEndpoints"
    labels = [f"{key}: {value}"] if key else []
    if other or (not own_namespace and peer_namespace):
        labels.insert(0, f"k8s:io.kubernetes.pod.namespace: {peer_namespace}")
    if key == "k8s-app":
        labels = [f"k8s:{label}" if not label.startswith("k8s:") else label for label in labels]
    selector = "{matchLabels: {" + ", ".join(labels) + "}}"
    dns = net_is_dns(drop) and not ingress
    proto = "ANY" if dns else protocol
    rules = ', rules: {dns: [{matchPattern: "*"}]}' if dns else ""
    ports = (
        f', toPorts: [{{ports: [{{port: "{port}", protocol: {proto}}}]{rules}}}]' if port else ""
    )
    return f"- {side}: [{selector}]{ports}"


# The CEL functions of this module, by the name runbooks call them (`builtin.py` registers them).
FUNCTIONS = {
    "net.allow_rule": net_allow_rule,
}
