"""The model-does-not-fit arithmetic (model_memory), the serving settings it reads
(serving_config) and the rule function that joins them to a GPU's size (model_fit)."""

from __future__ import annotations

import pytest

from holmes.agent.engine.rules.gpu.model_fit import load_failure_line, model_fit
from holmes.agent.engine.rules.gpu.model_memory import (
    GIB,
    Placement,
    fit,
    kv_per_token,
    model_shape,
    precision,
)
from holmes.agent.engine.rules.gpu.serving_config import serving_config

H100 = 81090 * 1024**2  # what PyTorch reports as an H100 80GB's total capacity


@pytest.mark.parametrize(
    ("model", "params", "source", "moe"),
    [
        ("meta-llama/Llama-3.1-70B-Instruct", 70.6e9, "table", False),
        ("/models/Llama-3.3-70B-Instruct-FP8", 70.6e9, "table", False),
        ("mistralai/Mixtral-8x7B-Instruct-v0.1", 46.7e9, "table", True),
        ("Qwen/Qwen2.5-1.5B-Instruct", 1.54e9, "table", False),
        ("acme/custom-13B-chat-v2.1", 13e9, "name", False),
        ("acme/moe-4x2.5B", 4 * 2.5e9 * 0.83, "name", True),
        ("Qwen/Qwen3-30B-A3B", 30e9, "name", True),
        ("HuggingFaceTB/SmolLM2-135M-Instruct", 135e6, "name", False),
        ("deepseek-ai/DeepSeek-R1-Distill-Llama-70B", 70e9, "name", False),
        ("deepseek-ai/DeepSeek-V3", 671e9, "table", True),
    ],
)
def test_model_shape_from_table_or_name(model: str, params: float, source: str, moe: bool) -> None:
    shape = model_shape(model)
    assert shape is not None
    assert shape.params == pytest.approx(params, rel=0.01)
    assert (shape.source, shape.moe) == (source, moe)


def test_model_shape_unknown_without_a_size() -> None:
    assert model_shape("BAAI/bge-m3") is None
    assert model_shape("/models/current") is None


@pytest.mark.parametrize(
    ("dtype", "quant", "model", "label", "weight"),
    [
        (None, None, "meta-llama/Llama-3.1-70B", "bf16", 2.0),
        ("float32", None, "x-7B", "float32", 4.0),
        ("half", None, "x-7B", "fp16", 2.0),
        ("auto", "fp8", "x-70B", "fp8", 1.0),
        (None, "awq", "x-70B", "4-bit (awq)", 0.5),
        (None, None, "neuralmagic/Meta-Llama-3.1-70B-Instruct-FP8", "fp8", 1.0),
        (None, None, "TheBloke/Llama-2-70B-Chat-GPTQ", "4-bit (gptq)", 0.5),
        ("bfloat16", "bitsandbytes", "x-8B", "4-bit (bitsandbytes)", 0.5),
    ],
)
def test_precision(
    dtype: str | None, quant: str | None, model: str, label: str, weight: float
) -> None:
    found = precision(dtype, quant, model)
    assert (found.label, found.weight_bytes) == (label, weight)


def test_kv_cache_per_token_and_its_split() -> None:
    shape = model_shape("meta-llama/Llama-3.1-70B-Instruct")
    assert shape is not None
    # 80 layers x 2 (K, V) x 8 KV heads x 128 x 2 bytes = 320 KiB a token
    assert kv_per_token(shape, 2.0, 1, 1) == 320 * 1024
    assert kv_per_token(shape, 2.0, 4, 1) == 80 * 1024
    # 8 KV heads cannot be split 16 ways: each GPU keeps one head
    assert kv_per_token(shape, 2.0, 16, 1) == 40 * 1024
    assert kv_per_token(shape, 1.0, 1, 2) == 80 * 1024  # fp8 cache, half the layers


def test_seventy_b_bf16_on_one_h100_does_not_fit() -> None:
    shape = model_shape("meta-llama/Llama-3.1-70B-Instruct")
    assert shape is not None
    result = fit(shape, precision(None, None, shape.name), Placement(1, 1, H100, 0.9, 16384))
    assert result.verdict == "weights"
    assert result.weights_bytes / 1e9 == pytest.approx(141.2, abs=0.1)
    assert result.min_tensor_parallel == 2
    assert not result.fp8_fits  # 65.8 GiB + 5 GiB of KV + headroom > 71.3 GiB usable
    assert result.int4_fits


