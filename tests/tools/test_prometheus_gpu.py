"""prometheus_gpu_health through the registry against the real Prometheus replay."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from holmes.tools.context import Limits, ToolContext
from holmes.tools.prometheus import TOOLS
from holmes.tools.registry import ToolRegistry

REGISTRY = ToolRegistry(TOOLS)
BUNDLES = Path(__file__).parent / "bundles"
THROTTLE = BUNDLES / "prom-gpu-thermal-throttle"
LOWERCASE = BUNDLES / "prom-gpu-lowercase-hostname"

MakeContext = Callable[..., ToolContext]


def block(text: str, title: str) -> str:
    """The lines of one GPU block, from its title line to the next block."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if title in line and line.endswith(":"))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith("  ")), None)
    return "\n".join(lines[start:end])


async def test_xid_79_gpu_fell_off_the_bus_and_stopped_reporting(
    tool_context: MakeContext,
) -> None:
    result = await REGISTRY.invoke("prometheus_gpu_health", {}, tool_context("gpu-xid-79-node-3"))
    assert result.ok, result.error
    text = result.text
    assert text.startswith(
        "GPU health at 2026-03-18T14:32:00Z (window 1h): 12 GPUs on 3 nodes; "
        "2 with findings, 1 critical"
    )
    lines = text.splitlines()
    assert lines[1].startswith("CRITICAL GPU 2 on gpu-node-3 (pod ml/llama-finetune-1-m9x4f;")
    gpu2 = block(text, "GPU 2 on gpu-node-3")
    assert "XID 79 (GPU_HAS_FALLEN_OFF_THE_BUS)" in gpu2
    assert "fell off the bus" in gpu2
    assert "changed 0 -> 79 at 14:22:00Z (10m ago)" in gpu2
    assert "hardware fault needing drain" in gpu2 and "reboot or power-cycle" in gpu2
    assert (
        "GPU 2 on gpu-node-3 has stopped reporting: no sample of any of its DCGM series "
        "since 14:22:00Z (10m ago) while GPUs 0, 1, 3 on gpu-node-3 still report"
    ) in gpu2
    gpu0 = block(text, "GPU 0 on gpu-node-1")
    assert gpu0.startswith("NOTICE GPU 0 on gpu-node-1 (no pod;")
    assert "XID 13 (GR_EXCEPTION)" in gpu0 and "application error" in gpu0
    assert "needing drain" not in gpu0
    assert "gpu-node-2: GPUs 0, 1, 2, 3: util 100%" in text
    assert "gpu-node-3: GPUs 0, 1, 3:" in text
    assert len(text) < 2500

    gpus = {(g["node"], g["gpu"]): g for g in result.data["gpus"]}
    assert gpus[("gpu-node-3", "2")]["xid"]["info"]["drain"] is True
    assert gpus[("gpu-node-3", "2")]["stopped_since"] == 1773843720.0
    assert gpus[("gpu-node-1", "0")]["xid"]["info"]["cause"] == "application"


async def test_filters_by_node_and_gpu(tool_context: MakeContext) -> None:
    ctx = tool_context("gpu-xid-79-node-3")
    result = await REGISTRY.invoke("prometheus_gpu_health", {"node": "gpu-node-1"}, ctx)
    assert "4 GPUs on 1 node; 1 with findings" in result.text
    assert "gpu-node-3" not in result.text
    one = await REGISTRY.invoke("prometheus_gpu_health", {"node": "gpu-node-2", "gpu": 1}, ctx)
    assert "1 GPU on 1 node; 0 with findings" in one.text
    assert "gpu-node-2: GPU 1: util 100%, memory 74210/81559 MiB used" in one.text
    alone = await REGISTRY.invoke("prometheus_gpu_health", {"node": "gpu-node-3", "gpu": 2}, ctx)
    assert "GPU 2 on gpu-node-3 has stopped reporting: no sample" in alone.text
    assert "no GPU on gpu-node-3 reports" not in alone.text  # its peers were not queried
    none = await REGISTRY.invoke("prometheus_gpu_health", {"node": "gpu-node-9"}, ctx)
    assert "no DCGM GPU metrics found" in none.text


async def test_thermal_throttling_decoded_from_the_old_metric_name_and_labels(
    tool_context: MakeContext,
) -> None:
    ctx = tool_context(THROTTLE)
    result = await REGISTRY.invoke(
        "prometheus_gpu_health", {"namespace": "ml", "pod": "bert-pretrain-0"}, ctx
    )
    assert result.ok, result.error
    gpu0 = block(result.text, "GPU 0 on gpu-node-5")
    assert gpu0.startswith("WARNING GPU 0 on gpu-node-5 (pod ml/bert-pretrain-0;")
    assert "clocks reduced: hw_slowdown (" in gpu0 and "sw_thermal (software thermal" in gpu0
    assert "[bitmask 0x28]" in gpu0 and "10 events in the exporter's window" in gpu0
    assert "temperature 92 °C, SM clock 1095 MHz" in gpu0
    # Sentinels are no data, never a reading of 9.2e18 °C.
    assert "memory temperature no data (blank)" in gpu0
    assert "e+18" not in result.text
    # GPU 1 only has the power-cap bit: not a finding.
    assert "gpu-node-5: GPU 1: util 99%" in result.text
    gpu1 = next(g for g in result.data["gpus"] if g["gpu"] == "1")
    assert gpu1["clock_reasons"] == ["power_cap"] and gpu1["findings"] == []
    assert gpu1["no_data"]["DCGM_FI_DEV_POWER_USAGE"] == "not supported"


async def test_lowercase_hostname_ecc_oom_and_a_silent_node(tool_context: MakeContext) -> None:
    result = await REGISTRY.invoke("prometheus_gpu_health", {}, tool_context(LOWERCASE))
    assert result.ok, result.error
    text = result.text
    assert "5 GPUs on 2 nodes; 4 with findings, 2 critical" in text
    ecc = block(text, "GPU 1 on a100-node-1")
    assert ecc.startswith("CRITICAL GPU 1 on a100-node-1 (pod train/resnet-train-0;")
    assert "XID 48 (GPU_ECC_DBE) on GPU 1 on a100-node-1, changed 0 -> 48 at 09:05:00Z" in ecc
    assert "2 uncorrectable (double-bit) ECC errors since the last reset" in ecc
    assert "row remap pending: reset the GPU or reboot" in ecc
    silent = block(text, "GPU 0 on a100-node-2")
    assert "no GPU on a100-node-2 reports (the node or its dcgm-exporter may be down)" in silent
    assert "since 09:05:00Z (10m ago)" in silent
    oom = block(text, "GPU 0 on a100-node-1")
    assert "GPU memory nearly full: 81100 of 81920 MiB used (99%)" in oom
    assert "CUDA out of memory" in oom
    app = block(text, "GPU 2 on a100-node-1")
    assert app.startswith("NOTICE") and "XID 31 (FIFO_ERROR_MMU_ERR_FLT)" in app
    assert text.index("CRITICAL") < text.index("WARNING") < text.index("NOTICE")


async def test_a_small_text_budget_keeps_the_critical_gpu(tool_context: MakeContext) -> None:
    ctx = tool_context("gpu-xid-79-node-3", Limits(max_output_chars=900))
    result = await REGISTRY.invoke("prometheus_gpu_health", {}, ctx)
    assert not result.truncated
    assert "XID 79" in result.text and "not shown (more in the data)" in result.text
    assert len(result.data["gpus"]) == 12
