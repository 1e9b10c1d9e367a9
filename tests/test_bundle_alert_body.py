"""The incident format's webhook-body extension: `alert_body` and `expected_alerts`.

Good bundles load with one expectation per alert; broken ones raise `BundleError` naming
incident.yaml and the field.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from holmes.evals.bundle import load_bundle
from holmes.evals.errors import BundleError

GROUPED = Path("evals/incidents/grouped-alerts-ranking-job-failed-and-crashloop")
JOB_FP, CRASH_FP = "4e1b7a90c3d25f68", "a93d05c7e18f2b46"


def _raw() -> dict[str, Any]:
    return yaml.safe_load((GROUPED / "incident.yaml").read_text())


def _write(tmp_path: Path, raw: dict[str, Any]) -> Path:
    folder = tmp_path / GROUPED.name
    shutil.copytree(GROUPED, folder)
    (folder / "incident.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    return folder


def test_grouped_incident_loads_each_alert_with_its_expectation() -> None:
    bundle = load_bundle(GROUPED)
    alerts = bundle.incident.alerts
    assert [a.name for a in alerts] == ["KubeJobFailed", "KubePodCrashLooping"]
    assert [a.fingerprint for a in alerts] == [JOB_FP, CRASH_FP]
    assert bundle.expected_for(0).runbook == "job-backoff-limit"
    assert bundle.expected_for(1).runbook == "crashloop-app-error"
    body = bundle.incident.alert_body
    assert body is not None and body.groupKey.endswith('{namespace="search-ranking"}')
    assert body.truncatedAlerts == 0 and body.version == "4"
    # Expectations never reach what the investigation sees.
    dump = bundle.model_dump()
    assert "expected" not in dump and "expected_alerts" not in dump
    assert "is written 'uri'" not in bundle.model_dump_json()


def test_index_keys_and_common_labels(tmp_path: Path) -> None:
    raw = _raw()
    raw["expected_alerts"] = {1: raw["expected_alerts"][CRASH_FP]}
    raw["expected"] = {"must_mention": ["BackoffLimitExceeded"]}
    for alert in raw["alert_body"]["alerts"]:
        del alert["labels"]["namespace"]  # carried by commonLabels, as Alertmanager may
    bundle = load_bundle(_write(tmp_path, raw))
    assert bundle.expected_for(0).must_mention == ["BackoffLimitExceeded"]  # falls back
    assert bundle.expected_for(1).runbook == "crashloop-app-error"
    assert all(a.labels["namespace"] == "search-ranking" for a in bundle.incident.alerts)


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (
            lambda r: r["expected_alerts"].update({"0123456789abcdef": {}}),
            "expected_alerts.0123456789abcdef",
            "no alert of alert_body has fingerprint",
        ),
        (
            lambda r: r.__setitem__("expected_alerts", {5: {"runbook": "x"}}),
            "expected_alerts.5",
            "index 5 is not in",
        ),
        (
            lambda r: r["expected_alerts"].update({0: {"runbook": "x"}}),
            "expected_alerts.0",
            "keyed twice",
        ),
        (
            lambda r: r["expected_alerts"][JOB_FP].update({"must_mention": ["(unclosed"]}),
            f"expected_alerts.{JOB_FP}.must_mention",
            "not a valid regular expression",
        ),
        (
            lambda r: r["expected_alerts"].__setitem__(CRASH_FP, "crashloop"),
            f"expected_alerts.{CRASH_FP}",
            "mapping",
        ),
        (lambda r: r.__setitem__("expected_alerts", []), "expected_alerts", "must map"),
        (lambda r: r.__setitem__("alert", r["alert_body"]["alerts"][0]), "alert_body", "not both"),
        (
            lambda r: r["alert_body"].__setitem__("status", "resolved"),
            "alert_body",
            "its alerts make it 'firing'",
        ),
        (
            lambda r: r["alert_body"]["alerts"][1].__setitem__("status", "pending"),
            "alert_body.alerts",
            "firing or resolved",
        ),
        (lambda r: r["alert_body"].__setitem__("alerts", []), "alert_body.alerts", "at least 1"),
        (
            lambda r: r["alert_body"]["alerts"][0].__setitem__("labels", "x"),
            "alert_body.alerts.0.labels",
            "dictionary",
        ),
        (
            lambda r: r["alert_body"].__setitem__("truncatedAlerts", -1),
            "alert_body.truncatedAlerts",
            "greater than or equal to 0",
        ),
        (
            lambda r: r["alert_body"]["alerts"][0].__setitem__("startsAt", "yesterday"),
            "alert_body.alerts.0.startsAt",
            "RFC 3339",
        ),
    ],
)
def test_broken_new_keys_name_file_and_field(
    tmp_path: Path, change: Any, field: str, words: str
) -> None:
    raw = _raw()
    change(raw)
    with pytest.raises(BundleError) as raised:
        load_bundle(_write(tmp_path, raw))
    assert raised.value.path.name == "incident.yaml"
    assert (raised.value.where or "").startswith(field), raised.value
    assert words in raised.value.problem, raised.value


def test_expected_alerts_without_a_body(tmp_path: Path) -> None:
    raw = _raw()
    raw["alert"] = raw.pop("alert_body")["alerts"][0]
    with pytest.raises(BundleError, match="needs an 'alert_body'") as raised:
        load_bundle(_write(tmp_path, raw))
    assert raised.value.where == "expected_alerts"
