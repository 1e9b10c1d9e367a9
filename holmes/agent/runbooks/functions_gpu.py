"""CEL functions for the gpu runbooks (registered on import by the loader); pure functions.

GPU helpers read the `data.gpus` list of `prometheus_gpu_health` (one dict per GPU: node, gpu,
pods, readings, xid {code, info {cause, drain, action...}, since}, clock_reasons, findings...):
which GPUs belong to the subject, which have a hardware fault, an application Xid, a thermal
throttle, and how to name them in a sentence ("GPUs 4-7 on node-a").

DRA helpers read raw `resource.k8s.io/v1` objects as `kubernetes_get` returns them (a claim or
a claim template, the ResourceSlices, the other claims) and the `kubernetes_list` items of the
DeviceClasses, and say why a claim cannot be allocated: its DeviceClass does not exist, no
published device passes the class's and the request's CEL selectors, or every device that does
is already allocated to other claims (or tainted). Selectors are evaluated with CEL as the
scheduler does, with `quantity()`, `semver()` and `compareTo`/`isGreaterThan`/`isLessThan`.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

import cel

from holmes.agent.runbooks.expressions import register
from holmes.tools.prometheus.gpu_state import is_concerning

# Xid causes (holmes.tools.prometheus.dcgm) that put the fault on the GPU, its memory or its
# firmware rather than on the program that ran on it.
HARDWARE_CAUSES = ("hardware", "driver")
# Tool finding kinds that are a hardware fault with or without an Xid.
HARDWARE_FINDINGS = ("ecc", "row_remap", "retired_pages", "stopped")
# CUDA error lines, most telling first: the one a runbook quotes.
_CUDA_LINES = (
    r"uncorrectable ECC",
    r"OutOfMemoryError|CUDA out of memory|out of memory.*(GPU|CUDA|device)",
    r"illegal memory access|illegal address|misaligned address|device-side assert",
    r"fallen off the bus|GPU is lost|no CUDA-capable device",
    r"\bXid\b",
    r"unspecified launch failure|CUDA error|cudaError|CUBLAS_STATUS|NCCL (WARN|error)",
)


def _ref(pod: Any) -> str:
    return str(pod or "")


def gpu_scope(gpus: Any, subject: Any, pods: Any) -> list[dict[str, Any]]:
    """The GPUs of `gpus` that belong to the subject.

    A GPU belongs when a pod of the subject holds it, when it is on a node the question or
    alert names (and is the GPU index the alert names, if any), or, when the exporter does not
    say which pod holds a GPU, when it is on the node of a described subject pod. A subject
    that names nothing (cluster scope) owns every GPU; a namespace scope owns its pods' GPUs.
    """
    subject = subject if isinstance(subject, dict) else {}
    refs = {f"{p.get('namespace')}/{p.get('name')}" for p in subject.get("pods") or []}
    refs |= {str(p.get("name")) for p in pods or [] if isinstance(p, dict)}
    nodes = {str(n) for n in subject.get("nodes") or []}
    pod_nodes = {str(p.get("node")) for p in pods or [] if isinstance(p, dict) and p.get("node")}
    index = subject.get("gpu")
    namespace = subject.get("namespace")
    scope = subject.get("scope")

    def belongs(gpu: dict[str, Any]) -> bool:
        held = [_ref(p) for p in gpu.get("pods") or []]
        node = gpu.get("node")
        checks = (
            any(p in refs for p in held),
            node in nodes and (index in (None, "") or str(gpu.get("gpu")) == str(index)),
            not held and node in pod_nodes,
            scope == "cluster" and not refs and not nodes,
            scope == "namespace"
            and bool(namespace)
            and not refs
            and any(p.startswith(f"{namespace}/") for p in held),
        )
        return any(checks)

    found = [gpu for gpu in gpus or [] if isinstance(gpu, dict) and belongs(gpu)]
    return found


def _xid(gpu: dict[str, Any]) -> dict[str, Any]:
    xid = gpu.get("xid")
    return xid if isinstance(xid, dict) and xid.get("current", True) else {}


def _kinds(gpu: dict[str, Any]) -> set[str]:
    return {
        f.get("kind")
        for f in gpu.get("findings") or []
        if f.get("severity") in ("critical", "warning")
    }


def gpu_hardware(gpus: Any) -> list[dict[str, Any]]:
    """GPUs with a hardware fault: a hardware or driver Xid, uncorrectable ECC errors, a row
    remap pending or failed, pages pending retirement, or a GPU that stopped reporting.
    Those with a fatal (drain) Xid come first."""
    found = []
    for gpu in gpus or []:
        info = _xid(gpu).get("info") or {}
        if info.get("cause") in HARDWARE_CAUSES or _kinds(gpu) & set(HARDWARE_FINDINGS):
            found.append(gpu)
    return sorted(found, key=lambda g: not (_xid(g).get("info") or {}).get("drain", False))


def gpu_application(gpus: Any) -> list[dict[str, Any]]:
    """GPUs whose current Xid blames the application (13, 31, 43, ...), with no hardware fault."""
    hardware = gpu_hardware(gpus)
    return [
        gpu
        for gpu in gpus or []
        if (_xid(gpu).get("info") or {}).get("cause") == "application" and gpu not in hardware
    ]


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


def _ranges(indices: list[str]) -> str:
    numbers = sorted({int(i) for i in indices if str(i).isdigit()})
    others = [i for i in indices if not str(i).isdigit()]
    parts: list[str] = []
    start = prev = None
    for number in numbers:
        if start is None:
            start = prev = number
        elif number == prev + 1:
            prev = number
        else:
            parts.append(f"{start}-{prev}" if prev != start else str(start))
            start = prev = number
    if start is not None:
        parts.append(f"{start}-{prev}" if prev != start else str(start))
    return ", ".join(parts + others)


def gpu_names(gpus: Any) -> str:
    """`GPU 2 on gpu-node-3`, `GPUs 4-7 on node-a and GPU 1 on node-b`."""
    by_node: dict[str, list[str]] = {}
    for gpu in gpus or []:
        by_node.setdefault(str(gpu.get("node")), []).append(str(gpu.get("gpu")))
    parts = []
    for node, indices in by_node.items():
        label = "GPU" if len(indices) == 1 else "GPUs"
        parts.append(f"{label} {_ranges(indices)} on {node}")
    return " and ".join(parts)


def gpu_nodes(gpus: Any) -> list[str]:
    """The nodes of `gpus`, each once."""
    return list(dict.fromkeys(str(g.get("node")) for g in gpus or []))


def gpu_pods(gpus: Any) -> list[str]:
    """The pods (`namespace/name`) holding `gpus`, each once."""
    return list(dict.fromkeys(_ref(p) for g in gpus or [] for p in g.get("pods") or []))


def gpu_finding(gpu: Any, kind: str) -> str:
    """The text of the tool's finding of `kind` on one GPU ("" if none)."""
    for finding in (gpu or {}).get("findings") or []:
        if finding.get("kind") == kind:
            return str(finding.get("text") or "")
    return ""


