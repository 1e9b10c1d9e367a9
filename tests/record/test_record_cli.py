"""`holmes record` errors a user can make, and how a fresh recording is reported by eval."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from holmes.cli.main import app
from tests.conftest import INCIDENTS

runner = CliRunner()
OOM = INCIDENTS / "oom-killed-embedding-worker"
QUESTION = "why does the embedding worker keep restarting?"


def test_a_fresh_recording_is_reported_unfilled_never_passed(tmp_path: Path) -> None:
    out = tmp_path / "suite" / "embedding-oom"
    recorded = runner.invoke(
        app,
        ["record", "--incident", str(OOM), "--namespace", "search", "--out", str(out), QUESTION],
    )
    assert recorded.exit_code == 0, recorded.output
    assert f"{QUESTION} (namespace search)" in (out / "incident.yaml").read_text()
    assert "runbook: oom-killed" in (out / "incident.yaml").read_text()  # the hint to start from
    evaluated = runner.invoke(app, ["eval", "--suite", str(tmp_path / "suite")])
    assert evaluated.exit_code == 1
    assert "unfilled" in evaluated.output and "0/1 passed" in evaluated.output


def test_an_existing_out_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "incident.yaml").write_text("id: taken\n")
    result = runner.invoke(
        app,
        ["record", "--incident", str(OOM), "--out", str(tmp_path / "taken")],
        env={"COLUMNS": "300"},
    )
    assert result.exit_code == 2
    assert "already exists" in result.output


def test_a_bad_since_names_the_option(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["record", "--incident", str(OOM), "--since", "soon", "--out", str(tmp_path / "x")],
        env={"COLUMNS": "300"},
    )
    assert result.exit_code == 2
    assert "--since" in result.output and "not a duration" in result.output
