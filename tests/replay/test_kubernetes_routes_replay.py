"""The replay serves what the standard-class runbooks read: Gateway API routes and Gateways
(custom resources, namespaced) and PodDisruptionBudgets (always discovered, as every cluster
serves policy/v1)."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from holmes.evals import load_bundle
from holmes.evals.replay.kubernetes_api import KubernetesReplayServer
from tests.conftest import INCIDENTS

ROUTE_INCIDENT = INCIDENTS / "httproute-not-accepted-listener-same-namespace-vllm"


def _get(server: KubernetesReplayServer, path: str) -> dict:
    with urllib.request.urlopen(server.url + path, timeout=5) as response:
        return json.loads(response.read())


def test_gateway_api_and_pdb_paths(tmp_path: Path) -> None:
    server = KubernetesReplayServer(load_bundle(ROUTE_INCIDENT))
    server.start()
    try:
        routes = _get(server, "/apis/gateway.networking.k8s.io/v1/namespaces/serving/httproutes")
        assert [r["metadata"]["name"] for r in routes["items"]] == ["qwen-api"]
        resources = _get(server, "/apis/gateway.networking.k8s.io/v1")["resources"]
        scopes = {r["name"]: r["namespaced"] for r in resources if "/" not in r["name"]}
        assert scopes["httproutes"] and scopes["gateways"] and not scopes["gatewayclasses"]
        # No PDB in this bundle, yet policy/v1 is served: an empty list, not a 404.
        pdbs = _get(server, "/apis/policy/v1/poddisruptionbudgets")
        assert pdbs["items"] == []
    finally:
        server.stop()
