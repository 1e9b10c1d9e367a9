"""Does the model a serving container loads fit the GPUs it was given?

`model_fit(containers, fb_results, nodes)` reads each container's serving settings
(`serving_config`), the model's size (`model_memory.model_shape`), the size of one GPU (DCGM's
framebuffer, FB_FREE + FB_USED or FB_TOTAL, on the container's node; else the node's GPU
feature discovery label `nvidia.com/gpu.memory`; for a pod not yet on a node, the largest GPU
any node offers) and judges with `model_memory.fit`. It returns, for the first serving
container whose model is sized (failing ones first), the figures a runbook's text needs and
the fixes that would fit. Registered on import; called by the model-does-not-fit runbook.
"""

from __future__ import annotations

import re
from typing import Any

from holmes.agent.engine.rules.gpu.model_memory import (
    GIB,
    Fit,
    ModelShape,
    Placement,
    Precision,
    fit,
    gb,
    gib,
    model_shape,
    precision,
)
from holmes.agent.engine.rules.gpu.serving_config import ServingConfig, serving_config
from holmes.tools.facts.quantities import quantity_number

MIB = 1024**2
GPU_RESOURCE = "nvidia.com/gpu"
MEMORY_LABEL = "nvidia.com/gpu.memory"  # GPU feature discovery: MiB of one GPU
PRODUCT_LABEL = "nvidia.com/gpu.product"
GPUS_PER_NODE = 8  # tensor parallelism beyond one node's NVLink domain is split into stages


def _failing(container: dict[str, Any]) -> bool:
    waiting = container.get("waiting_reason") or ""
    return bool(
        (container.get("restart_count") or 0) > 0
        or container.get("terminated_reason") == "Error"
        or waiting in ("CrashLoopBackOff", "Error")
    )


def _gpu_count(container: dict[str, Any]) -> int:
    resources = container.get("resources") or {}
    for part in ("limits", "requests"):
        value = (resources.get(part) or {}).get(GPU_RESOURCE)
        if value is not None:
            return int(quantity_number(value))
    return 0


def _from_dcgm(node: str, results: list[Any]) -> tuple[float, str] | None:
    """The largest framebuffer (MiB values) in the query results gathered for `node` (each
    `{ok, item: node, data: {series: [{labels, value}]}}`)."""
    best: tuple[float, str] | None = None
    for result in results or []:
        if not isinstance(result, dict) or not result.get("ok") or result.get("item") != node:
            continue
        for item in (result.get("data") or {}).get("series") or []:
            labels = item.get("labels") or {}
            value = item.get("value")
            if not isinstance(value, (int, float)) or value != value or value <= 0:
                continue
            model = str(labels.get("modelName") or labels.get("model_name") or "GPU")
            if best is None or value > best[0]:
                best = (float(value), model)
    return (best[0] * MIB, best[1]) if best else None


def _from_labels(node: str, nodes: list[Any]) -> tuple[float, str, str] | None:
    """One GPU's memory from the `nvidia.com/gpu.memory` label of `node`, or, with no node,
    the largest any node offers (the third item names the node)."""
    best: tuple[float, str, str] | None = None
    for item in nodes or []:
        if not isinstance(item, dict) or (node and item.get("name") != node):
            continue
        labels = item.get("labels") or {}
        memory = quantity_number(labels.get(MEMORY_LABEL))
        if memory > 0 and (best is None or memory * MIB > best[0]):
            best = (memory * MIB, str(labels.get(PRODUCT_LABEL) or "GPU"), str(item.get("name")))
    return best


def _gpu(container: dict[str, Any], series: list[Any], nodes: list[Any]) -> dict[str, Any]:
    node = str(container.get("node") or "")
    if node and (found := _from_dcgm(node, series)):
        return {"bytes": found[0], "product": found[1], "source": "DCGM (FB_FREE + FB_USED)"}
    if found_label := _from_labels(node, nodes):
        where = f"node {found_label[2]}" if node else f"the largest GPU ({found_label[2]})"
        source = f"the {MEMORY_LABEL} label of {where}"
        return {"bytes": found_label[0], "product": found_label[1], "source": source}
    return {"bytes": 0.0, "product": "", "source": ""}


def _fixes(cfg: ServingConfig, shape: ModelShape, prec: Precision, result: Fit) -> list[str]:
    """What would fit, most direct first."""
    fixes: list[str] = []
    tp = cfg.tensor_parallel
    if result.max_context:
        fixes.append(f"set max-model-len to {result.max_context} or less")
    if result.min_tensor_parallel and result.min_tensor_parallel > tp:
        n = result.min_tensor_parallel * cfg.pipeline_parallel
        if result.min_tensor_parallel > GPUS_PER_NODE:
            stages = result.min_tensor_parallel // GPUS_PER_NODE * cfg.pipeline_parallel
            fixes.append(
                f"shard it over {n} GPUs on {stages} nodes: tensor-parallel-size "
                f"{GPUS_PER_NODE} x pipeline-parallel-size {stages}"
            )
        else:
            fixes.append(
                f"shard it over {n} GPUs: tensor-parallel-size {result.min_tensor_parallel} "
                f"with {n} GPUs requested"
            )
    if result.fp8_fits:
        fixes.append(f"serve an FP8 checkpoint (~{gb(shape.params)} of weights) at TP={tp}")
    elif result.int4_fits:
        fixes.append(f"serve a 4-bit AWQ/GPTQ checkpoint (~{gb(shape.params / 2)}) at TP={tp}")
    return fixes


