"""Dynamic Resource Allocation objects (resource.k8s.io v1, v1beta2, v1beta1) as facts and text.

Pure functions used by `kubernetes_list`, `kubernetes_describe` and `kubernetes_node`: whether a
ResourceClaim is allocated, which devices on which node serve it and whom it is reserved for;
what a ResourceSlice publishes (devices, model, taints); what a DeviceClass or a claim template
asks for. Field names follow reference/kubernetes.md, section a; the layouts of the older
versions (v1beta1's `basic:` devices, requests without `exactly`) are read through dra_layout.
"""

from __future__ import annotations

from typing import Any

from holmes.tools.facts.dra_layout import attribute, device_fields


def claim_devices(claim: dict[str, Any]) -> list[dict[str, str]]:
    """The allocated devices: request, driver, pool, device."""
    allocation = (claim.get("status") or {}).get("allocation") or {}
    results = (allocation.get("devices") or {}).get("results") or []
    return [
        {key: str(result.get(key, "")) for key in ("request", "driver", "pool", "device")}
        for result in results
    ]


def claim_node(claim: dict[str, Any]) -> str | None:
    """The node an allocation is pinned to (from its node selector), if any."""
    allocation = (claim.get("status") or {}).get("allocation") or {}
    terms = (allocation.get("nodeSelector") or {}).get("nodeSelectorTerms") or []
    for term in terms:
        for field in (term.get("matchFields") or []) + (term.get("matchExpressions") or []):
            if field.get("key") in ("metadata.name", "kubernetes.io/hostname") and field.get(
                "values"
            ):
                return ", ".join(field["values"])
    return None


def claim_facts(claim: dict[str, Any]) -> dict[str, Any]:
    """Structured summary of a claim: allocated, devices, node, reserved for, requests."""
    status = claim.get("status") or {}
    reserved = [
        f"{r.get('resource', '?')}/{r.get('name', '?')}" for r in status.get("reservedFor") or []
    ]
    return {
        "allocated": bool(status.get("allocation")),
        "devices": claim_devices(claim),
        "node": claim_node(claim),
        "reserved_for": reserved,
        "requests": requests_text((claim.get("spec") or {}).get("devices") or {}),
    }


def claim_text(claim: dict[str, Any]) -> str:
    """`allocated 4 devices (gpu.nvidia.com gpu-node-3: gpu-0, gpu-1) on node X; reserved for
    pods/p` or `NOT allocated (pending); asks for ...`."""
    facts = claim_facts(claim)
    if not facts["allocated"]:
        return f"NOT allocated (pending); asks for {facts['requests'] or 'no devices'}"
    text = f"allocated {len(facts['devices'])} devices ({devices_text(facts['devices'])})"
    if facts["node"]:
        text += f" on node {facts['node']}"
    reserved = ", ".join(facts["reserved_for"]) or "nobody (not in use)"
    return f"{text}; reserved for {reserved}"


def devices_text(devices: list[dict[str, str]]) -> str:
    """Devices grouped by driver and pool: `gpu.nvidia.com gpu-node-3: gpu-0, gpu-1`."""
    groups: dict[tuple[str, str], list[str]] = {}
    for device in devices:
        groups.setdefault((device["driver"], device["pool"]), []).append(device["device"])
    return "; ".join(
        f"{driver} {pool}: {', '.join(names)}" for (driver, pool), names in groups.items()
    )


def requests_text(devices: dict[str, Any]) -> str:
    """What a claim spec asks for: `gpus: 4 x gpu.nvidia.com where <cel>`."""
    parts = []
    for request in devices.get("requests") or []:
        exactly = request.get("exactly") or request
        if request.get("firstAvailable"):
            choices = " | ".join(
                f"{sub.get('count', 1)} x {sub.get('deviceClassName', '?')}"
                for sub in request["firstAvailable"]
            )
            parts.append(f"{request.get('name', '?')}: first available of {choices}")
            continue
        mode = exactly.get("allocationMode", "ExactCount")
        count = "all" if mode == "All" else str(exactly.get("count", 1))
        text = f"{request.get('name', '?')}: {count} x {exactly.get('deviceClassName', '?')}"
        selectors = [
            (s.get("cel") or {}).get("expression", "") for s in exactly.get("selectors") or []
        ]
        if any(selectors):
            text += " where " + " && ".join(s for s in selectors if s)
        if exactly.get("adminAccess"):
            text += " (admin access)"
        parts.append(text)
    return "; ".join(parts)


def slice_devices(resource_slice: dict[str, Any]) -> list[dict[str, Any]]:
    """Devices a slice publishes: name, model, memory, taints."""
    found = []
    for listed in (resource_slice.get("spec") or {}).get("devices") or []:
        device = device_fields(listed)
        memory = ((device.get("capacity") or {}).get("memory") or {}).get("value", "")
        taints = [
            f"{t.get('key')}={t.get('value', '')}:{t.get('effect', '')}"
            for t in device.get("taints") or []
        ]
        found.append(
            {
                "name": device.get("name", ""),
                "model": attribute(device, "productName"),
                "type": attribute(device, "type"),
                "memory": str(memory),
                "taints": taints,
            }
        )
    return found


def slice_text(resource_slice: dict[str, Any]) -> str:
    """`driver gpu.nvidia.com, node gpu-node-3, pool gpu-node-3 gen 3: 4 devices (4 x NVIDIA
    H100), tainted: gpu-2 gpu.nvidia.com/xid=79:NoSchedule`."""
    spec = resource_slice.get("spec") or {}
    devices = slice_devices(resource_slice)
    pool = spec.get("pool") or {}
    where = spec.get("nodeName") or ("all nodes" if spec.get("allNodes") else "node selector")
    models: dict[str, int] = {}
    for device in devices:
        model = device["model"] or device["type"] or "?"
        models[model] = models.get(model, 0) + 1
    text = (
        f"driver {spec.get('driver', '?')}, node {where}, pool {pool.get('name', '?')} "
        f"generation {pool.get('generation', '?')}: {len(devices)} devices ("
        + ", ".join(f"{n} x {m}" for m, n in models.items())
        + ")"
    )
    tainted = [f"{d['name']} {' '.join(d['taints'])}" for d in devices if d["taints"]]
    if tainted:
        text += "; tainted devices: " + "; ".join(tainted)
    return text


def device_class_text(device_class: dict[str, Any]) -> str:
    """Selectors and extended resource name of a DeviceClass."""
    spec = device_class.get("spec") or {}
    selectors = [(s.get("cel") or {}).get("expression", "") for s in spec.get("selectors") or []]
    text = "selects " + (" && ".join(s for s in selectors if s) or "every device")
    if spec.get("extendedResourceName"):
        text += f"; serves extended resource {spec['extendedResourceName']}"
    return text
