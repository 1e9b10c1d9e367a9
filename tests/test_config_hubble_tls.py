"""Hubble TLS from the config file reaches a real TLS gRPC server with client authentication:
`holmes doctor` reaches it with the CA, the client pair and the server name, and fails naming
the fix without the server name."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import grpc
import pytest
from typer.testing import CliRunner

from holmes.cli.main import app
from holmes.tools.hubble.proto.observer import observer_pb2, observer_pb2_grpc
from tests.tools.test_hubble_errors import SERVER_NAME, make_pki

runner = CliRunner()


class AgentStatus(observer_pb2_grpc.ObserverServicer):
    """A single agent's Hubble server: ServerStatus only (GetNodes is UNIMPLEMENTED)."""

    def ServerStatus(self, request: Any, context: Any) -> Any:
        return observer_pb2.ServerStatusResponse(
            num_flows=10, max_flows=4095, seen_flows=77, version="1.19.4"
        )


@pytest.fixture
def tls_hubble(tmp_path: Path) -> Iterator[tuple[str, dict[str, Path]]]:
    """A TLS Hubble server on loopback that requires a client certificate."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make test certificates")
    pki = make_pki(tmp_path)
    credentials = grpc.ssl_server_credentials(
        [(pki["server.key"].read_bytes(), pki["server.crt"].read_bytes())],
        root_certificates=pki["ca.crt"].read_bytes(),
        require_client_auth=True,
    )
    server = grpc.server(ThreadPoolExecutor(max_workers=2))
    observer_pb2_grpc.add_ObserverServicer_to_server(AgentStatus(), server)
    port = server.add_secure_port("127.0.0.1:0", credentials)
    server.start()
    try:
        yield f"127.0.0.1:{port}", pki
    finally:
        server.stop(grace=None)


def hubble_checks(tmp_path: Path, section: str) -> dict[str, dict[str, str]]:
    """The Hubble checks of `holmes doctor --config` with this hubble section."""
    config = tmp_path / "config.yaml"
    config.write_text(f"sources:\n  hubble:\n{section}", encoding="utf-8")
    env = {"HOME": str(tmp_path), "KUBECONFIG": "", "HOLMES_HUBBLE_ADDRESS": ""}
    args = ["doctor", "--config", str(config), "--json", "--no-llm", "--timeout", "3"]
    result = runner.invoke(app, args, env=env)
    return {c["name"]: c for c in json.loads(result.output) if c["source"] == "hubble"}


def test_ca_client_pair_and_server_name_from_the_file(tmp_path: Path, tls_hubble) -> None:
    address, pki = tls_hubble
    files = (
        f"    ca_file: {pki['ca.crt']}\n    cert_file: {pki['client.crt']}\n"
        f"    key_file: {pki['client.key']}\n"
    )
    section = f"    address: {address}\n{files}    server_name: {SERVER_NAME}\n"
    checks = hubble_checks(tmp_path, section)
    assert checks["version"]["status"] == "ok", checks
    assert checks["version"]["detail"] == f"Hubble 1.19.4 at {address}"
    assert checks["nodes"]["status"] == "warn" and "single agent" in checks["nodes"]["detail"]
    assert checks["flows"]["detail"] == "10 flows in the buffer of 4095, 77 seen"
    unnamed = hubble_checks(tmp_path, f"    address: {address}\n{files}")["reachable"]
    assert unnamed["status"] == "fail" and "server_name" in unnamed["detail"]