def _judge(container: dict[str, Any], series: list[Any], nodes: list[Any]) -> dict[str, Any]:
    cfg = serving_config(container)
    shape = model_shape(cfg.model) if cfg else None
    if cfg is None or shape is None:
        return {}
    gpus = _gpu_count(container)
    tp = cfg.tensor_parallel
    if cfg.engine == "tgi" and "tensor_parallel" not in cfg.sources and gpus:
        tp = gpus  # TGI shards over every GPU it sees when --num-shard is not given
    cfg = ServingConfig(**{**cfg.__dict__, "tensor_parallel": tp})
    prec = precision(cfg.dtype, cfg.quantization, cfg.model, cfg.kv_cache_dtype, shape.native_fp8)
    gpu = _gpu(container, series, nodes)
    place = Placement(
        tensor_parallel=tp,
        pipeline_parallel=cfg.pipeline_parallel,
        gpu_bytes=gpu["bytes"],
        utilization=cfg.utilization,
        context=cfg.context,
        default_context=cfg.engine != "tgi",
    )
    result = fit(shape, prec, place)
    return {
        "verdict": result.verdict,
        "failing": _failing(container),
        "container": {k: container.get(k) for k in ("pod", "namespace", "name", "node")},
        "evidence_id": container.get("evidence_id"),
        "engine": {"vllm": "vLLM", "tgi": "TGI", "sglang": "SGLang"}[cfg.engine],
        "model": cfg.model,
        "model_label": cfg.model.rstrip("/").rsplit("/", 1)[-1],
        "sized_as": shape.name,
        "params": shape.params_text,
        "params_source": "its model card" if shape.source == "table" else "its name",
        "moe": shape.moe,
        "precision": prec.label,
        "precision_source": {
            "default": "the checkpoint's 16-bit default (--dtype auto)",
            "native": "the checkpoint's own FP8 (--dtype auto)",
        }.get(prec.source, prec.source),
        "weights": f"{gb(result.weights_bytes)} ({gib(result.weights_bytes)})",
        "tp": tp,
        "pp": cfg.pipeline_parallel,
        "gpus": gpus,
        "gpu_product": gpu["product"],
        "gpu_memory": gib(gpu["bytes"]) if gpu["bytes"] else "",
        "gpu_source": gpu["source"],
        "utilization": cfg.utilization,
        "budget": gib(result.budget_per_gpu),
        "per_gpu": gib(result.weights_per_gpu),
        "kv": gib(result.kv_per_gpu) if result.kv_per_gpu is not None else "",
        "kv_per_token_kib": round(result.kv_per_token_per_gpu / 1024, 1)
        if result.kv_per_token_per_gpu
        else 0,
        "context": result.context or 0,
        "settings": ", ".join(f"{k} from {v}" for k, v in sorted(cfg.sources.items())),
        "short_by": gib(
            result.weights_per_gpu
            + (result.kv_per_gpu or 0) * (result.verdict == "kv-cache")
            - result.budget_per_gpu
        ),
        "too_few_gpus": bool(gpus and tp * cfg.pipeline_parallel > gpus),
        "fixes": _fixes(cfg, shape, prec, result)
        if result.verdict in ("weights", "kv-cache")
        else [],
        "headroom_gib": round((result.budget_per_gpu - result.weights_per_gpu) / GIB, 1),
    }


# What a server prints when the model does not fit: CUDA OOM while loading (PyTorch), vLLM's
# KV cache checks, TGI's shard errors.
_LOAD_FAILURE = re.compile(
    r"((?:torch\.(?:cuda\.)?)?OutOfMemoryError: CUDA out of memory.*?is free\.|"
    r"CUDA out of memory.*|CUDA error: out of memory.*|"
    r"ValueError: .*(?:KV cache|cache blocks).*|No available memory for the cache blocks.*)"
)


def load_failure_line(text: Any) -> str:
    """The first line of a server's log that says the model did not fit, without the log
    prefix (time, level, source) and cut after PyTorch's first "... is free." sentence."""
    for line in str(text or "").splitlines():
        if hit := _LOAD_FAILURE.search(line):
            return hit.group(1).strip()[:400]
    return ""


def model_fit(containers: Any, fb_series: Any, nodes: Any) -> dict[str, Any]:
    """The fit of the first serving container whose model can be sized, failing containers
    first; `{"verdict": ""}` when no container serves a model holmes can size.

    `containers`: the runbook scope's containers (command, args, env, resources, node...);
    `fb_series`: the results of a framebuffer query (MiB) per node (`{ok, item: node, data:
    {series: [{labels, value}]}}`, the `evidence.<step>` of a step run for each node);
    `nodes`: `kubernetes_list` Node items (labels)."""
    ordered = sorted(
        (c for c in containers or [] if isinstance(c, dict)), key=lambda c: not _failing(c)
    )
    for container in ordered:
        found = _judge(container, list(fb_series or []), list(nodes or []))
        if found:
            return found
    return {"verdict": ""}


# The CEL functions of this module, by the name runbooks call them (`builtin.py` registers them).
FUNCTIONS = {
    "gpu.model_fit": model_fit,
    "gpu.load_failure_line": load_failure_line,
}