def gpu_findings(gpu: Any) -> list[str]:
    """The texts of the critical and warning findings of one GPU."""
    return [
        str(f.get("text"))
        for f in (gpu or {}).get("findings") or []
        if f.get("severity") in ("critical", "warning")
    ]


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


def cuda_error_line(text: Any) -> str:
    """The most telling CUDA/GPU error line of a log ("" when there is none)."""
    lines = [line.strip() for line in str(text or "").splitlines() if line.strip()]
    for pattern in _CUDA_LINES:
        regex = re.compile(pattern, re.IGNORECASE)
        hits = [line for line in lines if regex.search(line)]
        if hits:
            hit = re.sub(r"^L\d+(-L\d+)?:\s*", "", hits[-1] if "NCCL" in pattern else hits[0])
            return clip(hit, 400)
    return ""


def clip(text: Any, size: int) -> str:
    """`text` cut to `size` characters, with "..." when it was longer."""
    text = str(text or "")
    return text if len(text) <= int(size) else text[: max(0, int(size) - 3)] + "..."


def split_ref(ref: Any) -> dict[str, str]:
    """`namespace/name` as `{namespace, name}`."""
    namespace, _, name = str(ref or "").rpartition("/")
    return {"namespace": namespace, "name": name}


def mib_text(value: Any) -> str:
    """MiB (as DCGM reports framebuffer) the way a person reads it: 79.9 GiB, 512 MiB."""
    number = float(value or 0)
    return f"{number / 1024:.1f} GiB" if number >= 1024 else f"{number:.0f} MiB"


# --- DRA ---------------------------------------------------------------------------------------


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


def _selectors(spec: dict[str, Any]) -> list[str]:
    return [
        str((s.get("cel") or {}).get("expression"))
        for s in spec.get("selectors") or []
        if (s.get("cel") or {}).get("expression")
    ]


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
                    "selectors": _selectors(choice),
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


def _models(devices: list[tuple[dict[str, Any], str, str]]) -> list[str]:
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
        class_selectors = _selectors(class_specs.get(request["class"]) or {})
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
                "class_models": _models(in_class),
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
        "models": _models(devices),
        "nodes": nodes,
    }


for _name, _function in {
    "gpu_scope": gpu_scope,
    "gpu_hardware": gpu_hardware,
    "gpu_application": gpu_application,
    "gpu_throttled": gpu_throttled,
    "gpu_bad_reasons": gpu_bad_reasons,
    "gpu_names": gpu_names,
    "gpu_nodes": gpu_nodes,
    "gpu_pods": gpu_pods,
    "gpu_finding": gpu_finding,
    "gpu_findings": gpu_findings,
    "gpu_reading": gpu_reading,
    "gpu_max": gpu_max,
    "cuda_error_line": cuda_error_line,
    "clip": clip,
    "split_ref": split_ref,
    "mib_text": mib_text,
    "dra_pending": dra_pending,
    "dra_diagnose": dra_diagnose,
}.items():
    register(_name, _function)
