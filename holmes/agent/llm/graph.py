"""The LLM investigation as a LangGraph state graph; this file is its table of contents.

    START -> intake -> gather -> reason <-> act
                  \\______________/   \\-> answer -> END
                   (a follow-up goes straight to reason)

- intake: a new request, or a follow-up in a conversation (its evidence is kept)
- gather: the runbook engine, whole (`holmes.agent.engine`: intake, triage, ranking, steps,
          findings, abstain) -> its Diagnosis and evidence become the first message. The engine
          is one node on purpose: it is the same program `holmes ask --no-llm` runs, so the
          LLM starts from exactly what the no-LLM answer saw.
- reason: one model turn with the tools bound (parallel tool calls allowed)
- act:    run the tool calls concurrently; bad arguments go back to the model as messages
- answer: the validated answer, or the runbook diagnosis when the model failed or a limit hit

`LLMAgent.investigate` runs it for a request, `follow_up` continues a conversation id. Any
LLM failure and any spent limit end in an answer, never an exception.
"""

from __future__ import annotations

import uuid
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph

from holmes.agent.engine.diagnosis import Diagnosis
from holmes.agent.engine.gather import CallListener, Gatherer
from holmes.agent.engine.intake import InvestigationRequest
from holmes.agent.engine.runbook_engine import RunbookEngine
from holmes.agent.llm import LLMClient
from holmes.agent.llm.budget import AgentLimits
from holmes.agent.llm.graph_nodes import AgentNodes
from holmes.agent.llm.profile import ModelProfile, resolve_profile
from holmes.agent.llm.state import AgentRun, AgentState, as_diagnosis, checkpoint_serializer
from holmes.tools import ToolContext


def build_graph(nodes: AgentNodes, checkpointer: BaseCheckpointSaver | None = None) -> Any:
    """The compiled graph over one run's nodes."""
    graph = StateGraph(AgentState)
    graph.add_node("intake", nodes.intake)
    graph.add_node("gather", nodes.gather)
    graph.add_node("reason", nodes.reason)
    graph.add_node("act", nodes.act)
    graph.add_node("answer", nodes.answer)
    graph.add_edge(START, "intake")
    graph.add_conditional_edges("intake", nodes.after_intake, ["gather", "reason"])
    graph.add_edge("gather", "reason")
    graph.add_conditional_edges("reason", nodes.after_reason, ["act", "answer"])
    graph.add_edge("act", "reason")
    graph.add_edge("answer", END)
    return graph.compile(checkpointer=checkpointer)


class LLMAgent:
    """Investigates with an LLM on top of the runbook engine; remembers conversations."""

    def __init__(
        self,
        engine: RunbookEngine,
        llm: LLMClient,
        *,
        limits: AgentLimits | None = None,
        checkpointer: BaseCheckpointSaver | None = None,
    ) -> None:
        self.engine = engine
        self.llm = llm
        self.limits = limits or AgentLimits()
        self.checkpointer = checkpointer or InMemorySaver(serde=checkpoint_serializer())
        self.last_run: AgentRun | None = None
        self._profile: tuple[ModelProfile, AgentLimits] | None = None

    async def profile(self) -> tuple[ModelProfile, AgentLimits]:
        """The model profile and the limits it implies, resolved once (see profile.py)."""
        if self._profile is None:
            self._profile = await resolve_profile(self.llm, self.limits)
        return self._profile

    async def investigate(
        self,
        request: InvestigationRequest,
        ctx: ToolContext,
        *,
        conversation_id: str | None = None,
        on_call: CallListener | None = None,
    ) -> Diagnosis:
        """Investigate `request`; the conversation id (new if None) allows follow-ups."""
        state = {"request": request, "follow_up": None}
        return await self._run(state, ctx, conversation_id or uuid.uuid4().hex, on_call)

    async def follow_up(
        self,
        text: str,
        ctx: ToolContext,
        *,
        conversation_id: str,
        on_call: CallListener | None = None,
    ) -> Diagnosis:
        """Continue a conversation ("and what about the other replica?").

        An id with no stored conversation starts a new investigation of `text` under that id.
        """
        config = {"configurable": {"thread_id": conversation_id}}
        if await self.checkpointer.aget_tuple(config) is None:
            request = InvestigationRequest(question=text)
            diagnosis = await self.investigate(
                request, ctx, conversation_id=conversation_id, on_call=on_call
            )
            diagnosis.notes.append(f"no stored conversation {conversation_id}: started anew")
            return diagnosis
        return await self._run({"follow_up": text}, ctx, conversation_id, on_call)

    async def _run(
        self,
        update: dict[str, Any],
        ctx: ToolContext,
        conversation_id: str,
        on_call: CallListener | None,
    ) -> Diagnosis:
        profile, limits = await self.profile()
        gatherer = Gatherer(self.engine.registry, ctx, on_call=on_call)
        run = AgentRun(self.engine, self.llm, ctx, gatherer, limits, profile)
        self.last_run = run
        graph = build_graph(AgentNodes(run), self.checkpointer)
        config = {
            "configurable": {"thread_id": conversation_id},
            # Each model turn is two supersteps (reason, act); the rest is a handful.
            "recursion_limit": 2 * limits.max_steps + 8,
        }
        state = await graph.ainvoke(update, config)
        diagnosis = as_diagnosis(state["final"])
        diagnosis.notes.append(f"conversation {conversation_id}")
        return diagnosis
