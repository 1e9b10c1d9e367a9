"""Why a DRA claim cannot be allocated.

`dra_pending` lists the unallocated claims of described pods. `dra_diagnose` reads raw
`resource.k8s.io/v1` objects as `kubernetes_get` returns them (a claim or a claim template,
the ResourceSlices, the other claims) and the `kubernetes_list` items of the DeviceClasses, and
says why a claim cannot be allocated: its DeviceClass does not exist, no published device
passes the class's and the request's CEL selectors, or every device that does is already
allocated to other claims (or tainted). Registered on import; called by the
dra-claim-unallocatable runbook.
"""

from __future__ import annotations

import difflib
from typing import Any

from holmes.agent.runbooks.expressions import register
from holmes.agent.runbooks.gpu.dra_devices import (
    cel_selectors,
    device_models,
    dra_selects,
)


def dra_pending(pods: Any) -> list[dict[str, Any]]:
    """The DRA claims of described pods that are not allocated: pod, namespace, name (the
    pod's claim name), claim (the ResourceClaim, "" if not created yet), template."""
    found = []
    for pod in pods or []:
        for claim in pod.get("claims") or []:
            facts = claim.get("facts") or {}
            if facts.get("allocated"):
                continue
            found.append(
                {
                    "pod": pod.get("pod"),
                    "namespace": pod.get("namespace"),
                    "name": claim.get("name") or "",
                    "claim": claim.get("claim") or "",
                    "template": claim.get("template") or "",
                    "requests": facts.get("requests") or "",
                }
            )
    return found


def _requests(claim: dict[str, Any]) -> list[dict[str, Any]]:
    """The requests of a claim or claim template: name, class, count, mode, selectors."""
    spec = claim.get("spec") or {}
    if claim.get("kind") == "ResourceClaimTemplate" or "spec" in spec:
        spec = spec.get("spec") or {}
    found = []
    for request in (spec.get("devices") or {}).get("requests") or []:
        choices = request.get("firstAvailable") or [request.get("exactly") or request]
        for choice in choices:
            found.append(
                {
                    "name": request.get("name", ""),
                    "class": choice.get("deviceClassName", ""),
                    "count": int(choice.get("count", 1) or 1),
                    "mode": choice.get("allocationMode", "ExactCount"),
                    "selectors": cel_selectors(choice),
                    "tolerations": choice.get("tolerations") or [],
                }
            )
    return found


def _allocations(claims: Any, own: str) -> dict[tuple[str, str, str], str]:
    """(driver, pool, device) -> `namespace/claim` of every allocated claim but `own`."""
    taken: dict[tuple[str, str, str], str] = {}
    for claim in claims or []:
        if not isinstance(claim, dict):
            continue
        meta = claim.get("metadata") or {}
        ref = f"{meta.get('namespace')}/{meta.get('name')}"
        if meta.get("name") == own:
            continue
        allocation = (claim.get("status") or {}).get("allocation") or {}
        for result in (allocation.get("devices") or {}).get("results") or []:
            key = (result.get("driver", ""), result.get("pool", ""), result.get("device", ""))
            taken[key] = ref
    return taken


def _tolerated(taint: dict[str, Any], tolerations: list[dict[str, Any]]) -> bool:
    for toleration in tolerations:
        if toleration.get("key") not in (None, "", taint.get("key")):
            continue
        if toleration.get("effect") not in (None, "", taint.get("effect")):
            continue
        if toleration.get("operator", "Equal") == "Exists" or toleration.get("value") == taint.get(
            "value"
        ):
            return True
    return False


def dra_diagnose(claim: Any, classes: Any, slices: Any, claims: Any) -> dict[str, Any]:
    """Why `claim` (a ResourceClaim or ResourceClaimTemplate object) cannot be allocated.

    `classes` are DeviceClass objects or list items (name, with `spec` when full objects),
    `slices` ResourceSlice objects, `claims` other ResourceClaim objects. The answer's
    `verdict` is the first request's problem: `missing-class`, `no-match` (no published device
    passes the selectors), `all-allocated` (every matching device is taken or tainted),
    `enough-free` (devices are free: the cause is elsewhere) or `unknown` (nothing to judge).
    """
    claim = claim if isinstance(claim, dict) else {}
    meta = claim.get("metadata") or {}
    class_specs = {}
    for item in classes or []:
        if isinstance(item, dict):
            name = item.get("name") or (item.get("metadata") or {}).get("name")
            class_specs[name] = item.get("spec") or {}
    devices: list[tuple[dict[str, Any], str, str]] = []  # device, driver, pool
    nodes: list[str] = []
    for resource_slice in slices or []:
        spec = (resource_slice or {}).get("spec") or {}
        driver, pool = spec.get("driver", ""), (spec.get("pool") or {}).get("name", "")
        if spec.get("nodeName") and spec["nodeName"] not in nodes:
            nodes.append(spec["nodeName"])
        devices += [(d, driver, pool) for d in spec.get("devices") or []]
    taken = _allocations(claims, meta.get("name", ""))
    requests = []
    for request in _requests(claim):
        known = request["class"] in class_specs
        class_selectors = cel_selectors(class_specs.get(request["class"]) or {})
        in_class = [
            d for d in devices if known and all(dra_selects(s, d[1], d[0]) for s in class_selectors)
        ]
        matching = [
            d for d in in_class if all(dra_selects(s, d[1], d[0]) for s in request["selectors"])
        ]
        holders: dict[str, int] = {}
        tainted = 0
        free = 0
        for device, driver, pool in matching:
            holder = taken.get((driver, pool, device.get("name", "")))
            bad_taints = [
                t
                for t in device.get("taints") or []
                if t.get("effect") in ("NoSchedule", "NoExecute")
                and not _tolerated(t, request["tolerations"])
            ]
            if holder:
                holders[holder] = holders.get(holder, 0) + 1
            elif bad_taints:
                tainted += 1
            else:
                free += 1
        wanted = len(matching) if request["mode"] == "All" else request["count"]
        if not known:
            verdict = "missing-class"
        elif not matching:
            verdict = "no-match"
        elif free < wanted:
            verdict = "all-allocated"
        else:
            verdict = "enough-free"
        close = difflib.get_close_matches(request["class"], list(class_specs), n=1, cutoff=0.6)
        requests.append(
            {
                **request,
                "class_exists": known,
                "closest_class": close[0] if close and not known else "",
                "class_selectors": class_selectors,
                "in_class": len(in_class),
                "matching": len(matching),
                "free": free,
                "tainted": tainted,
                "wanted": wanted,
                "holders": [f"{ref} ({n})" for ref, n in holders.items()],
                "held": sum(holders.values()),
                "verdict": verdict,
                "class_models": device_models(in_class),
            }
        )
    problem = next((r for r in requests if r["verdict"] != "enough-free"), None)
    return {
        "name": meta.get("name", ""),
        "namespace": meta.get("namespace", ""),
        "kind": claim.get("kind", ""),
        "requests": requests,
        "request": problem or (requests[0] if requests else {}),
        "verdict": (problem or {}).get("verdict", "enough-free" if requests else "unknown"),
        "classes": sorted(n for n in class_specs if n),
        "devices": len(devices),
        "models": device_models(devices),
        "nodes": nodes,
    }


register("dra_pending", dra_pending)
register("dra_diagnose", dra_diagnose)
