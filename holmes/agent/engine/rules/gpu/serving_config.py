"""What a model-serving container is told to serve: engine, model, precision, parallelism,
context length and memory share, read from its command, args and env.

Understands vLLM (`vllm serve MODEL`, `--model`, `--tensor-parallel-size`/`-tp`,
`--max-model-len`, `--gpu-memory-utilization`...), Hugging Face TGI (`--model-id`,
`--num-shard`, `--quantize`, `--max-total-tokens`, and the same as env: `MODEL_ID`,
`NUM_SHARD`...) and SGLang (`--model-path`, `--tp-size`, `--context-length`,
`--mem-fraction-static`). `$(VAR)` in args is expanded from the env as the kubelet does, and a
`sh -c "..."` script is split into words. Pure; called by `model_fit`.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Any

# flag spellings per setting; an env var of the same name upper-cased (MODEL_ID, NUM_SHARD,
# MAX_MODEL_LEN) is read too, as TGI's launcher and most Helm charts do.
_FLAGS: dict[str, tuple[str, ...]] = {
    "model": ("--model", "--model-id", "--model-path"),
    "tensor_parallel": ("--tensor-parallel-size", "-tp", "--tp-size", "--tp", "--num-shard"),
    "pipeline_parallel": ("--pipeline-parallel-size", "-pp", "--pp-size"),
    "dtype": ("--dtype",),
    "quantization": ("--quantization", "-q", "--quantize"),
    "kv_cache_dtype": ("--kv-cache-dtype",),
    "context": ("--max-model-len", "--max-total-tokens", "--context-length", "--max-seq-len"),
    "utilization": (
        "--gpu-memory-utilization",
        "--mem-fraction-static",
        "--cuda-memory-fraction",
    ),
}
_EXTRA_ENV = {"model": ("MODEL", "MODEL_NAME", "HF_MODEL_ID")}
# What each engine uses of a GPU's memory when not told (vLLM gpu_memory_utilization 0.9,
# SGLang mem_fraction_static ~0.88, TGI cuda_memory_fraction 1.0).
DEFAULT_UTILIZATION = {"vllm": 0.9, "sglang": 0.88, "tgi": 1.0}
_ENGINES = (
    ("tgi", re.compile(r"text-generation-(inference|launcher)|\btgi\b")),
    ("sglang", re.compile(r"sglang")),
    ("vllm", re.compile(r"vllm")),
)
_VAR = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")


@dataclass(frozen=True)
class ServingConfig:
    """The settings of one serving container that size its GPU memory, and where each came
    from (`sources`: setting -> "--flag" or "env NAME")."""

    engine: str
    model: str
    tensor_parallel: int
    pipeline_parallel: int
    dtype: str | None
    quantization: str | None
    kv_cache_dtype: str | None
    context: int | None
    utilization: float
    sources: dict[str, str]


def _words(container: dict[str, Any], env: dict[str, str]) -> list[str]:
    parts = [str(p) for p in (container.get("command") or []) + (container.get("args") or [])]
    parts = [_VAR.sub(lambda m: env.get(m.group(1), m.group(0)), p) for p in parts]
    words: list[str] = []
    for part in parts:
        if any(c.isspace() for c in part.strip()):
            try:
                words += shlex.split(part)
            except ValueError:
                words += part.split()
        else:
            words.append(part)
    return words


def _flags(words: list[str]) -> dict[str, str]:
    """`--name value` and `--name=value` pairs (the last wins); `vllm serve MODEL` as
    `--model`."""
    found: dict[str, str] = {}
    for i, word in enumerate(words):
        if word.startswith("-") and "=" in word:
            name, value = word.split("=", 1)
            found[name] = value
        elif word.startswith("-") and i + 1 < len(words) and not words[i + 1].startswith("--"):
            found[word] = words[i + 1]
        elif word == "serve" and i + 1 < len(words) and not words[i + 1].startswith("-"):
            found.setdefault("--model", words[i + 1])
    return found


def _engine(container: dict[str, Any], words: list[str]) -> str:
    text = " ".join([str(container.get("image") or ""), *words]).lower()
    return next((name for name, pattern in _ENGINES if pattern.search(text)), "")


def _int(value: str | None) -> int | None:
    """`4`, `32768`, `32k` (x1000) or `32K` (x1024), as vLLM reads lengths."""
    if value is None:
        return None
    hit = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*", value)
    if not hit:
        return None
    scale = {"": 1, "k": 1000, "K": 1024, "m": 1000**2, "M": 1024**2}[hit.group(2)]
    return int(float(hit.group(1)) * scale)


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def serving_config(container: dict[str, Any]) -> ServingConfig | None:
    """The serving settings of a container (the `containers` entries of the runbook scope:
    command, args, env [{name, value}], image); None when it names no model to serve."""
    env = {
        str(e.get("name")): str(e.get("value"))
        for e in container.get("env") or []
        if isinstance(e, dict) and e.get("value") is not None
    }
    words = _words(container, env)
    flags = _flags(words)
    values: dict[str, str] = {}
    sources: dict[str, str] = {}
    for setting, spellings in _FLAGS.items():
        flag = next((f for f in spellings if f in flags), None)
        names = [f.lstrip("-").replace("-", "_").upper() for f in spellings if f.startswith("--")]
        variable = next((n for n in names + list(_EXTRA_ENV.get(setting, ())) if n in env), None)
        if flag is not None:
            values[setting], sources[setting] = flags[flag], flag
        elif variable is not None:
            values[setting], sources[setting] = env[variable], f"env {variable}"
    model = values.get("model", "").strip()
    engine = _engine(container, words)
    if not model or not engine:
        return None
    utilization = _float(values.get("utilization"))
    return ServingConfig(
        engine=engine,
        model=model,
        tensor_parallel=_int(values.get("tensor_parallel")) or 1,
        pipeline_parallel=_int(values.get("pipeline_parallel")) or 1,
        dtype=values.get("dtype"),
        quantization=values.get("quantization"),
        kv_cache_dtype=values.get("kv_cache_dtype"),
        context=_int(values.get("context")),
        utilization=utilization if utilization else DEFAULT_UTILIZATION[engine],
        sources=sources,
    )
