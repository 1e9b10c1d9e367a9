"""replay(bundle): starts the recorded sources, yields their endpoints, stops them on every exit."""

from __future__ import annotations

import socket
from urllib.parse import urlparse

import httpx
import pytest

from holmes.cli.replay_probe import probe_sources
from holmes.evals.replay import replay
from tests.conftest import INCIDENTS


def port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def test_replay_serves_only_the_recorded_sources() -> None:
    with replay(INCIDENTS / "crashloop-config-error") as endpoints:
        assert endpoints.kubeconfig is not None and endpoints.kubeconfig.is_file()
        assert endpoints.prometheus_url is None
        assert endpoints.hubble_address is None
        (line,) = probe_sources(endpoints)
        assert "llm-gateway-7c9d8f6b54-q2w4n CrashLoopBackOff" in line


def test_replay_of_all_three_sources_and_stop_on_error() -> None:
    addresses: list[tuple[str, int]] = []
    with pytest.raises(RuntimeError, match="boom"), replay(INCIDENTS / "gpu-xid-79-node-3") as gpu:
        assert gpu.prometheus_url and gpu.kubernetes_url and gpu.hubble_address is None
        response = httpx.get(
            f"{gpu.prometheus_url}/api/v1/query",
            params={
                "query": 'DCGM_FI_DEV_XID_ERRORS{Hostname="gpu-node-3",gpu="2"}',
                "time": gpu.time.timestamp(),
            },
        )
        assert response.json()["data"]["result"][0]["value"][1] == "79"
        for url in (gpu.prometheus_url, gpu.kubernetes_url):
            parsed = urlparse(url)
            addresses.append((parsed.hostname or "", parsed.port or 0))
        raise RuntimeError("boom")
    assert not any(port_open(host, port) for host, port in addresses)


def test_replay_of_hubble_flows() -> None:
    with replay(INCIDENTS / "hubble-policy-denied") as endpoints:
        assert endpoints.hubble_address
        lines = probe_sources(endpoints)
        hubble = next(line for line in lines if line.startswith("hubble:"))
        assert "164 flows" in hubble and "POLICY_DENIED" in hubble
        host, port = endpoints.hubble_address.rsplit(":", 1)
    assert not port_open(host, int(port))
