"""The alert-route file: its schema, its errors, the check against the runbooks, the README."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from holmes.agent.engine.alert_routes import (
    AlertRoutesError,
    load_alert_routes,
    route_problems,
)
from holmes.agent.engine.rules import load_runbooks
from holmes.cli.alert_docs import README, readme_section, routes_table
from holmes.cli.main import app

# The groups of kube-prometheus's default rules and the GPU alerts the table must cover.
EXPECTED = {
    "KubePodCrashLooping",
    "KubeHpaMaxedOut",
    "KubePdbNotEnoughHealthyPods",
    "CPUThrottlingHigh",
    "KubePersistentVolumeFillingUp",
    "KubeAPIErrorBudgetBurn",
    "KubeletPlegDurationHigh",
    "KubeSchedulerDown",
    "KubeControllerManagerDown",
    "KubeProxyDown",
    "NodeFilesystemSpaceFillingUp",
    "NodeSystemdServiceFailed",
    "KubeStateMetricsListErrors",
    "PrometheusRuleFailures",
    "AlertmanagerFailedToSendAlerts",
    "PrometheusOperatorReconcileErrors",
    "ConfigReloaderSidecarErrors",
    "Watchdog",
    "InfoInhibitor",
    "TargetDown",
    "GPUXidError",
    "GpuEccDbeErrors",
    "GpuRowRemapFailure",
    "GPUFallenOffBus",
    "GPUHighTemperature",
    "GpuPowerThrottling",
    "GPUOperatorReconciliationFailed",
    "GPUOperatorNodeDeploymentDriverFailed",
}


def test_the_table_covers_the_default_rules_and_routes_each_to_a_runbook_that_lists_it() -> None:
    table = load_alert_routes()
    names = {route.alert for route in table.alerts}
    assert len(names) >= 130
    assert names >= EXPECTED
    assert route_problems(table, load_runbooks()) == []
    for route in table.alerts:
        assert route.source and (route.kind == "runbook" or (route.meaning and route.check))


def test_the_readme_table_is_the_generated_one() -> None:
    section = readme_section(README.read_text(encoding="utf-8"))
    assert section == routes_table(), "regenerate: python -m holmes.cli.alert_docs --write"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "routes.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("alerts: [{alert: X, source: s, route: explain}]", "alerts.0 (X): Value error, X: route"),
        (
            "alerts: [{alert: X, source: s, route: r, colour: red}]",
            "alerts.0.colour (X): Extra inputs",
        ),
        (
            "alerts: [{alert: X, source: s, route: r}, {alert: x, source: s, route: r}]",
            "alert x is listed twice",
        ),
        ("alerts: [\n", "not valid YAML"),
    ],
)
def test_a_broken_table_is_an_error_naming_file_field_and_alert(tmp_path, text, message) -> None:
    path = write(tmp_path, text)
    with pytest.raises(AlertRoutesError) as raised:
        load_alert_routes(path)
    assert str(raised.value).startswith(str(path)) and message in str(raised.value)


def test_a_route_to_a_runbook_that_does_not_list_the_alert_is_a_problem(tmp_path) -> None:
    path = write(
        tmp_path,
        "alerts:\n- {alert: KubeCPUOvercommit, source: s, route: oom-killed}\n"
        "- {alert: Y, source: s, route: no-such-runbook}\n",
    )
    problems = route_problems(load_alert_routes(path), load_runbooks())
    assert problems == [
        "KubeCPUOvercommit: routes to oom-killed, whose match.alerts does not list it",
        "Y: route 'no-such-runbook' is no runbook, sweep or explain",
    ]


def test_runbooks_check_validates_the_alert_routes() -> None:
    result = CliRunner().invoke(app, ["runbooks", "check"])
    assert result.exit_code == 0, result.output
    assert "alert routes valid" in result.output


def test_a_check_fills_the_alert_labels_and_knows_when_it_cannot() -> None:
    check = load_alert_routes().find("kubepersistentvolumefillingup").check[0]
    labels = {"namespace": "db", "persistentvolumeclaim": "data-pg-0"}
    query = check.command(labels) or ""
    assert 'namespace="db", persistentvolumeclaim="data-pg-0"' in query and "<" not in query
    assert check.fillable(labels)
    assert not check.fillable({"namespace": "db"})
    assert "<persistentvolumeclaim>" in (check.command({"namespace": "db"}) or "")
