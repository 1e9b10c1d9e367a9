"""The replay serves discovery from what a bundle holds (RBAC, autoscaling, namespaced custom
resources), and metadata-only Tables of any kind: what `kubernetes_lookup` walks."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import yaml
from kubernetes import client, config

from holmes.evals import load_bundle
from holmes.evals.replay.kubernetes_api import KubernetesReplayServer
from tests.conftest import INCIDENTS

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io, application/json"


def _get(url: str, accept: str = "application/json") -> dict:
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def test_discovery_serves_the_rbac_kinds_a_bundle_holds(tmp_path: Path) -> None:
    bundle = load_bundle(INCIDENTS / "crashloop-app-error-serviceaccount-named-rbac-forbidden")
    with KubernetesReplayServer(bundle) as server:
        api = config.new_client_from_config(str(server.write_kubeconfig(tmp_path / "kc")))
        groups = {g.name: g for g in client.ApisApi(api).get_api_versions().groups}
        rbac = client.RbacAuthorizationV1Api(api).get_api_resources().resources
        bindings = client.RbacAuthorizationV1Api(api).list_namespaced_role_binding("search-prod")
        api.close()
        core = _get(server.url + "/api/v1")
    assert groups["rbac.authorization.k8s.io"].preferred_version.group_version == (
        "rbac.authorization.k8s.io/v1"
    )
    served = {r.name: r for r in rbac}
    assert served["roles"].namespaced and served["rolebindings"].namespaced
    assert served["roles"].verbs == ["get", "list"]
    assert [b.subjects[0].name for b in bindings.items] == ["index-syncer"]
    accounts = next(r for r in core["resources"] if r["name"] == "serviceaccounts")
    assert accounts["namespaced"] and accounts["shortNames"] == ["sa"]


def test_a_namespaced_custom_resource_is_served_namespaced(tmp_path: Path) -> None:
    folder = tmp_path / "custom"
    (folder / "kubernetes").mkdir(parents=True)
    isvc = {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": {"name": "sklearn-iris", "namespace": "kserve-test"},
    }
    (folder / "kubernetes" / "isvc.yaml").write_text(yaml.safe_dump(isvc))
    (folder / "incident.yaml").write_text(
        yaml.safe_dump(
            {
                "id": "custom",
                "title": "t",
                "time": "2026-11-30T10:00:00Z",
                "question": "q",
                "sources": ["kubernetes"],
                "expected": {"root_cause": "r", "must_mention": []},
            }
        )
    )
    with KubernetesReplayServer(load_bundle(folder)) as server:
        groups = _get(server.url + "/apis")
        resources = _get(server.url + "/apis/serving.kserve.io/v1beta1")
        listed = _get(
            server.url + "/apis/serving.kserve.io/v1beta1/namespaces/kserve-test/"
            "inferenceservices?includeObject=Metadata",
            TABLE,
        )
    assert "serving.kserve.io" in {g["name"] for g in groups["groups"]}
    [entry] = [r for r in resources["resources"] if r["name"] == "inferenceservices"]
    assert entry["kind"] == "InferenceService" and entry["namespaced"] is True
    assert listed["kind"] == "Table"
    assert listed["rows"][0]["object"]["kind"] == "PartialObjectMetadata"
    assert listed["rows"][0]["object"]["metadata"]["name"] == "sklearn-iris"


def test_metadata_only_tables_carry_no_secret_or_configmap_contents() -> None:
    bundle = load_bundle(INCIDENTS / "crashloop-app-error-configmap-named-vllm-runtime")
    with KubernetesReplayServer(bundle) as server:
        listed = _get(
            server.url + "/api/v1/namespaces/llm-serving/configmaps?includeObject=Metadata", TABLE
        )
    names = {row["object"]["metadata"]["name"] for row in listed["rows"]}
    assert "vllm-runtime-config" in names
    assert all(set(row["object"]) == {"kind", "apiVersion", "metadata"} for row in listed["rows"])


def test_a_crd_in_the_bundle_gives_discovery_its_singular_and_short_names(tmp_path: Path) -> None:
    # What the API server serves for a CRD: names.singular as singularName, names.shortNames.
    folder = tmp_path / "crd"
    (folder / "kubernetes").mkdir(parents=True)
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "inferenceservices.serving.kserve.io"},
        "spec": {
            "group": "serving.kserve.io",
            "scope": "Namespaced",
            "names": {
                "kind": "InferenceService",
                "plural": "inferenceservices",
                "singular": "inferenceservice",
                "shortNames": ["isvc"],
            },
        },
    }
    isvc = {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": {"name": "llama-chat", "namespace": "serving"},
    }
    (folder / "kubernetes" / "isvc.yaml").write_text(yaml.safe_dump_all([crd, isvc]))
    (folder / "incident.yaml").write_text(
        yaml.safe_dump(
            {
                "id": "crd",
                "title": "t",
                "time": "2026-11-30T10:00:00Z",
                "question": "q",
                "sources": ["kubernetes"],
                "expected": {"root_cause": "r", "must_mention": []},
            }
        )
    )
    with KubernetesReplayServer(load_bundle(folder)) as server:
        resources = _get(server.url + "/apis/serving.kserve.io/v1beta1")
    [entry] = [r for r in resources["resources"] if r["name"] == "inferenceservices"]
    assert entry["singularName"] == "inferenceservice"
    assert entry["shortNames"] == ["isvc"]
