"""The GPU health text: GPUs with findings first, each with its facts and current readings, then
one line per node for the healthy GPUs.

Pure: `gpu.py` calls `render` with the states (findings filled) and the investigation's clock.
"""

from __future__ import annotations

import re

from holmes.tools.prometheus.gpu_findings import gpu_name
from holmes.tools.prometheus.gpu_state import GpuKey, GpuState, node_peers
from holmes.tools.prometheus.render import fit
from holmes.tools.shaping.series import format_number

_LABELS = {"critical": "CRITICAL", "warning": "WARNING", "notice": "NOTICE"}
_NO_DATA_NAMES = {
    "DCGM_FI_DEV_MEMORY_TEMP": "memory temperature",
    "DCGM_FI_DEV_GPU_TEMP": "temperature",
    "DCGM_FI_DEV_POWER_USAGE": "power",
    "DCGM_FI_DEV_GPU_UTIL": "utilisation",
    "DCGM_FI_DEV_SM_CLOCK": "SM clock",
}


def render(
    states: dict[GpuKey, GpuState],
    *,
    head: str,
    limit: int,
    max_items: int,
    notes: list[str] | None = None,
) -> str:
    """The report: a head line, problem GPUs (most severe first), healthy GPUs by node, then
    `notes` (the signals not exported), for which room is kept."""
    by_node = node_peers(states)
    gpus = [gpu for node_gpus in by_node.values() for gpu in node_gpus]
    problems = sorted((g for g in gpus if g.findings), key=lambda g: g.worst)
    critical = sum(1 for g in problems if g.worst == 0)
    lines = [
        f"{head}: {_count(len(gpus), 'GPU')} on {_count(len(by_node), 'node')}; "
        f"{len(problems)} with findings" + (f", {critical} critical" if critical else "")
    ]
    blocks = [_problem_block(gpu) for gpu in problems[:max_items]]
    healthy_nodes = [
        (node, [g for g in node_gpus if not g.findings]) for node, node_gpus in by_node.items()
    ]
    healthy = [_healthy_line(node, ok) for node, ok in healthy_nodes if ok]
    if healthy:
        blocks.append(["healthy GPUs (no findings):"])
        blocks.extend([line] for line in healthy)
    text, _ = fit(lines, blocks, limit=limit, more=_more, hidden=max(len(problems) - max_items, 0))
    return _with_notes(text, notes or [], limit)


def _with_notes(text: str, notes: list[str], limit: int) -> str:
    """`text` and the notes in full, or their short names, or nothing, whichever fits."""
    if not notes:
        return text
    names = [re.split(r" (?:are|is) not exported", n.split(": ", 1)[-1])[0] for n in notes]
    for tail in ("\n".join(notes), f"not exported: {', '.join(names)} (details in data)"):
        if len(text) + len(tail) + 1 <= limit:
            return f"{text}\n{tail}"
    return text


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _more(left_out: int) -> str:
    return f"{left_out} more GPU blocks or node lines not shown (more in the data)"


def _problem_block(gpu: GpuState) -> list[str]:
    level = _LABELS[gpu.findings[0].severity]
    about = [f"pod {', '.join(gpu.pods)}" if gpu.pods else "no pod"]
    if gpu.model:
        about.append(gpu.model)
    if gpu.uuid:
        about.append(gpu.uuid)
    lines = [f"{level} {gpu_name(gpu)} ({'; '.join(about)}):"]
    lines += [f"  - {finding.text}" for finding in gpu.findings]
    lines.append(f"  now: {readings_text(gpu)}")
    return lines


