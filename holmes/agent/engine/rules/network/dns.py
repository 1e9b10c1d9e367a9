"""DNS: which conversations are DNS, which names the subject failed to resolve, and what a
misspelt name meant.

`net_is_dns` tells a DNS conversation (also used by the rules module, for the egress rule that
admits DNS); `net_dns_failures` and `net_rcodes` read the DNS names of `hubble_flow_summary`;
`net_similar_service` finds the Service a name most likely meant and `net_config_mentions`
where the name is configured. Listed in `FUNCTIONS`; called by the dns-failures runbook (and
`net_is_dns` by hubble-policy-denied).
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from holmes.agent.engine.rules.network.evidence import flow_summaries, tool_data
from holmes.agent.engine.rules.network.scope import in_scope


def net_is_dns(pair: Any) -> bool:
    """Whether a conversation is DNS: port 53, or a server that is the cluster DNS."""
    if not isinstance(pair, dict):
        return False
    if int(pair.get("port") or 0) == 53:
        return True
    labels = pair.get("server_labels") or {}
    return labels.get("k8s-app") == "kube-dns"


def net_dns_failures(flows: Any, subject: Any) -> list[dict[str, Any]]:
    """DNS names the subject failed to resolve (an error rcode or no answer), worst first.

    Search-path expansions of a name that does resolve (`huggingface.co.ns.svc.cluster.local`
    NXDOMAIN before `huggingface.co` NOERROR) are how resolvers work, not failures: left out.
    """
    names: list[dict[str, Any]] = []
    for summary in flow_summaries(flows):
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
    for data in tool_data(listings):
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
    for data in tool_data(configs):
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


# The CEL functions of this module, by the name runbooks call them (`builtin.py` registers them).
FUNCTIONS = {
    "net.is_dns": net_is_dns,
    "net.dns_failures": net_dns_failures,
    "net.rcodes": net_rcodes,
    "net.similar_service": net_similar_service,
    "net.config_mentions": net_config_mentions,
}
