"""Kubernetes resource quantities: one parser and one way to print them.

`kubernetes.utils.parse_quantity` does the parsing (the client library's, exact in `Decimal`);
these helpers fix what an unreadable or unset value means (0) and how an amount is shown.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

_BINARY_UNITS = (("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10))
_BYTE_RESOURCES = ("memory", "ephemeral-storage", "storage")


def quantity(value: Any) -> Decimal:
    """A Kubernetes quantity ("500m", "1Gi", "4") as an exact number; 0 when unset or unreadable."""
    if value in (None, ""):
        return Decimal(0)
    from kubernetes.utils import parse_quantity  # the client library is slow to import

    try:
        return Decimal(parse_quantity(str(value)))
    except (ValueError, TypeError, ArithmeticError):
        return Decimal(0)


def quantity_number(value: Any) -> float:
    """`quantity(value)` as a float (bytes, cores, a count), for arithmetic in rules."""
    return float(quantity(value))


def _number(value: Any) -> Decimal | float:
    """An exact sum stays a Decimal; anything else (a CEL number) is read as a float."""
    return value if isinstance(value, Decimal) else float(value or 0)


def format_bytes(value: Any, bare_suffix: str = "B") -> str:
    """A byte count the way a person reads it: 2Gi, 512Mi, 6.5Gi; below 1Ki `<n><bare_suffix>`."""
    number = _number(value)
    for unit, size in _BINARY_UNITS:
        if number >= size:
            return f"{number / size:.1f}".rstrip("0").rstrip(".") + unit
    return f"{number:.0f}{bare_suffix}"


def is_byte_resource(resource: str) -> bool:
    """Whether a resource is counted in bytes (memory, storage, hugepages-*)."""
    return resource in _BYTE_RESOURCES or resource.startswith("hugepages")


def format_amount(resource: str, value: Any) -> str:
    """An amount of `resource` as people write it: `48Gi` of memory, `8` GPUs, `2.5` cores."""
    number = _number(value)
    if is_byte_resource(resource):
        return format_bytes(number, bare_suffix="")
    if number == int(number):
        return str(int(number))
    return f"{number:.2f}".rstrip("0").rstrip(".")


def format_summed(resource: str, value: Decimal) -> str:
    """A summed quantity as `kubectl describe node` shows it: millicores below one core."""
    if resource == "cpu":
        return f"{value * 1000:.0f}m" if value < 1 else f"{value.normalize():f}"
    if is_byte_resource(resource):
        return format_bytes(value, bare_suffix="")
    return f"{value.normalize():f}"
