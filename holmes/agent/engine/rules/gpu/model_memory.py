"""How much GPU memory a language model needs: weights by precision, KV cache by context.

Pure, typed arithmetic with no I/O. `model_shape` finds a model's parameter count (and, for
well-known models, the attention shape that sizes its KV cache) from a model id or path:
`meta-llama/Llama-3.1-70B-Instruct`, `/models/Mixtral-8x7B-Instruct-v0.1`, `Qwen2.5-1.5B`.
`precision` turns a serving engine's `--dtype` / `--quantization` (or the model name's `-FP8`,
`-AWQ` suffix) into bytes per parameter. `fit` compares what one GPU must hold under a
tensor/pipeline-parallel split with what the engine may use of its framebuffer, and works out
what would fit (more GPUs, FP8 or 4-bit weights, a shorter context).

Every figure is a lower bound (activations, CUDA graphs and the quantisation scales come on
top), so "does not fit" is certain and "fits" is only "not ruled out". Called by
`model_fit` (the rule functions of the model-does-not-fit runbook) and its tests.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

GIB = 1024**3
GB = 1000**3
TP_CHOICES = (1, 2, 4, 8, 16)
# What a suggested setting leaves free for activations and CUDA graphs: a fix that fits only
# on paper is no fix. The verdict itself uses none (it stays a lower bound).
HEADROOM = 2 * GIB


@dataclass(frozen=True)
class ModelShape:
    """A model's size and, when known, its KV cache per token and layer.

    `kv_per_layer` is the number of KV cache elements a token adds in one layer for the whole
    model (2 x KV heads x head dim with grouped-query attention; the compressed latent with
    DeepSeek's MLA); `kv_heads` says how far tensor parallelism can split it."""

    name: str
    params: float  # parameters, in units (70.6e9)
    source: Literal["table", "name"]
    moe: bool = False
    layers: int | None = None
    kv_heads: int | None = None
    kv_per_layer: int | None = None
    context: int | None = None  # the model's own maximum length (max_position_embeddings)
    native_fp8: bool = False  # the published checkpoint is FP8 (DeepSeek-V3/R1)

    @property
    def params_text(self) -> str:
        """`70.6B`, `1.5B`, `135M`."""
        if self.params >= 1e9:
            return f"{self.params / 1e9:.3g}B"
        return f"{self.params / 1e6:.3g}M"


def _gqa(layers: int, kv_heads: int, head_dim: int) -> tuple[int, int, int]:
    return layers, kv_heads, 2 * kv_heads * head_dim


# Well-known models: parameters from their model cards, attention shape from config.json
# (num_hidden_layers, num_key_value_heads, head_dim), context from max_position_embeddings.
# The first pattern that matches the lower-cased id wins, so specific ones come first.
_KNOWN: tuple[tuple[str, str, float, bool, tuple[int, int, int] | None, int], ...] = (
    (r"deepseek-(?:v3|r1)(?!-distill)", "DeepSeek-V3/R1", 671e9, True, (61, 1, 576), 163840),
    (r"llama-?3\.[1-3]-?405b", "Llama-3.1-405B", 405.9e9, False, _gqa(126, 8, 128), 131072),
    (r"llama-?3\.[1-3]-?70b", "Llama-3.1-70B", 70.6e9, False, _gqa(80, 8, 128), 131072),
    (r"llama-?3\.[1-3]-?8b", "Llama-3.1-8B", 8.03e9, False, _gqa(32, 8, 128), 131072),
    (r"llama-?3-?70b", "Llama-3-70B", 70.6e9, False, _gqa(80, 8, 128), 8192),
    (r"llama-?3-?8b", "Llama-3-8B", 8.03e9, False, _gqa(32, 8, 128), 8192),
    (r"llama-?2-?70b", "Llama-2-70B", 69.0e9, False, _gqa(80, 8, 128), 4096),
    (r"llama-?2-?13b", "Llama-2-13B", 13.0e9, False, _gqa(40, 40, 128), 4096),
    (r"llama-?2-?7b", "Llama-2-7B", 6.74e9, False, _gqa(32, 32, 128), 4096),
    (r"mixtral-8x22b", "Mixtral-8x22B", 140.6e9, True, _gqa(56, 8, 128), 65536),
    (r"mixtral-8x7b", "Mixtral-8x7B", 46.7e9, True, _gqa(32, 8, 128), 32768),
    (r"mistral-large", "Mistral-Large-2", 122.6e9, False, _gqa(88, 8, 128), 131072),
    (r"mistral-7b", "Mistral-7B", 7.25e9, False, _gqa(32, 8, 128), 32768),
    (r"qwen3-235b", "Qwen3-235B-A22B", 235.1e9, True, _gqa(94, 4, 128), 40960),
    (r"qwen3-32b", "Qwen3-32B", 32.8e9, False, _gqa(64, 8, 128), 40960),
    (r"qwen2\.5-72b", "Qwen2.5-72B", 72.7e9, False, _gqa(80, 8, 128), 32768),
    (r"qwen2\.5-32b", "Qwen2.5-32B", 32.8e9, False, _gqa(64, 8, 128), 32768),
    (r"qwen2\.5-14b", "Qwen2.5-14B", 14.8e9, False, _gqa(48, 8, 128), 32768),
    (r"qwen2\.5-7b", "Qwen2.5-7B", 7.62e9, False, _gqa(28, 4, 128), 32768),
    (r"qwen2\.5-1\.5b", "Qwen2.5-1.5B", 1.54e9, False, _gqa(28, 2, 128), 32768),
    (r"gemma-2-27b", "Gemma-2-27B", 27.2e9, False, _gqa(46, 16, 128), 8192),
    (r"gemma-2-9b", "Gemma-2-9B", 9.24e9, False, _gqa(42, 8, 256), 8192),
)
# Models whose published weights are FP8: `--dtype auto` loads them at one byte a parameter.
NATIVE_FP8 = frozenset({"DeepSeek-V3/R1"})
_MOE_NAME = re.compile(r"(?<![a-z0-9.])(\d+)x(\d+(?:\.\d+)?)b(?![a-z0-9])")
_ACTIVE_NAME = re.compile(r"(?<![a-z0-9.])(\d+(?:\.\d+)?)b-a\d+(?:\.\d+)?b(?![a-z0-9])")
_SIZE_NAME = re.compile(r"(?<![a-z0-9.])(\d+(?:\.\d+)?)([bm])(?![a-z0-9])")
# Mixture-of-experts models share attention and embeddings between experts: Mixtral 8x7B has
# 46.7B parameters, not 56B. An unknown "NxMB" name is counted at this share of N x M.
MOE_SHARE = 0.83


def model_basename(model: str) -> str:
    """The last part of a model id or path, lower-cased: `llama-3.1-70b-instruct`."""
    return model.rstrip("/").rsplit("/", 1)[-1].lower()


def model_shape(model: str) -> ModelShape | None:
    """The size of the model named by an id or path; None when neither the table of
    well-known models nor a size in the name (`70B`, `8x7B`, `235B-A22B`, `135M`) tells."""
    name = model_basename(model)
    for pattern, label, params, moe, shape, context in _KNOWN:
        if re.search(pattern, name):
            layers, kv_heads, per_layer = shape if shape else (None, None, None)
            native_fp8 = label in NATIVE_FP8
            return ModelShape(
                label, params, "table", moe, layers, kv_heads, per_layer, context, native_fp8
            )
    if hit := _MOE_NAME.search(name):
        params = int(hit.group(1)) * float(hit.group(2)) * 1e9 * MOE_SHARE
        return ModelShape(model_basename(model), params, "name", moe=True)
    if hit := _ACTIVE_NAME.search(name):
        return ModelShape(model_basename(model), float(hit.group(1)) * 1e9, "name", moe=True)
    sizes = [
        float(m.group(1)) * (1e9 if m.group(2) == "b" else 1e6) for m in _SIZE_NAME.finditer(name)
    ]
    if sizes:
        return ModelShape(model_basename(model), max(sizes), "name")
    return None


@dataclass(frozen=True)
class Precision:
    """How the weights (and the KV cache) are stored."""

    label: str  # "bf16", "fp8", "4-bit (awq)"
    weight_bytes: float
    kv_bytes: float
    source: str  # "--dtype", "--quantization", "the model name", "default"


_QUANT_BYTES = {
    "fp8": 1.0,
    "fbgemm_fp8": 1.0,
    "modelopt": 1.0,
    "ptpc_fp8": 1.0,
    "int8": 1.0,
    "w8a8": 1.0,
    "eetq": 1.0,
    "experts_int8": 1.0,
    "bitsandbytes-8bit": 1.0,
    "awq": 0.5,
    "awq_marlin": 0.5,
    "gptq": 0.5,
    "gptq_marlin": 0.5,
    "marlin": 0.5,
    "exl2": 0.5,
    "gguf": 0.5,
    "bitsandbytes": 0.5,
    "bitsandbytes-nf4": 0.5,
    "bitsandbytes-fp4": 0.5,
    "nvfp4": 0.5,
    "mxfp4": 0.5,
    "int4": 0.5,
    "w4a16": 0.5,
}
_NAME_QUANT = (
    (re.compile(r"(?<![a-z0-9])(fp8|w8a8|int8|8bit)(?![a-z0-9])"), "fp8", 1.0),
    (re.compile(r"(?<![a-z0-9])(awq|gptq|int4|w4a16|4bit|bnb-4bit|nf4|gguf)(?![a-z0-9])"), "", 0.5),
)
_DTYPE_BYTES = {
    "float32": 4.0,
    "fp32": 4.0,
    "float": 4.0,
    "float16": 2.0,
    "fp16": 2.0,
    "half": 2.0,
    "bfloat16": 2.0,
    "bf16": 2.0,
}


def precision(
    dtype: str | None,
    quantization: str | None,
    model: str,
    kv_cache_dtype: str | None = None,
    native_fp8: bool = False,
) -> Precision:
    """Bytes per weight and per KV cache element. `--quantization` wins, then a quantisation
    named in the model id (`-FP8`, `-AWQ`), then `--dtype`, then the checkpoint's own (`auto`:
    FP8 for a natively FP8 model, else the 16 bits a modern checkpoint is stored in)."""
    dtype = (dtype or "auto").lower()
    kv = _DTYPE_BYTES.get(dtype, 2.0)
    if (kv_cache_dtype or "").lower().startswith("fp8"):
        kv = 1.0
    quant = (quantization or "").lower()
    if quant in _QUANT_BYTES:
        bits = "8-bit" if _QUANT_BYTES[quant] == 1.0 else "4-bit"
        label = "fp8" if "fp8" in quant else f"{bits} ({quant})"
        return Precision(label, _QUANT_BYTES[quant], kv, "--quantization")
    name = model_basename(model)
    for pattern, label, size in _NAME_QUANT:
        if hit := pattern.search(name):
            shown = label or f"4-bit ({hit.group(1)})"
            return Precision(shown, size, kv, "the model name")
    if dtype in _DTYPE_BYTES:
        label = {"float16": "fp16", "half": "fp16", "bfloat16": "bf16", "float": "fp32"}
        return Precision(label.get(dtype, dtype), _DTYPE_BYTES[dtype], kv, "--dtype")
    if native_fp8:
        return Precision("fp8", 1.0, kv, "native")
    return Precision("bf16", 2.0, kv, "default")


@dataclass(frozen=True)
class Placement:
    """How the model is spread and what each GPU offers."""

    tensor_parallel: int = 1
    pipeline_parallel: int = 1
    gpu_bytes: float = 0.0  # framebuffer of one GPU
    utilization: float = 0.9  # share of it the engine may use
    context: int | None = None  # --max-model-len, else the model's own
    default_context: bool = True  # without `context`, size the KV cache for the model's own


@dataclass(frozen=True)
class Fit:
    """What one GPU must hold and whether it can; `verdict` is `weights` (the weights alone
    exceed the engine's share of one GPU), `kv-cache` (weights fit, one sequence of the
    configured length does not), `fits`, or `unknown` (no GPU size)."""

    verdict: Literal["weights", "kv-cache", "fits", "unknown"]
    weights_bytes: float
    weights_per_gpu: float
    kv_per_token_per_gpu: float | None
    kv_per_gpu: float | None  # one sequence of `context` tokens
    context: int | None
    budget_per_gpu: float
    # What would fit, each leaving HEADROOM free: the smallest TP at this precision, 8-bit or
    # 4-bit weights at the same TP, the longest context (kv-cache verdict).
    min_tensor_parallel: int | None
    fp8_fits: bool
    int4_fits: bool
    max_context: int | None


def kv_per_token(shape: ModelShape, kv_bytes: float, tensor_parallel: int, stages: int) -> float:
    """KV cache bytes one token takes on one GPU: layers split by pipeline stages, KV heads
    by tensor parallelism (a GPU keeps at least one head: heads are copied when TP exceeds
    them)."""
    if shape.layers is None or shape.kv_per_layer is None:
        return 0.0
    heads = shape.kv_heads or 1
    split = min(tensor_parallel, heads)
    return math.ceil(shape.layers / stages) * shape.kv_per_layer * kv_bytes / split


def fit(shape: ModelShape, prec: Precision, place: Placement) -> Fit:
    """Whether the model fits the GPUs it is given, and what would."""
    weights = shape.params * prec.weight_bytes
    tp, pp = max(place.tensor_parallel, 1), max(place.pipeline_parallel, 1)
    budget = place.gpu_bytes * place.utilization
    context = place.context or (shape.context if place.default_context else None)
    has_kv = shape.kv_per_layer is not None and context is not None

    def need(bytes_per_param: float, tensor_parallel: int) -> float:
        kv = kv_per_token(shape, prec.kv_bytes, tensor_parallel, pp) * (context or 0)
        weights = shape.params * bytes_per_param / (tensor_parallel * pp)
        return weights + (kv if has_kv else 0) + HEADROOM

    per_gpu = weights / (tp * pp)
    kv_token = kv_per_token(shape, prec.kv_bytes, tp, pp) if has_kv else None
    kv_seq = kv_token * context if kv_token is not None and context else None
    if budget <= 0:
        verdict: Literal["weights", "kv-cache", "fits", "unknown"] = "unknown"
    elif per_gpu > budget:
        verdict = "weights"
    elif kv_seq is not None and per_gpu + kv_seq > budget:
        verdict = "kv-cache"
    else:
        verdict = "fits"
    max_context = None
    if verdict == "kv-cache" and kv_token:
        max_context = int(max(budget - per_gpu - HEADROOM, 0) / kv_token) // 1024 * 1024
    return Fit(
        verdict=verdict,
        weights_bytes=weights,
        weights_per_gpu=per_gpu,
        kv_per_token_per_gpu=kv_token,
        kv_per_gpu=kv_seq,
        context=context if has_kv else place.context,
        budget_per_gpu=budget,
        min_tensor_parallel=next(
            (t for t in TP_CHOICES if t >= tp and need(prec.weight_bytes, t) <= budget), None
        )
        if budget > 0
        else None,
        fp8_fits=budget > 0 and prec.weight_bytes > 1.0 and need(1.0, tp) <= budget,
        int4_fits=budget > 0 and prec.weight_bytes > 0.5 and need(0.5, tp) <= budget,
        max_context=max_context,
    )


def gib(value: float | None) -> str:
    """Bytes as GiB with one decimal: `131.5 GiB`."""
    return "?" if value is None else f"{value / GIB:.1f} GiB"


def gb(value: float) -> str:
    """Bytes as decimal GB, as model cards count them: `141 GB`."""
    return f"{value / GB:.0f} GB" if value >= 10 * GB else f"{value / GB:.1f} GB"
