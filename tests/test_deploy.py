"""The Kubernetes manifests of deploy/: rendered by `kubectl kustomize` as a user would, then
checked for least privilege (read-only RBAC, no Secrets, exactly the reads of
holmes/tools/kubernetes/access.py, which covers every kind a runbook names),
the restricted Pod Security profile, and the Alertmanager receiver (validated by `amtool`).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from holmes.tools.kubernetes.access import READS
from tests.conftest import REPO

DEPLOY = REPO / "deploy"
RENDERINGS = {"base": DEPLOY, "postgres": DEPLOY / "overlays" / "postgres"}
READ_VERBS = {"get", "list", "watch"}
# PSS "restricted" allows these volume types only.
RESTRICTED_VOLUMES = {
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
}
# The kinds the runbooks' steps name -> (API group, resource). A runbook naming a kind missing
# here fails test_every_kind_a_runbook_reads_is_granted: add it here and to the ClusterRole.
RUNBOOK_KINDS = {
    "Pod": ("", "pods"),
    "Node": ("", "nodes"),
    "Service": ("", "services"),
    "ConfigMap": ("", "configmaps"),
    "PersistentVolumeClaim": ("", "persistentvolumeclaims"),
    "Namespace": ("", "namespaces"),
    "ResourceQuota": ("", "resourcequotas"),
    "LimitRange": ("", "limitranges"),
    "ValidatingWebhookConfiguration": (
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
    ),
    "Job": ("batch", "jobs"),
    "HorizontalPodAutoscaler": ("autoscaling", "horizontalpodautoscalers"),
    "NetworkPolicy": ("networking.k8s.io", "networkpolicies"),
    "Ingress": ("networking.k8s.io", "ingresses"),
    "HTTPRoute": ("gateway.networking.k8s.io", "httproutes"),
    "Gateway": ("gateway.networking.k8s.io", "gateways"),
    "EndpointSlice": ("discovery.k8s.io", "endpointslices"),
    "PodDisruptionBudget": ("policy", "poddisruptionbudgets"),
    "StatefulSet": ("apps", "statefulsets"),
    "CronJob": ("batch", "cronjobs"),
    "Deployment": ("apps", "deployments"),
    "StorageClass": ("storage.k8s.io", "storageclasses"),
    "Lease": ("coordination.k8s.io", "leases"),
    "DeviceClass": ("resource.k8s.io", "deviceclasses"),
    "ResourceClaim": ("resource.k8s.io", "resourceclaims"),
    "ResourceClaimTemplate": ("resource.k8s.io", "resourceclaimtemplates"),
    "ResourceSlice": ("resource.k8s.io", "resourceslices"),
    "DeviceTaintRule": ("resource.k8s.io", "devicetaintrules"),
    "CiliumNetworkPolicy": ("cilium.io", "ciliumnetworkpolicies"),
    "CiliumClusterwideNetworkPolicy": ("cilium.io", "ciliumclusterwidenetworkpolicies"),
    "Workload": ("kueue.x-k8s.io", "workloads"),
    "LocalQueue": ("kueue.x-k8s.io", "localqueues"),
    "ClusterQueue": ("kueue.x-k8s.io", "clusterqueues"),
    "ResourceFlavor": ("kueue.x-k8s.io", "resourceflavors"),
}


def render(folder: Path) -> list[dict[str, Any]]:
    """The documents `kubectl kustomize folder` prints."""
    done = subprocess.run(
        ["kubectl", "kustomize", str(folder)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


@pytest.fixture(scope="module", params=sorted(RENDERINGS))
def rendered(request: pytest.FixtureRequest) -> tuple[str, list[dict[str, Any]]]:
    if shutil.which("kubectl") is None:
        pytest.fail("kubectl is missing: scripts/setup.sh installs it")
    return request.param, render(RENDERINGS[request.param])


def of_kind(documents: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    """The documents of one kind."""
    return [doc for doc in documents if doc.get("kind") == kind]


def granted(documents: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """(API group, resource) pairs the ClusterRoles allow to get and list."""
    pairs = set()
    for role in of_kind(documents, "ClusterRole"):
        for rule in role["rules"]:
            if {"get", "list"} <= set(rule["verbs"]):
                pairs |= {(g, r) for g in rule["apiGroups"] for r in rule["resources"]}
    return pairs


def pod_specs(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The pod templates of every workload."""
    kinds = {"Deployment", "StatefulSet", "DaemonSet", "Job"}
    return [doc["spec"]["template"]["spec"] for doc in documents if doc.get("kind") in kinds]


