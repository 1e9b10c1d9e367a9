"""Causal chains, the asker's frame and abstention next steps, over replayed incidents.

Each chain test replays a recorded incident through the real protocols and checks the hops
(subject, runbook, evidence ids), the root cause's wording and the remediation at the root.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from holmes.agent.engine.chain import next_subjects
from holmes.agent.engine.diagnosis import ChainHop, Diagnosis, Hypothesis, SubjectRef
from holmes.agent.engine.findings import Verdict
from holmes.agent.engine.intake import InvestigationRequest
from holmes.agent.engine.rules import builtin_functions
from holmes.agent.engine.rules.loader import RunbookError, load_runbook
from holmes.agent.engine.rules.schema import Runbook
from holmes.agent.engine.runbook_engine import RunbookEngine
from holmes.agent.engine.suspects import asked_suspects
from holmes.agent.engine.symptoms import symptom_of
from holmes.agent.engine.tempting import tempting
from holmes.agent.engine.triage import Triage
from holmes.evals.bundle import Expected
from holmes.evals.runner import run_incident
from holmes.evals.scoring import score

INCIDENTS = Path(__file__).resolve().parents[2] / "evals" / "incidents"
_ENGINE = RunbookEngine()


def _answer(incident: str) -> Diagnosis:
    captured: list[Diagnosis] = []

    async def investigate(request, ctx, on_call=None):  # type: ignore[no-untyped-def]
        diagnosis = await _ENGINE.diagnose(request, ctx, on_call)
        captured.append(diagnosis)
        return diagnosis

    result = run_incident(INCIDENTS / incident, investigate)
    assert result.passed, result
    return captured[0]


@pytest.mark.slow
def test_upstream_5xx_chains_to_the_upstream_replica_oomkilled() -> None:
    answer = _answer("chain-gateway-5xx-vllm-replica-oomkilled")
    assert [h.runbook_id for h in answer.chain] == ["upstream-http-5xx", "oom-killed"]
    assert [h.role for h in answer.chain] == ["symptom", "root_cause"]
    root = answer.chain[-1]
    assert root.subject == SubjectRef(kind="Deployment", namespace="llm", name="vllm-qwen")
    assert root.relation == "the upstream answering the 5xx"
    assert all(claim.evidence_ids for claim in root.evidence)
    assert answer.root_cause.startswith("Chat completions through the AI gateway")
    assert "OOMKilled" in answer.root_cause
    assert "memory" in answer.remediation[0].action.lower()
    policy = next(h for h in answer.hypotheses if "network policy" in h.hypothesis)
    assert policy.verdict == "ruled_out" and policy.evidence_ids


def test_a_symptom_opening_with_a_url_leads_the_root_cause_as_typed() -> None:
    answer = _answer("ingress-backend-port-name-missing-triton")
    assert answer.root_cause.startswith(
        "https://infer.acme.ai/v2/models/bert/infer returns 503 since the triton upgrade "
        "this morning because Ingress inference/triton"
    )


@pytest.mark.slow
def test_traffic_drops_chain_to_the_spire_server_crash_loop() -> None:
    answer = _answer("chain-router-timeouts-spire-crashloop-gpu-herring")
    assert [h.runbook_id for h in answer.chain] == ["cilium-auth-required", "crashloop-app-error"]
    assert answer.chain[-1].subject == SubjectRef(
        kind="Pod", namespace="cilium-spire", name="spire-server-0"
    )
    assert answer.symptom == "requests from the llm-router to triton-llama in serving-prod time out"
    gpu = next(h for h in answer.hypotheses if h.origin == "question")
    assert gpu.verdict == "not_checked"


CHAINS = [
    # upstream 5xx -> the upstream's own failure: not ready, then its GPU (three hops)
    (
        "chain-gateway-5xx-vllm-unready-gpu-xid79",
        ["upstream-http-5xx", "probe-failures", "gpu-xid-errors"],
        SubjectRef(kind="Node", name="gke-inference-a3-pool-6c1f2a0e-8kq2"),
    ),
    # traffic drops (DNS SERVFAIL) -> the cluster DNS server, OOMKilled
    (
        "chain-dns-servfail-retrieval-coredns-oomkilled",
        ["dns-failures", "oom-killed"],
        SubjectRef(kind="Deployment", namespace="kube-system", name="coredns"),
    ),
    # Pending on a claim -> the node whose tainted device would serve it
    (
        "chain-dra-claim-pending-tainted-gpu-xid48",
        ["dra-claim-unallocatable", "gpu-xid-errors"],
        SubjectRef(kind="Node", name="dgx-h100-02"),
    ),
    # Job failure -> the dependency its logs name
    (
        "chain-job-preprocess-catalog-api-oomkilled",
        ["job-backoff-limit", "oom-killed"],
        SubjectRef(kind="Service", namespace="data-prep", name="dataset-catalog-api"),
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(("incident", "runbooks", "root"), CHAINS)
def test_each_chain_type_reaches_its_root(
    incident: str, runbooks: list[str], root: SubjectRef
) -> None:
    answer = _answer(incident)
    assert [h.runbook_id for h in answer.chain] == runbooks
    assert answer.chain[-1].subject == root and answer.chain[-1].role == "root_cause"
    assert answer.runbook_id == runbooks[0]  # the first hop's runbook, as before chains
    for hop in answer.chain:
        assert hop.evidence and all(claim.evidence_ids for claim in hop.evidence[:1])
    hop_ids = [{i for c in hop.evidence for i in c.evidence_ids} for hop in answer.chain]
    assert hop_ids[-1] - hop_ids[0], "the root hop cites evidence of its own"
    assert root.name in answer.root_cause
    assert answer.remediation_text()  # the root's remediation leads


@pytest.mark.slow
def test_an_abstaining_answer_names_the_look_alikes() -> None:
    answer = _answer("abstain-misspelt-embedding-worker-lookalikes")
    assert not answer.fault_found
    assert "Deployment search/embedding-worker" in answer.remediation[0].action


@pytest.mark.slow
def test_an_abstaining_latency_answer_says_what_would_decide() -> None:
    answer = _answer("abstain-slow-text-embeddings-next-steps")
    assert not answer.fault_found
    steps = answer.remediation_text()
    assert "client-side" in steps and "traces" in steps and "wider time window" in steps


def _verdict(finding_next: dict, variables: dict) -> Verdict:
    runbook = Runbook.model_validate(
        {
            "id": "t",
            "title": "t",
            "findings": [{"id": "f", "when": "true", "root_cause": "x", "next": finding_next}],
        }
    )
    return Verdict(runbook, runbook.findings[0], variables, builtin_functions())


def test_next_subject_from_templates_and_from_an_expression() -> None:
    templated = _verdict(
        {"kind": "Pod", "namespace": "{{ ns }}", "name": "{{ pod }}", "relation": "its pod"},
        {"ns": "shop", "pod": "web-1"},
    )
    assert next_subjects(templated) == [
        (SubjectRef(kind="Pod", namespace="shop", name="web-1"), "its pod")
    ]
    expressed = _verdict(
        {"expression": "{'kind': 'Node', 'name': n}", "when": "n != ''"}, {"n": "gpu-3"}
    )
    assert next_subjects(expressed) == [(SubjectRef(kind="Node", name="gpu-3"), "")]
    assert next_subjects(_verdict({"expression": "{}", "when": "false"}, {})) == []


def test_a_next_without_kind_and_name_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "id: bad\ntitle: b\nfindings:\n  - id: f\n    when: 'true'\n    root_cause: x\n"
        "    next: {namespace: a}\n"
    )
    with pytest.raises(RunbookError, match=r"bad.yaml: findings.0.next"):
        load_runbook(path)


@pytest.mark.parametrize(
    ("question", "symptom"),
    [
        ("Why does the training job in ml stall? Is it the GPU?", "the training job in ml stalls"),
        ("Why do requests to web time out?", "requests to web time out"),
        ("Why is the sft job Pending?", "the sft job is Pending"),
        ("Why did the preprocess job fail?", "the preprocess job failed"),
        ("What's wrong with web in shop?", None),
        # A period inside a URL or a version does not end the clause.
        (
            "since 9:00 https://embed.acme.ai/embed returns 500 from the gateway. pods look fine",
            "since 9:00 https://embed.acme.ai/embed returns 500 from the gateway",
        ),
        # A contrast after ", but" is not part of the symptom.
        (
            "api.acme.ai returns 503 since the upgrade, but both pods are ready. why?",
            "api.acme.ai returns 503 since the upgrade",
        ),
    ],
)
def test_the_symptom_in_the_askers_words(question: str, symptom: str | None) -> None:
    assert symptom_of(InvestigationRequest(question=question)) == symptom


def test_suspects_named_in_the_question() -> None:
    request = InvestigationRequest(
        question="Why does the job stall? Is it the GPU? I think it's the network policy."
    )
    assert [(p, s.name) for p, s in asked_suspects(request)] == [
        ("GPU", "the GPU"),
        ("network policy", "the network policy"),
    ]


def test_scoring_checks_the_chain_and_the_hypotheses() -> None:
    hop = ChainHop(role="symptom", runbook_id="a", finding_id="f", summary="s", root_cause="r")
    answer = Diagnosis(
        summary="s",
        root_cause="r",
        chain=[hop, hop.model_copy(update={"role": "root_cause", "runbook_id": "b"})],
        hypotheses=[
            Hypothesis(hypothesis="GPU", origin="question", verdict="ruled_out", reason="")
        ],
    )
    assert score(answer, Expected(chain=["a", "b"], hypotheses={"gpu": "ruled_out"})).passed
    failed = score(answer, Expected(chain=["a"], hypotheses={"gpu": "confirmed", "dns": "x"}))
    assert failed.missing == [
        "chain is ['a', 'b'], expected ['a']",
        "hypothesis 'gpu' is ruled_out, expected confirmed",
        "no hypothesis matches 'dns'",
    ]


def test_a_restart_days_before_the_question_is_ruled_out_with_the_pods_evidence() -> None:
    pod = {
        "id": "E4",
        "ok": True,
        "data": {
            "name": "web-1",
            "containers": [
                {
                    "name": "app",
                    "restart_count": 1,
                    "last_reason": "Error",
                    "last_exit_code": 2,
                    "last_finished": "2026-03-15T08:00:00Z",
                },
                {"name": "sidecar", "restart_count": 0, "last_finished": None},
            ],
        },
    }
    triaged = Triage(subject={"pods": []}, symptoms=[], pods=[pod])
    answer = Diagnosis(summary="s", root_cause="r", runbook_id="hubble-policy-denied")
    (found,) = tempting(answer, triaged, [], [], datetime(2026, 3, 18, 14, 0, tzinfo=UTC))
    assert found.hypothesis == "the restart of web-1/app"
    assert (found.origin, found.verdict, found.evidence_ids) == ("evidence", "ruled_out", ["E4"])
    assert "3 day(s) before the question's time" in found.reason
    recent = tempting(answer, triaged, [], [], datetime(2026, 3, 15, 10, 0, tzinfo=UTC))
    assert recent == []  # two hours before: it may be the fault, so it is not dismissed
