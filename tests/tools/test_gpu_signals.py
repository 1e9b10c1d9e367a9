"""GPU health from whatever is exported: the fallbacks of gpu_state / gpu_signals /
gpu_findings on hand-made samples (facts of reference/gpu-metrics.md), and the tool on the
default-counters, MIG and gpu-operator incidents replayed by the real Prometheus."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from holmes.tools.context import ToolContext
from holmes.tools.facts.dcgm import INFERRED_THERMAL
from holmes.tools.prometheus import TOOLS
from holmes.tools.prometheus.client import Sample, SeriesPoints
from holmes.tools.prometheus.gpu_findings import add_findings
from holmes.tools.prometheus.gpu_signals import infer_throttling, missing_signals
from holmes.tools.prometheus.gpu_state import build_states, mark_stopped
from holmes.tools.registry import ToolRegistry

REGISTRY = ToolRegistry(TOOLS)
NOW = datetime(2026, 10, 3, 16, 5, tzinfo=UTC)
GPU = {"gpu": "4", "Hostname": "a100-pod2-n12", "namespace": "genai", "pod": "train-1"}
MakeContext = Callable[..., ToolContext]


def sample(metric: str, value: float, **labels: str) -> Sample:
    return Sample(labels={"__name__": metric, **GPU, **labels}, value=value)


def state(readings: list[Sample], *, peak: float | None = None, seen: float | None = None):
    peaks = [Sample(labels=GPU, value=peak)] if peak is not None else []
    last = [Sample(labels=GPU, value=seen)] if seen is not None else []
    states = build_states(readings, last, [], step=30.0, sm_clock_peaks=peaks)
    (found,) = states.values()
    return states, found


def test_throttling_inferred_from_temperature_and_the_clock_against_its_own_peak() -> None:
    _, gpu = state(
        [sample("DCGM_FI_DEV_GPU_TEMP", 89), sample("DCGM_FI_DEV_SM_CLOCK", 1040)], peak=1410
    )
    infer_throttling(gpu)
    assert gpu.throttle_inferred and gpu.clock_reasons == [INFERRED_THERMAL]


def test_no_inference_when_cool_when_the_clock_holds_or_when_reasons_are_exported() -> None:
    cool = [sample("DCGM_FI_DEV_GPU_TEMP", 70), sample("DCGM_FI_DEV_SM_CLOCK", 1040)]
    holding = [sample("DCGM_FI_DEV_GPU_TEMP", 89), sample("DCGM_FI_DEV_SM_CLOCK", 1350)]
    reasons = [
        *cool[1:],
        sample("DCGM_FI_DEV_GPU_TEMP", 89),
        sample("DCGM_FI_DEV_CLOCKS_EVENT_REASONS", 0),
    ]
    for readings in (cool, holding, reasons):
        _, gpu = state(readings, peak=1410)
        infer_throttling(gpu)
        assert not gpu.throttle_inferred


def test_the_exported_slowdown_threshold_replaces_the_assumed_one() -> None:
    # 84 °C is below the 85 °C assumed, but within 5 °C of an exported 88 °C slowdown.
    readings = [sample("DCGM_FI_DEV_GPU_TEMP", 84), sample("DCGM_FI_DEV_SM_CLOCK", 900)]
    _, gpu = state(readings, peak=1410)
    infer_throttling(gpu)
    assert not gpu.throttle_inferred
    _, gpu = state([*readings, sample("DCGM_FI_DEV_SLOWDOWN_TEMP", 88)], peak=1410)
    infer_throttling(gpu)
    assert gpu.throttle_inferred


def test_the_older_throttle_reasons_name_is_decoded() -> None:
    # 0x28 = sw_thermal (0x20) + hw_slowdown (0x8), same field id 112 under its old name.
    _, gpu = state([sample("DCGM_FI_DEV_CLOCK_THROTTLE_REASONS", 0x28)])
    assert gpu.clock_reasons == ["hw_slowdown", "sw_thermal"]


def test_missing_signals_say_what_to_enable() -> None:
    states, _ = state([sample("DCGM_FI_DEV_GPU_TEMP", 60), sample("DCGM_FI_DEV_XID_ERRORS", 0)])
    notes = missing_signals(states.values())
    assert notes[0].startswith(
        "clock-event reasons are not exported: enable DCGM_FI_DEV_CLOCKS_EVENT_REASONS in the "
        "counters CSV"
    )
    assert any("DCGM_FI_DEV_ECC_DBE_VOL_TOTAL" in n for n in notes)
    assert not any("Xid errors" in n for n in notes)
    full, _ = state([sample("DCGM_FI_DEV_CLOCKS_EVENT_REASONS", 0)])
    assert not any("clock-event" in n for n in missing_signals(full.values()))


def test_a_mig_instance_reports_while_its_gpu_does() -> None:
    parent = {**GPU, "gpu": "0"}
    instance = {**parent, "GPU_I_ID": "11", "GPU_I_PROFILE": "1g.10gb"}
    now = NOW.timestamp()
    states = build_states(
        [Sample(labels={"__name__": "DCGM_FI_PROF_GR_ENGINE_ACTIVE", **instance}, value=0.5)],
        [Sample(labels=parent, value=now - 30)],
        [],
        step=30.0,
    )
    mark_stopped(states, now=now, window_start=now - 3600, stale_after=120)
    assert {(g.instance, g.stopped_since) for g in states.values()} == {("", None), ("11", None)}
    assert states[("a100-pod2-n12", "0", "11")].mig_profile == "1g.10gb"


def test_any_fresh_series_means_reporting_and_a_stale_one_means_silence() -> None:
    now = NOW.timestamp()
    states, gpu = state([sample("DCGM_FI_DEV_FB_FREE", 100)], seen=now - 20)
    mark_stopped(states, now=now, window_start=now - 3600, stale_after=120)
    assert gpu.stopped_since is None
    states, gpu = state([sample("DCGM_FI_DEV_XID_ERRORS", 79)], seen=now - 600)
    mark_stopped(states, now=now, window_start=now - 3600, stale_after=120)
    add_findings(states, NOW)
    assert gpu.stopped_since == now - 600
    assert [f.kind for f in gpu.findings] == ["xid", "stopped"]


def test_exporter_xid_count_err_msg_health_and_pcie_replays() -> None:
    readings = [
        sample("DCGM_EXP_XID_ERRORS_COUNT", 2, xid="48", window_size_in_ms="300000"),
        sample(
            "DCGM_EXP_GPU_HEALTH_STATUS",
            20,
            health_watch="MEM",
            health_error_code="DCGM_FR_VOLATILE_DBE_DETECTED",
        ),
        sample(
            "DCGM_EXP_GPU_HEALTH_STATUS", 0, health_watch="PCIE", health_error_code="DCGM_FR_OK"
        ),
    ]
    replays = [Sample(labels=GPU, value=340)]
    states = build_states(readings, [], [], step=30.0, pcie_replays=replays)
    (gpu,) = states.values()
    assert gpu.xid is not None and gpu.xid.code == 48  # no XID_ERRORS: the counter names it
    assert gpu.health == ["MEM FAIL (DCGM_FR_VOLATILE_DBE_DETECTED)"]
    add_findings(states, NOW)
    kinds = {f.kind: f for f in gpu.findings}
    assert kinds["health_fail"].severity == "critical"
    assert kinds["pcie"].text.startswith("340 PCIe replays in the window")
    labelled = build_states(
        [sample("DCGM_FI_DEV_XID_ERRORS", 79, err_code="79", err_msg="GPU has fallen off the bus")],
        [],
        [SeriesPoints(labels=GPU, points=[(NOW.timestamp(), 79)])],
        step=30.0,
    )
    add_findings(labelled, NOW)
    (gpu,) = labelled.values()
    assert '(exporter: "GPU has fallen off the bus")' in gpu.findings[0].text


async def test_default_counters_incident_is_judged_without_clock_reasons(
    tool_context: MakeContext,
) -> None:
    ctx = tool_context("gpu-throttling-default-counters-flux-lora")
    result = await REGISTRY.invoke("prometheus_gpu_health", {}, ctx)
    assert result.ok, result.error
    hot = [g for g in result.data["gpus"] if g["throttle_inferred"]]
    assert sorted((g["node"], g["gpu"]) for g in hot) == [
        ("a100-pod2-n12", str(i)) for i in range(4, 8)
    ]
    assert "clock-event reasons are not exported" in result.data["missing_signals"][0]
    assert "thermal slowdown (inferred: temperature 89 °C >= 85 °C" in result.text
    assert "missing signal: clock-event reasons are not exported" in result.text


async def test_gpu_operator_labels_filter_by_the_workload(tool_context: MakeContext) -> None:
    ctx = tool_context("gpu-xid-74-nvlink-operator-labels")
    args = {"namespace": "inference", "pod": "qwen3-235b-vllm-1"}
    result = await REGISTRY.invoke("prometheus_gpu_health", args, ctx)
    assert result.ok, result.error
    gpus = result.data["gpus"]
    assert sorted(g["gpu"] for g in gpus) == ["4", "5", "6", "7"]
    assert {tuple(g["pods"]) for g in gpus} == {("inference/qwen3-235b-vllm-1",)}
    everything = await REGISTRY.invoke(
        "prometheus_gpu_health", {}, tool_context("gpu-xid-74-nvlink-operator-labels")
    )
    idle = [g for g in everything.data["gpus"] if g["node"] == "h200-sxm-14" and g["gpu"] == "0"]
    assert idle[0]["pods"] == []  # the exporter's own namespace/pod are not a workload


async def test_mig_instances_are_not_silent_gpus(tool_context: MakeContext) -> None:
    result = await REGISTRY.invoke(
        "prometheus_gpu_health", {}, tool_context("gpu-xid-13-mig-ocr-worker")
    )
    assert result.ok, result.error
    gpus = result.data["gpus"]
    assert not [g for g in gpus if g["stopped_since"] is not None]
    mig = [g for g in gpus if g["instance"]]
    assert len(mig) == 9 and {g["mig_profile"] for g in mig} == {"1g.10gb", "3g.40gb"}
    assert "GPUs 0/7, 0/8, 0/9, 0/12, 0/13, 0/14, 1/1, 1/2, 2," in result.text
    assert "engine active 0-64%, memory free 2760-81037 MiB" in result.text
    notes = result.data["missing_signals"]
    assert "without DCGM_FI_DEV_GPU_TEMP either, throttling cannot be judged" in notes[0]
    assert notes[1] == "GPU temperature is not exported: enable DCGM_FI_DEV_GPU_TEMP"
    faulty = next(g for g in gpus if g["xid"])
    assert (faulty["instance"], faulty["pods"]) == (
        "11",
        ["nlp-tenants/doc-ocr-worker-6d9c7b8f4-kx2lp"],
    )
