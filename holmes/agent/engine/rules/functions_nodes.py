"""CEL functions for the node-pressure runbook (registered on import); pure functions.

The kubelet evicts pods when a node crosses an eviction threshold, and says so in the pod's
status message: "The node was low on resource: ephemeral-storage. Threshold quantity: 10%,
available: 7312Mi. Container vllm was using 61443812Ki, request is 0, has larger consumption of
ephemeral-storage." `eviction` reads that message; `pressure` reads a node's MemoryPressure,
DiskPressure and PIDPressure conditions from `kubernetes_node` data.
"""

from __future__ import annotations

import re
from typing import Any

from holmes.tools.facts import format_bytes, quantity_number

_LOW = re.compile(r"The node was low on resource: ([\w-]+(?:\.[\w-]+)*)\.?(.*)", re.DOTALL)
_THRESHOLD = re.compile(r"Threshold quantity: ([^,]+), available: ([^.]+?)\.(?:\s|$)")
_USING = re.compile(
    r"Container ([\w.-]+) was using ([0-9.]+\w*), request is ([0-9.]+\w*)"
    r"(?:, limit is ([0-9.]+\w*))?"
)
_PRESSURES = {
    "MemoryPressure": "memory",
    "DiskPressure": "ephemeral-storage",
    "PIDPressure": "pids",
}


def _amount(resource: str, value: str) -> str:
    if resource in ("memory", "ephemeral-storage") and value and not value.endswith("%"):
        return format_bytes(quantity_number(value))
    return value


def eviction(message: Any) -> dict[str, Any]:
    """The kubelet's eviction message as `{resource, threshold, available, containers:
    [{name, using, request, limit}]}` (using/request as readable amounts); {} when the
    message is not one."""
    found = _LOW.search(str(message or ""))
    if not found:
        return {}
    resource, rest = found[1], found[2]
    threshold = _THRESHOLD.search(rest)
    containers = [
        {
            "name": name,
            "using": _amount(resource, using),
            "request": _amount(resource, request) if request != "0" else "0",
            "limit": _amount(resource, limit or ""),
        }
        for name, using, request, limit in _USING.findall(rest)
    ]
    return {
        "resource": resource,
        "threshold": _amount(resource, threshold[1].strip()) if threshold else "",
        "available": _amount(resource, threshold[2].strip()) if threshold else "",
        "containers": containers,
    }


def pressure(node: Any) -> list[dict[str, Any]]:
    """A node's pressure conditions that are True: `[{type, resource, reason, message, since}]`
    (`kubernetes_node` data)."""
    conditions = (node or {}).get("conditions") if isinstance(node, dict) else []
    return [
        {
            "type": c.get("type"),
            "resource": _PRESSURES[c.get("type")],
            "reason": c.get("reason") or "",
            "message": c.get("message") or "",
            "since": c.get("lastTransitionTime") or "",
        }
        for c in conditions or []
        if c.get("type") in _PRESSURES and c.get("status") == "True"
    ]


# The CEL functions of this module, by the name runbooks call them (`builtin.py` registers them).
FUNCTIONS = {
    "k8s.eviction": eviction,
    "k8s.pressure": pressure,
}
