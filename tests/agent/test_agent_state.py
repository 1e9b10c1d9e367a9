"""The graph state holds models, and a checkpoint restores them as models, not dicts."""

from __future__ import annotations

import logging

import pytest

from holmes.agent.engine.diagnosis import Diagnosis
from holmes.agent.engine.intake import InvestigationRequest
from holmes.agent.llm.state import as_diagnosis, checkpoint_serializer


def test_checkpoint_restores_the_state_models_without_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    serde = checkpoint_serializer()
    state = {
        "request": InvestigationRequest(question="why is the trainer stuck"),
        "final": Diagnosis(
            summary="s", root_cause="GPU 3 of node-3 fell off the bus", confidence="high"
        ),
    }
    with caplog.at_level(logging.WARNING):
        restored = serde.loads_typed(serde.dumps_typed(state))
    assert isinstance(restored["request"], InvestigationRequest)
    assert isinstance(restored["final"], Diagnosis)
    assert restored["final"].root_cause == "GPU 3 of node-3 fell off the bus"
    assert "unregistered type" not in caplog.text


def test_a_conversation_stored_as_json_still_reads() -> None:
    stored = Diagnosis(summary="s", root_cause="r", confidence="low").model_dump(mode="json")
    assert as_diagnosis(stored).root_cause == "r"
