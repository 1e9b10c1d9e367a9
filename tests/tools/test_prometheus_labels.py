"""The label-convention layer: workload and node identity from every spelling, and the matchers
that select them (reference/gpu-metrics.md section 1; Prometheus's honor_labels renaming)."""

from __future__ import annotations

from collections.abc import Callable

from holmes.agent.engine.names import hints_from_alert
from holmes.agent.engine.triage import _cluster_nodes
from holmes.tools.context import ToolContext
from holmes.tools.facts.metric_labels import (
    RELABELLED_NOTE,
    Workload,
    host_part,
    matcher_variants,
    node_candidates,
    node_of,
    scrape_targets,
    workload_matchers,
    workload_of,
)
from holmes.tools.prometheus import TOOLS
from holmes.tools.registry import ToolRegistry

# A DCGM series scraped by the gpu-operator's ServiceMonitor (honorLabels: false).
OPERATOR = {
    "__name__": "DCGM_FI_DEV_XID_ERRORS",
    "gpu": "6",
    "Hostname": "h200-sxm-14",
    "exported_namespace": "inference",
    "exported_pod": "qwen3-235b-vllm-1",
    "exported_container": "vllm",
    "namespace": "gpu-operator",
    "pod": "nvidia-dcgm-exporter-8q2wd",
    "container": "nvidia-dcgm-exporter",
    "instance": "10.244.14.7:9400",
}
# The same scrape, a GPU no pod holds: Prometheus renames only non-empty labels.
OPERATOR_IDLE = {k: v for k, v in OPERATOR.items() if not k.startswith("exported_")}


def test_exported_labels_name_the_workload_over_the_exporters_own() -> None:
    assert workload_of(OPERATOR) == Workload("inference", "qwen3-235b-vllm-1", "vllm")
    assert workload_of(OPERATOR).ref == "inference/qwen3-235b-vllm-1"


def test_plain_labels_name_the_workload_when_no_exported_labels_exist() -> None:
    direct = {"gpu": "0", "Hostname": "n1", "namespace": "ml", "pod": "train-0", "container": "t"}
    assert workload_of(direct).ref == "ml/train-0"
    old = {"gpu": "0", "Hostname": "n1", "pod_namespace": "ml", "pod_name": "bert-0"}
    assert workload_of(old).ref == "ml/bert-0"
    assert workload_of({"gpu": "0", "pod": "", "namespace": ""}).ref == ""


def test_an_idle_gpu_of_an_operator_scrape_names_no_workload() -> None:
    # Known as a scrape target from the batch's other series, or by the exporter's own name.
    targets = scrape_targets([OPERATOR, OPERATOR_IDLE])
    assert targets == {("gpu-operator", "nvidia-dcgm-exporter-8q2wd")}
    assert workload_of(OPERATOR_IDLE, targets) == Workload()
    assert workload_of(OPERATOR_IDLE) == Workload()


def test_an_alert_about_the_exporter_pod_itself_keeps_it() -> None:
    # Not a GPU series: a crash-looping exporter is the workload of its own alert.
    crash = {
        "alertname": "KubePodCrashLooping",
        "namespace": "gpu-operator",
        "pod": "nvidia-dcgm-exporter-8q2wd",
        "container": "nvidia-dcgm-exporter",
    }
    assert workload_of(crash).ref == "gpu-operator/nvidia-dcgm-exporter-8q2wd"


def test_node_spellings_in_order_of_trust() -> None:
    assert node_of(OPERATOR) == "h200-sxm-14"
    assert node_of({"hostname": "gpu-node-7"}) == "gpu-node-7"
    assert node_of({"node": "n2", "kubernetes_node": "n3"}) == "n2"
    assert node_of({"kubernetes_node": "n3", "instance": "n9:9100"}) == "n3"
    assert node_of({"instance": "gpu-node-4:9400"}) == "gpu-node-4"
    assert host_part("[fd00::7]:9400") == "fd00::7"
    assert node_of({}) == ""


def test_a_pod_name_in_hostname_is_not_a_node() -> None:
    # dcgm-exporter run without its node name reports its own pod name as hostname.
    labels = {
        "hostname": "nvidia-dcgm-exporter-tx5bm",
        "pod": "nvidia-dcgm-exporter-tx5bm",
        "namespace": "gpu-operator",
        "node": "h200-sxm-15",
    }
    assert node_candidates(labels) == ["h200-sxm-15"]
    workload = {"hostname": "train-0", "exported_pod": "train-0", "instance": "10.0.0.5:9400"}
    assert node_candidates(workload) == ["10.0.0.5"]


def test_the_clusters_nodes_decide_when_known() -> None:
    labels = {"Hostname": "h200-sxm-14", "instance": "10.244.14.7:9400"}
    assert node_of(labels, known_nodes={"h200-sxm-14", "h200-sxm-15"}) == "h200-sxm-14"
    assert node_of({"hostname": "not-a-node", "node": "h200-sxm-15"}, {"h200-sxm-15"}) == (
        "h200-sxm-15"
    )
    assert node_of({"hostname": "not-a-node"}, {"h200-sxm-15"}) == ""


def test_workload_matchers_select_either_convention_but_not_the_exporter() -> None:
    variants = workload_matchers(namespace="inference", pod="qwen3-235b-vllm-1")
    assert ['exported_namespace="inference"', 'exported_pod="qwen3-235b-vllm-1"'] in variants
    assert [
        'namespace="inference"',
        'pod="qwen3-235b-vllm-1"',
        'exported_pod=""',
        'exported_namespace=""',
    ] in variants
    assert ['pod_namespace="inference"', 'pod_name="qwen3-235b-vllm-1"'] in variants
    assert workload_matchers() == [[]]
    escaped = matcher_variants(pod='a"b')
    assert any('exported_pod="a\\"b"' in v for v in escaped)


def test_alert_intake_takes_the_subject_from_exported_labels() -> None:
    hints = hints_from_alert({"alertname": "GpuXidError", **OPERATOR})
    assert (hints.namespace, hints.pod, hints.container) == (
        "inference",
        "qwen3-235b-vllm-1",
        "vllm",
    )
    assert hints.nodes[0] == "h200-sxm-14"
    assert _cluster_nodes(hints.nodes, {"h200-sxm-14"}) == ["h200-sxm-14"]
    pod_as_host = hints_from_alert(
        {"hostname": "nvidia-dcgm-exporter-x", "instance": "10.1.2.3:9400"}
    )
    assert _cluster_nodes(pod_as_host.nodes, {"h200-sxm-14"}) == []
    plain = hints_from_alert({"alertname": "KubePodCrashLooping", "namespace": "ml", "pod": "p-0"})
    assert (plain.namespace, plain.pod) == ("ml", "p-0")


async def test_query_results_say_which_labels_name_the_workload(
    tool_context: Callable[..., ToolContext],
) -> None:
    registry = ToolRegistry(TOOLS)
    ctx = tool_context("gpu-xid-74-nvlink-operator-labels")
    query = (
        'DCGM_FI_DEV_XID_ERRORS{exported_pod="qwen3-235b-vllm-1"} or '
        'DCGM_FI_DEV_XID_ERRORS{pod="qwen3-235b-vllm-1",exported_pod=""}'
    )
    result = await registry.invoke("prometheus_query", {"query": query}, ctx)
    assert result.ok, result.error
    assert len(result.data["series"]) == 4
    assert RELABELLED_NOTE in result.text
