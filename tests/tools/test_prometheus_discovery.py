"""prometheus_metric_names and prometheus_label_values against the real Prometheus replay."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from holmes.tools.context import Limits, ToolContext
from holmes.tools.prometheus import TOOLS
from holmes.tools.registry import ToolRegistry

REGISTRY = ToolRegistry(TOOLS)
LOWERCASE = Path(__file__).parent / "bundles" / "prom-gpu-lowercase-hostname"

MakeContext = Callable[..., ToolContext]


async def test_metric_names_filtered_by_substring(tool_context: MakeContext) -> None:
    ctx = tool_context("gpu-xid-79-node-3")
    result = await REGISTRY.invoke("prometheus_metric_names", {"match": "DCGM_"}, ctx)
    assert result.ok, result.error
    assert result.text.splitlines() == [
        "6 metric names matching /DCGM_/ with samples in the last 1h",
        "DCGM (6): DCGM_FI_DEV_FB_FREE, DCGM_FI_DEV_FB_USED, DCGM_FI_DEV_GPU_TEMP, "
        "DCGM_FI_DEV_GPU_UTIL, DCGM_FI_DEV_POWER_USAGE, DCGM_FI_DEV_XID_ERRORS",
    ]
    # Case-insensitive, and a regular expression works too.
    regex = await REGISTRY.invoke("prometheus_metric_names", {"match": "xid|gpu_temp"}, ctx)
    assert regex.data["names"] == ["DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_XID_ERRORS"]
    everything = await REGISTRY.invoke("prometheus_metric_names", {}, ctx)
    assert "kube (" in everything.text and everything.data["total"] > 6
    none = await REGISTRY.invoke("prometheus_metric_names", {"match": "nvlink"}, ctx)
    assert none.text == "no metric names matching /nvlink/ with samples in the last 1h"


async def test_label_values_of_hostname_and_with_a_selector(tool_context: MakeContext) -> None:
    ctx = tool_context("gpu-xid-79-node-3")
    result = await REGISTRY.invoke("prometheus_label_values", {"label": "Hostname"}, ctx)
    assert result.text.splitlines() == [
        "3 values of Hostname in the last 1h:",
        "gpu-node-1",
        "gpu-node-2",
        "gpu-node-3",
    ]
    pods = await REGISTRY.invoke(
        "prometheus_label_values",
        {"label": "pod", "match": 'DCGM_FI_DEV_GPU_UTIL{Hostname="gpu-node-3"}'},
        ctx,
    )
    assert pods.data["values"] == ["llama-finetune-1-m9x4f"]
    assert pods.text.startswith(
        '1 values of pod on series matching DCGM_FI_DEV_GPU_UTIL{Hostname="gpu-node-3"}'
    )


async def test_label_values_hint_the_other_hostname_spelling(tool_context: MakeContext) -> None:
    ctx = tool_context(LOWERCASE)
    result = await REGISTRY.invoke("prometheus_label_values", {"label": "Hostname"}, ctx)
    assert result.text == (
        "no series carry label Hostname in the last 1h (dcgm-exporter versions differ: "
        "try hostname, node or instance)"
    )
    lower = await REGISTRY.invoke("prometheus_label_values", {"label": "hostname"}, ctx)
    assert lower.data["values"] == ["a100-node-1", "a100-node-2"]


async def test_label_values_bounded_and_bad_label(tool_context: MakeContext) -> None:
    ctx = tool_context("gpu-xid-79-node-3", Limits(max_output_chars=300))
    result = await REGISTRY.invoke("prometheus_label_values", {"label": "UUID"}, ctx)
    assert not result.truncated and result.text.endswith("more values (in data)")
    assert len(result.data["values"]) == 12
    bad = await REGISTRY.invoke("prometheus_label_values", {"label": "model-name"}, ctx)
    assert bad.error is not None and bad.error.kind == "bad_arguments"
    assert "'model-name' is not a label name" in bad.error.message