def test_renders_the_expected_objects(rendered: tuple[str, list[dict[str, Any]]]) -> None:
    name, documents = rendered
    kinds = {doc["kind"] for doc in documents}
    assert {
        "Namespace",
        "ServiceAccount",
        "ClusterRole",
        "ClusterRoleBinding",
        "ConfigMap",
        "Deployment",
        "Service",
        "NetworkPolicy",
        "PodDisruptionBudget",
    } <= kinds
    assert "Secret" not in kinds  # created once by hand: re-applying must not blank the tokens
    namespaced = [doc for doc in documents if doc["kind"] not in {"Namespace", "ClusterRole"}]
    assert all(
        doc["metadata"].get("namespace") == "holmes"
        for doc in namespaced
        if doc["kind"] != "ClusterRoleBinding"
    )
    (deployment,) = of_kind(documents, "Deployment")
    assert deployment["spec"]["replicas"] == (2 if name == "postgres" else 1)


def test_rbac_is_read_only_and_never_reaches_secrets(
    rendered: tuple[str, list[dict[str, Any]]],
) -> None:
    _, documents = rendered
    roles = of_kind(documents, "ClusterRole") + of_kind(documents, "Role")
    assert roles
    for role in roles:
        for rule in role["rules"]:
            assert set(rule["verbs"]) <= READ_VERBS, rule
            assert "nonResourceURLs" not in rule
            for field in ("verbs", "apiGroups", "resources"):
                assert "*" not in rule.get(field, []), rule
            assert not {"secrets", "pods/exec", "pods/attach", "pods/portforward"} & set(
                rule["resources"]
            )
    (binding,) = of_kind(documents, "ClusterRoleBinding")
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "holmes", "namespace": "holmes"}
    ]
    assert binding["roleRef"]["name"] == roles[0]["metadata"]["name"]


def test_every_kind_a_runbook_reads_is_granted(
    rendered: tuple[str, list[dict[str, Any]]],
) -> None:
    _, documents = rendered
    allowed = granted(documents)
    named = set()
    for path in sorted((REPO / "holmes" / "runbooks").glob("*.yaml")):
        runbook = yaml.safe_load(path.read_text(encoding="utf-8"))
        for step in runbook.get("steps") or []:
            kind = (step.get("args") or {}).get("kind")
            if step.get("tool", "").startswith("kubernetes_") and kind and "{{" not in kind:
                named.add(kind)
    assert {"Pod", "ResourceSlice", "Lease"} <= named  # the scan does find the steps' kinds
    unknown = named - set(RUNBOOK_KINDS) - {"Secret"}
    assert not unknown, f"add {unknown} to RUNBOOK_KINDS, access.READS and the ClusterRole"
    needed = {RUNBOOK_KINDS[kind] for kind in named - {"Secret"}}
    reads = {(access.group, access.resource) for access in READS}
    assert not needed - reads, f"not in holmes/tools/kubernetes/access.py: {needed - reads}"
    assert ("", "secrets") not in allowed


def test_the_role_grants_exactly_what_the_tools_read(
    rendered: tuple[str, list[dict[str, Any]]],
) -> None:
    _, documents = rendered
    reads = {(access.group, access.resource) for access in READS}
    assert granted(documents) == reads  # one list: holmes/tools/kubernetes/access.py


