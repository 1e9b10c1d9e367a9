"""Which evidence a claim cites: by step, narrowed to the objects the claim names, or exact."""

from __future__ import annotations

from holmes.agent.engine.findings import Verdict, evidence_ids, headline, write
from holmes.agent.engine.rules import builtin_functions
from holmes.agent.engine.rules.schema import Runbook


def item(evidence_id: str, name: str, ok: bool = True) -> dict:
    return {"id": evidence_id, "ok": ok, "args": {"name": name}, "data": {}, "text": ""}


SCOPE = {
    "evidence": {
        "pods": [item("E11", "web-1"), item("E12", "web-2"), item("E13", "web-3", ok=False)],
        "logs": [item("E20", "web-1")],
    }
}


def test_a_claim_naming_one_pod_cites_that_pods_evidence():
    assert evidence_ids(["pods"], SCOPE, "pod web-2 was OOMKilled") == ["E12"]


def test_a_claim_naming_no_object_cites_the_whole_step_but_not_failed_calls():
    assert evidence_ids(["pods", "logs"], SCOPE, "the limit is 2Gi") == ["E11", "E12", "E20"]


def test_a_name_inside_a_longer_name_does_not_count():
    scope = {"evidence": {"pods": [item("E1", "web"), item("E2", "web-1")]}}
    assert evidence_ids(["pods"], scope, "pod web-1 restarts") == ["E2"]


def test_cite_ids_picks_exact_evidence_and_ignores_ids_never_produced():
    runbook = Runbook.model_validate(
        {
            "id": "t",
            "title": "t",
            "findings": [
                {
                    "id": "f",
                    "when": "true",
                    "root_cause": "Every pod of Deployment web restarts: the limit is too low",
                    "claims": [
                        {"text": "exact", "cite": ["pods"], "cite_ids": "['E12', 'E99']"},
                        {"text": "fallback", "cite": ["pods"], "cite_ids": "['E99']"},
                    ],
                }
            ],
        }
    )
    fields = write(
        Verdict(runbook, runbook.findings[0], SCOPE, builtin_functions()), builtin_functions()
    )
    claims = {c.claim: c.evidence_ids for c in fields["evidence"]}
    assert claims["exact"] == ["E12"]
    assert claims["fallback"] == ["E11", "E12"]  # nothing known in cite_ids: the step's
    assert fields["summary"] == "Every pod of Deployment web restarts"


def test_a_heading_is_the_first_clause_outside_brackets():
    text = "Container app exits with code 1 (Error: general failure): the log says why"
    assert headline(text) == "Container app exits with code 1 (Error: general failure)"
    assert headline("short") == "short"


def test_checked_lines_map_evidence_ids_to_their_calls():
    from holmes.agent.engine.diagnosis import Diagnosis

    diagnosis = Diagnosis(
        summary="s",
        root_cause="r",
        checked=[
            "[E1] kubernetes_get(kind=Pod, name=a): not_found: Pod a\nin namespace b not found",
            '[E2] prometheus_query(query=up{job="x"}): ok',
            "a line in no known shape",
        ],
    )
    assert diagnosis.checked_calls() == {
        "E1": "kubernetes_get(kind=Pod, name=a)",
        "E2": 'prometheus_query(query=up{job="x"})',
    }
