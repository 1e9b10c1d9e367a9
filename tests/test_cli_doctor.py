"""`holmes doctor` against replays (real Prometheus, the replay's API server), sources that are
down, and an API server that answers SelfSubjectAccessReviews from deploy/'s ClusterRole.

A real kube-apiserver cannot run here; the permission tests use a small HTTP server on
127.0.0.1 that speaks the three requests the doctor makes (/version, /apis and
SelfSubjectAccessReview), deciding each review by RBAC's rule matching over a role.
"""

from __future__ import annotations

import json
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from holmes.cli.main import app
from tests.conftest import INCIDENTS, REPO

runner = CliRunner()


def doctor(*args: str) -> tuple[int, str]:
    """Exit code and output of `holmes doctor ARGS`."""
    result = runner.invoke(app, ["doctor", *args], env={"HOLMES_PROMETHEUS_URL": ""})
    return result.exit_code, result.output


def deploy_role() -> list[dict[str, Any]]:
    """The rules of the ClusterRole deploy/ renders."""
    done = subprocess.run(
        ["kubectl", "kustomize", str(REPO / "deploy")], capture_output=True, text=True, check=True
    )
    (role,) = [d for d in yaml.safe_load_all(done.stdout) if d and d["kind"] == "ClusterRole"]
    return role["rules"]


def allowed(rules: list[dict[str, Any]], attributes: dict[str, str]) -> bool:
    """RBAC's decision: some rule matches the group, the resource(/subresource) and the verb."""
    resource = attributes.get("resource", "")
    if attributes.get("subresource"):
        resource += "/" + attributes["subresource"]
    return any(
        {attributes.get("group", ""), "*"} & set(rule.get("apiGroups", []))
        and {resource, "*"} & set(rule.get("resources", []))
        and {attributes["verb"], "*"} & set(rule.get("verbs", []))
        for rule in rules
    )


@contextmanager
def api_server(rules: list[dict[str, Any]], dra_versions: list[str]) -> Iterator[str]:
    """An API server on 127.0.0.1 deciding access reviews by `rules`; yields its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/version":
                self.answer(200, {"major": "1", "minor": "33", "gitVersion": "v1.33.2"})
            elif self.path == "/apis":
                versions = [
                    {"groupVersion": f"resource.k8s.io/{v}", "version": v} for v in dra_versions
                ]
                groups = [{"name": "resource.k8s.io", "versions": versions}] if versions else []
                self.answer(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
            else:
                self.answer(404, {"kind": "Status", "message": "not found", "code": 404})

        def do_POST(self) -> None:
            review = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            attributes = review["spec"]["resourceAttributes"]
            review["status"] = {"allowed": allowed(rules, attributes)}
            self.answer(201, review)

        def answer(self, status: int, document: dict[str, Any]) -> None:
            body = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 128  # the doctor sends its ~45 reviews at once

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def kubeconfig_for(server: str, folder: Path) -> Path:
    """A kubeconfig whose one context points at `server`."""
    path = folder / "kubeconfig"
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "c", "cluster": {"server": server}}],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "x",
    }
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_gpu_incident_replay_passes_and_names_the_missing_dcgm_fields() -> None:
    code, output = doctor("--incident", str(INCIDENTS / "gpu-xid-79-node-3"))
    assert code == 0, output
    assert "ok    kubernetes  version" in output and "Kubernetes v1.34.0" in output
    assert "serves resource.k8s.io/v1" in output
    assert "ok    prometheus  version" in output
    assert "DCGM_FI_DEV_XID_ERRORS" not in output  # recorded, so not reported missing
    (fields,) = [line for line in output.splitlines() if "prometheus  DCGM fields" in line]
    assert (
        fields.startswith("WARN")
        and "gpu-throttling lacks DCGM_FI_DEV_CLOCKS_EVENT_REASONS" in fields
    )
    # The replay cannot answer access reviews: said, not failed.
    assert "could not ask the API server (SelfSubjectAccessReview)" in output


def test_json_lists_every_check_with_status_and_fix() -> None:
    code, output = doctor("--incident", str(INCIDENTS / "oom-killed-tokenizer-job-noisy"), "--json")
    assert code == 0, output
    checks = json.loads(output)
    by_name = {(c["source"], c["name"]): c for c in checks}
    assert by_name[("kubernetes", "version")]["status"] == "ok"
    dcgm = by_name[("prometheus", "DCGM")]
    assert dcgm["status"] == "warn" and "no DCGM_FI_* series" in dcgm["detail"]
    assert "dcgm-exporter" in dcgm["fix"]


def test_sources_that_are_down_fail_with_their_address_and_fix(tmp_path: Path) -> None:
    kubeconfig = kubeconfig_for(f"http://127.0.0.1:{closed_port()}", tmp_path)
    prometheus = f"http://127.0.0.1:{closed_port()}"
    code, output = doctor(
        "--kubeconfig", str(kubeconfig), "--prometheus-url", prometheus, "--timeout", "3"
    )
    assert code == 1
    lines = output.splitlines()
    failed = [line for line in lines if line.startswith("FAIL")]
    assert len(failed) == 2
    assert "kubernetes" in failed[0] and "not reachable" in failed[0]
    assert "prometheus" in failed[1] and prometheus in failed[1]
    # Each failure is followed by its fix.
    for line in failed:
        assert "fix:" in lines[lines.index(line) + 1]


def test_deploys_role_grants_every_read_and_no_write(tmp_path: Path) -> None:
    with api_server(deploy_role(), ["v1", "v1beta1"]) as server:
        code, output = doctor("--kubeconfig", str(kubeconfig_for(server, tmp_path)), "--json")
    assert code == 0, output
    by_name = {c["name"]: c for c in json.loads(output)}
    assert by_name["read permissions"]["status"] == "ok"
    assert by_name["least privilege"]["status"] == "ok"
    assert by_name["DRA"]["status"] == "ok"
    assert by_name["configured"]["status"] == "warn"  # no Prometheus given


def test_a_missing_read_fails_and_a_write_verb_is_flagged(tmp_path: Path) -> None:
    rules = [rule for rule in deploy_role() if "coordination.k8s.io" not in rule["apiGroups"]]
    rules.append({"apiGroups": [""], "resources": ["pods"], "verbs": ["*"]})
    # v1alpha3 (1.31) is older than the DRA versions holmes reads (v1, v1beta2, v1beta1)
    with api_server(rules, ["v1alpha3"]) as server:
        code, output = doctor("--kubeconfig", str(kubeconfig_for(server, tmp_path)))
    assert code == 1, output
    (reads,) = [line for line in output.splitlines() if "read permissions" in line]
    assert reads.startswith("FAIL") and "list leases.coordination.k8s.io" in reads
    (privilege,) = [line for line in output.splitlines() if "least privilege" in line]
    assert privilege.startswith("WARN") and "create pods, delete pods" in privilege
    assert "pods/exec" not in privilege  # `*` on pods does not reach its subresources
    (dra,) = [line for line in output.splitlines() if "kubernetes  DRA" in line]
    assert dra.startswith("WARN") and "serves resource.k8s.io/v1alpha3" in dra


def test_an_incident_without_prometheus_says_it_is_not_configured() -> None:
    code, output = doctor("--incident", str(INCIDENTS / "crashloop-config-error"))
    assert code == 0, output
    (line,) = [line for line in output.splitlines() if " prometheus " in line]
    assert line.startswith("WARN  prometheus  configured")
