"""`holmes doctor`'s Hubble, LLM and store checks: against the Hubble replay, a Relay that is
down, the scripted OpenAI-compatible server (answering, 401, 500), and stores that cannot be
written (a folder that takes no file, PostgreSQL that is not there)."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from holmes.cli.doctor_store import store_check
from holmes.cli.main import app
from tests.conftest import INCIDENTS
from tests.llm.scripted_server import error, scripted_llm, text_reply

__all__ = ["scripted_llm"]

runner = CliRunner()
NO_LLM = {"OPENAI_API_KEY": "", "OPENAI_BASE_URL": "", "AZURE_OPENAI_ENDPOINT": ""}


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def doctor_json(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, Any]:
    """Exit code and the checks of `holmes doctor --json ARGS` (no config file, no kubeconfig)."""
    base = {"HOME": str(tmp_path), "KUBECONFIG": "", "HOLMES_PROMETHEUS_URL": ""}
    base |= {"HOLMES_HUBBLE_ADDRESS": "", "HOLMES_STORE_URL": "", "HOLMES_CONFIG": ""}
    result = runner.invoke(app, ["doctor", "--json", *args], env=base | NO_LLM | (env or {}))
    try:
        return result.exit_code, {(c["source"], c["name"]): c for c in json.loads(result.output)}
    except json.JSONDecodeError:
        raise AssertionError(result.output) from None


def test_the_hubble_replay_reports_version_nodes_and_flows(tmp_path: Path) -> None:
    incident = INCIDENTS / "hubble-policy-denied"
    code, checks = doctor_json(tmp_path, "--incident", str(incident), "--no-llm")
    assert code == 0, checks
    assert checks[("hubble", "version")]["status"] == "ok"
    nodes = checks[("hubble", "nodes")]
    assert nodes["status"] == "ok"
    assert "nodes connected, 0 unavailable; GetNodes lists" in nodes["detail"]
    flows = checks[("hubble", "flows")]
    assert flows["status"] == "ok" and " seen" in flows["detail"]
    assert not flows["detail"].startswith("0 flows")
    assert ("llm", "answers") not in checks  # --no-llm


def test_a_hubble_relay_that_is_down_fails_with_its_address(tmp_path: Path) -> None:
    address = f"127.0.0.1:{closed_port()}"
    code, checks = doctor_json(tmp_path, "--hubble-address", address, "--no-llm", "--timeout", "2")
    assert code == 1
    reachable = checks[("hubble", "reachable")]
    assert reachable["status"] == "fail" and address in reachable["detail"]
    assert "--hubble-address" in reachable["fix"]


def llm_env(server: Any) -> dict[str, str]:
    return {"OPENAI_BASE_URL": server.url, "HOLMES_LLM_MODEL": "scripted-model",
            "OPENAI_API_KEY": "sk-doctor-test-key"}  # fmt: skip


def test_the_llm_answers_a_one_token_request(scripted_llm: Any, tmp_path: Path) -> None:
    scripted_llm.script([text_reply("p", prompt_tokens=8, completion_tokens=1)])
    code, checks = doctor_json(tmp_path, env=llm_env(scripted_llm))
    answers = checks[("llm", "answers")]
    assert answers["status"] == "ok", answers
    assert "scripted-model" in answers["detail"] and "(9 tokens)" in answers["detail"]
    (request,) = scripted_llm.requests
    assert request.body["max_tokens"] == 1
    assert code == 1  # no Kubernetes configured: that check fails, the LLM's passed


@pytest.mark.parametrize(
    ("status", "fix_words"),
    [(401, "refused the key"), (500, "HTTP 5xx")],
)
def test_an_llm_that_refuses_or_fails_is_a_failure_with_its_fix(
    scripted_llm: Any, tmp_path: Path, status: int, fix_words: str
) -> None:
    scripted_llm.script([error(status), error(status)])
    code, checks = doctor_json(tmp_path, env=llm_env(scripted_llm))
    assert code == 1
    answers = checks[("llm", "answers")]
    assert answers["status"] == "fail"
    assert scripted_llm.url.removesuffix("/v1") in answers["detail"]
    assert fix_words in answers["fix"]
    assert len(scripted_llm.requests) == 1  # one probe, not retried
    assert "sk-doctor-test-key" not in json.dumps(list(checks.values()))


def test_no_llm_configured_is_a_warning(tmp_path: Path) -> None:
    _, checks = doctor_json(tmp_path)
    assert checks[("llm", "configured")]["status"] == "warn"


def test_a_sqlite_store_is_written_to(tmp_path: Path) -> None:
    fresh = store_check(f"sqlite:///{tmp_path}/data/holmes.db", 2)
    assert fresh.status == "ok" and "not created yet" in fresh.detail
    (tmp_path / "holmes.db").write_bytes(b"")
    assert store_check(f"sqlite:///{tmp_path}/holmes.db", 2).status == "ok"
    assert list(tmp_path.iterdir()) == [tmp_path / "holmes.db"]  # the probe left nothing


def test_a_store_folder_that_takes_no_file_fails(tmp_path: Path) -> None:
    # /proc takes no new file, even from root (mode bits would not stop root).
    check = store_check("sqlite:////proc/holmes/holmes.db", 2)
    assert check.status == "fail" and "not writable" in check.detail
    assert check.fix is not None and "HOLMES_STORE_URL" in check.fix
    code, checks = doctor_json(tmp_path, "--no-llm", "--store", "sqlite:////proc/h/holmes.db")
    assert code == 1 and checks[("store", "writable")]["status"] == "fail"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through read-only mode bits")
def test_a_read_only_store_folder_fails(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        assert store_check(f"sqlite:///{folder}/holmes.db", 2).status == "fail"
    finally:
        folder.chmod(0o755)


def test_a_postgresql_store_that_is_not_there_fails_without_its_password() -> None:
    url = f"postgresql://holmes:pg-secret-pass@127.0.0.1:{closed_port()}/holmes"
    check = store_check(url, 2)
    assert check.status == "fail"
    assert "127.0.0.1" in check.detail and "pg-secret-pass" not in check.detail
    assert "HOLMES_STORE_URL" in (check.fix or "")


def _as_postgres(command: list[str]) -> list[str]:
    # initdb refuses root: as root, run as the package's postgres user.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.mark.slow
def test_a_running_postgresql_store_answers_select_1() -> None:
    import shutil
    import subprocess
    import tempfile

    binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    assert binaries, "postgresql is not installed: run scripts/setup.sh"
    folder = Path(tempfile.mkdtemp(prefix="holmes-doctor-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    port, data = closed_port(), folder / "data"
    run: dict[str, Any] = {"check": True, "capture_output": True, "timeout": 120}
    initdb = [str(binaries[-1] / "initdb"), "-D", str(data), "-A", "trust", "-U", "holmes"]
    subprocess.run(_as_postgres(initdb), **run)
    pg_ctl = [str(binaries[-1] / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w"]
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(_as_postgres([*pg_ctl, "-o", options, "start"]), **run)
    try:
        check = store_check(f"postgresql://holmes:unused-pass@127.0.0.1:{port}/postgres", 5)
    finally:
        subprocess.run(_as_postgres([*pg_ctl, "-m", "immediate", "stop"]), **run)
        shutil.rmtree(folder, ignore_errors=True)
    assert check.status == "ok", check
    assert "answered SELECT 1" in check.detail and "unused-pass" not in check.detail
