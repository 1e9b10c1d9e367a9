"""DRA devices as a CEL selector sees them, and the selectors evaluated as the scheduler does.

A ResourceSlice device (any served version, read through dra_layout) becomes the `device`
variable: driver, attributes and capacity by domain, `version` attributes as semver values,
capacities as quantities, list-valued attributes as lists, and every domain the expression
names present (an unknown domain is an empty map, as in Kubernetes). A DeviceClass's or
request's selector is evaluated with Kubernetes' CEL libraries (dra_cel). An expression that
fails (a missing attribute, a type error, a syntax error) is an error, as it is for the
scheduler, which then cannot allocate the claim: `dra_evaluate` says which and why.
"""

from __future__ import annotations

import re
from typing import Any

import cel
from pydantic import BaseModel

from holmes.agent.engine.rules.gpu.dra_cel import CelError, context, quantity, run, semver_of
from holmes.tools.facts.dra_layout import attribute, device_fields

# `device.attributes["gpu.nvidia.com"]` / `device.capacity['x']`: the domains an expression names.
_DOMAIN = re.compile(r"device\.(attributes|capacity)\[\s*['\"]([^'\"]+)['\"]\s*\]")
_SCALARS = ("string", "int", "bool", "version")
_LISTS = {"strings": "string", "ints": "int", "bools": "bool", "versions": "version"}


class Selection(BaseModel):
    """A selector judged on one device: selected, or the evaluation failed with `error`."""

    selected: bool
    error: str = ""


def _attribute_value(value: Any) -> Any:
    if not isinstance(value, dict):
        return None
    for kind in _SCALARS:
        if kind in value:
            return _typed(kind, value[kind])
    for kind, item_kind in _LISTS.items():
        if isinstance(value.get(kind), list):
            return [_typed(item_kind, item) for item in value[kind]]
    return None


def _typed(kind: str, raw: Any) -> Any:
    if kind != "version":
        return raw
    try:
        return semver_of(str(raw))
    except ValueError:
        return str(raw)  # the API server validates versions; keep what was recorded


def _capacity_value(value: Any) -> Any:
    raw = value.get("value") if isinstance(value, dict) else value
    try:
        return quantity(str(raw))
    except ValueError:
        return str(raw)


def device_variables(driver: str, device: dict[str, Any], expression: str = "") -> dict[str, Any]:
    """A ResourceSlice device as the `device` a DRA CEL selector sees."""
    device = device_fields(device)
    attributes: dict[str, dict[str, Any]] = {}
    for name, value in (device.get("attributes") or {}).items():
        domain, _, short = name.rpartition("/")
        typed = _attribute_value(value)
        if typed is not None:
            attributes.setdefault(domain or driver, {})[short] = typed
    capacity: dict[str, dict[str, Any]] = {}
    for name, value in (device.get("capacity") or {}).items():
        domain, _, short = name.rpartition("/")
        capacity.setdefault(domain or driver, {})[short] = _capacity_value(value)
    for _, domain in _DOMAIN.findall(expression):
        attributes.setdefault(domain, {})
        capacity.setdefault(domain, {})
    return {
        "driver": driver,
        "attributes": attributes,
        "capacity": capacity,
        "allowMultipleAllocations": bool(device.get("allowMultipleAllocations")),
    }


class SelectorCache:
    """Selectors evaluated on devices, each device's CEL context built once (a diagnosis
    evaluates several selectors on every published device)."""

    def __init__(self) -> None:
        self._contexts: dict[tuple[int, tuple[str, ...]], cel.Context] = {}

    def evaluate(self, expression: str, driver: str, device: dict[str, Any]) -> Selection:
        """Whether the selector selects the device, or why its evaluation failed."""
        # Keyed by the device dict's identity: the caller keeps the devices alive meanwhile.
        key = (id(device), tuple(sorted({domain for _, domain in _DOMAIN.findall(expression)})))
        ctx = self._contexts.get(key)
        if ctx is None:
            ctx = context({"device": device_variables(driver, device, expression)})
            self._contexts[key] = ctx
        try:
            result = run(expression, ctx)
        except CelError as error:
            return Selection(selected=False, error=error.reason)
        if not isinstance(result, bool):
            return Selection(selected=False, error=f"result is {type(result).__name__}, not bool")
        return Selection(selected=result)


def dra_evaluate(expression: str, driver: str, device: dict[str, Any]) -> Selection:
    """Whether a DRA CEL selector selects a slice device, or why its evaluation failed."""
    return SelectorCache().evaluate(expression, driver, device)


def dra_selects(expression: str, driver: str, device: dict[str, Any]) -> bool:
    """Whether a DRA CEL selector selects a slice device (False when it fails)."""
    return dra_evaluate(expression, driver, device).selected


def cel_selectors(spec: dict[str, Any]) -> list[str]:
    """The CEL expressions of a DeviceClass's or a request's `selectors`."""
    return [
        str((s.get("cel") or {}).get("expression"))
        for s in spec.get("selectors") or []
        if (s.get("cel") or {}).get("expression")
    ]


def device_models(devices: list[tuple[dict[str, Any], str, str]]) -> list[str]:
    """`2 x NVIDIA H100 80GB HBM3 (81559Mi)`: the models of (device, driver, pool) triples."""
    counts: dict[str, int] = {}
    for listed, _, _ in devices:
        device = device_fields(listed)
        model = attribute(device, "productName") or attribute(device, "type") or device.get("name")
        memory = (device.get("capacity") or {}).get("memory")
        shown = str(model)
        if isinstance(memory, dict) and memory.get("value"):
            shown += f" ({memory['value']})"
        counts[shown] = counts.get(shown, 0) + 1
    return [f"{n} x {m}" for m, n in counts.items()]
