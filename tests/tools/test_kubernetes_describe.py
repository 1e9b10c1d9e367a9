"""kubernetes_describe through the registry against the Kubernetes replay (real client, loopback).

The crash-looping gateway (crashloop-config-error), the GPU pod with its DRA claim
(gpu-xid-79-node-3), and the peer-suite bundles: OOMKilled, unschedulable on a node selector,
a PVC whose StorageClass does not exist; and every pod of every peer-suite bundle described
without an error.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import PEER_SUITE


def recorded_pods(bundle: Path) -> list[tuple[str, str]]:
    """(namespace, name) of every Pod recorded in a bundle, read from its YAML directly."""
    found = []
    for path in sorted((bundle / "kubernetes").glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            for obj in (document or {}).get("items", [document]):
                if obj and obj.get("kind") == "Pod":
                    found.append(
                        (obj["metadata"].get("namespace", "default"), obj["metadata"]["name"])
                    )
    return found


async def test_crashloop_pod_names_reason_exit_code_meaning_restarts_and_events(call) -> None:
    result = await call(
        "kubernetes_describe",
        "crashloop-config-error",
        kind="Pod",
        name="llm-gateway-7c9d8f6b54-q2w4n",
        namespace="serving",
    )
    assert result.ok, result.error
    text = result.text
    assert "status CrashLoopBackOff" in text
    assert "terminated Error exit code 1 (generic application error (check the logs))" in text
    assert "restarts 7" in text
    assert "owners: ReplicaSet serving/llm-gateway-7c9d8f6b54" in text
    assert "-> Deployment serving/llm-gateway" in text
    assert "ConfigMap llm-gateway-config-v7: exists" in text
    # Events folded with counts and relative times, Warning first.
    events = text[text.index("events (") :].splitlines()
    assert events[1].startswith("Warning BackOff [container gateway] x61 (first 13m ago")
    assert "Warning Unhealthy [container gateway] x9" in events[2]
    assert result.data["containers"][0]["last_exit_code"] == 1


async def test_gpu_pod_shows_its_claim_and_devices_on_gpu_node_3(call) -> None:
    result = await call(
        "kubernetes_describe",
        "gpu-xid-79-node-3",
        kind="pod",
        name="llama-finetune-1-m9x4f",
        namespace="ml",
    )
    assert result.ok, result.error
    assert (
        "- gpus -> ResourceClaim llama-finetune-1-m9x4f-gpus-b5n7c: allocated 4 devices "
        "(gpu.nvidia.com gpu-node-3: gpu-0, gpu-1, gpu-2, gpu-3) on node gpu-node-3; "
        "reserved for pods/llama-finetune-1-m9x4f"
    ) in result.text
    assert "owners: Job ml/llama-finetune" in result.text
    assert "DRA claims gpus" in result.text
    # The bundle recorded neither the Secret nor the StorageClass; the pod runs, so neither is
    # presented as missing in a way that looks like the cause.
    assert "Secret hf-token: not found now (the containers started, so it existed then)" in (
        result.text
    )
    assert "storageClass fsx-lustre (StorageClass fsx-lustre not found now; the claim is" in (
        result.text
    )


async def test_workload_lists_replicas_and_its_pods_problems_first(call) -> None:
    result = await call(
        "kubernetes_describe",
        "crashloop-config-error",
        kind="Deployment",
        name="llm-gateway",
        namespace="serving",
    )
    assert result.ok, result.error
    lines = result.text.splitlines()
    assert lines[0].startswith("Deployment serving/llm-gateway: ready 2/2  updated 1  available 2")
    pods = lines[lines.index(next(x for x in lines if x.startswith("pods (3"))) + 1 :]
    assert pods[0].startswith("- serving/llm-gateway-7c9d8f6b54-q2w4n: CrashLoopBackOff")
    assert "Warning events of pod serving/llm-gateway-7c9d8f6b54-q2w4n:" in result.text


async def test_oom_killed_pod_says_oomkilled_and_137(call) -> None:
    bundle = PEER_SUITE / "hgpt-02-what-is-wrong-with-pod"
    result = await call(
        "kubernetes_describe",
        bundle,
        kind="Pod",
        name="giant-narwhal-6958c5bdd8-69gtn",
        namespace="app-02",
    )
    assert result.ok, result.error
    assert "OOMKilled exit code 137 (SIGKILL (9): OOM kill" in result.text


async def test_unschedulable_pod_shows_the_node_selector_message(call) -> None:
    bundle = PEER_SUITE / "hgpt-13b-pending-node-selector-detailed"
    (namespace, name), *_ = recorded_pods(bundle)
    result = await call("kubernetes_describe", bundle, kind="Pod", name=name, namespace=namespace)
    assert result.ok, result.error
    assert "Warning FailedScheduling" in result.text
    assert "didn't match Pod's node affinity/selector" in result.text
    assert "nodeSelector: label=someLabel" in result.text


async def test_pvc_with_a_missing_storage_class(call) -> None:
    bundle = PEER_SUITE / "hgpt-24b-misconfigured-pvc-detailed"
    result = await call(
        "kubernetes_describe",
        bundle,
        kind="pvc",
        name="redis-standard-pvc",
        namespace="app-24b",
    )
    assert result.ok, result.error
    assert "storageClass standard-v2 (StorageClass standard-v2 NOT FOUND)" in result.text
    assert "Warning ProvisioningFailed x26" in result.text
    assert 'storageclass.storage.k8s.io "standard-v2" not found' in result.text


PEER_PODS = [
    pytest.param(bundle, namespace, name, id=f"{bundle.name}:{name}")
    for bundle in sorted(PEER_SUITE.iterdir())
    if (bundle / "incident.yaml").exists()
    for namespace, name in recorded_pods(bundle)
]


@pytest.mark.parametrize(("bundle", "namespace", "name"), PEER_PODS)
async def test_every_peer_suite_pod_is_described(
    call, bundle: Path, namespace: str, name: str
) -> None:
    result = await call("kubernetes_describe", bundle, kind="Pod", name=name, namespace=namespace)
    assert result.ok, result.error
    assert result.text.startswith(f"Pod {namespace}/{name}: phase ")
    assert "owners: " in result.text and "events" in result.text
