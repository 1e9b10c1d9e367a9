"""CEL functions for the network runbooks (registered on import by the loader); pure functions.

The network runbooks read `hubble_flow_summary` data (drops by reason with their
conversations, HTTP servers, DNS names) and the network policies of the namespaces involved
(`kubernetes_get` of each CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy and
NetworkPolicy). These functions:

- keep what concerns the subject (`net_drops`, `net_http_errors`, `net_dns_failures`): the
  conversations of the workloads, services or pods the question or alert names, else of its
  namespace; drops that are noise (unsupported L3, IPv6 on a v4 node) are left out;
- find the policies that select the endpoint a drop hit, in the drop's direction, and say what
  they admit (`net_policies_for`), so a rule can name the policy and the source it lacks;
- write the rule that would admit a dropped peer (`net_allow_rule`), and find the Service a
  misspelt DNS name meant (`net_similar_service`).

Selector semantics follow Kubernetes (matchLabels, matchExpressions) and Cilium (`k8s:`
label prefixes, `k8s:io.kubernetes.pod.namespace`, namespace-implicit endpoint selectors in
namespaced policies, entities).
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from holmes.agent.runbooks.expressions import register

_NAMESPACE_LABEL = "io.kubernetes.pod.namespace"
_NAMESPACE_LABELS_PREFIX = "io.cilium.k8s.namespace.labels."
# Labels that say which workload an endpoint is, best first.
_NAMING_LABELS = (
    "app",
    "app.kubernetes.io/name",
    "k8s-app",
    "name",
    "app.kubernetes.io/component",
    "component",
)
_POLICY_KINDS = {
    "CiliumNetworkPolicy": "cnp",
    "CiliumClusterwideNetworkPolicy": "ccnp",
    "NetworkPolicy": "knp",
}
_AGE = re.compile(r"\bage\s+(\S+)")
_READY = re.compile(r"ready (\d+)/(\d+)\s+(\S+)")


# --- scope: what the subject is -----------------------------------------------------------


def _results(value: Any) -> list[dict[str, Any]]:
    """Tool results from `evidence.<step>` (a list of results, or one result)."""
    if isinstance(value, dict):
        return [value]
    return [r for r in value or [] if isinstance(r, dict)]


def _data(value: Any) -> list[dict[str, Any]]:
    return [r["data"] for r in _results(value) if r.get("ok") and isinstance(r.get("data"), dict)]


def subject_names(subject: Any) -> list[str]:
    """`namespace/name` of the workloads, services and pods the subject names."""
    subject = subject if isinstance(subject, dict) else {}
    names: list[str] = []
    for group in ("workloads", "services"):
        for ref in subject.get(group) or []:
            name = f"{ref.get('namespace')}/{ref.get('name')}"
            if name not in names:
                names.append(name)
    if subject.get("scope") == "named":
        for pod in subject.get("pods") or []:
            name = f"{pod.get('namespace')}/{pod.get('name')}"
            if name not in names:
                names.append(name)
    return names


def _ends(item: dict[str, Any]) -> list[str]:
    ends = [item.get("client"), item.get("server")]
    ends += list(item.get("clients") or [])
    return [e for e in ends if isinstance(e, str) and e]


def _namespaces_of(item: dict[str, Any]) -> set[str]:
    found = {item.get("client_namespace"), item.get("server_namespace"), item.get("namespace")}
    found |= {end.split("/", 1)[0] for end in _ends(item) if "/" in end}
    return {n for n in found if n}


def _named(end: str, names: list[str]) -> bool:
    # A Hubble endpoint is `ns/workload` or `ns/pod`; a pod `ns/web-7d9f-abc12` belongs to
    # the workload `ns/web`.
    return any(end == name or end.startswith(name + "-") for name in names)


def in_scope(items: Any, subject: Any) -> list[dict[str, Any]]:
    """The items (conversations, HTTP servers, DNS names) that concern the subject.

    Those touching a workload, Service or pod the subject names; when none does, those with an
    end in the subject's namespace; for a cluster-wide subject, all of them.
    """
    items = [i for i in items or [] if isinstance(i, dict)]
    subject = subject if isinstance(subject, dict) else {}
    names = subject_names(subject)
    if names:
        named = [i for i in items if any(_named(end, names) for end in _ends(i))]
        if named:
            return named
    namespace = subject.get("namespace")
    if namespace:
        return [i for i in items if namespace in _namespaces_of(i)]
    return [] if names else items


# --- flows ---------------------------------------------------------------------------------


def _summaries(flows: Any) -> list[dict[str, Any]]:
    return [d for d in _data(flows) if "drops" in d or "conversations" in d]


def net_drops(flows: Any, subject: Any, reason: str) -> list[dict[str, Any]]:
    """Dropped conversations with `reason` (a regex over the reason name) about the subject.

    Each is a conversation of `hubble_flow_summary` (client, server, service, direction,
    client/server labels and namespaces, nodes, denied_by...) with `reason`, `meaning` and
    `count` (its drops for that reason), most drops first. Noise reasons are never returned.
    """
    pattern = re.compile(reason or ".", re.IGNORECASE)
    found: list[dict[str, Any]] = []
    for summary in _summaries(flows):
        for drop in summary.get("drops") or []:
            if drop.get("noise") or not pattern.search(str(drop.get("reason", ""))):
                continue
            for pair in drop.get("pairs") or []:
                found.append({**pair, "reason": drop["reason"], "meaning": drop.get("meaning", "")})
    found = in_scope(found, subject)
    return sorted(found, key=lambda p: -int(p.get("count") or 0))


def net_is_dns(pair: Any) -> bool:
    """Whether a conversation is DNS: port 53, or a server that is the cluster DNS."""
    if not isinstance(pair, dict):
        return False
    if int(pair.get("port") or 0) == 53:
        return True
    labels = pair.get("server_labels") or {}
    return labels.get("k8s-app") == "kube-dns"


def net_http_errors(flows: Any, subject: Any, minimum_share: float = 0.05) -> list[dict[str, Any]]:
    """HTTP servers answering 5xx to or as the subject: at least `minimum_share` of answers."""
    servers: list[dict[str, Any]] = []
    for summary in _summaries(flows):
        for server in summary.get("http_servers") or []:
            if server.get("errors") and float(server.get("error_share") or 0) >= minimum_share:
                servers.append(server)
    servers = in_scope(servers, subject)
    return sorted(servers, key=lambda s: -int(s.get("errors") or 0))


def net_dns_failures(flows: Any, subject: Any) -> list[dict[str, Any]]:
    """DNS names the subject failed to resolve (an error rcode or no answer), worst first.

    Search-path expansions of a name that does resolve (`huggingface.co.ns.svc.cluster.local`
    NXDOMAIN before `huggingface.co` NOERROR) are how resolvers work, not failures: left out.
    """
    names: list[dict[str, Any]] = []
    for summary in _summaries(flows):
        names += [n for n in summary.get("dns_names") or [] if isinstance(n, dict)]
    resolved = [n["name"] for n in names if not n.get("failed") and n.get("rcodes")]
    failed = [
        n
        for n in names
        if n.get("failed")
        and not any(n["name"].startswith(ok + ".") for ok in resolved if ok != n["name"])
    ]
    failed = in_scope(failed, subject)
    return sorted(
        failed,
        key=lambda n: (-int(n.get("errors") or 0) - int(n.get("unanswered") or 0), len(n["name"])),
    )


def net_rcodes(name: Any) -> str:
    """`NXDOMAIN 44, SERVFAIL 2` (errors first), plus unanswered requests, for a DNS name."""
    if not isinstance(name, dict):
        return ""
    rcodes = name.get("rcodes") or {}
    ordered = sorted(rcodes.items(), key=lambda r: (r[0] == "NOERROR", -r[1]))
    words = [f"{rcode} {count}" for rcode, count in ordered]
    if name.get("unanswered"):
        words.append(f"{name['unanswered']} without a response")
    return ", ".join(words)


def net_namespaces(drops: Any, limit: int = 4) -> list[str]:
    """The namespaces at either end of the dropped conversations, most drops first."""
    found: list[str] = []
    for drop in drops or []:
        if not isinstance(drop, dict):
            continue
        for namespace in (drop.get("server_namespace"), drop.get("client_namespace")):
            if namespace and namespace not in found:
                found.append(namespace)
    return found[:limit]


# --- labels and selectors ------------------------------------------------------------------


def _label_key(key: str) -> str:
    for prefix in ("k8s:", "any:"):
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key


def _endpoint(labels: Any, namespace: Any) -> dict[str, str]:
    """An endpoint's labels for matching: prefixes cut, its namespace label present."""
    found = {_label_key(str(k)): str(v) for k, v in (labels or {}).items()}
    if namespace and _NAMESPACE_LABEL not in found:
        found[_NAMESPACE_LABEL] = str(namespace)
    return found


