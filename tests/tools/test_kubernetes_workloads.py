"""Pod -> Job -> CronJob, a missing ConfigMap, and a device-plugin GPU node, on the
`k8s-cronjob-gpu-config` bundle (tests/tools/bundles) through the registry and the replay."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from holmes.tools.base import ToolResult
from holmes.tools.context import ToolContext
from holmes.tools.kubernetes import TOOLS
from holmes.tools.registry import ToolRegistry

REGISTRY = ToolRegistry(TOOLS)
BUNDLE = Path(__file__).parent / "bundles" / "k8s-cronjob-gpu-config"
POD = "nightly-eval-29630040-x7k2p"


@pytest.fixture
async def call(tool_context: Callable[..., ToolContext]) -> AsyncIterator[Callable[..., Any]]:
    """`await call(tool, **arguments)` on the bundle through the registry."""
    contexts: list[ToolContext] = []

    async def invoke(tool: str, **arguments: Any) -> ToolResult:
        ctx = tool_context(BUNDLE)
        contexts.append(ctx)
        return await REGISTRY.invoke(tool, arguments, ctx)

    yield invoke
    for ctx in contexts:
        await ctx.aclose()


async def test_pod_owner_chain_reaches_the_cronjob_and_the_configmap_is_missing(call) -> None:
    result = await call("kubernetes_describe", kind="Pod", name=POD, namespace="eval")
    assert result.ok, result.error
    text = result.text
    assert "status CreateContainerConfigError" in text
    assert (
        "owners: Job eval/nightly-eval-29630040 (succeeded 0/1  failed 0 (backoffLimit 0)  "
        "active 1) -> CronJob eval/nightly-eval (schedule 0 2 * * *" in text
    )
    assert "ConfigMap eval-config: MISSING" in text
    assert "limits memory=96Gi nvidia.com/gpu=2" in text
    assert "tolerations: nvidia.com/gpu:NoSchedule" in text
    assert "Warning Failed [container eval] x110 (first 19m ago, last 20s ago)" in text


async def test_cronjob_describe_reaches_its_jobs_pods(call) -> None:
    result = await call("kubernetes_describe", kind="cj", name="nightly-eval", namespace="eval")
    assert result.ok, result.error
    assert f"- eval/{POD}: CreateContainerConfigError" in result.text
    assert f"Warning events of pod eval/{POD}:" in result.text


async def test_device_plugin_node_sums_gpu_requests_and_shows_pressure_first(call) -> None:
    result = await call("kubernetes_node", name="gpu-node-7")
    assert result.ok, result.error
    lines = result.text.splitlines()
    assert lines[1].startswith(
        "conditions: ! DiskPressure=True (KubeletHasDiskPressure: ephemeral-storage 91% used)"
    )
    assert lines[2] == "taints: nvidia.com/gpu=present:NoSchedule"
    assert "nvidia.com/gpu 8/8, requested 2 (25%)" in result.text
    assert "Warning EvictionThresholdMet x3" in result.text
    assert f"- eval/{POD}: CreateContainerConfigError" in result.text
    listed = await call("kubernetes_list", kind="nodes")
    assert "gpu-node-7  Ready  roles gpu  GPUs nvidia.com/gpu allocatable 8 of 8" in listed.text
