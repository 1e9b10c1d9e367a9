"""A source that fails is named, with its reason, and never yields "No fault found".

Each test replays a public incident and swaps one source's endpoint for a faulty server on
loopback (`servers.py`): Kubernetes and Prometheus refused, hung, answering HTML, truncated JSON,
HTTP 500, 401 or 403; Hubble answering UNAVAILABLE, INTERNAL, undecodable bytes, or hanging.
The answer must name the source in `sources_unavailable` (endpoint, fault, reason), must not
say that nothing is wrong, and must come within the tool timeout plus a few seconds (the
precise figures: `bench/faulty_sources.py`).
"""

from __future__ import annotations

import re

import pytest

from holmes.cli.render import diagnosis_markdown
from tests.faults.conftest import TOOL_TIMEOUT, Outcome

# A generous bound: it catches an investigation that waits once per stage (it took 37 s with
# all three sources hanging), not a slow machine.
BOUND = TOOL_TIMEOUT + 5

# fault -> (the fault recorded, words its reason must hold)
HTTP_EXPECTED = {
    "refused": ("unreachable", "connection refused"),
    "hang": ("timeout", "did not answer within"),
    "html": ("bad_response", "an HTML page"),
    "truncated": ("bad_response", "truncated or invalid JSON"),
    "http500": ("server_error", "HTTP 500"),
    "http401": ("auth", "HTTP 401"),
    "http403": ("auth", "HTTP 403"),
}
HUBBLE_EXPECTED = {
    "unavailable": ("unreachable", "is not reachable"),
    "internal": ("server_error", "answered INTERNAL"),
    "garbage": ("bad_response", "do not decode"),
    "hang": ("timeout", "did not answer within"),
}
HEALTHY = "abstain-healthy-text-embeddings"  # Kubernetes + Hubble: the answer is "no fault"
XID = "gpu-xid-79-node-3"  # Kubernetes + Prometheus: the fault is only in the DCGM metrics


def _slow_if_hang(faults: dict[str, tuple[str, str]]) -> list:
    return [
        pytest.param(fault, marks=pytest.mark.slow) if fault == "hang" else fault
        for fault in faults
    ]


def assert_never_healthy(outcome: Outcome) -> None:
    """Nothing the user reads says that nothing is wrong."""
    text = diagnosis_markdown(outcome.diagnosis, verbose=True)
    assert "no fault found" not in text.lower()
    assert "looks healthy" not in text.lower()
    assert outcome.seconds < BOUND, f"took {outcome.seconds:.1f} s"


def assert_named(outcome: Outcome, source: str, endpoint: str, expected: tuple[str, str]):
    fault, words = expected
    entry = outcome.unavailable(source)
    assert entry.fault == fault
    assert words in entry.reason
    assert entry.endpoint == endpoint
    return entry


@pytest.mark.parametrize("fault", _slow_if_hang(HTTP_EXPECTED))
async def test_a_faulty_prometheus_leaves_the_gpu_fault_open(investigate_with_faults, fault):
    outcome = await investigate_with_faults(XID, {"prometheus": fault})
    url = outcome.sources.prometheus_url
    entry = assert_named(outcome, "prometheus", url, HTTP_EXPECTED[fault])
    assert "GPU Xid error" in entry.unchecked
    diagnosis = outcome.diagnosis
    assert_never_healthy(outcome)
    assert diagnosis.unverified and not diagnosis.fault_found
    assert diagnosis.confidence == "low"
    assert diagnosis.summary.startswith("Could not rule out a fault for Job ml/llama-finetune")
    # in the order the runbooks were tried, which ranking decides
    could_not = re.search(r"Could not check (.*?): prometheus at (\S+)", diagnosis.root_cause)
    assert could_not is not None and could_not.group(2) == url
    assert set(could_not.group(1).split(", ")) == {
        "GPU faults that recur",
        "GPU Xid error",
        "GPUs throttled",
    }
    markdown = diagnosis_markdown(diagnosis)
    assert f"- prometheus: prometheus at {url}" in markdown
    assert re.search(r"not checked: .*GPU Xid error", markdown)