def _namespace_labels(endpoint: dict[str, str]) -> dict[str, str]:
    found = {
        key[len(_NAMESPACE_LABELS_PREFIX) :]: value
        for key, value in endpoint.items()
        if key.startswith(_NAMESPACE_LABELS_PREFIX)
    }
    namespace = endpoint.get(_NAMESPACE_LABEL)
    if namespace:
        found.setdefault("kubernetes.io/metadata.name", namespace)
    return found


def selector_matches(selector: Any, labels: Any) -> bool:
    """A label selector (matchLabels, matchExpressions; `{}` selects all) against labels."""
    if selector is None:
        return False
    if not isinstance(selector, dict):
        return False
    labels = {_label_key(str(k)): str(v) for k, v in (labels or {}).items()}
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(_label_key(str(key))) != str(value):
            return False
    for expression in selector.get("matchExpressions") or []:
        key = _label_key(str(expression.get("key", "")))
        operator = str(expression.get("operator", ""))
        values = [str(v) for v in expression.get("values") or []]
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


def selector_text(selector: Any) -> str:
    """`app=backend`, `every pod` for `{}`, with expressions as `tier in (a,b)`."""
    if not isinstance(selector, dict):
        return ""
    words = [f"{_label_key(str(k))}={v}" for k, v in (selector.get("matchLabels") or {}).items()]
    for expression in selector.get("matchExpressions") or []:
        key, operator = _label_key(str(expression.get("key", ""))), expression.get("operator")
        values = ",".join(str(v) for v in expression.get("values") or [])
        words.append(f"{key} {str(operator).lower()} ({values})" if values else f"{key} {operator}")
    words = [
        f"namespace {w.split('=', 1)[1]}" if w.startswith(_NAMESPACE_LABEL + "=") else w
        for w in words
    ]
    return ",".join(words) or "every pod"


