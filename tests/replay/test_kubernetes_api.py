"""The Kubernetes API replay server, exercised through the real `kubernetes` client and kubectl.

One server per bundle per module; every test talks HTTP to 127.0.0.1, nothing is mocked.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

from holmes.evals import Bundle, load_bundle
from holmes.evals.replay.kubernetes_api import KubernetesReplayServer
from tests.conftest import INCIDENTS, PEER_SUITE

CRASH_POD = "llm-gateway-7c9d8f6b54-q2w4n"
KUBECTL = shutil.which("kubectl") or "/usr/bin/kubectl"


class Replay:
    """A running server with a client configured from the kubeconfig it wrote."""

    def __init__(self, bundle: Bundle, folder: Path) -> None:
        self.bundle = bundle
        self.server = KubernetesReplayServer(bundle)
        self.server.start()
        self.kubeconfig = self.server.write_kubeconfig(folder / "kubeconfig")
        self.api = config.new_client_from_config(config_file=str(self.kubeconfig))
        self.core = client.CoreV1Api(self.api)
        self.cache = folder / "kubectl-cache"

    def raw(self, path: str, accept: str = "application/json") -> tuple[int, str, bytes]:
        """Status, Content-Type and body of one plain HTTP GET."""
        request = urllib.request.Request(self.server.url + path, headers={"Accept": accept})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, response.headers["Content-Type"], response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers["Content-Type"], error.read()

    def kubectl(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run kubectl against the replay (own discovery cache, nothing from $HOME)."""
        if not Path(KUBECTL).exists():
            pytest.skip("kubectl is not installed at /usr/bin/kubectl")
        command = [KUBECTL, "--kubeconfig", str(self.kubeconfig), "--cache-dir", str(self.cache)]
        return subprocess.run(
            [*command, *args], capture_output=True, text=True, timeout=30, check=False
        )

    def close(self) -> None:
        self.api.close()
        self.server.stop()


def _replay(tmp_path_factory: pytest.TempPathFactory, bundle_path: Path) -> Iterator[Replay]:
    if not (bundle_path / "incident.yaml").is_file():
        pytest.skip(f"sample bundle {bundle_path.name} is not written yet")
    replay = Replay(load_bundle(bundle_path), tmp_path_factory.mktemp(bundle_path.name))
    yield replay
    replay.close()


@pytest.fixture(scope="module")
def crashloop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replay]:
    yield from _replay(tmp_path_factory, INCIDENTS / "crashloop-config-error")


@pytest.fixture(scope="module")
def gpu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replay]:
    yield from _replay(tmp_path_factory, INCIDENTS / "gpu-xid-79-node-3")


@pytest.fixture(scope="module")
def hubble(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replay]:
    yield from _replay(tmp_path_factory, INCIDENTS / "hubble-policy-denied")


