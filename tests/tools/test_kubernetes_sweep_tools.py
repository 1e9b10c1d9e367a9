"""kubernetes_autoscalers and kubernetes_rollout_history through the registry against the
Kubernetes replay (real client, loopback)."""

from __future__ import annotations

from pathlib import Path

import yaml


async def test_hpa_that_cannot_read_its_metrics(call) -> None:
    result = await call(
        "kubernetes_autoscalers", "sweep-search-api-hpa-metrics-unavailable", namespace="search"
    )
    assert result.ok, result.error
    (hpa,) = result.data["autoscalers"]
    assert (hpa["current_replicas"], hpa["max_replicas"]) == (2, 12)
    assert hpa["metrics_unavailable"] and not hpa["at_max"]
    assert "ScalingActive=False (FailedGetResourceMetric" in result.text
    assert "KEDA is not installed" in result.text


async def test_hpa_at_its_maximum_filtered_by_target(call) -> None:
    bundle = "upstream-http-5xx-vllm-qwen-overloaded"
    result = await call("kubernetes_autoscalers", bundle, namespace="llm", target_name="vllm-qwen")
    assert result.ok, result.error
    (hpa,) = result.data["autoscalers"]
    assert hpa["at_max"] and hpa["limited"]
    assert "vllm_num_requests_waiting 187 (target 10)" in result.text
    other = await call("kubernetes_autoscalers", bundle, namespace="llm", target_name="nothing")
    assert other.ok and other.data["autoscalers"] == []


async def test_bad_target_name_is_refused(call) -> None:
    result = await call(
        "kubernetes_autoscalers", "sweep-search-api-hpa-metrics-unavailable",
        namespace="search", target_name="../secrets",
    )  # fmt: skip
    assert result.error is not None and result.error.kind == "bad_arguments"


async def test_rollout_history_diffs_the_last_two_revisions(call) -> None:
    result = await call(
        "kubernetes_rollout_history",
        "sweep-payments-gateway-rollout-timeout-env",
        namespace="payments",
        name="payments-gateway",
    )
    assert result.ok, result.error
    data = result.data
    assert [r["revision"] for r in data["revisions"]] == [14, 13, 12]
    assert data["in_window"] and round(data["seconds_ago"]) == 25 * 60
    changes = {(c["field"], c["before"], c["after"]) for c in data["changes"]}
    assert ("env PSP_TIMEOUT_MS", "5000", "50") in changes
    assert (
        "image",
        "registry.pay.io/payments-gateway:4.8.2",
        "registry.pay.io/payments-gateway:4.9.0",
    ) in changes
    (config,) = data["configs"]
    assert config["name"] == "payments-gateway-config" and not config["in_window"]
    assert "container gateway: env PSP_TIMEOUT_MS 5000 -> 50" in result.text


async def test_rollout_history_of_a_missing_deployment_is_not_found(call) -> None:
    result = await call(
        "kubernetes_rollout_history", "sweep-payments-gateway-rollout-timeout-env",
        namespace="payments", name="nothing-here",
    )  # fmt: skip
    assert result.error is not None and result.error.kind == "not_found"


async def test_statefulset_history_diffs_its_last_two_controller_revisions(call) -> None:
    result = await call(
        "kubernetes_rollout_history", "sweep-vector-index-statefulset-env-dim",
        namespace="rag", name="vector-index", kind="StatefulSet",
    )  # fmt: skip
    assert result.ok, result.error
    data = result.data
    assert data["kind"] == "StatefulSet"
    assert [r["revision"] for r in data["revisions"]] == [7, 6, 5]
    assert data["in_window"] and round(data["seconds_ago"]) == 38 * 60
    assert (data["current"]["replicas"], data["current"]["ready"]) == (3, 3)
    assert data["previous"]["replicas"] == 0  # every pod is at the update revision
    changes = [(c["field"], c["before"], c["after"]) for c in data["changes"]]
    assert changes == [("env EMBEDDING_DIM", "1024", "768")]  # the image did not change
    assert "StatefulSet rag/vector-index: revision 7" in result.text
    # Out of the window when the question looks back only 30 minutes.
    recent = await call(
        "kubernetes_rollout_history", "sweep-vector-index-statefulset-env-dim",
        namespace="rag", name="vector-index", kind="StatefulSet", since="30m",
    )  # fmt: skip
    assert recent.ok and not recent.data["in_window"]


