"""The answer to a known alert that no runbook finding explains: what it means, what to check.

When the alert-route table (`alert_routes.py`) routes an alert to `explain` or `sweep` and the
engine abstains, `explain_alert` adds the table's meaning to the explanation and sets
`Diagnosis.alert_explanation` (the checks, with the alert's label values filled into their
commands). An answer that found no fault says first that no runbook judges the alert, so it
does not read as a verdict on the alert. Called by the engine.
"""

from __future__ import annotations

import asyncio

from holmes.agent.engine.alert_routes import AlertCheck, AlertRoute, fill_labels
from holmes.agent.engine.diagnosis import AlertExplanation, Claim, Diagnosis, RemediationStep
from holmes.agent.engine.gather import Gatherer

MAX_QUERIES = 2  # the first checks are the ones that show the alert's condition


async def explain_alert(
    diagnosis: Diagnosis, route: AlertRoute, labels: dict[str, str], gatherer: Gatherer
) -> Diagnosis:
    """`diagnosis` with what alert `route` means and what to check, for a route that has them;
    the checks' PromQL whose labels the alert fills in is run, and what it shows is cited."""
    if not route.meaning:
        return diagnosis
    diagnosis.evidence += await measured(route.check, labels, gatherer)
    checks = [
        RemediationStep(action=check.what, command=check.command(labels)) for check in route.check
    ]
    diagnosis.alert_explanation = AlertExplanation(
        alert=route.alert,
        source=route.source,
        route=route.route,
        meaning=fill_labels(route.meaning.strip(), labels),
        checks=checks,
    )
    about = f"Alert {route.alert} ({route.source}): {diagnosis.alert_explanation.meaning}"
    diagnosis.explanation = f"{diagnosis.explanation} {about}".strip()
    if not diagnosis.fault_found and not diagnosis.unverified:
        # "No fault found" would read as a verdict on the alert; it is one on what the
        # runbooks judge, which does not include this alert's condition.
        diagnosis.summary = (
            f"{route.alert}: no runbook judges this alert; what it means and what to check"
        )
        diagnosis.root_cause = (
            f"Not determined by the runbooks: none of them judges alert {route.alert}. "
            + diagnosis.root_cause
        )
    return diagnosis


async def measured(
    checks: list[AlertCheck], labels: dict[str, str], gatherer: Gatherer
) -> list[Claim]:
    """Claims of what the checks' PromQL shows now, each citing its query's evidence id.

    Only queries whose `<label>` placeholders the alert fills are run (one with a blank would
    ask about every object); a query that fails or returns nothing makes no claim."""
    queries = [c for c in checks if c.promql and c.fillable(labels)][:MAX_QUERIES]
    results = await asyncio.gather(
        *(gatherer.call("prometheus_query", {"query": c.command(labels)}) for c in queries)
    )
    claims = []
    for check, result in zip(queries, results, strict=True):
        series = (result.data or {}).get("series") if result.ok else None
        if series:
            claims.append(
                Claim(claim=_shown(check.what, series), evidence_ids=[result.evidence_id])
            )
    return claims


def _shown(what: str, series: list[dict]) -> str:
    """`what: 0.0261 now`, or for several series the highest value and how many there are."""
    values = [s["value"] for s in series if isinstance(s.get("value"), int | float)]
    if len(values) == 1:
        return f"{what}: {values[0]:.4g} now"
    return f"{what}: {len(series)} series, the highest {max(values):.4g} now" if values else what
