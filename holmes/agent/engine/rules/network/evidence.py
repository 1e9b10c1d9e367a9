"""Step evidence as the network functions read it.

A step's evidence (`evidence.<step>`) is a list of tool results (or one result). This module
keeps the data of those that succeeded (`tool_results`, `tool_data`), the `hubble_flow_summary`
summaries among them (`flow_summaries`), and reads `kubernetes_list` listings: every item with
its kind (`net_items`) and the pods that are not running and ready (`net_unhealthy`).

Used by the other modules of this package; `net_items` and `net_unhealthy` are registered on
import and called by the cilium-auth-required and upstream-http-5xx runbooks.
"""

from __future__ import annotations

import re
from typing import Any

_READY = re.compile(r"ready (\d+)/(\d+)\s+(\S+)")


def tool_results(value: Any) -> list[dict[str, Any]]:
    """Tool results from `evidence.<step>` (a list of results, or one result)."""
    if isinstance(value, dict):
        return [value]
    return [r for r in value or [] if isinstance(r, dict)]


def tool_data(value: Any) -> list[dict[str, Any]]:
    """The `data` of the results that succeeded."""
    return [
        r["data"] for r in tool_results(value) if r.get("ok") and isinstance(r.get("data"), dict)
    ]


def flow_summaries(flows: Any) -> list[dict[str, Any]]:
    """The `hubble_flow_summary` data among the results."""
    return [d for d in tool_data(flows) if "drops" in d or "conversations" in d]


def net_unhealthy(listings: Any) -> list[dict[str, Any]]:
    """Pods of `kubernetes_list` results that are not running and ready, or that restart."""
    found = []
    for data in tool_data(listings):
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
        for data in tool_data(listings)
        for item in data.get("items") or []
        if isinstance(item, dict)
    ]


# The CEL functions of this module, by the name runbooks call them (`builtin.py` registers them).
FUNCTIONS = {
    "net.unhealthy": net_unhealthy,
    "net.items": net_items,
}
