"""Scoring by `expected`: regexes and alternatives, remediation, runbook."""

from __future__ import annotations

from holmes.agent.engine.diagnosis import Diagnosis, RemediationStep
from holmes.evals.bundle import Expected
from holmes.evals.scoring import score

EXPECTED = Expected(
    must_mention=["xid ?79|fell off the bus", ["gpu-node-3"], ["GPU 2", "gpu-2"]],
    remediation_must_mention=["cordon|drain"],
    runbook="gpu-xid-errors",
)


def diagnosis(**overrides: object) -> Diagnosis:
    fields: dict[str, object] = {
        "summary": "GPU fault",
        "root_cause": "GPU 2 on gpu-node-3 reported XID 79",
        "explanation": "The GPU fell off the bus; rank 1 hangs in NCCL.",
        "remediation": [
            RemediationStep(action="Cordon the node", command="kubectl cordon gpu-node-3")
        ],
        "runbook_id": "gpu-xid-errors",
    }
    return Diagnosis.model_validate({**fields, **overrides})


def test_a_complete_answer_passes() -> None:
    assert score(diagnosis(), EXPECTED).passed


def test_each_missing_entry_is_named() -> None:
    result = score(
        diagnosis(root_cause="gpu-node-3 has a problem", explanation="", remediation=[]),
        EXPECTED,
    )
    assert not result.passed
    assert result.missing == [
        "root cause lacks 'xid ?79|fell off the bus'",
        "root cause lacks 'GPU 2' | 'gpu-2'",
        "remediation lacks 'cordon|drain'",
    ]


def test_matching_is_case_insensitive_and_the_runbook_must_agree() -> None:
    result = score(diagnosis(root_cause="XID79 ON GPU-NODE-3 GPU 2", runbook_id="other"), EXPECTED)
    assert result.missing == ["runbook is 'other', expected 'gpu-xid-errors'"]


def test_the_summary_alone_does_not_count() -> None:
    answer = diagnosis(summary="XID 79 on gpu-node-3 GPU 2", root_cause="unknown", explanation="")
    assert not score(answer, EXPECTED).passed
