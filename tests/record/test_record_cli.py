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


def test_record_from_live_source_options(tmp_path: Path) -> None:
    """The live path: the source options of `holmes ask`, the wall clock as the time."""
    from datetime import UTC, datetime, timedelta

    from holmes.evals import load_bundle
    from holmes.evals.replay import replay

    bundle = load_bundle(INCIDENTS / "gpu-xid-79-node-3")
    question = bundle.incident.question or ""
    out = tmp_path / "live"
    with replay(bundle) as endpoints:
        started = datetime.now(UTC).replace(microsecond=0)
        args = ["record", "--kubeconfig", str(endpoints.kubeconfig), "--out", str(out)]
        args += ["--prometheus-url", endpoints.prometheus_url or "", question]
        result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    recorded = load_bundle(out)
    assert recorded.incident.sources == ["kubernetes", "prometheus"]
    assert started <= recorded.time <= datetime.now(UTC) + timedelta(seconds=1)  # rounded up
    assert recorded.incident.question == question
    pods = {o["metadata"]["name"] for o in recorded.objects if o["kind"] == "Pod"}
    assert {"llama-finetune-0-7kq2d", "llama-finetune-1-m9x4f"} <= pods
    assert recorded.logs and {log.pod for log in recorded.logs} <= pods
    # The replay's series end at the incident's time, months before the wall clock: a live
    # recording's window holds none of them, and says so by writing none.
    assert recorded.series == []


def test_no_source_at_all_is_refused(tmp_path: Path) -> None:
    env = {"KUBECONFIG": str(tmp_path / "none"), "HOME": str(tmp_path), "COLUMNS": "300"}
    env |= {"HOLMES_PROMETHEUS_URL": "", "HOLMES_HUBBLE_ADDRESS": ""}
    result = runner.invoke(app, ["record", "--out", str(tmp_path / "x"), QUESTION], env=env)
    assert result.exit_code == 2
    assert "no source to record from" in result.output
    assert not (tmp_path / "x").exists()


def test_record_an_alert_file(tmp_path: Path) -> None:
    import json

    from holmes.evals import load_bundle

    labels = {"alertname": "KubePodCrashLooping", "namespace": "search"}
    labels["pod"] = "embedding-worker-7d5c8b9f64-k2x8p"
    payload = {"version": "4", "status": "firing", "alerts": [{"labels": labels}]}
    (tmp_path / "alert.json").write_text(json.dumps(payload))
    out = tmp_path / "from-alert"
    args = ["record", "--incident", str(OOM), "--alert", str(tmp_path / "alert.json")]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    recorded = load_bundle(out)
    assert recorded.incident.question is None
    assert recorded.incident.alert is not None and recorded.incident.alert.labels == labels
    assert "runbook oom-killed" in " ".join(result.output.split())


def test_a_bad_alert_file_names_the_option(tmp_path: Path) -> None:
    (tmp_path / "alert.json").write_text("{not json")
    args = ["record", "--incident", str(OOM), "--alert", str(tmp_path / "alert.json")]
    result = runner.invoke(app, [*args, "--out", str(tmp_path / "x")], env={"COLUMNS": "300"})
    assert result.exit_code == 2
    assert "--alert" in result.output and "alert.json" in result.output
