"""A chained answer as people read it: the CLI's markdown, Slack's blocks, the web page."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from holmes.agent.engine.diagnosis import ChainHop, Claim, Diagnosis, Hypothesis, SubjectRef
from holmes.cli.render import diagnosis_markdown
from holmes.server.slack.blocks import answer_messages
from holmes.server.web.render import _templates

ANSWER = Diagnosis(
    summary="upstream saturated <- Deployment llm/vllm-qwen [oom-killed]: OOMKilled",
    root_cause="Requests time out because the upstream is saturated; the root cause is ...",
    symptom="requests time out",
    chain=[
        ChainHop(
            role="symptom",
            subject=SubjectRef(kind="Deployment", namespace="llm", name="ai-gateway"),
            runbook_id="upstream-http-5xx",
            finding_id="saturated-upstream",
            summary="The upstream server llm/vllm-qwen (port 8000) is saturated",
            root_cause="...",
            evidence=[Claim(claim="5xx", evidence_ids=["E12", "E3"])],
        ),
        ChainHop(
            role="root_cause",
            subject=SubjectRef(kind="Deployment", namespace="llm", name="vllm-qwen"),
            runbook_id="oom-killed",
            finding_id="oom",
            summary="Container vllm is OOMKilled",
            root_cause="...",
            relation="the upstream answering the 5xx",
            evidence=[Claim(claim="OOMKilled", evidence_ids=["E21"])],
        ),
    ],
    hypotheses=[
        Hypothesis(
            hypothesis="network policy",
            origin="question",
            verdict="ruled_out",
            reason="No runbook finding about the network policy holds.",
            evidence_ids=["E12"],
        )
    ],
)


def test_the_cli_shows_the_chain_and_the_hypotheses_with_their_evidence_ids() -> None:
    text = diagnosis_markdown(ANSWER)
    assert (
        "### Causal chain\n"
        "1. **symptom** Deployment llm/ai-gateway: The upstream server llm/vllm-qwen "
        "(port 8000) is saturated [E3, E12; runbook upstream-http-5xx]\n"
        "2. **root cause** Deployment llm/vllm-qwen (the upstream answering the 5xx): "
        "Container vllm is OOMKilled [E21; runbook oom-killed]\n"
    ) in text
    assert (
        "### Hypotheses\n- network policy (asked): **ruled out**. No runbook finding about "
        "the network policy holds. [E12]\n"
    ) in text
    assert text.index("### Causal chain") < text.index("### Hypotheses")


def test_slack_shows_the_chain_and_the_hypotheses() -> None:
    (message,) = answer_messages(ANSWER.model_dump(mode="json"), "inv1")
    texts = "\n".join(b["text"]["text"] for b in message.blocks if b["type"] == "section")
    assert "*Causal chain*\n1. *symptom* Deployment llm/ai-gateway:" in texts
    assert "2. *root cause* Deployment llm/vllm-qwen: Container vllm is OOMKilled `E21`" in texts
    assert "• network policy: *ruled out*." in texts


def test_an_answer_without_a_chain_renders_as_before() -> None:
    plain = ANSWER.model_copy(update={"chain": [], "hypotheses": []})
    text = diagnosis_markdown(plain)
    assert "Causal chain" not in text and "Hypotheses" not in text


def test_the_web_page_shows_the_chain_and_the_hypotheses_escaped() -> None:
    record = SimpleNamespace(
        id="inv1",
        status="done",
        source="api",
        namespace="llm",
        created_at=datetime(2026, 9, 14, tzinfo=UTC),
        parent_id=None,
        finished=True,
        error=None,
        question="q",
        alert=None,
        feedback=None,
    )
    hostile = ANSWER.model_copy(
        update={
            "hypotheses": [ANSWER.hypotheses[0].model_copy(update={"hypothesis": "<b>policy</b>"})]
        }
    )
    html = _templates.get_template("investigation.html").render(
        record=record, diagnosis=hostile, evidence={}, steps=[], labels={}, annotations={}
    )
    chain = html[html.index('id="chain"') : html.index("</ol>", html.index('id="chain"'))]
    assert chain.index("ai-gateway") < chain.index("vllm-qwen")
    assert 'data-evidence="E21"' in chain and "the upstream answering the 5xx" in chain
    assert "&lt;b&gt;policy&lt;/b&gt;" in html and "<b>policy</b>" not in html
    assert "ruled out" in html
