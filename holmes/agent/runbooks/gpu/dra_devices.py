"""DRA devices as a CEL selector sees them, and the selectors evaluated as the scheduler does.

A ResourceSlice device becomes the `device` variable (driver, attributes and capacity by
domain) and a DeviceClass's or request's CEL selector is evaluated on it, with `quantity()`,
`semver()` and `compareTo`/`isGreaterThan`/`isLessThan`; an error (a missing attribute) means
the device is not selected. Used by the dra module.
"""

from __future__ import annotations

import re
from typing import Any

import cel


def _quantity_number(value: Any) -> float:
    from kubernetes.utils import parse_quantity

    try:
        return float(parse_quantity(str(value)))
    except (ValueError, TypeError):
        return 0.0


def _version(value: Any) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", str(value))[:3])


def _compare(left: Any, right: Any) -> int:
    if isinstance(left, str) or isinstance(right, str):
        a, b = _version(left), _version(right)
    else:
        a, b = float(left), float(right)
    return (a > b) - (a < b)


_DRA_FUNCTIONS = {
    "quantity": _quantity_number,
    "semver": lambda value, *_: str(value),
    "compareTo": _compare,
    "isGreaterThan": lambda a, b: _compare(a, b) > 0,
    "isLessThan": lambda a, b: _compare(a, b) < 0,
    "asInteger": lambda a: int(float(a)),
    "asApproximateFloat": lambda a: float(a),
    "isQuantity": lambda a: True,
    "isSemver": lambda *a: True,
}


def _device_variables(driver: str, device: dict[str, Any]) -> dict[str, Any]:
    """A ResourceSlice device as the `device` a DRA CEL selector sees."""
    attributes: dict[str, dict[str, Any]] = {}
    for name, value in (device.get("attributes") or {}).items():
        domain, _, short = name.rpartition("/")
        domain = domain or driver
        for kind in ("string", "int", "bool", "version"):
            if isinstance(value, dict) and kind in value:
                attributes.setdefault(domain, {})[short] = value[kind]
    capacity: dict[str, dict[str, Any]] = {}
    for name, value in (device.get("capacity") or {}).items():
        domain, _, short = name.rpartition("/")
        raw = value.get("value") if isinstance(value, dict) else value
        capacity.setdefault(domain or driver, {})[short] = _quantity_number(raw)
    return {
        "driver": driver,
        "attributes": attributes,
        "capacity": capacity,
        "allowMultipleAllocations": bool(device.get("allowMultipleAllocations")),
    }


def dra_selects(expression: str, driver: str, device: dict[str, Any]) -> bool:
    """Whether a DRA CEL selector selects a slice device (an error, e.g. a missing
    attribute, means it does not, as for the scheduler)."""
    try:
        program = cel.compile(expression)
        context = cel.Context(
            variables={"device": _device_variables(driver, device)}, functions=_DRA_FUNCTIONS
        )
        return program.execute(context) is True
    except (ValueError, RuntimeError, TypeError, KeyError, IndexError):
        return False


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
    for device, driver, _ in devices:
        attrs = _device_variables(driver, device)["attributes"]
        model = next(
            (str(a["productName"]) for a in attrs.values() if a.get("productName")), ""
        ) or next((str(a["type"]) for a in attrs.values() if a.get("type")), device.get("name"))
        memory = (device.get("capacity") or {}).get("memory")
        shown = model
        if isinstance(memory, dict) and memory.get("value"):
            shown += f" ({memory['value']})"
        counts[shown] = counts.get(shown, 0) + 1
    return [f"{n} x {m}" for m, n in counts.items()]
