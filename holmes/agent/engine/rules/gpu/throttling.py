"""GPU throttling: which GPUs run slowed by a worrying clock-event reason (thermal, hardware
slowdown, power brake), which reasons, and the DCGM readings that show it.

Power capping under load is normal and does not count (`is_concerning` of
holmes.tools.facts.dcgm decides). Listed in `FUNCTIONS`; called by the
gpu-throttling runbook (and `gpu_max` by cuda-oom).
"""

from __future__ import annotations

from typing import Any

from holmes.tools.facts.dcgm import is_concerning


def gpu_throttled(gpus: Any) -> list[dict[str, Any]]:
    """GPUs whose clock-event reasons include a worrying one (thermal, hw slowdown, brake)."""
    return [g for g in gpus or [] if any(is_concerning(r) for r in g.get("clock_reasons") or [])]


def gpu_bad_reasons(gpus: Any) -> list[str]:
    """The worrying clock-event reasons of `gpus`, each once, in order."""
    found: list[str] = []
    for gpu in gpus or []:
        for reason in gpu.get("clock_reasons") or []:
            if is_concerning(reason) and reason not in found:
                found.append(reason)
    return found


def gpu_reading(gpus: Any, metric: str, how: str) -> float | None:
    """`min`, `max` of one DCGM reading over `gpus` (None when none reports it)."""
    values = [g["readings"][metric] for g in gpus or [] if metric in (g.get("readings") or {})]
    if not values:
        return None
    return float(min(values) if how == "min" else max(values))


def gpu_max(values: Any) -> float | None:
    """The largest number of a list (None when it is empty)."""
    numbers = [float(v) for v in values or [] if isinstance(v, int | float)]
    return max(numbers) if numbers else None


# The CEL functions of this module, by the name runbooks call them (`builtin.py` registers them).
FUNCTIONS = {
    "gpu.throttled": gpu_throttled,
    "gpu.bad_reasons": gpu_bad_reasons,
    "gpu.reading": gpu_reading,
    "gpu.max": gpu_max,
}
