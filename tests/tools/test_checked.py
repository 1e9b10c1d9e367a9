"""CheckedCall: a tool call typed for the answer, rendered as the `checked` line."""

from __future__ import annotations

from datetime import UTC, datetime

from holmes.agent.engine.diagnosis import Diagnosis
from holmes.tools import CheckedCall, ToolError, ToolResult


def test_checked_call_of_a_result_renders_the_line_and_reads_back_typed() -> None:
    when = {"started_at": datetime(2026, 1, 1, tzinfo=UTC), "duration_ms": 1.0}
    ok = ToolResult(
        evidence_id="E1",
        tool="kubernetes_logs",
        source="kubernetes",
        arguments={"namespace": "ml"},
        **when,
    )
    failed = ToolResult(
        evidence_id="E2",
        tool="prometheus_query",
        source="prometheus",
        arguments={"query": "up"},
        **when,
        error=ToolError(source="prometheus", kind="timeout", message="x" * 300),
    )
    calls = [CheckedCall.of(ok), CheckedCall.of(failed)]
    assert calls[0].text() == "[E1] kubernetes_logs(namespace=ml): ok"
    assert calls[1].text() == "[E2] prometheus_query(query=up): timeout: " + "x" * 120
    answer = Diagnosis(summary="s", root_cause="r", calls=calls, checked=[c.text() for c in calls])
    assert answer.checked_calls() == {
        "E1": "kubernetes_logs(namespace=ml)",
        "E2": "prometheus_query(query=up)",
    }
    stored = Diagnosis(summary="s", root_cause="r", checked=[calls[0].text()])
    assert stored.checked_calls() == {"E1": "kubernetes_logs(namespace=ml)"}
