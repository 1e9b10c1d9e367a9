"""`holmes record` as a user runs it, and what must never reach a recorded bundle: secrets.

Secrets are planted in the source (a replayed incident: a container's env, its crash log, a
Secret object), the incident is recorded through the CLI, and no planted value may appear in any
file of the bundle, while the evidence around them is kept.
"""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from holmes.agent.engine.intake import AlertInput
from holmes.cli.main import app
from holmes.evals import load_bundle
from holmes.evals.bundle_writer import write_bundle
from holmes.tools.recording import RecordedLog, RecordedSeries, Recording
from tests.conftest import INCIDENTS

runner = CliRunner()

GITHUB_TOKEN = "ghp_" + "Zq8Xw2Lm4Np6Rt1Vy3Bc5Df7Gh9Jk0AaBbCc"
ENV_VALUE = "hunter2-Planted-9f8e7d"
URL_PASSWORD = "PlantedPassw0rd"
SECRET_DATA = "cGxhbnRlZC1zZWNyZXQtZGF0YQ=="
PLANTED = (GITHUB_TOKEN, ENV_VALUE, URL_PASSWORD, SECRET_DATA)
POD = "llm-gateway-7c9d8f6b54-q2w4n"


def _plant(source: Path) -> None:
    pods = source / "kubernetes" / "pods.yaml"
    pods.write_text(
        pods.read_text().replace(
            "      - name: GATEWAY_LOG_LEVEL\n",
            f"      - name: UPSTREAM_API_KEY\n        value: {ENV_VALUE}\n"
            "      - name: GATEWAY_LOG_LEVEL\n",
        )
    )
    log = source / "logs" / "serving" / POD / "gateway.previous.log"
    log.write_text(
        "2026-10-14T09:37:11.100Z DEBUG store: postgres://gateway:"
        f"{URL_PASSWORD}@pg.serving:5432/gw\n"
        f"2026-10-14T09:37:11.101Z DEBUG hub: using token {GITHUB_TOKEN}\n" + log.read_text()
    )
    secret = (
        "apiVersion: v1\nkind: Secret\nmetadata: {name: gateway-creds, namespace: serving}\n"
        f"type: Opaque\ndata: {{password: {SECRET_DATA}}}\n"
    )
    (source / "kubernetes" / "secret.yaml").write_text(secret)


def _bundle_text(folder: Path) -> str:
    return "\n".join(p.read_text() for p in sorted(folder.rglob("*")) if p.is_file())


def test_record_through_the_cli_keeps_no_planted_secret(tmp_path: Path) -> None:
    source = tmp_path / "source" / "crashloop-config-error"
    shutil.copytree(INCIDENTS / "crashloop-config-error", source)
    _plant(source)
    out = tmp_path / "recorded" / "gateway-crashloop"
    result = runner.invoke(app, ["record", "--incident", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and "fill in 'expected'" in result.output
    text = _bundle_text(out)
    for planted in PLANTED:
        assert planted not in text
    # The evidence around the secrets was recorded: the env entry, the crash log, the error.
    pods = (out / "kubernetes" / "pod.yaml").read_text()
    assert "UPSTREAM_API_KEY" in pods and "[REDACTED" in pods
    crash_log = (out / "logs" / "serving" / POD / "gateway.previous.log").read_text()
    assert re.search(r"postgres://gateway:\[REDACTED(:\w+)?\]@pg.serving:5432/gw", crash_log)
    assert "invalid configuration" in crash_log
    bundle = load_bundle(out)
    assert bundle.incident.question == "Why is llm-gateway in namespace serving crash-looping?"
    assert bundle.expected.unfilled


def test_writer_drops_secret_data_and_masks_labels_and_flows(tmp_path: Path) -> None:
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "creds", "namespace": "ml", "managedFields": [{"manager": "x"}]},
        "data": {"password": SECRET_DATA},
        "stringData": {"token": ENV_VALUE},
    }
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "trainer-0", "namespace": "ml"},
        "spec": {"containers": [{"name": "trainer", "image": "trainer:1"}]},
    }
    flow = {
        "flow": {
            "time": "2026-03-18T14:31:00Z",
            "verdict": "FORWARDED",
            "l7": {"http": {"headers": [{"key": "Authorization", "value": f"Bearer {ENV_VALUE}"}]}},
        },
        "node_name": "gpu-node-1",
        "time": "2026-03-18T14:31:00Z",
    }
    recording = Recording(
        time=datetime(2026, 3, 18, 14, 32, tzinfo=UTC),
        sources=["kubernetes", "prometheus", "hubble"],
        objects=[secret, pod],
        logs=[RecordedLog(namespace="ml", pod="trainer-0", container="trainer", text="ok\n")],
        series=[
            RecordedSeries(
                name="probe_up",
                labels={"url": f"https://u:{URL_PASSWORD}@x.example/v1"},
                samples=[(1773844260.0, 1.0), (1773844290.5, 0.0)],
            )
        ],
        flows=[flow],
    )
    alert = AlertInput(labels={"alertname": "TrainerDown", "token": GITHUB_TOKEN})
    folder = write_bundle(tmp_path / "trainer-down", recording, question=None, alert=alert)
    text = _bundle_text(folder)
    for planted in PLANTED:
        assert planted not in text
    bundle = load_bundle(folder)  # the writer writes what the loader reads
    recorded_secret = next(o for o in bundle.objects if o["kind"] == "Secret")
    assert "data" not in recorded_secret and "stringData" not in recorded_secret
    assert "managedFields" not in recorded_secret["metadata"]
    assert [s.samples for s in bundle.series] == [[(1773844260.0, 1.0), (1773844290.5, 0.0)]]
    assert bundle.flows[0].data["flow"]["verdict"] == "FORWARDED"
    assert bundle.incident.alert is not None and bundle.incident.question is None
    assert bundle.logs[0].text == "ok\n"
    assert bundle.expected.unfilled
