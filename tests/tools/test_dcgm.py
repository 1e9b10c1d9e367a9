"""DCGM facts: the Xid table and its classes, clock-event bits, sentinels, label spellings."""

from __future__ import annotations

import pytest

from holmes.tools.facts.dcgm import (
    FP64_BLANK,
    INT32_BLANK,
    INT64_BLANK,
    decode_clock_events,
    host_of,
    is_blank,
    known_xids,
    pod_of,
    sentinel_name,
    xid_info,
)
from holmes.tools.facts.metric_labels import matcher_variants


def test_xid_79_is_a_hardware_fault_that_needs_the_node_drained_and_rebooted() -> None:
    info = xid_info(79)
    assert info.mnemonic == "GPU_HAS_FALLEN_OFF_THE_BUS"
    assert "fell off the bus" in info.meaning
    assert (info.cause, info.fatal, info.drain, info.bucket) == (
        "hardware",
        True,
        True,
        "RESTART_BM",
    )
    assert "drain" in info.action and "reboot" in info.action


@pytest.mark.parametrize("code", [13, 31, 43])
def test_application_xids_blame_the_code_and_need_no_drain(code: int) -> None:
    info = xid_info(code)
    assert info.blames_application and not info.drain and not info.fatal


@pytest.mark.parametrize(
    ("code", "drain"),
    [(48, True), (64, True), (74, True), (95, True), (119, True), (63, False), (92, False)],
)
def test_drain_follows_the_bucket(code: int, drain: bool) -> None:
    assert xid_info(code).drain is drain


def test_nvlink5_range_and_unknown_codes() -> None:
    assert {144, 150} <= set(known_xids())
    assert xid_info(147).mnemonic == "NVLINK_TREX_ERROR" and xid_info(147).drain
    unknown = xid_info(999)
    assert unknown.cause == "unknown" and "catalog" in unknown.action


def test_clock_event_bitmask_decodes_every_set_bit() -> None:
    assert [r.name for r in decode_clock_events(0x28)] == ["hw_slowdown", "sw_thermal"]
    assert [r.name for r in decode_clock_events(0x1 | 0x4 | 0x80)] == [
        "gpu_idle",
        "power_cap",
        "hw_power_brake",
    ]
    assert decode_clock_events(0) == []
    assert all(r.concern for r in decode_clock_events(0x8 | 0x20 | 0x40 | 0x80))
    assert not any(r.concern for r in decode_clock_events(0x1 | 0x2 | 0x4))


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (float(INT32_BLANK), "blank"),
        (float(INT32_BLANK + 2), "not supported"),
        (FP64_BLANK + 3, "not permissioned"),
        (float(INT64_BLANK + 2), "blank"),  # float64 cannot tell the int64 offsets apart
        (float("nan"), "blank"),
    ],
)
def test_sentinels_are_no_data(value: float, name: str) -> None:
    assert is_blank(value) and sentinel_name(value) == name


@pytest.mark.parametrize("value", [0.0, 92.0, 81559.0, 2**31 + 100.0, 3e12])
def test_readings_are_not_sentinels(value: float) -> None:
    # An int64 counter past 2^31 (energy in mJ, say) is a reading, not the int32 blank.
    assert not is_blank(value) and sentinel_name(value) is None


def test_label_helpers_accept_both_spellings() -> None:
    new = {"hostname": "a100-node-1", "namespace": "serving", "pod": "llm-0"}
    old = {"Hostname": "gpu-node-5", "pod_namespace": "ml", "pod_name": "bert-0"}
    assert (host_of(new), pod_of(new)) == ("a100-node-1", "serving/llm-0")
    assert (host_of(old), pod_of(old)) == ("gpu-node-5", "ml/bert-0")
    assert pod_of({"Hostname": "n", "pod": ""}) == ""


def test_matcher_variants_cover_every_spelling_of_the_filtered_labels() -> None:
    assert matcher_variants() == [[]]
    assert matcher_variants(extra={"gpu": "2"}) == [['gpu="2"']]
    variants = matcher_variants(node="gpu-node-3", namespace="ml")
    hosts = {v[0] for v in variants}
    assert hosts == {
        'Hostname="gpu-node-3"',
        'hostname="gpu-node-3"',
        'node="gpu-node-3"',
        'kubernetes_node="gpu-node-3"',
        'instance=~"gpu-node-3(:[0-9]+)?"',
    }
    assert ['Hostname="gpu-node-3"', 'exported_namespace="ml"'] in variants
    assert ['Hostname="gpu-node-3"', 'pod_namespace="ml"'] in variants
    plain = ['Hostname="gpu-node-3"', 'namespace="ml"', 'exported_pod=""', 'exported_namespace=""']
    assert plain in variants
