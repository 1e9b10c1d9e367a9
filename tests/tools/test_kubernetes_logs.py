"""kubernetes_logs through the registry against the Kubernetes replay (real client, loopback)."""

from __future__ import annotations

from holmes.tools.context import Limits
from tests.conftest import PEER_SUITE

GATEWAY = {"namespace": "serving", "name": "llm-gateway-7c9d8f6b54-q2w4n"}


async def test_previous_log_keeps_the_validation_error(call) -> None:
    result = await call(
        "kubernetes_logs", "crashloop-config-error", container="gateway", previous=True, **GATEWAY
    )
    assert result.ok, result.error
    assert "== previous instance log" in result.text
    assert "upstreams.1.url" in result.text
    assert "Field required [type=missing" in result.text
    assert "first timestamp 2026-10-14T09:37:11.120Z, last 2026-10-14T09:37:11.160Z" in result.text
    assert "== current instance" not in result.text


async def test_restarted_container_shows_current_and_previous(call) -> None:
    result = await call("kubernetes_logs", "crashloop-config-error", container="gateway", **GATEWAY)
    assert result.ok, result.error
    assert "restarts 7" in result.text.splitlines()[0]
    previous = result.text.index("== previous instance log")
    current = result.text.index("== current instance log")
    assert previous < current
    assert result.data["previous"]["lines_read"] == 13


async def test_several_containers_and_no_choice_reads_each_one(call) -> None:
    result = await call("kubernetes_logs", "crashloop-config-error", **GATEWAY)
    assert result.ok, result.error
    assert result.text.splitlines()[0].endswith("2 containers (gateway, envoy)")
    assert "container gateway (restarts 7" in result.text
    assert "container envoy (restarts 0" in result.text
    assert "upstreams.1.url" in result.text  # the gateway's crash, beside the sidecar's log
    assert [c["container"] for c in result.data["containers"]] == ["gateway", "envoy"]
    assert len(result.text) <= 4000
    # The decisive lines come as typed facts for the sweep.
    signals = result.data["containers"][0]["previous"]["signals"]
    assert signals and signals[0]["kind"] in ("exception", "error")


async def test_a_container_the_pod_lacks_is_refused_listing_the_choices(call) -> None:
    result = await call("kubernetes_logs", "crashloop-config-error", container="proxy", **GATEWAY)
    assert result.error is not None and result.error.kind == "bad_arguments"
    assert "has no container 'proxy'; containers: gateway, envoy" in result.error.message


async def test_grep_keeps_matching_lines(call) -> None:
    result = await call(
        "kubernetes_logs",
        "crashloop-config-error",
        container="gateway",
        previous=True,
        grep="critical|url",
        **GATEWAY,
    )
    assert result.ok, result.error
    assert "grep 'critical|url' matched 2 of 13 lines" in result.text
    assert "loading configuration" not in result.text


async def test_job_pod_log_keeps_the_syntax_error(call) -> None:
    bundle = PEER_SUITE / "hgpt-inv-07-job-syntax-error"
    result = await call(
        "kubernetes_logs", bundle, namespace="default", name="product-data-scraper-srxlw"
    )
    assert result.ok, result.error
    assert '/bin/sh: syntax error: unexpected "fi"' in result.text
    assert "exit code 2" in result.text


async def test_output_stays_under_the_bound(call) -> None:
    limits = Limits(max_output_chars=1000)
    result = await call(
        "kubernetes_logs", "crashloop-config-error", limits, container="gateway", **GATEWAY
    )
    assert result.ok, result.error
    assert not result.truncated and len(result.text) <= 1000  # bounded by the tool itself
    assert "== previous instance log" in result.text and "== current instance log" in result.text


async def test_bad_grep_and_since_are_bad_arguments(call) -> None:
    bad_grep = await call("kubernetes_logs", "crashloop-config-error", grep="(", **GATEWAY)
    assert bad_grep.error is not None and bad_grep.error.kind == "bad_arguments"
    assert "grep: invalid regular expression" in bad_grep.error.message
    bad_since = await call("kubernetes_logs", "crashloop-config-error", since="soon", **GATEWAY)
    assert bad_since.error is not None and bad_since.error.kind == "bad_arguments"
    assert "since: 'soon' is not a duration" in bad_since.error.message
