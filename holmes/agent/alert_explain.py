"""The answer to a known alert that no runbook finding explains: what it means, what to check.

When the alert-route table (`alert_routes.py`) routes an alert to `explain` or `sweep` and the
engine abstains, `explain_alert` adds the table's meaning to the explanation and sets
`Diagnosis.alert_explanation` (the checks, with the alert's label values filled into their
commands). An answer that found no fault says first that no runbook judges the alert, so it
does not read as a verdict on the alert. Called by the engine.
"""

from __future__ import annotations

from holmes.agent.alert_routes import AlertRoute, fill_labels
from holmes.agent.diagnosis import AlertExplanation, Diagnosis, RemediationStep


def explain_alert(diagnosis: Diagnosis, route: AlertRoute, labels: dict[str, str]) -> Diagnosis:
    """`diagnosis` with what alert `route` means and what to check, for a route that has them."""
    if not route.meaning:
        return diagnosis
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
