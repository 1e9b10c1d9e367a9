"""One DRA request alternative judged against the published devices, as the scheduler would.

The scheduler's allocator (k8s.io/dynamic-resource-allocation/structured) allocates a claim on
one node: the devices of that node's slices plus network-attached ones (slices with a node
selector or `allNodes`). A device serves a request when it passes the DeviceClass's selectors,
then the request's, and has the requested capacity; it is free unless another claim holds it
(admin access ignores holders) or it carries a NoSchedule/NoExecute taint the request does not
tolerate. `ExactCount` needs `count` free devices on one node; `All` needs every matching device
of a node, at least one, all free. A selector that fails to evaluate is an allocation error
(`class X: selector #0: CEL runtime error`), reported with the expression and the reason;
syntax that cel-go accepts but this evaluator cannot parse (optional fields `a.?b`) leaves the
request `unjudged` rather than blaming the selector.
Used by the dra module.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from holmes.agent.engine.rules.gpu.dra_cel import compare_to, quantity
from holmes.agent.engine.rules.gpu.dra_devices import SelectorCache, device_variables
from holmes.tools.facts import NO_SCHEDULE_EFFECTS, tolerated
from holmes.tools.facts.dra_layout import device_fields


class Device(BaseModel):
    """A published device: its slice entry, driver, pool and node ("" = network-attached)."""

    model_config = ConfigDict(frozen=True)

    raw: dict[str, Any]
    driver: str
    pool: str
    node: str

    @property
    def name(self) -> str:
        """The device's name in its pool."""
        return str(self.raw.get("name", ""))


def _passes(
    selectors: list[str], device: Device, errors: dict[str, list[str]], cache: SelectorCache
) -> bool:
    """All selectors select the device; a failing one is recorded in `errors` (expression ->
    reasons) and does not select."""
    for expression in selectors:
        selection = cache.evaluate(expression, device.driver, device.raw)
        if selection.error:
            reasons = errors.setdefault(expression, [])
            if selection.error not in reasons:
                reasons.append(selection.error)
            return False
        if not selection.selected:
            return False
    return True


def _unsupported(errors: dict[str, list[str]]) -> bool:
    """Whether a failure is syntax Kubernetes' cel-go accepts but this evaluator does not (the
    optional field syntax `a.?b`, `m[?k]`): not a fault of the selector."""
    return any("unsupported syntax" in reason for reasons in errors.values() for reason in reasons)


def _has_capacity(device: Device, wanted: dict[str, Any]) -> bool:
    """The device offers at least the requested amount of each capacity (consumable capacity)."""
    if not wanted:
        return True
    offered = device_variables(device.driver, device.raw)["capacity"]
    for name, amount in wanted.items():
        domain, _, short = str(name).rpartition("/")
        have = (offered.get(domain or device.driver) or {}).get(short)
        try:
            if have is None or compare_to(have, quantity(str(amount))) < 0:
                return False
        except (TypeError, ValueError):
            return False
    return True


def _state(device: Device, request: dict[str, Any], taken: dict[tuple[str, str, str], str]) -> str:
    """`free`, `tainted` or the `namespace/claim` holding the device."""
    holder = taken.get((device.driver, device.pool, device.name))
    if holder and not request.get("admin"):
        return holder
    for taint in device_fields(device.raw).get("taints") or []:
        if taint.get("effect") in NO_SCHEDULE_EFFECTS and not tolerated(
            request.get("tolerations"), taint
        ):
            return "tainted"
    return "free"


def _best_node(matching: list[Device], states: list[str], mode: str) -> tuple[str, int, int]:
    """(node, free matching devices there, matching devices there) of the node that comes
    closest to serving the request; network-attached devices count on every node."""
    by_node: dict[str, list[str]] = {}
    for device, state in zip(matching, states, strict=True):
        by_node.setdefault(device.node, []).append(state)
    shared = by_node.pop("", [])
    candidates = [
        (node, (here + shared).count("free"), len(here) + len(shared))
        for node, here in sorted(by_node.items())
    ] or [("", shared.count("free"), len(shared))]
    if mode == "All":  # every matching device of the node must be free
        return max(candidates, key=lambda c: (c[2] > 0 and c[1] == c[2], c[1]))
    return max(candidates, key=lambda c: c[1])


def judge_choice(
    request: dict[str, Any],
    known: bool,
    class_selectors: list[str],
    devices: list[Device],
    taken: dict[tuple[str, str, str], str],
    cache: SelectorCache | None = None,
) -> dict[str, Any]:
    """One request alternative judged: counts, holders, errors and a verdict."""
    cache = cache or SelectorCache()
    errors: dict[str, list[str]] = {}
    in_class = [d for d in devices if known and _passes(class_selectors, d, errors, cache)]
    matching = [
        d
        for d in in_class
        if _passes(request["selectors"], d, errors, cache) and _has_capacity(d, request["capacity"])
    ]
    states = [_state(d, request, taken) for d in matching]
    holders: dict[str, int] = {}
    for state in states:
        if state not in ("free", "tainted"):
            holders[state] = holders.get(state, 0) + 1
    node, free_there, all_there = _best_node(matching, states, request["mode"])
    wanted = all_there if request["mode"] == "All" else request["count"]
    satisfied = bool(matching) and free_there >= max(wanted, 1)
    if not known:
        verdict = "missing-class"
    elif errors and not satisfied and _unsupported(errors):
        verdict = "unjudged"  # our CEL cannot read it; Kubernetes may: no conclusion
    elif errors and not satisfied:
        verdict = "selector-error"
    elif not matching:
        verdict = "no-match"
    elif not satisfied:
        verdict = "all-allocated"
    else:
        verdict = "enough-free"
    return {
        **request,
        "class_exists": known,
        "class_selectors": class_selectors,
        "in_class": len(in_class),
        "in_class_devices": in_class,
        "matching": len(matching),
        "free": states.count("free"),
        "free_on_node": free_there,
        "node": node,
        "tainted": states.count("tainted"),
        # Where the tainted devices are: the node a causal chain investigates next.
        "tainted_nodes": sorted(
            {d.node for d, state in zip(matching, states, strict=True) if state == "tainted"} - {""}
        ),
        "wanted": wanted,
        "holders": [f"{ref} ({n})" for ref, n in holders.items()],
        "held": sum(holders.values()),
        "errors": [f"{e}: {'; '.join(r)}" for e, r in errors.items()],
        "verdict": verdict,
        "choices": [],
    }