def _error(call: Any, *args: Any, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    with pytest.raises(ApiException) as raised:
        call(*args, **kwargs)
    return raised.value.status, json.loads(raised.value.body)


def _names(items: list[Any]) -> list[str]:
    return sorted(item.metadata.name for item in items)


# --- Objects: list, get, selectors -------------------------------------------------------------


def test_list_pods_with_a_label_selector(crashloop: Replay) -> None:
    pods = crashloop.core.list_namespaced_pod(
        "serving", label_selector="app.kubernetes.io/name=llm-gateway,pod-template-hash=7c9d8f6b54"
    )
    assert _names(pods.items) == [CRASH_POD]
    assert pods.kind == "PodList" and pods.metadata.resource_version


def test_read_a_pod_keeps_its_recorded_status(crashloop: Replay) -> None:
    pod = crashloop.core.read_namespaced_pod(CRASH_POD, "serving")
    gateway = next(s for s in pod.status.container_statuses if s.name == "gateway")
    assert gateway.state.waiting.reason == "CrashLoopBackOff"
    assert gateway.last_state.terminated.exit_code == 1
    assert pod.metadata.uid and pod.metadata.resource_version


def test_label_selector_operators(crashloop: Replay) -> None:
    def names(selector: str) -> list[str]:
        return _names(crashloop.core.list_namespaced_pod("serving", label_selector=selector).items)

    old = ["llm-gateway-5f7c9b8d6-4mkxz", "llm-gateway-5f7c9b8d6-h8vtd"]
    assert names("pod-template-hash in (5f7c9b8d6, nothing)") == old
    assert names("pod-template-hash notin (5f7c9b8d6)") == [CRASH_POD]
    assert names("pod-template-hash!=7c9d8f6b54") == old
    assert names("!pod-template-hash") == []
    assert names("!no-such-label,app.kubernetes.io/part-of") == sorted([*old, CRASH_POD])
    assert names("pod-template-hash==7c9d8f6b54") == [CRASH_POD]
    # notin and != also match objects that lack the label, as on a real server.
    assert names("tier notin (gold),tier!=silver") == sorted([*old, CRASH_POD])
    assert names("tier in (gold)") == []


def test_field_selectors_node_name_and_phase(gpu: Replay) -> None:
    on_node_3 = gpu.core.list_pod_for_all_namespaces(field_selector="spec.nodeName=gpu-node-3")
    assert _names(on_node_3.items) == ["llama-finetune-1-m9x4f"]
    running = gpu.core.list_namespaced_pod("ml", field_selector="status.phase=Running")
    assert len(running.items) == 2
    other = gpu.core.list_namespaced_pod("ml", field_selector="status.phase!=Running")
    assert other.items == []


def test_field_selector_phase_on_a_pending_pod() -> None:
    bundle = load_bundle(PEER_SUITE / "hgpt-13a-pending-node-selector-basic")
    with KubernetesReplayServer(bundle) as server:
        status, _, body = _get(server.url + "/api/v1/pods?fieldSelector=status.phase%3DPending")
    assert status == 200
    assert [pod["status"]["phase"] for pod in json.loads(body)["items"]] == ["Pending"]


def test_unsupported_field_selector_is_a_bad_request(crashloop: Replay) -> None:
    status, body = _error(
        crashloop.core.list_namespaced_pod, "serving", field_selector="spec.image=nginx"
    )
    assert status == 400
    assert body["reason"] == "BadRequest"
    assert body["message"] == "field label not supported: spec.image"


def test_limit_and_continue_page_through_everything(crashloop: Replay) -> None:
    seen, token, pages = [], None, 0
    while True:
        page = crashloop.core.list_namespaced_event("serving", limit=4, _continue=token)
        seen += [event.metadata.name for event in page.items]
        pages += 1
        token = page.metadata._continue
        if not token:
            break
        assert page.metadata.remaining_item_count > 0
    everything = crashloop.core.list_namespaced_event("serving")
    assert seen == [event.metadata.name for event in everything.items]
    assert pages == -(-len(seen) // 4) and pages > 1


def test_not_found_is_a_status(crashloop: Replay) -> None:
    status, body = _error(crashloop.core.read_namespaced_pod, "nope", "serving")
    assert status == 404
    assert body["kind"] == "Status" and body["status"] == "Failure"
    assert body["reason"] == "NotFound"
    assert body["message"] == 'pods "nope" not found'
    assert body["details"] == {"name": "nope", "kind": "pods"}
    status, body = _error(
        client.AppsV1Api(crashloop.api).read_namespaced_deployment, "x", "serving"
    )
    assert body["message"] == 'deployments.apps "x" not found'
    assert body["details"]["group"] == "apps"


def test_writes_are_refused(crashloop: Replay) -> None:
    status, body = _error(crashloop.core.delete_namespaced_pod, CRASH_POD, "serving")
    assert (status, body["reason"], body["code"]) == (405, "MethodNotAllowed", 405)
    assert "read-only" in body["message"]
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"}}
    status, _ = _error(crashloop.core.create_namespaced_pod, "serving", pod)
    assert status == 405
    status, _ = _error(
        crashloop.core.patch_namespaced_pod, CRASH_POD, "serving", {"metadata": {"labels": {}}}
    )
    assert status == 405
    # The refused writes changed nothing, and the connection still serves reads.
    assert crashloop.core.read_namespaced_pod(CRASH_POD, "serving").metadata.labels


def test_watch_is_not_supported(crashloop: Replay) -> None:
    for path in (
        "/api/v1/namespaces/serving/pods?watch=true",
        "/api/v1/watch/namespaces/serving/events",
        "/apis/cilium.io/v2/watch/ciliumnetworkpolicies",
    ):
        status, content_type, body = crashloop.raw(path)
        assert status == 405 and content_type == "application/json", path
        assert json.loads(body)["reason"] == "MethodNotAllowed"


def test_aggregated_discovery_requests_get_the_legacy_documents(crashloop: Replay) -> None:
    # What kubectl 1.32 sends first; plain JSON tells it to walk the legacy documents.
    accept = (
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
        "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
        "application/json"
    )
    status, content_type, body = crashloop.raw("/apis", accept=accept)
    assert (status, content_type) == (200, "application/json")
    assert json.loads(body)["kind"] == "APIGroupList"
    assert json.loads(crashloop.raw("/api", accept=accept)[2])["versions"] == ["v1"]


def test_unknown_paths_are_404_statuses(crashloop: Replay) -> None:
    for path in (
        "/nothing",
        "/api/v2",
        "/apis/nope.io/v1",
        "/api/v1/widgets",
        "/openapi/v2",
        "/api/v1/pods/some-pod",
        "/api/v1/watch",
        "/api/v1/namespaces/serving/pods/x/exec",
    ):
        status, content_type, body = crashloop.raw(path)
        assert (status, content_type) == (404, "application/json"), path
        assert json.loads(body)["kind"] == "Status"


# --- Events in both forms ----------------------------------------------------------------------


def test_events_filtered_by_involved_object(crashloop: Replay) -> None:
    events = crashloop.core.list_namespaced_event(
        "serving", field_selector=f"involvedObject.name={CRASH_POD},involvedObject.kind=Pod"
    )
    assert {event.reason for event in events.items} >= {"BackOff", "Unhealthy", "Scheduled"}
    assert all(event.involved_object.name == CRASH_POD for event in events.items)
    warnings = crashloop.core.list_namespaced_event("serving", field_selector="type=Warning")
    assert {event.type for event in warnings.items} == {"Warning"}
    by_source = crashloop.core.list_event_for_all_namespaces(field_selector="source=kubelet")
    assert by_source.items and all(e.source.component == "kubelet" for e in by_source.items)


def test_core_events_are_also_served_as_events_k8s_io(crashloop: Replay) -> None:
    events = client.EventsV1Api(crashloop.api).list_namespaced_event(
        "serving", field_selector=f"regarding.name={CRASH_POD},reason=BackOff"
    )
    [event] = events.items
    assert event.regarding.kind == "Pod"
    assert event.note.startswith("Back-off restarting failed container gateway")
    assert event.reporting_controller == "kubelet"
    assert event.deprecated_count == event.series.count > 1
    assert event.event_time is not None
    core = crashloop.core.read_namespaced_event(event.metadata.name, "serving")
    assert core.metadata.uid == event.metadata.uid


def test_events_k8s_io_only_bundle_serves_core_events(tmp_path: Path) -> None:
    event = {
        "apiVersion": "events.k8s.io/v1",
        "kind": "Event",
        "metadata": {"name": "trainer.1", "namespace": "ml"},
        "eventTime": "2026-03-18T14:30:00.000000Z",
        "reason": "FailedScheduling",
        "note": "0/3 nodes are available: 3 cannot allocate all claims.",
        "type": "Warning",
        "reportingController": "default-scheduler",
        "reportingInstance": "default-scheduler-node-1",
        "action": "Scheduling",
        "regarding": {"apiVersion": "v1", "kind": "Pod", "name": "trainer", "namespace": "ml"},
        "series": {"count": 4, "lastObservedTime": "2026-03-18T14:31:30.000000Z"},
    }
    bundle = _bundle(tmp_path, [event, _pod("trainer", "ml", ["main"])])
    with KubernetesReplayServer(bundle) as server:
        api = config.new_client_from_config(str(server.write_kubeconfig(tmp_path / "kc")))
        [core] = (
            client.CoreV1Api(api)
            .list_namespaced_event("ml", field_selector="involvedObject.name=trainer")
            .items
        )
        pod = client.CoreV1Api(api).read_namespaced_pod("trainer", "ml")
        api.close()
    assert core.message == event["note"]
    assert core.source.component == "default-scheduler"
    assert core.count == 4
    assert core.last_timestamp.isoformat() == "2026-03-18T14:31:30+00:00"
    # The event named the pod without a uid; it now carries the pod's, as describe needs.
    assert core.involved_object.uid == pod.metadata.uid


# --- Logs --------------------------------------------------------------------------------------


def test_previous_log_with_tail_lines(crashloop: Replay) -> None:
    text = crashloop.core.read_namespaced_pod_log(
        CRASH_POD, "serving", container="gateway", previous=True, tail_lines=2
    )
    recorded = (
        INCIDENTS / "crashloop-config-error/logs/serving" / CRASH_POD / "gateway.previous.log"
    ).read_text()
    assert text.splitlines() == recorded.splitlines()[-2:]
    assert "exiting with status 1" in text
    current = crashloop.core.read_namespaced_pod_log(CRASH_POD, "serving", container="gateway")
    assert current.splitlines()[0].startswith("2026-10-14T09:39:54.120Z")  # app's own time kept


def test_log_errors_are_worded_like_the_api_server(crashloop: Replay) -> None:
    read = crashloop.core.read_namespaced_pod_log
    status, body = _error(read, CRASH_POD, "serving")
    assert status == 400 and body["reason"] == "BadRequest"
    assert body["message"] == (
        f"a container name must be specified for pod {CRASH_POD}, choose one of: [gateway envoy]"
    )
    status, body = _error(read, CRASH_POD, "serving", container="sidecar")
    assert (status, body["message"]) == (400, f"container sidecar is not valid for pod {CRASH_POD}")
    status, body = _error(read, CRASH_POD, "serving", container="envoy", previous=True)
    assert body["message"] == (
        f'previous terminated container "envoy" in pod "{CRASH_POD}" not found'
    )
    status, body = _error(read, "gone", "serving", container="gateway")
    assert (status, body["message"]) == (404, 'pods "gone" not found')


def test_pod_without_a_recorded_log_answers_empty(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path, [_pod("quiet", "ml", ["main"])])
    with KubernetesReplayServer(bundle) as server:
        status, content_type, body = _get(server.url + "/api/v1/namespaces/ml/pods/quiet/log")
    assert (status, content_type, body) == (200, "text/plain", b"")


STAMPED = "".join(
    f"2026-03-18T14:{minute:02d}:00.000000000Z step {minute}\n" for minute in range(20, 32)
)


@pytest.fixture(scope="module")
def stamped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replay]:
    folder = tmp_path_factory.mktemp("stamped")
    bundle = _bundle(
        folder / "bundle", [_pod("trainer", "ml", ["main"])], logs={"trainer/main.log": STAMPED}
    )
    replay = Replay(bundle, folder)
    yield replay
    replay.close()


def test_since_seconds_counts_back_from_the_incident_time(stamped: Replay) -> None:
    # The incident's "now" is 14:32 (years before or after the wall clock): last 5 minutes.
    text = stamped.core.read_namespaced_pod_log("trainer", "ml", since_seconds=300)
    assert text.splitlines() == [f"step {minute}" for minute in range(27, 32)]


def test_since_time_timestamps_and_limit_bytes(stamped: Replay) -> None:
    query = "/api/v1/namespaces/ml/pods/trainer/log?sinceTime=2026-03-18T14:30:00Z"
    status, _, body = stamped.raw(query + "&timestamps=true")
    assert body.decode().splitlines() == STAMPED.splitlines()[-2:]
    status, _, body = stamped.raw(query + "&limitBytes=4")
    assert (status, body) == (200, b"step")
    status, _, body = stamped.raw(query + "&sinceSeconds=10")
    assert status == 400


def test_tail_applies_before_since_as_the_kubelet_does(stamped: Replay) -> None:
    text = stamped.core.read_namespaced_pod_log("trainer", "ml", tail_lines=3, since_seconds=3600)
    assert text.splitlines() == ["step 29", "step 30", "step 31"]


# --- DRA, Cilium and other groups --------------------------------------------------------------


def test_resource_claims_through_the_resource_v1_api(gpu: Replay) -> None:
    claims = client.ResourceV1Api(gpu.api).list_namespaced_resource_claim("ml")
    assert _names(claims.items) == [
        "llama-finetune-0-7kq2d-gpus-r8t2w",
        "llama-finetune-1-m9x4f-gpus-b5n7c",
    ]
    results = claims.items[1].status.allocation.devices.results
    assert results and results[0].driver == "gpu.nvidia.com"
    slices = client.ResourceV1Api(gpu.api).list_resource_slice(
        field_selector="metadata.name=gpu-node-3-gpu.nvidia.com-5e451"
    )
    assert slices.items[0].spec.node_name == "gpu-node-3"
    classes = client.CustomObjectsApi(gpu.api).list_cluster_custom_object(
        "resource.k8s.io", "v1", "deviceclasses"
    )
    assert [item["metadata"]["name"] for item in classes["items"]] == ["gpu.nvidia.com"]


def test_cilium_network_policies_through_custom_objects(hubble: Replay) -> None:
    api = client.CustomObjectsApi(hubble.api)
    policies = api.list_namespaced_custom_object("cilium.io", "v2", "shop", "ciliumnetworkpolicies")
    assert policies["kind"] == "CiliumNetworkPolicyList"
    names = [item["metadata"]["name"] for item in policies["items"]]
    assert names == ["backend-ingress", "payments-ingress"]
    one = api.get_namespaced_custom_object(
        "cilium.io", "v2", "shop", "ciliumnetworkpolicies", "backend-ingress"
    )
    assert one["spec"]["endpointSelector"]
    everywhere = api.list_cluster_custom_object("cilium.io", "v2", "ciliumnetworkpolicies")
    assert len(everywhere["items"]) == 2


def test_discovery_lists_the_bundle_kinds(gpu: Replay, hubble: Replay) -> None:
    groups = {g.name: g for g in client.ApisApi(gpu.api).get_api_versions().groups}
    assert {"apps", "batch", "resource.k8s.io", "cilium.io", "events.k8s.io"} <= set(groups)
    assert groups["resource.k8s.io"].preferred_version.version == "v1"
    dra = {r.name: r for r in client.ResourceV1Api(gpu.api).get_api_resources().resources}
    assert dra["resourceclaims"].namespaced and dra["resourceclaims"].kind == "ResourceClaim"
    assert not dra["deviceclasses"].namespaced and not dra["resourceslices"].namespaced
    assert dra["resourceclaims"].verbs == ["get", "list"]
    core = {r.name: r for r in gpu.core.get_api_resources().resources}
    assert core["pods/log"].verbs == ["get"]
    assert not core["nodes"].namespaced and not core["persistentvolumes"].namespaced
    assert core["persistentvolumeclaims"].short_names == ["pvc"]
    cilium = json.loads(hubble.raw("/apis/cilium.io/v2")[2])
    assert {r["name"] for r in cilium["resources"]} >= {
        "ciliumnetworkpolicies",
        "ciliumclusterwidenetworkpolicies",
    }
    assert client.VersionApi(gpu.api).get_code().git_version == "v1.34.0"


def test_unknown_kinds_and_yaml_timestamps(tmp_path: Path) -> None:
    policy = {
        "apiVersion": "gpu.example.com/v1alpha1",
        "kind": "GPUPolicy",
        "metadata": {"name": "default", "labels": {"tier": 1}},
        "spec": {"maxXid": 3},
    }
    bundle = _bundle(tmp_path, [policy, _pod("trainer", "ml", ["main"])], raw_times=True)
    with KubernetesReplayServer(bundle) as server:
        api = config.new_client_from_config(str(server.write_kubeconfig(tmp_path / "kc")))
        found = client.CustomObjectsApi(api).list_cluster_custom_object(
            "gpu.example.com", "v1alpha1", "gpupolicies", label_selector="tier=1"
        )
        pod = client.CoreV1Api(api).read_namespaced_pod("trainer", "ml")
        [namespace] = client.CoreV1Api(api).list_namespace().items
        api.close()
        _, _, body = _get(server.url + "/apis/gpu.example.com/v1alpha1")
    assert [item["metadata"]["name"] for item in found["items"]] == ["default"]
    assert pod.metadata.creation_timestamp.isoformat() == "2026-03-18T14:00:00+00:00"
    assert (namespace.metadata.name, namespace.status.phase) == ("ml", "Active")
    [resource] = [r for r in json.loads(body)["resources"] if "/" not in r["name"]]
    assert (resource["name"], resource["namespaced"]) == ("gpupolicies", False)


# --- kubectl -----------------------------------------------------------------------------------


def test_kubectl_get_pods_all_namespaces(crashloop: Replay) -> None:
    result = crashloop.kubectl("get", "pods", "-A")
    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    assert header.split()[:3] == ["NAMESPACE", "NAME", "READY"]
    row = next(line.split() for line in rows if CRASH_POD in line)
    assert row[:4] == ["serving", CRASH_POD, "1/2", "CrashLoopBackOff"]
    assert row[-1] == "14m"  # age at the incident's time, not the wall clock's


def test_kubectl_describe_pod(crashloop: Replay) -> None:
    result = crashloop.kubectl("describe", "pod", CRASH_POD, "-n", "serving")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "Reason:       CrashLoopBackOff" in text
    assert "Exit Code:    1" in text
    events = text.split("\nEvents:", 1)[1]
    assert "BackOff" in events and "Back-off restarting failed container gateway" in events


def test_kubectl_logs_previous(crashloop: Replay) -> None:
    result = crashloop.kubectl("logs", CRASH_POD, "-c", "gateway", "--previous", "-n", "serving")
    assert result.returncode == 0, result.stderr
    assert "Field required [type=missing" in result.stdout
    assert result.stdout.rstrip().endswith("exiting with status 1")


def test_kubectl_get_resource_claims(gpu: Replay) -> None:
    result = gpu.kubectl("get", "resourceclaims", "-n", "ml")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["NAME", "STATE", "AGE"]
    assert any(
        "llama-finetune-1-m9x4f-gpus-b5n7c" in line and "allocated,reserved" in line
        for line in lines
    )


def test_kubectl_get_cilium_network_policies(hubble: Replay) -> None:
    result = hubble.kubectl("get", "ciliumnetworkpolicies", "-A")
    assert result.returncode == 0, result.stderr
    rows = [line.split()[:2] for line in result.stdout.splitlines()[1:]]
    assert rows == [["shop", "backend-ingress"], ["shop", "payments-ingress"]]


def test_kubectl_reports_the_replay_errors(crashloop: Replay) -> None:
    missing = crashloop.kubectl("get", "pod", "nope", "-n", "serving")
    assert missing.returncode != 0
    assert 'Error from server (NotFound): pods "nope" not found' in missing.stderr
    delete = crashloop.kubectl("delete", "pod", CRASH_POD, "-n", "serving")
    assert "MethodNotAllowed" in delete.stderr


# --- The peer suite and the server itself ------------------------------------------------------


@pytest.mark.parametrize("incident", sorted(p.name for p in PEER_SUITE.iterdir() if p.is_dir()))
def test_every_peer_suite_bundle_is_served(incident: str, tmp_path: Path) -> None:
    bundle = load_bundle(PEER_SUITE / incident)
    recorded = sorted(
        (o["metadata"]["namespace"], o["metadata"]["name"])
        for o in bundle.objects
        if (o["apiVersion"], o["kind"]) == ("v1", "Pod")
    )
    with KubernetesReplayServer(bundle) as server:
        api = config.new_client_from_config(str(server.write_kubeconfig(tmp_path / "kc")))
        pods = client.CoreV1Api(api).list_pod_for_all_namespaces().items
        for log in bundle.logs[:2]:
            text = client.CoreV1Api(api).read_namespaced_pod_log(
                log.pod, log.namespace, container=log.container, previous=log.previous
            )
            assert text.splitlines() == log.text.splitlines()
        api.close()
    assert recorded
    assert sorted((p.metadata.namespace, p.metadata.name) for p in pods) == recorded


def test_kubeconfig_names_the_incident(crashloop: Replay) -> None:
    kubeconfig = yaml.safe_load(crashloop.kubeconfig.read_text())
    assert kubeconfig["current-context"] == "crashloop-config-error"
    assert kubeconfig["clusters"][0] == {
        "name": "crashloop-config-error",
        "cluster": {"server": crashloop.server.url},
    }
    assert kubeconfig["contexts"][0]["context"] == {
        "cluster": "crashloop-config-error",
        "user": "crashloop-config-error",
    }


def test_start_is_fast_and_stop_is_idempotent(tmp_path: Path) -> None:
    bundle = load_bundle(PEER_SUITE / "hgpt-09-crashpod")
    server = KubernetesReplayServer(bundle)
    began = time.perf_counter()
    server.start()
    started = time.perf_counter() - began
    url = server.url
    assert _get(url + "/version")[0] == 200
    idle = socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])))  # keep-alive
    server.stop()
    server.stop()
    idle.close()
    assert started < 0.2
    with pytest.raises(RuntimeError):
        _ = server.url
    with pytest.raises(OSError):
        urllib.request.urlopen(url + "/version", timeout=1)


