"""Why a DRA claim cannot be allocated.

`dra_pending` lists the unallocated claims of described pods. `dra_diagnose` reads raw
`resource.k8s.io` objects of any served version (v1, v1beta2, v1beta1; read through
dra_layout) as `kubernetes_get` returns them (a claim or a claim template, the ResourceSlices,
the other claims) and the `kubernetes_list` items of the DeviceClasses, and says why a claim
cannot be allocated: its DeviceClass does not exist, a selector fails to evaluate, no published
device passes the class's and the request's CEL selectors, or every device that does is already
allocated to other claims (or tainted). Judged as the scheduler does: devices of one node (plus
network-attached ones) serve a request; `firstAvailable` alternatives are tried in order;
`adminAccess` ignores other allocations; `allocationMode: All` needs every matching device of a
node; requested capacity must fit. Listed in `FUNCTIONS`; called by the dra-claim-unallocatable
runbook.
"""

from __future__ import annotations

import difflib
from typing import Any

from holmes.agent.engine.rules.gpu.dra_devices import SelectorCache, cel_selectors, device_models
from holmes.agent.engine.rules.gpu.dra_judge import Device, judge_choice
from holmes.tools.facts.dra_layout import normalized, request_choices


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
    """The alternatives of every request of a claim or claim template (any version): request
    (its name), name (`request/sub` for a firstAvailable alternative), alternative (index),
    class, count, mode, admin, selectors, tolerations, capacity."""
    claim = normalized(claim)
    spec = claim.get("spec") or {}
    if claim.get("kind") == "ResourceClaimTemplate" or "spec" in spec:
        spec = spec.get("spec") or {}
    found = []
    for request in (spec.get("devices") or {}).get("requests") or []:
        choices = request_choices(request)
        for index, choice in enumerate(choices):
            name = request.get("name", "")
            if request.get("firstAvailable"):
                name = f"{name}/{choice.get('name', index)}"
            found.append(
                {
                    "request": request.get("name", ""),
                    "name": name,
                    "alternative": index,
                    "alternatives": len(choices),
                    "class": choice.get("deviceClassName", ""),
                    "count": int(choice.get("count", 1) or 1),
                    "mode": choice.get("allocationMode", "ExactCount") or "ExactCount",
                    "admin": bool(choice.get("adminAccess")),
                    "selectors": cel_selectors(choice),
                    "tolerations": choice.get("tolerations") or [],
                    "capacity": (choice.get("capacity") or {}).get("requests") or {},
                }
            )
    return found


def _allocations(claims: Any, own: str) -> dict[tuple[str, str, str], str]:
    """(driver, pool, device) -> `namespace/claim` of every allocated claim but `own`, leaving
    out admin-access results (monitoring access does not take a device)."""
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
            if result.get("adminAccess"):
                continue
            key = (result.get("driver", ""), result.get("pool", ""), result.get("device", ""))
            taken[key] = ref
    return taken


def _devices(slices: Any) -> tuple[list[Device], list[str]]:
    """Every published device of the newest generation of each pool, and the slices' nodes."""
    specs = [normalized(resource_slice).get("spec") or {} for resource_slice in slices or []]
    newest: dict[tuple[str, str], int] = {}
    for spec in specs:
        pool = spec.get("pool") or {}
        key = (spec.get("driver", ""), pool.get("name", ""))
        newest[key] = max(newest.get(key, 0), int(pool.get("generation", 0) or 0))
    devices: list[Device] = []
    nodes: list[str] = []
    for spec in specs:
        pool = spec.get("pool") or {}
        driver, pool_name = spec.get("driver", ""), pool.get("name", "")
        if int(pool.get("generation", 0) or 0) < newest.get((driver, pool_name), 0):
            continue  # an older generation of the pool: the scheduler ignores it
        node = spec.get("nodeName") or ""
        if node and node not in nodes:
            nodes.append(node)
        devices += [
            Device(raw=d, driver=driver, pool=pool_name, node=node)
            for d in spec.get("devices") or []
        ]
    return devices, nodes