def _daemonset_bundle(folder: Path) -> Path:
    """A bundle of a DaemonSet, its two ControllerRevisions and another DaemonSet's revision."""
    tpl = {
        "metadata": {"labels": {"app": "node-agent"}},
        "spec": {"containers": [{"name": "agent", "image": "agent:1.0", "args": ["--v=1"]}]},
    }
    newer = {**tpl, "spec": {"containers": [{"name": "agent", "image": "agent:1.1"}]}}
    ds = {
        "apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": "node-agent", "namespace": "ops", "uid": "u-ds",
                     "creationTimestamp": "2026-11-01T00:00:00Z"},
        "spec": {"selector": {"matchLabels": {"app": "node-agent"}}, "template": newer},
        "status": {"currentNumberScheduled": 4, "updatedNumberScheduled": 3, "numberReady": 4},
    }  # fmt: skip

    def revision(name: str, number: int, template: dict, at: str, owner: str) -> dict:
        return {
            "apiVersion": "apps/v1", "kind": "ControllerRevision", "revision": number,
            "metadata": {"name": name, "namespace": "ops", "creationTimestamp": at,
                         "labels": {"app": "node-agent"},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "DaemonSet",
                                              "name": owner, "uid": f"u-{owner}"}]},
            "data": {"spec": {"template": {"$patch": "replace", **template}}},
        }  # fmt: skip

    objects = [
        ds,
        revision("node-agent-a", 1, tpl, "2026-11-01T00:00:00Z", "node-agent"),
        revision("node-agent-b", 2, newer, "2026-12-01T11:50:00Z", "node-agent"),
        revision("other-c", 9, tpl, "2026-12-01T11:55:00Z", "other"),
    ]
    (folder / "kubernetes").mkdir(parents=True)
    (folder / "kubernetes" / "ds.yaml").write_text(yaml.safe_dump_all(objects))
    incident = {
        "id": folder.name, "title": "t", "time": "2026-12-01T12:00:00Z", "question": "q",
        "sources": ["kubernetes"], "expected": {"root_cause": "r", "must_mention": []},
    }  # fmt: skip
    (folder / "incident.yaml").write_text(yaml.safe_dump(incident))
    return folder


async def test_daemonset_history_reads_its_own_controller_revisions(call, tmp_path) -> None:
    bundle = _daemonset_bundle(tmp_path / "ds-rollout")
    result = await call(
        "kubernetes_rollout_history", bundle, namespace="ops", name="node-agent", kind="DaemonSet"
    )
    assert result.ok, result.error
    data = result.data
    assert [r["replicaset"] for r in data["revisions"]] == ["node-agent-b", "node-agent-a"]
    assert (data["current"]["replicas"], data["current"]["ready"]) == (3, 3)
    assert data["previous"]["replicas"] == 1  # one node still runs the older template
    assert data["in_window"] and round(data["seconds_ago"]) == 600
    changes = {(c["field"], c["before"], c["after"]) for c in data["changes"]}
    assert changes == {("image", "agent:1.0", "agent:1.1"), ("args", "--v=1", "")}


async def test_rollout_history_refuses_a_kind_without_rollouts(call) -> None:
    result = await call(
        "kubernetes_rollout_history", "sweep-vector-index-statefulset-env-dim",
        namespace="rag", name="vector-index", kind="Job",
    )  # fmt: skip
    assert result.error is not None and result.error.kind == "bad_arguments"
