"""DRA objects of `resource.k8s.io/v1`, `v1beta2` and `v1beta1` read in one layout (v1's).

Clusters serve the version they have: 1.32 only `v1beta1`, 1.33 adds `v1beta2`, 1.34 adds `v1`
(reference/kubernetes.md, section a). The versions differ in two places that matter here:

- v1beta1 ResourceSlice devices nest their attributes, capacity, taints... under `basic:`;
  v1beta2 and v1 hold them on the device itself.
- v1beta1 claim requests carry `deviceClassName`, `selectors`, `allocationMode`, `count`,
  `adminAccess`, `tolerations` directly; v1beta2 and v1 wrap them in `exactly:`. All three put
  alternatives in `firstAvailable`.
- v1alpha3/v1beta1 capacity may be a bare quantity; v1beta2/v1 always `{value: ...}`.

`normalized` returns a copy in the v1 layout (apiVersion kept, so the source version is still
known); the DRA facts of the tools and the DRA runbook functions read only that layout.
"""

from __future__ import annotations

import copy
from typing import Any

DRA_GROUP = "resource.k8s.io"
# Newest first: the order in which a version is preferred when several are served.
DRA_VERSIONS = ("v1", "v1beta2", "v1beta1")

# The fields of a v1beta1 request that v1 moved under `exactly`.
_EXACT_FIELDS = (
    "deviceClassName",
    "selectors",
    "allocationMode",
    "count",
    "adminAccess",
    "tolerations",
    "capacity",
)


def normalized(obj: Any) -> dict[str, Any]:
    """A DRA object (DeviceClass, ResourceClaim, ResourceClaimTemplate, ResourceSlice) of any
    served version in the v1 layout; anything else is returned as a copy, unchanged."""
    if not isinstance(obj, dict):
        return {}
    result = copy.deepcopy(obj)
    kind = result.get("kind")
    spec = result.get("spec")
    if not isinstance(spec, dict):
        return result
    if kind == "ResourceSlice":
        spec["devices"] = [
            device_fields(d) for d in spec.get("devices") or [] if isinstance(d, dict)
        ]
    elif kind == "ResourceClaimTemplate" or (kind != "ResourceClaim" and "spec" in spec):
        inner = spec.get("spec")
        if isinstance(inner, dict):
            _normalize_claim_spec(inner)
    else:
        _normalize_claim_spec(spec)
    return result


def device_fields(device: dict[str, Any]) -> dict[str, Any]:
    """A slice device with v1beta1's `basic:` fields lifted onto it and capacity as
    `{value: ...}`."""
    flat = {key: value for key, value in device.items() if key != "basic"}
    basic = device.get("basic")
    if isinstance(basic, dict):
        for key, value in basic.items():
            flat.setdefault(key, value)
    capacity = flat.get("capacity")
    if isinstance(capacity, dict):
        flat["capacity"] = {
            name: value if isinstance(value, dict) else {"value": value}
            for name, value in capacity.items()
        }
    return flat


def request_choices(request: dict[str, Any]) -> list[dict[str, Any]]:
    """The alternatives of a (normalized) request: its `firstAvailable` sub-requests in order,
    or its one `exactly` request."""
    if request.get("firstAvailable"):
        return [c for c in request["firstAvailable"] if isinstance(c, dict)]
    return [request.get("exactly") or {}]


def _normalize_claim_spec(claim_spec: dict[str, Any]) -> None:
    devices = claim_spec.get("devices")
    if not isinstance(devices, dict):
        return
    requests = []
    for request in devices.get("requests") or []:
        if not isinstance(request, dict):
            continue
        if "exactly" in request or "firstAvailable" in request:
            requests.append(request)
            continue
        exact = {key: request[key] for key in _EXACT_FIELDS if key in request}
        rest = {key: value for key, value in request.items() if key not in _EXACT_FIELDS}
        requests.append({**rest, "exactly": exact})
    devices["requests"] = requests


def attribute(device: dict[str, Any], name: str) -> str:
    """A device attribute's value (`productName`, or qualified `gpu.nvidia.com/productName`)."""
    attributes = device.get("attributes") or {}
    value = attributes.get(name) or attributes.get(name.rsplit("/", 1)[-1]) or {}
    for kind in ("string", "version", "int", "bool"):
        if kind in value:
            return str(value[kind])
    for kind in ("strings", "versions", "ints", "bools"):  # list-valued attributes (gated)
        if isinstance(value.get(kind), list):
            return ", ".join(str(item) for item in value[kind])
    return ""