def net_peer(labels: Any) -> str:
    """The label that names an endpoint's workload, as `key=value` (`app=frontend`)."""
    found = {_label_key(str(k)): str(v) for k, v in (labels or {}).items()}
    for key in _NAMING_LABELS:
        if key in found:
            return f"{key}={found[key]}"
    plain = sorted(
        f"{k}={v}"
        for k, v in found.items()
        if not k.startswith(("io.cilium", "io.kubernetes", "reserved:"))
        and k not in ("pod-template-hash", "controller-revision-hash")
    )
    return plain[0] if plain else ""


# --- policies ------------------------------------------------------------------------------


def net_policy_refs(listings: Any, drops: Any = None, limit: int = 12) -> list[dict[str, Any]]:
    """The policies in `kubernetes_list` results as `{kind, namespace, name, summary, age}`.

    Those whose listing mentions a dropped endpoint's naming label come first, so that the
    `limit` policies read in full include the ones that matter.
    """
    refs: list[dict[str, Any]] = []
    for data in _data(listings):
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
    for result in _results(results):
        data = result.get("data")
        if result.get("ok") and isinstance(data, dict) and data.get("kind") in _POLICY_KINDS:
            found.append((data, result.get("item") or {}))
    return found


def _cilium_specs(spec: dict[str, Any]) -> list[dict[str, Any]]:
    specs = [spec] if any(k in spec for k in ("endpointSelector", "nodeSelector")) else []
    return specs + [s for s in spec.get("specs") or [] if isinstance(s, dict)]


def _ports(rule: dict[str, Any], cilium: bool) -> list[dict[str, Any]]:
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


def _port_matches(ports: list[dict[str, Any]], port: int, protocol: str) -> bool:
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


def _ports_text(ports: list[dict[str, Any]]) -> str:
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