def test_kv_cache_verdict_gives_the_longest_context_that_fits() -> None:
    shape = model_shape("meta-llama/Llama-3.1-8B-Instruct")
    assert shape is not None
    l4 = 22487 * 1024**2
    result = fit(shape, precision("bfloat16", None, shape.name), Placement(1, 1, l4, 0.9, None))
    assert result.verdict == "kv-cache"
    assert result.context == 131072
    assert result.kv_per_gpu == 16 * GIB
    assert result.max_context is not None and 16000 < result.max_context < 30000
    assert result.max_context % 1024 == 0
    shorter = fit(shape, precision("bfloat16", None, shape.name), Placement(1, 1, l4, 0.9, 32768))
    assert shorter.verdict == "fits"


def test_no_gpu_size_is_unknown_not_a_verdict() -> None:
    shape = model_shape("Qwen/Qwen2.5-72B-Instruct")
    assert shape is not None
    assert fit(shape, precision(None, None, shape.name), Placement(4, 1, 0.0)).verdict == "unknown"


def test_serving_config_vllm_flags() -> None:
    cfg = serving_config(
        {
            "image": "vllm/vllm-openai:v0.10.2",
            "args": [
                "--model=meta-llama/Llama-3.1-70B-Instruct",
                "-tp",
                "4",
                "--max-model-len",
                "32k",
            ],
            "env": [],
        }
    )
    assert cfg is not None
    assert (cfg.engine, cfg.model, cfg.tensor_parallel, cfg.context) == (
        "vllm",
        "meta-llama/Llama-3.1-70B-Instruct",
        4,
        32000,
    )
    assert cfg.utilization == 0.9
    assert cfg.sources["tensor_parallel"] == "-tp"


def test_serving_config_shell_script_and_env_expansion() -> None:
    cfg = serving_config(
        {
            "image": "registry.local/llm:1",
            "command": ["/bin/sh", "-c"],
            "args": ["exec vllm serve $(MODEL) --gpu-memory-utilization 0.95 --enforce-eager"],
            "env": [{"name": "MODEL", "value": "Qwen/Qwen2.5-7B-Instruct"}],
        }
    )
    assert cfg is not None
    assert (cfg.model, cfg.utilization) == ("Qwen/Qwen2.5-7B-Instruct", 0.95)


def test_serving_config_tgi_env() -> None:
    cfg = serving_config(
        {
            "image": "ghcr.io/huggingface/text-generation-inference:3.3.4",
            "args": ["--port", "8080"],
            "env": [
                {"name": "MODEL_ID", "value": "mistralai/Mixtral-8x7B-Instruct-v0.1"},
                {"name": "QUANTIZE", "value": "awq"},
                {"name": "HF_TOKEN", "value": None},
            ],
        }
    )
    assert cfg is not None
    assert (cfg.engine, cfg.quantization, cfg.utilization) == ("tgi", "awq", 1.0)
    assert cfg.sources["model"] == "env MODEL_ID"


def test_serving_config_none_for_other_containers() -> None:
    assert serving_config({"image": "redis:7", "args": ["--port", "6379"]}) is None
    assert serving_config({"image": "vllm/vllm-openai:v0.9", "args": ["--port", "8000"]}) is None


def _container(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "pod": "chat-0",
        "namespace": "llm",
        "name": "vllm",
        "node": "gpu-1",
        "image": "vllm/vllm-openai:v0.10.2",
        "args": ["--model", "meta-llama/Llama-3.1-70B-Instruct"],
        "env": [],
        "resources": {"limits": {"nvidia.com/gpu": "1"}},
        "restart_count": 4,
        "waiting_reason": "CrashLoopBackOff",
    }
    return base | overrides


def _dcgm(node: str, mib: float, model: str = "NVIDIA H100 80GB HBM3") -> dict[str, object]:
    return {
        "ok": True,
        "item": node,
        "data": {"series": [{"labels": {"modelName": model}, "value": mib}]},
    }


def test_model_fit_reads_the_gpu_from_dcgm_on_the_containers_node() -> None:
    found = model_fit([_container()], [_dcgm("gpu-2", 143771), _dcgm("gpu-1", 81090)], [])
    assert found["verdict"] == "weights"
    assert found["gpu_memory"] == "79.2 GiB"
    assert found["gpu_product"] == "NVIDIA H100 80GB HBM3"
    assert found["weights"] == "141 GB (131.5 GiB)"
    assert found["failing"] is True
    # no --max-model-len: the model's 131072 tokens need 40 GiB of KV cache at TP=1
    assert found["context"] == 131072
    assert any("tensor-parallel-size 4" in fix for fix in found["fixes"])


