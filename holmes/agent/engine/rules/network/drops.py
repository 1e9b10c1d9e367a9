"""Dropped conversations of `hubble_flow_summary` that concern the subject.

`net_drops` keeps the drops of one reason about the subject (noise reasons, such as
unsupported L3 or IPv6 on a v4 node, never), `net_namespaces` the namespaces at their ends
(whose policies the runbooks then read). Listed in `FUNCTIONS`; called by the
hubble-policy-denied, cilium-auth-required and dns-failures runbooks.
"""

from __future__ import annotations

import re
from typing import Any

from holmes.agent.engine.rules.network.evidence import flow_summaries
from holmes.agent.engine.rules.network.scope import in_scope


def net_drops(flows: Any, subject: Any, reason: str) -> list[dict[str, Any]]:
    """Dropped conversations with `reason` (a regex over the reason name) about the subject.

    Each is a conversation of `hubble_flow_summary` (client, server, service, direction,
    client/server labels and namespaces, nodes, denied_by...) with `reason`, `meaning` and
    `count` (its drops for that reason), most drops first. Noise reasons are never returned.
    """
    pattern = re.compile(reason or ".", re.IGNORECASE)
    found: list[dict[str, Any]] = []
    for summary in flow_summaries(flows):
        for drop in summary.get("drops") or []:
            if drop.get("noise") or not pattern.search(str(drop.get("reason", ""))):
                continue
            for pair in drop.get("pairs") or []:
                found.append({**pair, "reason": drop["reason"], "meaning": drop.get("meaning", "")})
    found = in_scope(found, subject)
    return sorted(found, key=lambda p: -int(p.get("count") or 0))


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


# The CEL functions of this module, by the name runbooks call them (`builtin.py` registers them).
FUNCTIONS = {
    "net.drops": net_drops,
    "net.namespaces": net_namespaces,
}
