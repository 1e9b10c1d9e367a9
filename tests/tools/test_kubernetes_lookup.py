"""`kubernetes_lookup` and the pods `kubernetes_describe` says an object concerns, against
replayed bundles (discovery, metadata-only Tables and lists through the real client)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

SA_BUNDLE = "crashloop-app-error-serviceaccount-named-rbac-forbidden"
CM_BUNDLE = "crashloop-app-error-configmap-named-vllm-runtime"
SECRET_BUNDLE = "container-config-error-team-vision-slash-name"


async def test_lookup_finds_names_of_any_namespaced_kind(call):
    result = await call(
        "kubernetes_lookup",
        SA_BUNDLE,
        names=["index-sync", "index-syncer"],
        namespace="search-prod",
    )
    assert result.ok, result.error
    found = {(row["kind"], row["name"]) for row in result.data["found"]}
    assert {
        ("ServiceAccount", "index-sync"),
        ("ServiceAccount", "index-syncer"),
        ("Role", "index-sync"),
        ("RoleBinding", "index-sync"),
        ("Deployment", "index-sync"),
    } <= found
    assert all(row["namespace"] == "search-prod" for row in result.data["found"])
    role = next(r for r in result.data["found"] if r["kind"] == "Role")
    assert role["api_version"] == "rbac.authorization.k8s.io/v1"
    assert result.data["missing"] == []
    # every namespaced kind discovery offers, not only the workloads
    assert result.data["kinds_searched"] > 20


async def test_a_name_found_nowhere_comes_with_names_that_look_like_it(call):
    result = await call(
        "kubernetes_lookup", CM_BUNDLE, names=["vllm-runtime-cfg"], namespace="llm-serving"
    )
    assert result.ok
    assert result.data["missing"] == ["vllm-runtime-cfg"]
    assert (
        "ConfigMap llm-serving/vllm-runtime-config" in result.data["lookalikes"]["vllm-runtime-cfg"]
    )
    assert "no object named vllm-runtime-cfg in namespace llm-serving" in result.text


async def test_lookup_narrowed_to_kinds_by_their_short_names(call):
    result = await call("kubernetes_lookup", SA_BUNDLE, names=["index-sync"], kinds=["sa"])
    assert {(r["kind"], r["namespace"]) for r in result.data["found"]} == {
        ("ServiceAccount", "search-prod"),
        ("ServiceAccount", "search-staging"),
    }


@pytest.mark.parametrize("name", ["../secrets/db", "a/b", "x%2Fy", ".."])
async def test_bad_names_are_refused_before_any_request(call, name):
    result = await call("kubernetes_lookup", SA_BUNDLE, names=[name])
    assert not result.ok and result.error.kind == "bad_arguments"
    assert "names" in result.error.message


async def test_secrets_are_looked_up_by_name_only(call, tool_context):
    result = await call(
        "kubernetes_lookup", SECRET_BUNDLE, names=["label-studio-db"], kinds=["Secret"]
    )
    assert [(r["kind"], r["namespace"]) for r in result.data["found"]] == [("Secret", "team")]
    assert set(result.data["found"][0]) == {"kind", "api_version", "namespace", "name", "created"}


async def test_describe_names_the_pods_a_configmap_concerns(call):
    result = await call(
        "kubernetes_describe",
        CM_BUNDLE,
        kind="ConfigMap",
        namespace="llm-serving",
        name="vllm-runtime-config",
    )
    assert result.ok, result.error
    used = result.data["used_by_pods"]
    assert sorted(used) == ["qwen-32b-8d7c6b5a49-m4q9z", "qwen-32b-8d7c6b5a49-x7k2p"]
    assert used["qwen-32b-8d7c6b5a49-x7k2p"] == ["envFrom in container vllm"]
    assert "pods using it: qwen-32b-8d7c6b5a49" in result.text


async def test_describe_follows_a_role_to_its_bindings_and_their_pods(call):
    role = await call(
        "kubernetes_describe", SA_BUNDLE, kind="Role", namespace="search-prod", name="index-sync"
    )
    account = await call(
        "kubernetes_describe",
        SA_BUNDLE,
        kind="ServiceAccount",
        namespace="search-prod",
        name="index-sync",
    )
    # The binding names the old account index-syncer: no running pod uses it.
    assert "ServiceAccounts bound: index-syncer" in role.text
    assert role.data["used_by_pods"] == {}
    assert list(account.data["used_by_pods"]) == ["index-sync-7c5d9f8b6a-x7k2p"]


def _custom_bundle(folder: Path) -> Path:
    """A namespaced custom resource owning a pod, and an HPA scaling a Deployment."""
    time = "2026-11-30T10:00:00Z"
    isvc = {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": {"name": "sklearn-iris", "namespace": "kserve-test", "uid": "isvc-1"},
        "spec": {"predictor": {"sklearn": {"storageUri": "gs://models/iris"}}},
    }
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "sklearn-iris-predictor-0",
            "namespace": "kserve-test",
            "ownerReferences": [
                {
                    "apiVersion": "serving.kserve.io/v1beta1",
                    "kind": "InferenceService",
                    "name": "sklearn-iris",
                    "uid": "isvc-1",
                    "controller": True,
                }
            ],
        },
        "spec": {"containers": [{"name": "kserve-container", "image": "kserve/sklearnserver"}]},
        "status": {"phase": "Running"},
    }
    hpa = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web", "namespace": "kserve-test"},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
            "minReplicas": 2,
            "maxReplicas": 6,
        },
        "status": {"currentReplicas": 2, "desiredReplicas": 2},
    }
    (folder / "kubernetes").mkdir(parents=True)
    (folder / "kubernetes" / "objects.yaml").write_text(yaml.safe_dump_all([isvc, pod, hpa]))
    incident = {
        "id": folder.name,
        "title": "t",
        "time": time,
        "question": "q",
        "sources": ["kubernetes"],
        "expected": {"root_cause": "r", "must_mention": []},
    }
    (folder / "incident.yaml").write_text(yaml.safe_dump(incident))
    return folder


async def test_custom_resources_are_found_and_name_the_pods_they_own(call, tmp_path):
    bundle = _custom_bundle(tmp_path / "custom-resource-bundle")
    found = await call("kubernetes_lookup", bundle, names=["sklearn-iris", "web"])
    kinds = {(r["kind"], r["api_version"]) for r in found.data["found"]}
    assert ("InferenceService", "serving.kserve.io/v1beta1") in kinds
    assert ("HorizontalPodAutoscaler", "autoscaling/v2") in kinds
    described = await call(
        "kubernetes_describe",
        bundle,
        kind="InferenceService",
        api_version="serving.kserve.io/v1beta1",
        namespace="kserve-test",
        name="sklearn-iris",
    )
    assert described.data["used_by_pods"] == {"sklearn-iris-predictor-0": ["owned"]}
    hpa = await call("kubernetes_describe", bundle, kind="hpa", namespace="kserve-test", name="web")
    assert hpa.data["scale_target"]["name"] == "web"
    assert "replicas 2..6" in hpa.text


async def test_describe_names_the_pods_mounting_a_claim(call):
    result = await call(
        "kubernetes_describe",
        "cuda-oom-llama-sft-batch-size",
        kind="pvc",
        namespace="finetune",
        name="hf-cache",
    )
    assert result.ok, result.error
    assert result.data["used_by_pods"]
    assert all(
        len(how) == 1 and how[0].startswith("volume ")
        for how in result.data["used_by_pods"].values()
    )
    assert result.data["phase"]  # the claim's own facts stay


async def test_describe_names_the_pods_a_network_policy_selects(call):
    bundle = "hubble-policy-denied-feature-server-redis"
    deny_all = await call(
        "kubernetes_describe",
        bundle,
        kind="NetworkPolicy",
        namespace="recsys",
        name="default-deny-ingress",
    )
    narrow = await call(
        "kubernetes_describe",
        bundle,
        kind="netpol",
        namespace="recsys",
        name="redis-online-ingress",
    )
    assert "podSelector (every pod)" in deny_all.text
    assert set(narrow.data["used_by_pods"]) < set(deny_all.data["used_by_pods"])
    assert narrow.data["used_by_pods"]


async def test_kinds_lists_discovery_words_of_built_in_kinds_and_crds(call):
    result = await call("kubernetes_kinds", "oom-killed-pytorchjob-kind-slash-name")
    assert result.ok, result.error
    rows = {(r["group"], r["kind"]): r for r in result.data["kinds"]}
    deploy = rows[("apps", "Deployment")]
    assert deploy["short_names"] == ["deploy"] and deploy["singular"] == "deployment"
    job = rows[("kubeflow.org", "PyTorchJob")]  # from the bundle's CRD
    assert (job["plural"], job["singular"], job["namespaced"]) == (
        "pytorchjobs",
        "pytorchjob",
        True,
    )
    assert job["api_version"] == "kubeflow.org/v1"
    assert "pytorchjobs\t\tkubeflow.org/v1\ttrue\tPyTorchJob" in result.text