def readings_text(gpu: GpuState) -> str:
    """`util 97%, memory 74210/81559 MiB (91%), 71 °C, 654 W, SM 1980 MHz` and any "no data"."""
    r = gpu.readings
    parts = []
    if "DCGM_FI_DEV_GPU_UTIL" in r:
        parts.append(f"util {format_number(r['DCGM_FI_DEV_GPU_UTIL'], '%')}")
    elif "DCGM_FI_PROF_GR_ENGINE_ACTIVE" in r:  # MIG instances report no GPU_UTIL
        parts.append(f"engine active {r['DCGM_FI_PROF_GR_ENGINE_ACTIVE']:.0%}")
    used, total = r.get("DCGM_FI_DEV_FB_USED"), gpu.fb_total
    if used is not None and total:
        parts.append(
            f"memory {format_number(used)}/{format_number(total, 'MiB')} ({used / total:.0%})"
        )
    elif used is not None:
        parts.append(f"memory used {format_number(used, 'MiB')}")
    for metric, prefix, unit in (
        ("DCGM_FI_DEV_GPU_TEMP", "", "°C"),
        ("DCGM_FI_DEV_MEMORY_TEMP", "memory ", "°C"),
        ("DCGM_FI_DEV_POWER_USAGE", "", "W"),
        ("DCGM_FI_DEV_SM_CLOCK", "SM ", "MHz"),
    ):
        if metric in r:
            parts.append(f"{prefix}{format_number(r[metric], unit)}")
    for metric, sentinel in sorted(gpu.no_data.items()):
        name = _NO_DATA_NAMES.get(metric, metric)
        parts.append(f"{name} no data ({sentinel})")
    return ", ".join(parts) if parts else "no readings in the last 5m"


def _healthy_line(node: str, gpus: list[GpuState]) -> str:
    indexes = ", ".join(g.gpu + (f"/{g.instance}" if g.instance else "") for g in gpus)
    parts = [
        _spread(gpus, "DCGM_FI_DEV_GPU_UTIL", "util ", "%"),
        _engine_spread(gpus),
        _memory_spread(gpus),
        _spread(gpus, "DCGM_FI_DEV_GPU_TEMP", "", "°C"),
        _spread(gpus, "DCGM_FI_DEV_POWER_USAGE", "", "W"),
    ]
    pods = sorted({pod for g in gpus for pod in g.pods})
    owner = f"pod{'s' if len(pods) > 1 else ''} {', '.join(pods)}" if pods else "no pod"
    label = "GPU" if len(gpus) == 1 else "GPUs"
    readings = ", ".join(p for p in parts if p) or "no readings in the last 5m"
    return f"{node}: {label} {indexes}: {readings}; {owner}"


def _engine_spread(gpus: list[GpuState]) -> str:
    """The graphics engine's busy share, for GPUs without GPU_UTIL (MIG instances)."""
    if any("DCGM_FI_DEV_GPU_UTIL" in g.readings for g in gpus):
        return ""
    metric = "DCGM_FI_PROF_GR_ENGINE_ACTIVE"
    values = [g.readings[metric] * 100 for g in gpus if metric in g.readings]
    if not values:
        return ""
    low, high = min(values), max(values)
    span = f"{low:.0f}%" if round(low) == round(high) else f"{low:.0f}-{high:.0f}%"
    return f"engine active {span}"


def _spread(gpus: list[GpuState], metric: str, prefix: str, unit: str) -> str:
    values = [g.readings[metric] for g in gpus if metric in g.readings]
    if not values:
        return ""
    low, high = min(values), max(values)
    if low == high:
        return f"{prefix}{format_number(low, unit)}"
    return f"{prefix}{format_number(low)}-{format_number(high, unit)}"


def _memory_spread(gpus: list[GpuState]) -> str:
    used = [g.readings["DCGM_FI_DEV_FB_USED"] for g in gpus if "DCGM_FI_DEV_FB_USED" in g.readings]
    totals = [t for g in gpus if (t := g.fb_total)]
    if not used or not totals:
        free = [
            g.readings["DCGM_FI_DEV_FB_FREE"] for g in gpus if "DCGM_FI_DEV_FB_FREE" in g.readings
        ]
        if not free:
            return ""
        low, high = min(free), max(free)
        span = format_number(low) if low == high else f"{format_number(low)}-{format_number(high)}"
        return f"memory free {span} MiB"
    low, high = min(used), max(used)
    span = format_number(low) if low == high else f"{format_number(low)}-{format_number(high)}"
    total = max(totals)
    return f"memory {span}/{format_number(total, 'MiB')} used"
