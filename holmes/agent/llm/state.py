"""The agent's state (what a conversation keeps between turns) and its per-run context.

`AgentState` is what the LangGraph checkpointer stores under a conversation id: the messages,
the evidence ids the model may cite, the runbook diagnosis to fall back on, the last answer.
The request and the diagnoses travel as their models (`InvestigationRequest`, `Diagnosis`),
validated once where they are made; `checkpoint_serializer` lets a SQLite checkpointer keep
exactly these types across processes (LangGraph refuses other classes in a checkpoint).
`AgentRun` holds what one invocation needs and spends (clients, limits, counters, the clock);
it stays out of the state, as run settings should.
"""

from __future__ import annotations

import operator
import time
from dataclasses import dataclass, field
from typing import Annotated, Any, TypedDict

from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

from holmes.agent.engine.diagnosis import Diagnosis
from holmes.agent.engine.gather import Gatherer
from holmes.agent.engine.intake import InvestigationRequest
from holmes.agent.engine.runbook_engine import RunbookEngine
from holmes.agent.llm import LLMClient
from holmes.agent.llm.budget import AgentLimits
from holmes.agent.llm.fitting import TokenScale
from holmes.agent.llm.profile import ModelProfile
from holmes.tools import ToolContext


class AgentState(TypedDict, total=False):
    """One conversation's state; `messages` and `evidence_ids` only ever grow."""

    request: InvestigationRequest
    follow_up: str | None
    messages: Annotated[list[dict[str, Any]], operator.add]
    evidence_ids: Annotated[list[str], operator.add]
    runbook_ids: list[str]
    runbook_diagnosis: Diagnosis
    answer: Diagnosis | None
    final: Diagnosis | None
    stop_reason: str | None
    invalid_answers: int
    correction: str | None  # what was wrong with the last reply, for the model to fix


def checkpoint_serializer() -> JsonPlusSerializer:
    """LangGraph's serializer, allowed to restore the models the state holds (and only them)."""
    models = [InvestigationRequest, Diagnosis]
    return JsonPlusSerializer(allowed_msgpack_modules=[(m.__module__, m.__name__) for m in models])


def as_diagnosis(value: Diagnosis | dict[str, Any]) -> Diagnosis:
    """A diagnosis from the state; conversations stored before the state held models hold dicts."""
    return value if isinstance(value, Diagnosis) else Diagnosis.model_validate(value)


@dataclass
class AgentRun:
    """What one invocation of the graph uses and spends."""

    engine: RunbookEngine
    llm: LLMClient
    ctx: ToolContext
    gatherer: Gatherer
    limits: AgentLimits
    profile: ModelProfile = field(default_factory=ModelProfile)
    started: float = field(default_factory=time.perf_counter)
    turns: int = 0
    tool_calls: int = 0  # model-driven calls run (native or written in text)
    text_calls: int = 0  # of which the model wrote in its text
    tokens: int = 0
    first_prompt_tokens: int = 0
    scale: TokenScale = field(default_factory=TokenScale)
    notes: list[str] = field(default_factory=list)

    def context_tokens(self) -> int:
        """The window: the configured one, or less if the server reported less."""
        reported = self.scale.context_tokens
        return min(self.limits.context_tokens, reported or self.limits.context_tokens)

    def seconds(self) -> float:
        """Wall time of this run so far."""
        return time.perf_counter() - self.started

    def spent(self) -> str | None:
        """The limit this run has reached, or None."""
        if self.turns >= self.limits.max_steps:
            return f"step limit ({self.limits.max_steps} model turns)"
        if self.tokens >= self.limits.max_tokens:
            return f"token limit ({self.limits.max_tokens})"
        if self.seconds() >= self.limits.max_seconds:
            return f"time limit ({self.limits.max_seconds:g} s)"
        return None
