"""Running one stored investigation exactly as `holmes ask` does.

The runbook engine alone, or, with an LLM configured (and the request not opting out), the
LangGraph agent on top of it, with conversations in a LangGraph checkpointer so follow-ups
continue from the evidence already gathered. The CLI builds an `Investigator` (it knows the
sources: a replayed incident or a live cluster) and hands it to the app; the workers call `run`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from holmes.agent.engine.diagnosis import Diagnosis
from holmes.agent.engine.gather import CallListener
from holmes.agent.engine.intake import AlertInput, InvestigationRequest
from holmes.agent.engine.runbook_engine import RunbookEngine
from holmes.agent.llm import LLMSettings
from holmes.agent.llm.budget import AgentLimits
from holmes.server.store import InvestigationRecord
from holmes.tools import ToolContext

# Sees each model turn: (turn number, the reply's usage and tool calls as a dict).
TurnListener = Callable[[dict[str, Any]], None]
NO_LLM = "no LLM is configured on this server (set OPENAI_API_KEY or OPENAI_BASE_URL)"


class InvestigationError(Exception):
    """An investigation that cannot run as asked; the message is stored as its error."""


class Investigator:
    """Turns a stored investigation into a Diagnosis, reporting each tool call."""

    def __init__(
        self,
        engine: RunbookEngine,
        contexts: Callable[[], ToolContext],
        *,
        llm: LLMSettings | None = None,
        limits: AgentLimits | None = None,
        conversations: Path | None = None,
    ) -> None:
        self.engine = engine
        self.contexts = contexts
        self.llm = llm
        self.limits = limits or AgentLimits()
        self.conversations = conversations

    @property
    def has_llm(self) -> bool:
        """True when follow-ups and LLM investigations are possible."""
        return self.llm is not None

    @property
    def wall_seconds(self) -> float:
        """How long one investigation may take in all (the agent's bound plus the tools')."""
        return self.limits.max_seconds + 30.0

    async def investigate(
        self, request: InvestigationRequest, *, on_call: CallListener | None = None
    ) -> Diagnosis:
        """One request, not stored (`holmes investigate alertmanager`): the same path as `run`."""
        record = InvestigationRecord(
            id=uuid.uuid4().hex,
            status="running",
            source="alertmanager" if request.alert else "api",
            question=request.question,
            alert=request.alert.model_dump(mode="json", exclude_none=True)
            if request.alert
            else None,
            created_at=datetime.now(UTC),
        )
        return await self.run(record, on_call or _ignore_call)

    async def run(
        self,
        record: InvestigationRecord,
        on_call: CallListener,
        on_turn: TurnListener | None = None,
    ) -> Diagnosis:
        """Investigate `record`: the same path as `holmes ask`, bounded by the same limits."""
        use_llm = record.llm == "yes" or (record.llm == "auto" and self.llm is not None)
        if use_llm and self.llm is None:
            raise InvestigationError(f"llm: true was asked, but {NO_LLM}")
        if record.parent_id and not use_llm:
            raise InvestigationError(f"a follow-up needs the LLM agent: {NO_LLM}")
        ctx = self.contexts()
        try:
            if not use_llm:
                return await self.engine.diagnose(_request(record), ctx, on_call=on_call)
            return await self._with_agent(record, ctx, on_call, on_turn)
        finally:
            await ctx.aclose()

    async def _with_agent(
        self,
        record: InvestigationRecord,
        ctx: ToolContext,
        on_call: CallListener,
        on_turn: TurnListener | None,
    ) -> Diagnosis:
        # The agent's stack (langgraph, openai) loads only when an LLM is used.
        from holmes.agent.llm.client import LLMClient
        from holmes.agent.llm.conversations import conversation_store
        from holmes.agent.llm.graph import LLMAgent

        assert self.llm is not None and self.conversations is not None
        async with conversation_store(self.conversations) as saver, LLMClient(self.llm) as client:
            llm: Any = _ReportingLLM(client, on_turn) if on_turn else client
            agent = LLMAgent(self.engine, llm, limits=self.limits, checkpointer=saver)
            if record.parent_id:
                return await agent.follow_up(
                    record.question or "", ctx, conversation_id=record.parent_id, on_call=on_call
                )
            return await agent.investigate(
                _request(record), ctx, conversation_id=record.id, on_call=on_call
            )


def _ignore_call(_tool: str, _arguments: dict[str, Any], _result: Any) -> None:
    return None


def _request(record: InvestigationRecord) -> InvestigationRequest:
    alert = AlertInput.model_validate(record.alert) if record.alert else None
    question = record.question
    if question and alert is None and record.namespace and record.namespace not in question:
        # The API's `namespace` field: said in the question, where triage reads subjects.
        question = f"{question.rstrip()} (namespace {record.namespace})"
    return InvestigationRequest(question=question, alert=alert)


class _ReportingLLM:
    """The LLM client, reporting each model turn (`llm_turn` events) as it completes."""

    def __init__(self, client: Any, on_turn: TurnListener) -> None:
        self._client, self._on_turn, self._turns = client, on_turn, 0

    async def complete(self, *args: Any, **kwargs: Any) -> Any:
        """The client's `complete`, then a report of the reply."""
        reply = await self._client.complete(*args, **kwargs)
        self._turns += 1
        self._on_turn(
            {
                "turn": self._turns,
                "model": reply.model,
                "prompt_tokens": reply.usage.prompt_tokens,
                "completion_tokens": reply.usage.completion_tokens,
                "tool_calls": [call.name for call in reply.tool_calls],
                "seconds": round(reply.seconds, 3),
            }
        )
        return reply

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)
