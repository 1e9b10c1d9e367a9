"""`holmes doctor` against the faulty sources of the hardening tests (tests/faults/servers.py):
every fault of Kubernetes, Prometheus and Hubble fails the check of that source, names its
address and gives a fix, and the doctor exits 1 within the timeout plus a little."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from holmes.cli.main import app
from tests.faults.servers import (
    HTTP_FAULTS,
    HUBBLE_FAULTS,
    faulty_http,
    faulty_hubble,
    write_kubeconfig,
)

runner = CliRunner()
TIMEOUT = 2.0


def doctor(*args: str) -> tuple[int, list[str], float]:
    started = time.monotonic()
    result = runner.invoke(
        app,
        ["doctor", "--no-llm", "--timeout", str(TIMEOUT), *args],
        env={"HOLMES_PROMETHEUS_URL": "", "HOLMES_HUBBLE_ADDRESS": "", "KUBECONFIG": ""},
    )
    assert "Traceback" not in result.output
    return result.exit_code, result.output.splitlines(), time.monotonic() - started


def failures(lines: list[str], source: str) -> list[str]:
    """The FAIL lines of `source`, each checked to be followed by its fix."""
    failed = [line for line in lines if line.startswith("FAIL") and source in line]
    for line in failed:
        assert "fix:" in lines[lines.index(line) + 1], lines
    return failed


@pytest.mark.slow
@pytest.mark.parametrize("fault", HTTP_FAULTS)
def test_a_faulty_kubernetes_api_fails_its_check(fault: str, tmp_path: Path) -> None:
    with faulty_http(fault) as url:
        kubeconfig = write_kubeconfig(url, tmp_path / "kubeconfig")
        code, lines, seconds = doctor("--kubeconfig", str(kubeconfig))
    assert code == 1, lines
    failed = failures(lines, "kubernetes")
    assert failed and any(url in line for line in failed), lines
    assert seconds < TIMEOUT * 3 + 5, seconds


@pytest.mark.slow
@pytest.mark.parametrize("fault", HTTP_FAULTS)
def test_a_faulty_prometheus_fails_its_check(fault: str) -> None:
    with faulty_http(fault) as url:
        code, lines, seconds = doctor("--prometheus-url", url)
    assert code == 1, lines
    failed = failures(lines, "prometheus")
    assert failed and any(url in line for line in failed), lines
    assert seconds < TIMEOUT * 3 + 5, seconds


@pytest.mark.slow
@pytest.mark.parametrize("fault", HUBBLE_FAULTS)
def test_a_faulty_hubble_relay_fails_its_check(fault: str) -> None:
    with faulty_hubble(fault) as address:
        code, lines, seconds = doctor("--hubble-address", address)
    assert code == 1, lines
    failed = failures(lines, "hubble")
    assert failed and any(address in line for line in failed), lines
    assert seconds < TIMEOUT * 3 + 5, seconds