# Which failed alternative of a firstAvailable request explains it best: devices that exist
# but are taken before a selector that fails, before no device, before a missing class.
_EXPLAINS = ("all-allocated", "selector-error", "no-match", "missing-class", "unjudged")
_VERDICT_WORDS = {
    "enough-free": "enough matching devices free",
    "all-allocated": "matching devices allocated or tainted",
    "selector-error": "a selector fails to evaluate",
    "no-match": "no device matches",
    "missing-class": "no such DeviceClass",
    "unjudged": "a selector holmes cannot evaluate",
}


def _request_problem(alternatives: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The judged alternative that explains why a request cannot be allocated, or None when
    the scheduler can allocate it. Alternatives are tried in order: the first that can be
    allocated is taken, but a selector that fails before it aborts the allocation."""
    for alternative in alternatives:
        if alternative["verdict"] in ("selector-error", "unjudged"):
            problem = alternative
            break
        if alternative["verdict"] == "enough-free":
            return None
    else:
        if not alternatives:
            return None
        problem = min(alternatives, key=lambda a: _EXPLAINS.index(a["verdict"]))
    choices = [
        f"{a['name']} ({a['count']} x {a['class']}): {_VERDICT_WORDS[a['verdict']]}"
        for a in alternatives
    ]
    return {**problem, "choices": choices if len(alternatives) > 1 else []}


def dra_diagnose(claim: Any, classes: Any, slices: Any, claims: Any) -> dict[str, Any]:
    """Why `claim` (a ResourceClaim or ResourceClaimTemplate object) cannot be allocated.

    `classes` are DeviceClass objects or list items (name, with `spec` when full objects),
    `slices` ResourceSlice objects, `claims` other ResourceClaim objects (any served version).
    The answer's `verdict` is the first unsatisfiable request's problem: `missing-class`,
    `selector-error` (a CEL selector fails to evaluate: `errors` names it and why), `no-match`
    (no published device passes the selectors), `all-allocated` (every matching device is taken
    or tainted), `enough-free` (devices are free: the cause is elsewhere), `unjudged` (a
    selector uses syntax this evaluator cannot read, e.g. `a.?b`: no conclusion) or `unknown`.
    A request with `firstAvailable` is satisfiable when any alternative is.
    """
    claim = claim if isinstance(claim, dict) else {}
    meta = claim.get("metadata") or {}
    class_specs = {}
    for item in classes or []:
        if isinstance(item, dict):
            name = item.get("name") or (item.get("metadata") or {}).get("name")
            class_specs[name] = item.get("spec") or {}
    devices, nodes = _devices(slices)
    taken = _allocations(claims, meta.get("name", ""))
    cache = SelectorCache()
    judged = []
    for request in _requests(claim):
        known = request["class"] in class_specs
        class_selectors = cel_selectors(class_specs.get(request["class"]) or {})
        result = judge_choice(request, known, class_selectors, devices, taken, cache)
        close = difflib.get_close_matches(request["class"], list(class_specs), n=1, cutoff=0.6)
        result["closest_class"] = close[0] if close and not known else ""
        result["class_models"] = device_models(
            [(d.raw, d.driver, d.pool) for d in result.pop("in_class_devices")]
        )
        judged.append(result)
    by_request: dict[str, list[dict[str, Any]]] = {}
    for result in judged:
        by_request.setdefault(result["request"], []).append(result)
    problems = [p for p in map(_request_problem, by_request.values()) if p is not None]
    problem = problems[0] if problems else None
    return {
        "name": meta.get("name", ""),
        "namespace": meta.get("namespace", ""),
        "kind": claim.get("kind", ""),
        "requests": judged,
        "request": problem or (judged[0] if judged else {}),
        "verdict": (problem or {}).get("verdict", "enough-free" if judged else "unknown"),
        "classes": sorted(n for n in class_specs if n),
        "devices": len(devices),
        "models": device_models([(d.raw, d.driver, d.pool) for d in devices]),
        "nodes": nodes,
    }


# The CEL functions of this module, by the name runbooks call them (`builtin.py` registers them).
FUNCTIONS = {
    "k8s.dra_pending": dra_pending,
    "k8s.dra_diagnose": dra_diagnose,
}
