"""Words for the gpu runbooks' answers: GPUs named in a sentence ("GPUs 4-7 on node-a"), their
nodes and pods, memory sizes, and the CUDA error line of a log to quote.

Listed in `FUNCTIONS`; called by the gpu-xid-errors, gpu-throttling and cuda-oom runbooks.
"""

from __future__ import annotations

import re
from typing import Any

from holmes.agent.engine.rules.gpu.scope import pod_ref
from holmes.tools.facts.text import clip as clip_text

# CUDA error lines, most telling first: the one a runbook quotes.
_CUDA_LINES = (
    r"uncorrectable ECC",
    r"OutOfMemoryError|CUDA out of memory|out of memory.*(GPU|CUDA|device)",
    r"illegal memory access|illegal address|misaligned address|device-side assert",
    r"fallen off the bus|GPU is lost|no CUDA-capable device",
    r"\bXid\b",
    r"unspecified launch failure|CUDA error|cudaError|CUBLAS_STATUS|NCCL (WARN|error)",
)


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
    """`GPU 2 on gpu-node-3`, `GPUs 4-7 on node-a and GPU 1 on node-b`; a MIG instance as
    `GPU 0 (MIG 1g.10gb instance 11) on node-c`."""
    by_node: dict[str, list[str]] = {}
    for gpu in gpus or []:
        index = str(gpu.get("gpu"))
        if gpu.get("instance"):
            profile = f"{gpu.get('mig_profile')} " if gpu.get("mig_profile") else ""
            index += f" (MIG {profile}instance {gpu.get('instance')})"
        by_node.setdefault(str(gpu.get("node")), []).append(index)
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
    return list(dict.fromkeys(pod_ref(p) for g in gpus or [] for p in g.get("pods") or []))


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
    """`text` cut to `size` characters, with "..." when it was longer (line breaks kept)."""
    return clip_text(text or "", size, one_line=False)


def split_ref(ref: Any) -> dict[str, str]:
    """`namespace/name` as `{namespace, name}`."""
    namespace, _, name = str(ref or "").rpartition("/")
    return {"namespace": namespace, "name": name}


def mib_text(value: Any) -> str:
    """MiB (as DCGM reports framebuffer) the way a person reads it: 79.9 GiB, 512 MiB."""
    number = float(value or 0)
    return f"{number / 1024:.1f} GiB" if number >= 1024 else f"{number:.0f} MiB"


# The CEL functions of this module, by the name runbooks call them (`builtin.py` registers them).
FUNCTIONS = {
    "gpu.names": gpu_names,
    "gpu.nodes": gpu_nodes,
    "gpu.pods": gpu_pods,
    "gpu.cuda_error_line": cuda_error_line,
    "clip": clip,
    "split_ref": split_ref,
    "gpu.mib_text": mib_text,
}
