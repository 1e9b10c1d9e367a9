"""prometheus_query and prometheus_query_range through the registry against the real replay."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from holmes.tools.context import Limits, ToolContext
from holmes.tools.prometheus import TOOLS
from holmes.tools.registry import ToolRegistry

REGISTRY = ToolRegistry(TOOLS)
LOWERCASE = Path(__file__).parent / "bundles" / "prom-gpu-lowercase-hostname"
THROTTLE = Path(__file__).parent / "bundles" / "prom-gpu-thermal-throttle"

MakeContext = Callable[..., ToolContext]


async def test_range_query_reports_the_xid_change_at_its_time(tool_context: MakeContext) -> None:
    ctx = tool_context("gpu-xid-79-node-3")
    result = await REGISTRY.invoke(
        "prometheus_query_range", {"query": "DCGM_FI_DEV_XID_ERRORS"}, ctx
    )
    assert result.ok, result.error
    lines = result.text.splitlines()
    assert lines[0] == (
        "12 series over 1h ending 2026-03-18T14:32:00Z, step 30s, most changed first"
    )
    assert "common labels: DCGM_FI_DEV_XID_ERRORS{" in lines[1]
    assert lines[2] == "not shown per series: UUID, pci_bus_id, device (in data)"
    assert lines[3].startswith('{namespace="ml",pod="llama-finetune-1-m9x4f",')
    assert 'Hostname="gpu-node-3",gpu="2"}: last 79, first 0' in lines[3]
    assert lines[4] == "  0 -> 79 at 14:22:00Z (10m ago)"
    assert lines[5] == '{Hostname="gpu-node-1",gpu="0"}: steady at 13 (121 points)'
    assert result.data["step_seconds"] == 30 and result.data["total"] == 12


async def test_range_query_places_a_stop_at_the_last_real_sample(tool_context: MakeContext) -> None:
    ctx = tool_context("gpu-xid-79-node-3")
    query = 'DCGM_FI_DEV_GPU_UTIL{Hostname="gpu-node-3"}'
    result = await REGISTRY.invoke("prometheus_query_range", {"query": query, "since": "30m"}, ctx)
    lines = result.text.splitlines()
    assert lines[0].startswith("4 series over 30m ending 2026-03-18T14:32:00Z, step 15s")
    # Prometheus repeats the last sample for 5m; the stop is still the sample's own time.
    assert '{gpu="2"}: steady at 97%' in lines[3]
    assert lines[4] == "  no samples since 14:22:00Z (10m ago)"
    # A non-selector query cannot be refined, and says so.
    ratio = await REGISTRY.invoke(
        "prometheus_query_range", {"query": f"{query} / 100", "since": "30m"}, ctx
    )
    assert "no samples since 14:27:00Z (5m ago)" in ratio.text
    assert "up to Prometheus's lookback (5m by default) earlier" in ratio.text


async def test_range_query_raw_points_fold_runs(tool_context: MakeContext) -> None:
    ctx = tool_context("gpu-xid-79-node-3")
    query = 'DCGM_FI_DEV_XID_ERRORS{Hostname="gpu-node-3",gpu="2"}'
    result = await REGISTRY.invoke("prometheus_query_range", {"query": query, "raw": True}, ctx)
    assert "points: 13:32:00Z..14:21:30Z 0 (100); 14:22:00Z..14:32:00Z 79 (21)" in result.text
    assert len(result.data["series"][0]["points"]) == 121


async def test_instant_query_at_the_incident_time(tool_context: MakeContext) -> None:
    ctx = tool_context("gpu-xid-79-node-3")
    result = await REGISTRY.invoke(
        "prometheus_query", {"query": 'DCGM_FI_DEV_GPU_TEMP{Hostname="gpu-node-3"}'}, ctx
    )
    assert result.ok, result.error
    lines = result.text.splitlines()
    # GPU 2's last temperature is 10 minutes old: outside the lookback, so not listed.
    assert lines[0] == "3 series at 2026-03-18T14:32:00Z (now), highest value first"
    assert lines[-3:] == ['{gpu="3"} 52 °C', '{gpu="1"} 50 °C', '{gpu="0"} 49 °C']
    earlier = await REGISTRY.invoke(
        "prometheus_query",
        {"query": 'DCGM_FI_DEV_GPU_TEMP{Hostname="gpu-node-3",gpu="2"}', "time": "15m"},
        ctx,
    )
    assert (
        earlier.text.splitlines()[0]
        == "1 series at 2026-03-18T14:17:00Z (15m ago), highest value first"
    )
    assert earlier.text.splitlines()[-1].endswith(" 71 °C")


async def test_instant_query_scalar_empty_and_ordered(tool_context: MakeContext) -> None:
    ctx = tool_context("gpu-xid-79-node-3")
    scalar = await REGISTRY.invoke(
        "prometheus_query", {"query": "scalar(max(DCGM_FI_DEV_XID_ERRORS))"}, ctx
    )
    assert scalar.text == "scalar at 2026-03-18T14:32:00Z (now): 79"
    string = await REGISTRY.invoke("prometheus_query", {"query": '"gpu-node-3"'}, ctx)
    assert string.text == "string at 2026-03-18T14:32:00Z (now): gpu-node-3"
    empty = await REGISTRY.invoke("prometheus_query", {"query": "DCGM_FI_DEV_NOPE"}, ctx)
    assert empty.ok and empty.text.startswith("no series at 2026-03-18T14:32:00Z (now)")
    ordered = await REGISTRY.invoke(
        "prometheus_query",
        {"query": "sort(sum by (Hostname) (DCGM_FI_DEV_POWER_USAGE))", "limit": 2},
        ctx,
    )
    lines = ordered.text.splitlines()
    assert lines[0] == "3 series at 2026-03-18T14:32:00Z (now), in the query's order"
    assert lines[1:] == [
        '{Hostname="gpu-node-1"} 290',
        '{Hostname="gpu-node-3"} 367',
        "1 more series not shown (later in the query's order; the first 2 are in data)",
    ]


async def test_dcgm_sentinels_are_no_data_in_queries(tool_context: MakeContext) -> None:
    ctx = tool_context(THROTTLE)
    instant = await REGISTRY.invoke("prometheus_query", {"query": "DCGM_FI_DEV_MEMORY_TEMP"}, ctx)
    assert '{gpu="0"} no data (DCGM blank value' in instant.text
    ranged = await REGISTRY.invoke(
        "prometheus_query_range", {"query": "DCGM_FI_DEV_MEMORY_TEMP"}, ctx
    )
    assert '{gpu="0"}: only NaN or no-data values (121 samples)' in ranged.text
    ramp = await REGISTRY.invoke(
        "prometheus_query_range", {"query": 'DCGM_FI_DEV_GPU_TEMP{gpu="0"}'}, ctx
    )
    assert "rose from 71 °C to 92 °C between 08:45:00Z (30m ago) and 08:55:00Z" in ramp.text


async def test_many_series_are_cut_to_whole_series_with_a_count(tool_context: MakeContext) -> None:
    ctx = tool_context(LOWERCASE, Limits(max_items=3))
    result = await REGISTRY.invoke("prometheus_query_range", {"query": "DCGM_FI_DEV_GPU_UTIL"}, ctx)
    lines = result.text.splitlines()
    # The stopped node and the GPU whose utilisation fell to 0 come first.
    assert lines[3].startswith('{hostname="a100-node-2",gpu="0"}: steady at 70%')
    assert "95% -> 0% at 09:05:00Z (10m ago)" in result.text
    assert lines[-1] == "2 more series not shown (flatter ones; the first 3 are in data)"
    assert len(result.data["series"]) == 3 and result.data["total"] == 5


async def test_bad_arguments_never_reach_prometheus(tool_context: MakeContext) -> None:
    ctx = tool_context("gpu-xid-79-node-3")
    result = await REGISTRY.invoke(
        "prometheus_query_range", {"query": "up", "since": "1 hour"}, ctx
    )
    assert result.error is not None and result.error.kind == "bad_arguments"
    assert "since: '1 hour' is not a duration" in result.error.message
    bad_time = await REGISTRY.invoke("prometheus_query", {"query": "up", "time": "yesterday"}, ctx)
    assert bad_time.error is not None and "is not a time" in bad_time.error.message


def test_the_toolset_and_its_function_calling_schemas() -> None:
    assert [tool.name for tool in REGISTRY.tools("prometheus")] == [
        "prometheus_gpu_health",
        "prometheus_label_values",
        "prometheus_metric_names",
        "prometheus_query",
        "prometheus_query_range",
    ]
    for schema in REGISTRY.schemas("prometheus"):
        function = schema["function"]
        assert len(function["description"]) > 200
        for name, spec in function["parameters"]["properties"].items():
            assert spec.get("description"), f"{function['name']}.{name} has no description"
