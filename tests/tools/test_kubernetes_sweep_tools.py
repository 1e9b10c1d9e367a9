"""kubernetes_autoscalers and kubernetes_rollout_history through the registry against the
Kubernetes replay (real client, loopback)."""

from __future__ import annotations


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