def test_every_container_meets_the_restricted_profile(
    rendered: tuple[str, list[dict[str, Any]]],
) -> None:
    _, documents = rendered
    specs = pod_specs(documents)
    assert specs
    for spec in specs:
        pod = spec.get("securityContext") or {}
        for flag in ("hostNetwork", "hostPID", "hostIPC"):
            assert not spec.get(flag)
        for volume in spec.get("volumes") or []:
            assert set(volume) - {"name"} <= RESTRICTED_VOLUMES, volume
        containers = spec["containers"] + spec.get("initContainers", [])
        for container in containers:
            context = container.get("securityContext") or {}
            effective = {**pod, **context}
            assert effective.get("runAsNonRoot") is True
            assert effective.get("runAsUser", 1) != 0
            assert effective.get("seccompProfile", {}).get("type") == "RuntimeDefault"
            assert context.get("allowPrivilegeEscalation") is False
            assert context.get("readOnlyRootFilesystem") is True
            assert not context.get("privileged")
            assert context.get("capabilities", {}).get("drop") == ["ALL"]
            assert not context.get("capabilities", {}).get("add")
            assert all("hostPort" not in port for port in container.get("ports", []))
            for section in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][section])


def test_the_server_is_probed_and_writes_only_to_its_volumes(
    rendered: tuple[str, list[dict[str, Any]]],
) -> None:
    name, documents = rendered
    (deployment,) = of_kind(documents, "Deployment")
    spec = deployment["spec"]["template"]["spec"]
    (container,) = spec["containers"]
    assert container["args"][:3] == ["serve", "--host", "0.0.0.0"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    mounts = {mount["mountPath"]: mount["name"] for mount in container["volumeMounts"]}
    (config,) = of_kind(documents, "ConfigMap")
    assert config["data"]["HOLMES_DATA_DIR"] in mounts
    volumes = {volume["name"]: volume for volume in spec["volumes"]}
    assert all("emptyDir" in volumes[mounted] for mounted in mounts.values())
    secrets = [
        source["secretRef"]["name"] for source in container["envFrom"] if "secretRef" in source
    ]
    assert secrets == ["holmes-secrets"]
    if name == "postgres":
        assert container["args"][-2:] == ["--store", "$(HOLMES_STORE_URL)"]
        (store,) = [env for env in container["env"] if env["name"] == "HOLMES_STORE_URL"]
        assert store["valueFrom"]["secretKeyRef"]["name"] == "holmes-postgres"


def test_service_policy_and_budget_select_the_server(
    rendered: tuple[str, list[dict[str, Any]]],
) -> None:
    _, documents = rendered
    (deployment,) = of_kind(documents, "Deployment")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    (service,) = of_kind(documents, "Service")
    assert service["spec"]["selector"].items() <= labels.items()
    assert service["spec"]["ports"][0]["port"] == 5050
    for kind in ("NetworkPolicy", "PodDisruptionBudget"):
        (document,) = of_kind(documents, kind)
        selector = document["spec"].get("podSelector") or document["spec"]["selector"]
        assert selector["matchLabels"].items() <= labels.items()
    (policy,) = of_kind(documents, "NetworkPolicy")
    assert set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    ingress_ports = [port["port"] for rule in policy["spec"]["ingress"] for port in rule["ports"]]
    assert ingress_ports == [5050]


def test_the_secret_templates_carry_no_value() -> None:
    for path in (DEPLOY / "secret.yaml", DEPLOY / "overlays" / "postgres" / "postgres-secret.yaml"):
        secret = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert secret["kind"] == "Secret" and secret["metadata"]["namespace"] == "holmes"
        assert all(value == "" for value in secret["stringData"].values())


def test_alertmanager_receiver_is_a_valid_config_posting_to_the_webhook() -> None:
    path = DEPLOY / "alertmanager-receiver.yaml"
    done = subprocess.run(["amtool", "check-config", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    (receiver,) = [r for r in config["receivers"] if r["name"] == "holmes"]
    (webhook,) = receiver["webhook_configs"]
    assert webhook["url"].endswith(":5050/api/v1/alertmanager")
    assert webhook["http_config"]["authorization"]["type"] == "Bearer"
    assert webhook["send_resolved"] is True
    assert any(route["receiver"] == "holmes" for route in config["route"]["routes"])
