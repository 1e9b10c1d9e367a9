"""The shared remediation command builders the runbooks' templates call."""

from __future__ import annotations

import holmes.agent.runbooks.loader  # noqa: F401  (registers the functions)
from holmes.agent.runbooks.expressions import evaluate

DEPLOYMENT = {"kind": "Deployment", "name": "web", "ref": "deployment/web"}
JOB = {"kind": "Job", "name": "prep", "ref": "job/prep"}


def test_a_workload_is_edited_and_a_job_exported_and_replaced() -> None:
    scope = {"d": DEPLOYMENT, "j": JOB}
    assert evaluate("kubectl_edit('shop', d)", scope) == "kubectl -n shop edit deployment/web"
    assert not evaluate("replaced_in_full(d)", scope) and evaluate("replaced_in_full(j)", scope)
    assert (
        evaluate("kubectl_export('ml', j)", scope)
        == "kubectl -n ml get job/prep -o yaml > prep.yaml"
    )
    assert evaluate("kubectl_replace(j)", scope) == "kubectl replace --force -f prep.yaml"