def _cilium_peer_matches(
    rule: dict[str, Any], side: str, peer: dict[str, str], policy_namespace: str | None
) -> tuple[bool, str]:
    """(admits the peer, text of the peers) for one Cilium rule; side is `from` or `to`."""
    texts = []
    admitted = False
    for selector in rule.get(f"{side}Endpoints") or []:
        selector = selector or {}
        keys = {_label_key(str(k)) for k in (selector.get("matchLabels") or {})}
        keys |= {_label_key(str(e.get("key", ""))) for e in selector.get("matchExpressions") or []}
        implicit = policy_namespace and _NAMESPACE_LABEL not in keys
        text = selector_text(selector)
        if text == "every pod":
            text = "any endpoint" + (" in the namespace" if implicit else "")
        texts.append(text)
        if selector_matches(selector, peer) and (
            not implicit or peer.get(_NAMESPACE_LABEL) == policy_namespace
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


def _k8s_peer_matches(
    rule: dict[str, Any], side: str, peer: dict[str, str], policy_namespace: str | None
) -> tuple[bool, str]:
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
            namespace_ok = selector_matches(namespaces, _namespace_labels(peer))
            named = (namespaces.get("matchLabels") or {}).get("kubernetes.io/metadata.name")
            if named and len(namespaces.get("matchLabels") or {}) == 1:
                where = f"namespace {named}"
            else:
                where = "namespaces " + selector_text(namespaces).replace("every pod", "all")
        else:
            namespace_ok = peer.get(_NAMESPACE_LABEL) == policy_namespace
            where = ""
        pod_ok = pods is None or selector_matches(pods, peer)
        who = selector_text(pods) if pods is not None else ""
        texts.append(" in ".join(w for w in (who, where) if w) or "any pod")
        if namespace_ok and pod_ok:
            admitted = True
    return admitted, " or ".join(texts) if texts else "nothing"


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
    if namespace and endpoint.get(_NAMESPACE_LABEL) != namespace:
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
            peer_ok, who = _cilium_peer_matches(rule, side, peer, namespace)
        else:
            peer_ok, who = _k8s_peer_matches(rule, side, peer, namespace)
        ports = _ports(rule, cilium)
        required = ((rule.get("authentication") or {}).get("mode") or "") == "required"
        text = f"{who} on {_ports_text(ports)}" + (
            " with mutual authentication" if required else ""
        )
        allows.append(text)
        if peer_ok and _port_matches(ports, port, protocol):
            admits = True
            auth = auth or required
    denied = any(
        _cilium_peer_matches(rule, side, peer, namespace)[0]
        and _port_matches(_ports(rule, True), port, protocol)
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
    client = _endpoint(drop.get("client_labels"), drop.get("client_namespace"))
    server = _endpoint(drop.get("server_labels"), drop.get("server_namespace"))
    endpoint, peer = (server, client) if direction == "INGRESS" else (client, server)
    port, protocol = int(drop.get("port") or 0), str(drop.get("protocol") or "TCP")
    found = []
    for data, ref in _policy_objects(policies):
        described = _describe_policy(data, ref, direction, endpoint, peer, port, protocol)
        if described:
            found.append(described)
    found.sort(key=lambda p: (p["rules"] == 0, p["admits_peer"]))
    return found


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


def net_kubectl_kind(kind: Any) -> str:
    """The short resource name kubectl takes for a policy kind."""
    return {
        "CiliumNetworkPolicy": "ciliumnetworkpolicy",
        "CiliumClusterwideNetworkPolicy": "ciliumclusterwidenetworkpolicy",
        "NetworkPolicy": "networkpolicy",
    }.get(str(kind), str(kind).lower())


# --- DNS names and Services ----------------------------------------------------------------


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def net_similar_service(name: Any, namespace: Any, listings: Any) -> dict[str, Any]:
    """The existing Service a DNS name most likely meant: `{name, namespace, summary}` or {}.

    Same namespace first; the same letters without dashes (`vector-db` for `vectordb`) or a
    close spelling (difflib ratio >= 0.75). A Service of that exact name in another namespace
    also counts (a wrong namespace in the name).
    """
    wanted = str(name or "").lower()
    if not wanted:
        return {}
    services = []
    for data in _data(listings):
        if data.get("kind") == "Service":
            services += [i for i in data.get("items") or [] if isinstance(i, dict)]
    best: tuple[float, dict[str, Any]] | None = None
    for service in services:
        candidate = str(service.get("name", "")).lower()
        same_namespace = service.get("namespace") == namespace
        if candidate == wanted:
            if same_namespace:
                return {}  # the Service exists: the name is not misspelt
            score = 1.5
        elif not same_namespace:
            continue
        elif _squash(candidate) == _squash(wanted):
            score = 2.0
        else:
            score = difflib.SequenceMatcher(None, candidate, wanted).ratio()
            if score < 0.75:
                continue
        if best is None or score > best[0]:
            best = (score, service)
    if best is None:
        return {}
    service = best[1]
    return {
        "name": service.get("name"),
        "namespace": service.get("namespace"),
        "summary": service.get("summary", ""),
    }


def net_config_mentions(configs: Any, pods: Any, name: Any) -> list[str]:
    """Where a name is configured: `ConfigMap ns/cm key K=value` and `env K=value` entries.

    `configs` are `kubernetes_get` results (ConfigMaps), `pods` `kubernetes_describe` data; a
    value mentions the name when it contains it as a host (`name`, `name.ns...`, `name:port`).
    """
    wanted = str(name or "").lower()
    if not wanted:
        return []
    host = re.compile(rf"(?<![a-z0-9-]){re.escape(wanted)}(?![a-z0-9-])", re.IGNORECASE)
    found: list[str] = []
    for data in _data(configs):
        metadata = data.get("metadata") or {}
        where = (
            f"{data.get('kind', 'ConfigMap')} {metadata.get('namespace')}/{metadata.get('name')}"
        )
        for key, value in (data.get("data") or {}).items():
            if host.search(str(value)):
                shown = str(value) if len(str(value)) <= 120 else str(value)[:117] + "..."
                entry = f"{where} key {key}={shown}"
                if entry not in found:
                    found.append(entry)
    for pod in pods or []:
        for container in (pod or {}).get("containers") or []:
            for env in container.get("env") or []:
                if isinstance(env, dict) and host.search(str(env.get("value", ""))):
                    entry = f"env {env.get('name')}={env.get('value')}"
                    entry += f" of container {container.get('name')}"
                    if entry not in found:
                        found.append(entry)
    return found


# --- upstream load ------------------------------------------------------------------------

# Log lines that say a server is over capacity: queues, concurrency limits, full KV caches,
# load shedding, rate limits. vLLM's periodic stats line (`Running: 256 reqs, Waiting: 198
# reqs, GPU KV cache usage: 98.4%`) is one.
_LOAD = re.compile(
    r"waiting: *[1-9]\d* *reqs|kv cache usage: *(9\d|100)(\.\d+)?%|concurrency limit|"
    r"queue (is )?full|too many (concurrent )?requests|overload|server busy|at capacity|"
    r"rate.?limit|max.?num.?seqs|request queue|pending requests|shedding",
    re.IGNORECASE,
)


_STATS = re.compile(r"waiting: *\d+ *reqs|kv cache usage|queue (size|length|depth)", re.IGNORECASE)
_LINE_PREFIX = re.compile(r"^(L\d+(-L\d+)?:\s*)")
_FOLDED = re.compile(r"\s*\[x\d+ similar\]\s*$")


def net_load_line(text: Any) -> str:
    """The latest log line that shows the server over capacity ("" if none).

    A line with the figures (queue length, KV cache usage) beats a bare warning; the line
    numbers and fold marks of compacted logs are cut, and the "most repeated patterns"
    examples (`x72: ...`) are skipped for the lines themselves.
    """
    best, best_score = "", 0
    for raw in str(text or "").splitlines():
        line = raw.strip()
        if re.match(r"^x\d+:", line) or not _LOAD.search(line):
            continue
        line = _FOLDED.sub("", _LINE_PREFIX.sub("", line))
        score = 2 if _STATS.search(line) else 1
        if score >= best_score:
            best, best_score = line, score
    return best


def net_hpa_for(results: Any, kind: Any, name: Any) -> dict[str, Any]:
    """The HorizontalPodAutoscaler (from `kubernetes_get` results) that scales kind/name.

    `{name, min, max, current, desired, at_max, limited, metrics}` or {} when none does;
    `at_max` when the current replicas reached maxReplicas, `limited` when the HPA says it
    wants more than its maximum (condition ScalingLimited, reason TooManyReplicas).
    """
    for data in _data(results):
        spec, status = data.get("spec") or {}, data.get("status") or {}
        target = spec.get("scaleTargetRef") or {}
        if target.get("name") != name or (kind and target.get("kind") not in (kind, None)):
            continue
        maximum = int(spec.get("maxReplicas") or 0)
        current = int(status.get("currentReplicas") or 0)
        limited = any(
            c.get("type") == "ScalingLimited"
            and c.get("status") == "True"
            and c.get("reason") == "TooManyReplicas"
            for c in status.get("conditions") or []
        )
        metrics = []
        for metric in status.get("currentMetrics") or []:
            kind_key = str(metric.get("type", "")).lower()
            block = metric.get(kind_key) or metric.get("resource") or {}
            metric_name = (block.get("metric") or {}).get("name") or block.get("name") or kind_key
            current_value = block.get("current") or {}
            value = next(iter(current_value.values()), "") if current_value else ""
            metrics.append(f"{metric_name}={value}")
        targets = []
        for metric in spec.get("metrics") or []:
            kind_key = str(metric.get("type", "")).lower()
            block = metric.get(kind_key) or {}
            metric_name = (block.get("metric") or {}).get("name") or block.get("name") or kind_key
            target_value = {k: v for k, v in (block.get("target") or {}).items() if k != "type"}
            value = next(iter(target_value.values()), "") if target_value else ""
            targets.append(f"{metric_name}={value}")
        return {
            "name": (data.get("metadata") or {}).get("name", ""),
            "min": int(spec.get("minReplicas") or 1),
            "max": maximum,
            "current": current,
            "desired": int(status.get("desiredReplicas") or 0),
            "at_max": bool(maximum) and current >= maximum,
            "limited": limited,
            "metrics": metrics,
            "targets": targets,
        }
    return {}


def net_latency(seconds: Any) -> str:
    """`4ms`, `13.8s`, `60s` for a latency in seconds."""
    value = float(seconds or 0)
    if value < 1:
        return f"{value * 1000:.0f}ms"
    return f"{value:.3g}s"


# --- pods from listings --------------------------------------------------------------------


def net_unhealthy(listings: Any) -> list[dict[str, Any]]:
    """Pods of `kubernetes_list` results that are not running and ready, or that restart."""
    found = []
    for data in _data(listings):
        for item in data.get("items") or []:
            summary = str(item.get("summary", ""))
            ready = _READY.search(summary)
            restarts = re.search(r"restarts (\d+)", summary)
            status = ready[3] if ready else ""
            done = status in ("Completed", "Succeeded")
            bad = bool(ready) and not done and (status != "Running" or ready[1] != ready[2])
            if bad or (restarts and int(restarts[1]) > 0 and status != "Running"):
                found.append(
                    {
                        "namespace": item.get("namespace"),
                        "name": item.get("name"),
                        "status": status,
                        "ready": f"{ready[1]}/{ready[2]}" if ready else "",
                        "restarts": int(restarts[1]) if restarts else 0,
                        "summary": summary,
                    }
                )
    return found


def net_items(listings: Any) -> list[dict[str, Any]]:
    """Every item of `kubernetes_list` results, with its kind."""
    return [
        {**item, "kind": data.get("kind", "")}
        for data in _data(listings)
        for item in data.get("items") or []
        if isinstance(item, dict)
    ]


for _name, _function in {
    "net_drops": net_drops,
    "net_is_dns": net_is_dns,
    "net_http_errors": net_http_errors,
    "net_dns_failures": net_dns_failures,
    "net_rcodes": net_rcodes,
    "net_namespaces": net_namespaces,
    "net_peer": net_peer,
    "net_selector_matches": selector_matches,
    "net_policy_refs": net_policy_refs,
    "net_policies_for": net_policies_for,
    "net_allow_rule": net_allow_rule,
    "net_kubectl_kind": net_kubectl_kind,
    "net_similar_service": net_similar_service,
    "net_unhealthy": net_unhealthy,
    "net_items": net_items,
    "net_config_mentions": net_config_mentions,
    "net_load_line": net_load_line,
    "net_hpa_for": net_hpa_for,
    "net_latency": net_latency,
    "net_in_scope": in_scope,
}.items():
    register(_name, _function)
