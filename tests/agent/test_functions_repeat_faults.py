"""gpu_fault_history: Xid episodes over days, memory error readings, DRA device taints and claim
device conditions, and which GPU is a repeat offender or needs RMA."""

from __future__ import annotations

from typing import Any

from holmes.agent.engine.rules.gpu.repeat_faults import episodes, gpu_fault_history

HOUR = 3600.0
DAY = 24 * HOUR


def _points(*runs: tuple[int, int, int]) -> list[list[float]]:
    """Hourly points over 7 days; each run is (code, first hour, last hour)."""
    values = [0] * (7 * 24)
    for code, first, last in runs:
        for hour in range(first, last + 1):
            values[hour] = code
    return [[1_790_000_000 + h * HOUR, float(v)] for h, v in enumerate(values)]


def _range(node: str, gpu: str, points: list[list[float]]) -> dict[str, Any]:
    labels = {"Hostname": node, "gpu": gpu, "UUID": f"GPU-{node}-{gpu}", "modelName": "H100"}
    return {"ok": True, "data": {"series": [{"labels": labels, "points": points}]}}


def _reading(node: str, gpu: str, reading: str, value: float) -> dict[str, Any]:
    labels = {"Hostname": node, "gpu": gpu, "reading": reading}
    return {"ok": True, "data": {"series": [{"labels": labels, "value": value}]}}


def test_episodes_split_on_clears_and_code_changes() -> None:
    found = episodes([[0, 0], [1, 79], [2, 79], [3, 0], [4, 48], [5, 79], [6, 9.2e18]])
    assert [(e["code"], e["start"], e["end"]) for e in found] == [
        (79, 1, 2),
        (48, 4, 4),
        (79, 5, 5),
    ]


def test_episodes_split_on_gaps_of_a_query_that_keeps_only_non_zero_hours() -> None:
    found = episodes([[0, 79], [3600, 79], [3 * 3600, 79], [4 * 3600, 79]])
    assert [(e["start"], e["end"]) for e in found] == [(0, 3600), (3 * 3600, 4 * 3600)]


def test_three_hardware_episodes_is_rma() -> None:
    history = _range("n1", "5", _points((79, 10, 12), (48, 80, 81), (79, 150, 167)))
    found = gpu_fault_history([history], [_reading("n1", "5", "dbe_new", 2)])
    assert found["verdict"] == "repeat"
    worst = found["worst"]
    assert (worst["node"], worst["gpu"], worst["fault_episodes"]) == ("n1", "5", 3)
    assert worst["codes"] == [48, 79]
    assert worst["rma"] is True
    assert len(worst["fault_days"]) == 3
    assert worst["dbe_new"] == 2


def test_application_xids_and_single_faults_are_not_repeats() -> None:
    app = _range("n1", "2", _points((13, 10, 11), (13, 60, 61), (31, 100, 100)))
    once = _range("n2", "6", _points((74, 30, 31)))
    assert gpu_fault_history([app, once], [])["verdict"] == ""


def test_two_episodes_repeat_but_not_rma_without_memory_errors() -> None:
    found = gpu_fault_history([_range("n1", "1", _points((79, 5, 6), (79, 100, 101)))], [])
    assert found["verdict"] == "repeat"
    assert found["worst"]["rma"] is False


def test_row_remap_failure_alone_is_rma_and_several_gpus_point_at_the_node() -> None:
    twice = _range("n4", "3", _points((79, 5, 6), (79, 100, 101)))
    found = gpu_fault_history([twice], [_reading("n4", "2", "row_remap_failure", 1)])
    assert [g["gpu"] for g in found["gpus"]] == ["2", "3"]
    assert found["gpus"][0]["rma"] is True
    assert found["node_level"] == ["n4"]


def test_dra_taints_and_claim_conditions_attach_to_the_gpu() -> None:
    history = _range("n4", "2", _points((48, 5, 6), (64, 100, 167)))
    slices = [
        {
            "spec": {
                "nodeName": "n4",
                "devices": [
                    {
                        "name": "gpu-2",
                        "attributes": {"uuid": {"string": "GPU-n4-2"}},
                        "taints": [
                            {"key": "gpu.nvidia.com/xid", "value": "64", "effect": "NoSchedule"}
                        ],
                    },
                    {"name": "gpu-3"},
                ],
            }
        }
    ]
    rules = [
        {
            "metadata": {"name": "quarantine-n4-gpu-2"},
            "spec": {
                "deviceSelector": {"driver": "gpu.nvidia.com", "pool": "n4", "device": "gpu-2"},
                "taint": {"key": "ops/quarantine", "effect": "NoExecute"},
            },
        }
    ]
    claims = [
        {
            "metadata": {"name": "w1-gpus"},
            "status": {
                "devices": [
                    {
                        "pool": "n4",
                        "device": "gpu-2",
                        "conditions": [
                            {"type": "Ready", "status": "False", "reason": "RowRemapFailure"}
                        ],
                    },
                    {
                        "pool": "n4",
                        "device": "gpu-1",
                        "conditions": [{"type": "Ready", "status": "True"}],
                    },
                ]
            },
        }
    ]
    gpu = gpu_fault_history([history], [], slices, rules, claims)["worst"]
    assert gpu["dra_taints"] == [
        "gpu.nvidia.com/xid=64:NoSchedule (ResourceSlice)",
        "ops/quarantine:NoExecute (DeviceTaintRule quarantine-n4-gpu-2)",
    ]
    assert gpu["claim_conditions"] == ["claim w1-gpus: Ready False (RowRemapFailure: )"]


def test_failed_or_empty_sources() -> None:
    assert gpu_fault_history(None, None)["verdict"] == ""
    assert gpu_fault_history([{"ok": False, "error": "down"}], [{"ok": False}])["gpus"] == []
