"""The shared remediation command builders the runbooks' templates call."""

from __future__ import annotations

from holmes.agent.engine.rules import builtin_functions
from holmes.agent.engine.rules.expressions import evaluate

FUNCTIONS = builtin_functions()

DEPLOYMENT = {"kind": "Deployment", "name": "web", "ref": "deployment/web"}
JOB = {"kind": "Job", "name": "prep", "ref": "job/prep"}


def test_a_workload_is_edited_and_a_job_exported_and_replaced() -> None:
    scope = {"d": DEPLOYMENT, "j": JOB}
    assert (
        evaluate("k8s.kubectl_edit('shop', d)", scope, FUNCTIONS)
        == "kubectl -n shop edit deployment/web"
    )
    assert not evaluate("k8s.replaced_in_full(d)", scope, FUNCTIONS) and evaluate(
        "k8s.replaced_in_full(j)", scope, FUNCTIONS
    )
    assert (
        evaluate("k8s.kubectl_export('ml', j)", scope, FUNCTIONS)
        == "kubectl -n ml get job/prep -o yaml > prep.yaml"
    )
    assert (
        evaluate("k8s.kubectl_replace(j)", scope, FUNCTIONS)
        == "kubectl replace --force -f prep.yaml"
    )
