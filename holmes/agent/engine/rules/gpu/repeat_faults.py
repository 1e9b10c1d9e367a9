"""GPUs that fail again and again: recurring Xids and memory errors over days, for RMA rather
than one more reset.

`gpu_fault_history(xid_results, reading_results, slices, taint_rules, claims)` reads
- a range query of `DCGM_FI_DEV_XID_ERRORS` over days (raw hourly points, one series per GPU,
  only the non-zero hours): the gauge holds the last Xid until a reset or reboot clears it, so
  each run of non-zero hours is one episode, and a change of code is a new one;
- instant queries tagged with a `reading` label (`dbe_new`: uncorrectable ECC errors counted in
  the window, `row_remap_failure`, `retired_pending`, `remapped_rows_new`);
- DRA: ResourceSlice device taints (the NVIDIA DRA driver taints a device `gpu.nvidia.com/xid`),
  DeviceTaintRules, and the per-device conditions drivers write in ResourceClaim
  `status.devices`.
A GPU is a repeat offender with two or more hardware Xid episodes, or a failed row remap, in
the window; it is for RMA with three episodes, with uncorrectable ECC errors beside its Xids,
or with a failed remap. Registered on import; called by the gpu-repeated-faults runbook.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from holmes.tools.facts.dcgm import xid_info

_HOST = ("Hostname", "hostname")
_UUID = ("UUID", "uuid", "gpu_uuid")
FAULT_CAUSES = ("hardware", "driver")


def _label(labels: dict[str, Any], names: tuple[str, ...]) -> str:
    return next((str(labels[n]) for n in names if labels.get(n)), "")


def _key(labels: dict[str, Any]) -> tuple[str, str]:
    return _label(labels, _HOST), str(labels.get("gpu") or "")


def _series(results: Any) -> list[dict[str, Any]]:
    found = []
    for result in results or []:
        if isinstance(result, dict) and result.get("ok"):
            found += [
                s for s in (result.get("data") or {}).get("series") or [] if isinstance(s, dict)
            ]
    return found


def _when(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M")


def episodes(points: list[Any], step: float = 3600.0) -> list[dict[str, Any]]:
    """Runs of one non-zero Xid code in `[[t, value], ...]`: `{code, start, end}` each. A
    zero, a change of code or a gap of more than 1.5 steps (a query that keeps only non-zero
    hours returns no point for the others) ends a run."""
    found: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for t, value in points or []:
        code = int(value) if isinstance(value, (int, float)) and not math.isnan(value) else 0
        if code <= 0 or code > 10_000:  # 0 = cleared; DCGM blanks are huge
            current = None
            continue
        gap = current is not None and float(t) - current["end"] > 1.5 * step
        if current is None or current["code"] != code or gap:
            current = {"code": code, "start": float(t), "end": float(t)}
            found.append(current)
        else:
            current["end"] = float(t)
    return found


def _episode_view(episode: dict[str, Any]) -> dict[str, Any]:
    info = xid_info(episode["code"])
    return {
        "code": episode["code"],
        "mnemonic": info.mnemonic,
        "cause": info.cause,
        "start": _when(episode["start"]),
        "day": _when(episode["start"])[:10],
        "text": f"Xid {episode['code']} ({info.mnemonic}) at {_when(episode['start'])} UTC",
    }


def _dra_taints(slices: list[Any], rules: list[Any]) -> dict[tuple[str, str], list[str]]:
    """Device taints by (node, GPU uuid or `gpu-N` device name)."""
    found: dict[tuple[str, str], list[str]] = {}
    for obj in slices:
        spec = obj.get("spec") or {}
        node = str(spec.get("nodeName") or (spec.get("pool") or {}).get("name") or "")
        for device in spec.get("devices") or []:
            texts = [_taint_text(t, "ResourceSlice") for t in device.get("taints") or []]
            if texts:
                for ref in _device_refs(device):
                    found.setdefault((node, ref), []).extend(texts)
    for rule in rules:
        spec = rule.get("spec") or {}
        selector = spec.get("deviceSelector") or {}
        device, pool = selector.get("device"), selector.get("pool")
        if device and pool:
            name = (rule.get("metadata") or {}).get("name", "")
            text = _taint_text(spec.get("taint") or {}, f"DeviceTaintRule {name}")
            found.setdefault((str(pool), str(device)), []).append(text)
    return found


def _device_refs(device: dict[str, Any]) -> list[str]:
    refs = [str(device.get("name") or "")]
    for key, value in (device.get("attributes") or {}).items():
        if key.rsplit("/", 1)[-1] == "uuid" and isinstance(value, dict) and value.get("string"):
            refs.append(str(value["string"]))
    return refs


def _taint_text(taint: dict[str, Any], source: str) -> str:
    value = f"={taint['value']}" if taint.get("value") else ""
    since = f" since {taint['timeAdded']}" if taint.get("timeAdded") else ""
    return f"{taint.get('key', '?')}{value}:{taint.get('effect', '?')} ({source}{since})"


def _claim_conditions(claims: list[Any]) -> dict[tuple[str, str], list[str]]:
    """Conditions that are not True in ResourceClaim status.devices, by (pool, device)."""
    found: dict[tuple[str, str], list[str]] = {}
    for claim in claims:
        name = (claim.get("metadata") or {}).get("name", "")
        for device in (claim.get("status") or {}).get("devices") or []:
            bad = [
                f"{c.get('type')} {c.get('status')} ({c.get('reason', '')}: {c.get('message', '')})"
                for c in device.get("conditions") or []
                if c.get("status") != "True"
            ]
            if bad:
                key = (str(device.get("pool") or ""), str(device.get("device") or ""))
                found.setdefault(key, []).extend(f"claim {name}: {b}" for b in bad)
    return found


def _gpu_view(
    labels: dict[str, Any],
    points: list[Any],
    readings: dict[tuple[str, str], dict[str, float]],
    taints: dict[tuple[str, str], list[str]],
    conditions: dict[tuple[str, str], list[str]],
) -> dict[str, Any]:
    node, gpu = _key(labels)
    uuid = _label(labels, _UUID)
    views = [_episode_view(e) for e in episodes(points)]
    faults = [v for v in views if v["cause"] in FAULT_CAUSES]
    read = readings.get((node, gpu), {})
    device = f"gpu-{gpu}"
    dra = list(dict.fromkeys(taints.get((node, uuid), []) + taints.get((node, device), [])))
    remap_failed = read.get("row_remap_failure", 0) > 0
    dbe = read.get("dbe_new", 0.0)
    return {
        "node": node,
        "gpu": gpu,
        "uuid": uuid,
        "model": str(labels.get("modelName") or labels.get("model_name") or ""),
        "name": f"GPU {gpu} ({uuid}) on {node}" if uuid else f"GPU {gpu} on {node}",
        "episodes": views,
        "fault_episodes": len(faults),
        "fault_days": sorted({v["day"] for v in faults}),
        "codes": sorted({v["code"] for v in faults}),
        "history": "; ".join(v["text"] for v in faults),
        "dbe_new": dbe,
        "row_remap_failure": remap_failed,
        "retired_pending": read.get("retired_pending", 0.0),
        "remapped_rows_new": read.get("remapped_rows_new", 0.0),
        "dra_taints": dra,
        "claim_conditions": conditions.get((node, device), []),
        "repeat": len(faults) >= 2 or remap_failed,
        "rma": remap_failed or len(faults) >= 3 or (len(faults) >= 2 and dbe > 0),
    }


def gpu_fault_history(
    xid_results: Any,
    reading_results: Any,
    slices: Any = None,
    taint_rules: Any = None,
    claims: Any = None,
) -> dict[str, Any]:
    """The GPUs with recurring faults, worst first, and whether several share a node;
    `verdict` is `repeat` when at least one GPU is a repeat offender, else ""."""
    readings: dict[tuple[str, str], dict[str, float]] = {}
    for s in _series(reading_results):
        labels = s.get("labels") or {}
        value = s.get("value")
        if isinstance(value, (int, float)) and not math.isnan(value):
            readings.setdefault(_key(labels), {})[str(labels.get("reading") or "")] = float(value)
    taints = _dra_taints(
        [o for o in slices or [] if isinstance(o, dict)],
        [o for o in taint_rules or [] if isinstance(o, dict)],
    )
    conditions = _claim_conditions([o for o in claims or [] if isinstance(o, dict)])
    gpus = [
        _gpu_view(s.get("labels") or {}, s.get("points") or [], readings, taints, conditions)
        for s in _series(xid_results)
    ]
    seen = {(g["node"], g["gpu"]) for g in gpus}
    for key, read in readings.items():  # a remap failure with no Xid history still counts
        if key not in seen and read.get("row_remap_failure", 0) > 0:
            labels = {"Hostname": key[0], "gpu": key[1]}
            gpus.append(_gpu_view(labels, [], readings, taints, conditions))
    repeat = sorted(
        (g for g in gpus if g["repeat"]),
        key=lambda g: (-g["rma"], -g["fault_episodes"], -g["row_remap_failure"], g["node"]),
    )
    per_node: dict[str, int] = {}
    for g in repeat:
        per_node[g["node"]] = per_node.get(g["node"], 0) + 1
    return {
        "verdict": "repeat" if repeat else "",
        "gpus": repeat,
        "worst": repeat[0] if repeat else {},
        "node_level": [n for n, count in per_node.items() if count >= 2],
        "others": [g["name"] for g in repeat[1:]],
    }


# The CEL functions of this module, by the name runbooks call them (`builtin.py` registers them).
FUNCTIONS = {
    "gpu.fault_history": gpu_fault_history,
}
