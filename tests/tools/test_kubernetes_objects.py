"""kubernetes_get, kubernetes_list, kubernetes_find, kubernetes_events and kubernetes_node through
the registry against the Kubernetes replay (real client, loopback)."""

from __future__ import annotations

from tests.conftest import PEER_SUITE


async def test_list_resource_claims_shows_allocated_devices(call) -> None:
    result = await call(
        "kubernetes_list",
        "gpu-xid-79-node-3",
        kind="ResourceClaim",
        api_version="resource.k8s.io/v1",
        namespace="ml",
    )
    assert result.ok, result.error
    lines = result.text.splitlines()
    assert lines[0] == "2 ResourceClaim objects (resource.k8s.io/v1) in namespace ml:"
    assert lines[2].startswith(
        "ml/llama-finetune-1-m9x4f-gpus-b5n7c  allocated 4 devices (gpu.nvidia.com gpu-node-3: "
        "gpu-0, gpu-1, gpu-2, gpu-3) on node gpu-node-3; reserved for pods/llama-finetune-1-m9x4f"
    )


async def test_list_pods_puts_problems_first_with_kubectl_columns(call) -> None:
    result = await call("kubernetes_list", "crashloop-config-error", kind="po", namespace="serving")
    assert result.ok, result.error
    first = result.text.splitlines()[1]
    assert first == (
        "serving/llm-gateway-7c9d8f6b54-q2w4n  ready 1/2  CrashLoopBackOff  "
        "restarts 7 (last 2m4s ago)  node cpu-node-2  age 14m"
    )


async def test_list_slices_and_label_selector(call) -> None:
    slices = await call("kubernetes_list", "gpu-xid-79-node-3", kind="resourceslices")
    assert slices.ok, slices.error
    assert "tainted devices: gpu-2 gpu.nvidia.com/xid=79:NoSchedule" in slices.text
    none = await call(
        "kubernetes_list", "crashloop-config-error", kind="Pod", label_selector="app=nothing"
    )
    assert none.ok and none.text.startswith("no Pod objects (v1) in all namespaces matching")


async def test_list_cilium_policy_crd(call) -> None:
    result = await call("kubernetes_list", "hubble-policy-denied", kind="CiliumNetworkPolicy")
    assert result.ok, result.error
    assert "(cilium.io/v2) in all namespaces" in result.text
    assert "ingress rules" in result.text


async def test_get_shows_config_without_bookkeeping(call) -> None:
    result = await call(
        "kubernetes_get",
        "crashloop-config-error",
        kind="ConfigMap",
        name="llm-gateway-config-v7",
        namespace="serving",
    )
    assert result.ok, result.error
    assert "uri: http://vllm-mixtral.serving.svc:8000/v1" in result.text
    assert "managedFields" not in result.text


async def test_get_missing_object_is_not_found_naming_it(call) -> None:
    result = await call(
        "kubernetes_get", "crashloop-config-error", kind="Pod", name="nope", namespace="serving"
    )
    assert result.error is not None and result.error.kind == "not_found"
    assert result.error.message == "Pod nope in namespace serving not found"
    unknown = await call("kubernetes_get", "crashloop-config-error", kind="Widget", name="x")
    assert unknown.error is not None and unknown.error.kind == "not_found"
    assert "Widget" in unknown.error.message


async def test_find_resolves_llm_gateway_to_the_deployment_then_pods(call) -> None:
    result = await call("kubernetes_find", "crashloop-config-error", name="llm gateway")
    assert result.ok, result.error
    lines = result.text.splitlines()
    assert lines[1].startswith("Deployment serving/llm-gateway [exact]: ready 2/2")
    assert any(
        line.startswith("Pod serving/llm-gateway-7c9d8f6b54-q2w4n [prefix]") for line in lines
    )


async def test_find_a_fragment_and_a_miss(call) -> None:
    bundle = PEER_SUITE / "hgpt-09-crashpod"
    found = await call("kubernetes_find", bundle, name="Payment_Worker")
    assert found.ok, found.error
    assert found.text.splitlines()[1].startswith(
        "Deployment default/payment-processing-worker [all words]"
    )
    miss = await call("kubernetes_find", bundle, name="zebra")
    assert miss.ok and miss.text.startswith("no object name matches 'zebra'")
    assert "closest names:" in miss.text


async def test_events_warning_since(call) -> None:
    result = await call("kubernetes_events", "crashloop-config-error", type="Warning", since="5m")
    assert result.ok, result.error
    lines = result.text.splitlines()
    # Only BackOff (14s ago) and Unhealthy (2m3s ago) are within 5 minutes; the HPA's last
    # warning was 1m ago too, so three; Normal events are filtered by the server.
    assert lines[0].startswith("3 distinct events (3 Warning)")
    assert all(line.startswith("Warning ") for line in lines[1:])
    narrow = await call("kubernetes_events", "crashloop-config-error", type="Warning", since="30s")
    assert narrow.text.splitlines()[1].startswith(
        "Warning BackOff Pod serving/llm-gateway-7c9d8f6b54-q2w4n [container gateway] x61"
    )
    assert len(narrow.text.splitlines()) == 2


async def test_events_of_one_object_and_none(call) -> None:
    result = await call(
        "kubernetes_events",
        PEER_SUITE / "hgpt-24b-misconfigured-pvc-detailed",
        namespace="app-24b",
        kind="PersistentVolumeClaim",
        name="redis-standard-pvc",
    )
    assert result.ok, result.error
    assert 'x26 (first 7m28s ago, last 1m14s ago): storageclass.storage.k8s.io "standard-v2"' in (
        result.text
    )
    empty = await call("kubernetes_events", "crashloop-config-error", reason="Nothing")
    assert empty.ok and empty.text.startswith("no events match")


async def test_node_view_shows_the_xid_device_taint(call) -> None:
    result = await call("kubernetes_node", "gpu-xid-79-node-3", name="gpu-node-3")
    assert result.ok, result.error
    assert "4 devices (4 x NVIDIA H100 80GB HBM3)" in result.text
    assert "tainted devices: gpu-2 gpu.nvidia.com/xid=79:NoSchedule" in result.text
    assert "DRA claims allocated on this node: ml/llama-finetune-1-m9x4f-gpus-b5n7c" in result.text
    assert "- ml/llama-finetune-1-m9x4f: Running" in result.text
    assert "cpu 96/95500m, requested 32 (34%)" in result.text