def test_model_fit_falls_back_to_the_node_label() -> None:
    nodes = [
        {
            "name": "gpu-1",
            "labels": {"nvidia.com/gpu.memory": "143771", "nvidia.com/gpu.product": "NVIDIA-H200"},
        }
    ]
    fp8 = _container(args=["--model", "meta-llama/Llama-3.1-70B-Instruct", "-q", "fp8"])
    found = model_fit([fp8], [{"ok": False, "item": "gpu-1"}], nodes)
    assert found["verdict"] == "fits"
    assert "label" in found["gpu_source"]
    assert found["fixes"] == []


def test_model_fit_pending_pod_uses_the_largest_gpu_of_the_cluster() -> None:
    nodes = [
        {
            "name": "a",
            "labels": {"nvidia.com/gpu.memory": "23034", "nvidia.com/gpu.product": "NVIDIA-L4"},
        },
        {
            "name": "b",
            "labels": {"nvidia.com/gpu.memory": "46068", "nvidia.com/gpu.product": "NVIDIA-L40S"},
        },
    ]
    found = model_fit([_container(node=None, restart_count=0, waiting_reason=None)], [], nodes)
    assert found["verdict"] == "weights"
    assert found["gpu_product"] == "NVIDIA-L40S"
    assert "largest GPU" in found["gpu_source"]
    assert found["failing"] is False


def test_model_fit_tgi_shards_over_all_its_gpus() -> None:
    tgi = _container(
        image="ghcr.io/huggingface/text-generation-inference:3.3.4",
        args=["--port", "8080"],
        env=[{"name": "MODEL_ID", "value": "meta-llama/Llama-3.1-70B-Instruct"}],
        resources={"limits": {"nvidia.com/gpu": "4"}},
    )
    found = model_fit([tgi], [_dcgm("gpu-1", 81090)], [])
    assert (found["tp"], found["verdict"]) == (4, "fits")


def test_model_fit_prefers_a_failing_container_and_skips_unsized_ones() -> None:
    healthy = _container(
        pod="ok-0", restart_count=0, waiting_reason=None, args=["--model", "BAAI/bge-m3"]
    )
    failing = _container(pod="bad-0")
    assert model_fit([healthy, failing], [_dcgm("gpu-1", 81090)], [])["container"]["pod"] == "bad-0"
    assert model_fit([healthy], [], [])["verdict"] == ""
    assert model_fit(None, None, None)["verdict"] == ""


def test_load_failure_line_strips_the_log_prefix() -> None:
    log = (
        "INFO 10-21 13:34:13 [weight_utils.py:348] Using model weights format\n"
        "ERROR 10-21 13:35:55 [core.py:718] torch.OutOfMemoryError: CUDA out of memory. Tried to "
        "allocate 448.00 MiB. GPU 0 has a total capacity of 79.19 GiB of which 297.06 MiB is "
        "free. Including non-PyTorch memory, this process has 78.89 GiB memory in use.\n"
    )
    assert load_failure_line(log) == (
        "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 448.00 MiB. GPU 0 has "
        "a total capacity of 79.19 GiB of which 297.06 MiB is free."
    )
    kv = (
        "(EngineCore pid=9) ERROR [core.py:708] ValueError: To serve at least one request "
        "... (16.00 GiB KV cache is needed"
    )
    assert load_failure_line(kv).startswith("ValueError: To serve")
    assert load_failure_line("all good\n") == ""


def test_a_natively_fp8_checkpoint_loads_at_one_byte_a_parameter() -> None:
    shape = model_shape("deepseek-ai/DeepSeek-V3")
    assert shape is not None and shape.native_fp8
    assert precision("auto", None, "deepseek-ai/DeepSeek-V3", None, shape.native_fp8).label == "fp8"
    assert precision("bfloat16", None, "deepseek-ai/DeepSeek-V3", None, True).weight_bytes == 2.0


def test_more_gpus_than_a_node_are_suggested_as_pipeline_stages() -> None:
    big = _container(
        node=None,
        restart_count=0,
        waiting_reason=None,
        args=[
            "--model",
            "meta-llama/Llama-3.1-405B-Instruct",
            "-tp",
            "8",
            "--max-model-len",
            "8192",
        ],
        resources={"limits": {"nvidia.com/gpu": "8"}},
    )
    nodes = [{"name": "a", "labels": {"nvidia.com/gpu.memory": "81559"}}]
    found = model_fit([big], [], nodes)
    assert found["verdict"] == "weights"
    assert found["fixes"][0].startswith("shard it over 16 GPUs on 2 nodes")
