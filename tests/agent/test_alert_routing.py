"""Every alert of the alert-route table reaches its route through the real engine.

Each alert arrives as Alertmanager would send it (its name, the labels its rule leaves, the
scrape job and severity kube-prometheus adds) and goes through intake, triage and ranking
against a replayed incident that has crash-looping and failed pods of its own, so other
runbooks score on symptoms: an alert routed to a runbook must still rank it first. Alerts
routed to `explain` or `sweep` get their route, and when no finding holds the answer says
what the alert means and what to check.
"""

from __future__ import annotations

import pytest

from holmes.agent.engine.alert_routes import AlertRoute, load_alert_routes
from holmes.agent.engine.gather import Gatherer
from holmes.agent.engine.intake import AlertInput, InvestigationRequest, alerts_from_webhook
from holmes.agent.engine.runbook_engine import RunbookEngine
from holmes.tools import ToolContext, default_registry

BUSY = "grouped-alerts-ranking-job-failed-and-crashloop"
HEALTHY = "abstain-normal-signals-gpu-util-pretrain"
TABLE = load_alert_routes()
ENGINE = RunbookEngine(default_registry())

# Label values that exist in the BUSY incident (the node-exporter `instance` is the node name,
# as kube-prometheus relabels it); the rest are what such labels look like.
VALUES = {
    "namespace": "search-ranking",
    "pod": "ranker-gateway-5b8d6f7c49-z7r5k",
    "container": "gateway",
    "deployment": "ranker-gateway",
    "service": "ranker-gateway",
    "job_name": "ctr-features-wk47",
    "node": "rk-batch-2",
    "instance": "rk-batch-2",
    "Hostname": "rk-gpu-01",
    "gpu": "0",
    "UUID": "GPU-5e0d3c1a-7b2f-4c8e-9a61-2f4d8b7c9e10",
    "modelName": "NVIDIA A100-SXM4-80GB",
}


def alert_as_sent(name: str, labels: list[str]) -> AlertInput:
    """The alert in an Alertmanager webhook body, as kube-prometheus labels it."""
    body = {
        "version": "4",
        "status": "firing",
        "commonLabels": {"prometheus": "monitoring/k8s", "severity": "warning"},
        "alerts": [
            {
                "status": "firing",
                "labels": {
                    "alertname": name,
                    **{label: VALUES.get(label, f"{label}-1") for label in labels},
                },
                "annotations": {"summary": f"{name} fired"},
                "startsAt": "2026-11-20T13:30:00Z",
                "endsAt": "0001-01-01T00:00:00Z",
            }
        ],
    }
    return alerts_from_webhook(body)[0]


@pytest.mark.slow  # 134 triages: about 10 s on 2 cores
async def test_every_listed_alert_resolves_to_its_route(tool_context) -> None:
    ctx = tool_context(BUSY)  # one context (its clients) for all; a fresh Gatherer per alert
    wrong = [problem for route in TABLE.alerts if (problem := await _misrouted(route, ctx))]
    assert not wrong, "\n".join(wrong)
    assert len(TABLE.alerts) >= 130


async def _misrouted(route: AlertRoute, ctx: ToolContext) -> str | None:
    """What is wrong with how the engine routes `route.alert`, or None."""
    request = InvestigationRequest(alert=alert_as_sent(route.alert, route.labels))
    _, _, found, ranked = await ENGINE.plan(request, Gatherer(ENGINE.registry, ctx))
    if found is None or found.route != route.route:
        return f"{route.alert}: found route {found and found.route}"
    if route.kind == "runbook":
        if ranked[0].id != route.runbook:
            return f"{route.alert}: ranked first {[(r.id, r.score) for r in ranked[:3]]}"
        if f"alert {route.alert}" not in ranked[0].reasons:
            return f"{route.alert}: {route.runbook} does not score on the alert's name"
        return None
    # No runbook is forced first; the ones that list the alert score on its name.
    listing = {r.runbook.id for r in ENGINE.runbooks if route.alert in r.runbook.match.alerts}
    unscored = [r.id for r in ranked if r.id in listing and f"alert {route.alert}" not in r.reasons]
    return f"{route.alert}: {unscored} do not score on its name" if unscored else None


@pytest.mark.parametrize(
    ("name", "labels", "words"),
    [
        ("KubeCPUOvercommit", {}, "largest node failed"),
        (
            "KubePersistentVolumeFillingUp",
            {"namespace": "training", "persistentvolumeclaim": "pretrain-checkpoints"},
            "pretrain-checkpoints in training is almost full",
        ),
        (
            "CPUThrottlingHigh",
            {"namespace": "training", "pod": "llm-pretrain-7b-worker-0", "container": "pytorch"},
            "Container pytorch of pod llm-pretrain-7b-worker-0 in training was CPU-throttled",
        ),
    ],
)
async def test_an_unexplained_alert_is_answered_with_its_meaning_and_checks(
    name, labels, words, tool_context
) -> None:
    alert = AlertInput(labels={"alertname": name, "severity": "warning", **labels})
    investigation = await ENGINE.investigate(
        InvestigationRequest(alert=alert), tool_context(HEALTHY)
    )
    diagnosis = investigation.diagnosis
    assert not investigation.verdicts and diagnosis.runbook_id is None
    explained = diagnosis.alert_explanation
    assert explained is not None and explained.alert == name
    assert words in explained.meaning and words in diagnosis.explanation
    # The runbooks found no fault; the answer must not read as a verdict on the alert.
    assert diagnosis.root_cause.startswith(
        f"Not determined by the runbooks: none of them judges alert {name}."
    )
    assert diagnosis.summary.startswith(f"{name}: no runbook judges this alert")
    commands = [check.command or "" for check in explained.checks]
    assert explained.checks and all(commands)
    for value in labels.values():  # the alert's labels are filled into the commands
        assert any(value in command for command in commands)
    assert not any("<namespace>" in command for command in commands if labels)


async def test_a_runbook_finding_keeps_the_answer_free_of_the_explanation(tool_context) -> None:
    alert = alert_as_sent("KubePodCrashLooping", ["namespace", "pod", "container"])
    investigation = await ENGINE.investigate(InvestigationRequest(alert=alert), tool_context(BUSY))
    assert investigation.diagnosis.runbook_id is not None
    assert investigation.diagnosis.alert_explanation is None
    assert investigation.ranked[0].id == "crashloop-app-error"
    assert investigation.ranked[0].reasons[0].startswith("alert route table")


async def test_an_explained_alert_cites_what_its_promql_shows(tool_context) -> None:
    labels = {"namespace": "feature-store", "persistentvolumeclaim": "data-pg-features-0"}
    alert = AlertInput(
        labels={"alertname": "KubePersistentVolumeFillingUp", "node": "fs-db-02", **labels}
    )
    ctx = tool_context("pv-filling-up-feature-store-postgres-wal-archive")
    diagnosis = await ENGINE.diagnose(InvestigationRequest(alert=alert), ctx)
    wanted = "The free share of the volume ("
    measured = [c for c in diagnosis.evidence if c.claim.startswith(wanted)]
    assert [c.claim.rsplit(": ", 1)[1] for c in measured] == ["0.02611 now"]
    call = diagnosis.checked_calls()[measured[0].evidence_ids[0]]
    assert call.startswith("prometheus_query(") and "data-pg-features-0" in call