def test_survives_clients_that_hang_up_and_concurrent_readers(crashloop: Replay) -> None:
    host, port = crashloop.server.url.removeprefix("http://").split(":")
    for request in (b"GET /api/v1/pods HTTP/1.1\r\nHost: x\r\n", b"GARBAGE\r\n\r\n", b""):
        with socket.create_connection((host, int(port))) as connection:
            connection.sendall(request)
    with socket.create_connection((host, int(port))) as connection:
        connection.sendall(b"GET /api/v1/pods HTTP/1.1\r\nHost: x\r\n\r\n")
        connection.shutdown(socket.SHUT_RDWR)  # gone before the answer is written
    failures: list[BaseException] = []

    def read() -> None:
        try:
            for _ in range(10):
                assert len(crashloop.core.list_pod_for_all_namespaces().items) == 3
                crashloop.core.read_namespaced_pod_log(CRASH_POD, "serving", container="gateway")
        except BaseException as error:  # reported by the main thread
            failures.append(error)

    threads = [threading.Thread(target=read) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []


# --- Helpers -----------------------------------------------------------------------------------


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def _pod(name: str, namespace: str, containers: list[str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "creationTimestamp": "2026-03-18T14:00:00Z",
        },
        "spec": {"containers": [{"name": c, "image": "busybox"} for c in containers]},
        "status": {"phase": "Running"},
    }


def _bundle(
    folder: Path,
    objects: list[dict[str, Any]],
    logs: dict[str, str] | None = None,
    raw_times: bool = False,
) -> Bundle:
    """Write a minimal bundle (incident at 2026-03-18T14:32:00Z) and load it."""
    folder = folder / "tiny-incident"
    (folder / "kubernetes").mkdir(parents=True)
    (folder / "incident.yaml").write_text(
        "id: tiny-incident\ntime: '2026-03-18T14:32:00Z'\nquestion: what happened?\n"
    )
    text = yaml.safe_dump_all(objects, sort_keys=False)
    if raw_times:  # unquoted, as kubectl -o yaml sometimes prints: YAML reads a datetime
        text = text.replace("'2026-03-18T14:00:00Z'", "2026-03-18T14:00:00Z")
    (folder / "kubernetes" / "objects.yaml").write_text(text)
    for relative, content in (logs or {}).items():
        namespace = next(o for o in objects if o["kind"] == "Pod")["metadata"]["namespace"]
        path = folder / "logs" / namespace / relative
        path.parent.mkdir(parents=True)
        path.write_text(content)
    return load_bundle(folder)