@pytest.mark.parametrize("fault", _slow_if_hang(HTTP_EXPECTED))
async def test_a_faulty_kubernetes_api_is_named_and_nothing_is_concluded(
    investigate_with_faults, fault
):
    outcome = await investigate_with_faults(HEALTHY, {"kubernetes": fault})
    kubeconfig = outcome.sources.kubeconfig
    server = _server_of(kubeconfig)
    assert_named(outcome, "kubernetes", server, HTTP_EXPECTED[fault])
    assert_never_healthy(outcome)
    diagnosis = outcome.diagnosis
    assert diagnosis.summary == "Could not investigate: the Kubernetes API could not be read"
    assert f"kubernetes API at {server}" in diagnosis.root_cause


async def test_a_fault_found_elsewhere_stands_and_kubernetes_is_named(investigate_with_faults):
    outcome = await investigate_with_faults(XID, {"kubernetes": "http500"})
    diagnosis = outcome.diagnosis
    assert diagnosis.fault_found and diagnosis.runbook_id == "gpu-xid-errors"
    assert outcome.unavailable("kubernetes").fault == "server_error"
    assert any(n.startswith("Could not check ") for n in diagnosis.notes)


@pytest.mark.parametrize("fault", _slow_if_hang(HUBBLE_EXPECTED))
async def test_a_faulty_hubble_leaves_the_network_open(investigate_with_faults, fault):
    outcome = await investigate_with_faults(HEALTHY, {"hubble": fault})
    address = outcome.sources.hubble_address
    entry = assert_named(outcome, "hubble", address, HUBBLE_EXPECTED[fault])
    assert "Traffic dropped by a network policy" in entry.unchecked
    assert_never_healthy(outcome)
    diagnosis = outcome.diagnosis
    assert diagnosis.unverified and diagnosis.confidence == "low"
    assert diagnosis.summary.startswith("Could not rule out a fault for Deployment kb/")
    assert f"Hubble Relay at {address}" in diagnosis.root_cause
    # What could be checked is said too: the pods that Kubernetes showed running.
    assert "What could be checked shows no fault: 3 pod(s) running" in diagnosis.explanation


@pytest.mark.slow
async def test_all_three_hanging_cost_one_timeout(investigate_with_faults):
    faults = {"kubernetes": "hang", "prometheus": "hang", "hubble": "hang"}
    outcome = await investigate_with_faults(XID, faults)
    assert {s.source: s.fault for s in outcome.diagnosis.sources_unavailable} == {
        "kubernetes": "timeout",
        "prometheus": "timeout",
        "hubble": "timeout",
    }
    assert_never_healthy(outcome)
    # One timeout (all three probed at once), not one per stage: 3 x 2 s before the fix.
    assert outcome.seconds < TOOL_TIMEOUT + 2, f"took {outcome.seconds:.1f} s"


async def test_the_healthy_incident_still_says_no_fault(investigate_with_faults):
    """The control: with every source answering, the same question is answered "no fault"."""
    outcome = await investigate_with_faults(HEALTHY, {})
    diagnosis = outcome.diagnosis
    assert diagnosis.summary.startswith("No fault found")
    assert not diagnosis.unverified
    assert [s.fault for s in diagnosis.sources_unavailable] == ["not_configured"]


def _server_of(kubeconfig) -> str:
    import yaml

    config = yaml.safe_load(kubeconfig.read_text(encoding="utf-8"))
    return config["clusters"][0]["cluster"]["server"]


async def test_not_found_is_not_concluded_when_a_listing_failed(investigate_with_faults):
    """The object asked about may be among what the API could not list."""
    incident = "abstain-missing-workload-whisper-transcriber"
    outcome = await investigate_with_faults(incident, {"kubernetes": "http500@/statefulsets"})
    diagnosis = outcome.diagnosis
    entry = outcome.unavailable("kubernetes")
    assert entry.fault == "server_error" and "HTTP 500" in entry.reason
    assert diagnosis.unverified and diagnosis.confidence == "low"
    assert diagnosis.summary.endswith("not found in what the Kubernetes API could list")
    assert diagnosis.root_cause.startswith("Not determined: whisper-transcriber")
    # the lookup of other kinds lists StatefulSets too, and says so
    assert (
        "Could not check the StatefulSet list, the lookup of whisper-transcriber in every kind: "
        "kubernetes API at" in diagnosis.root_cause
    )
    assert "does not exist" not in diagnosis.summary


async def test_not_found_stands_when_every_listing_answered(investigate_with_faults):
    outcome = await investigate_with_faults("abstain-missing-workload-whisper-transcriber", {})
    assert not outcome.diagnosis.unverified
    assert "does not exist" in outcome.diagnosis.root_cause
