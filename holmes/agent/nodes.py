"""The agent graph's nodes: intake, gather, reason, act, answer (see `graph.py` for the order).

Each node takes the state and returns the part it changes. They share one `AgentRun` (clients,
limits, counters). No node raises for a model's or a source's failure: a failed LLM call, a
malformed tool call, an invalid answer or a spent budget each become state that routes to the
answer, which then falls back to the runbook diagnosis and says why.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Literal

from holmes.agent.answer import (
    FINAL_ANSWER,
    AnswerError,
    final_answer_tool,
    parse_answer,
    to_diagnosis,
)
from holmes.agent.budget import estimate_tokens
from holmes.agent.degraded import checked_model_answer, sources_unavailable
from holmes.agent.diagnosis import Diagnosis, SourceUnavailable
from holmes.agent.injection import injection_notes
from holmes.agent.intake import InvestigationRequest
from holmes.agent.llm import LLMError, LLMReply
from holmes.agent.prompts import FOLLOW_UP_HINT, SYSTEM_PROMPT, first_message
from holmes.agent.state import AgentRun, AgentState
from holmes.tools import SourceEndpoints, ToolRegistry

ANSWER_RESERVE = 1500  # tokens kept free in the context for the model's reply
MAX_INVALID_ANSWERS = 1  # an invalid answer is retried once, then the runbook answer stands


class AgentNodes:
    """The node functions, bound to one run."""

    def __init__(self, run: AgentRun) -> None:
        self.run = run
        self.tools = offered_tools(run.engine.registry, run.ctx.endpoints)

    # --- intake ---------------------------------------------------------------------------

    async def intake(self, state: AgentState) -> dict[str, Any]:
        """A follow-up continues the conversation; a new request starts from the evidence."""
        if state.get("messages") and state.get("follow_up"):
            ids = state.get("evidence_ids", [])
            if ids:
                self.run.ctx.continue_evidence_ids(max(int(i.lstrip("E")) for i in ids))
            self.run.ctx.health.ask_again()
            follow_up = {"role": "user", "content": f"{state['follow_up']}\n\n{FOLLOW_UP_HINT}"}
            return {
                "messages": [*unanswered_calls(state["messages"]), follow_up],
                "answer": None,
                "final": None,
                "stop_reason": None,
                "invalid_answers": 0,
            }
        return {"answer": None, "final": None, "stop_reason": None, "invalid_answers": 0}

    def after_intake(self, state: AgentState) -> Literal["gather", "reason"]:
        """Gather for a new request; reason straight away for a follow-up."""
        return "reason" if state.get("follow_up") and state.get("messages") else "gather"

    # --- gather ---------------------------------------------------------------------------

    async def gather(self, state: AgentState) -> dict[str, Any]:
        """Run the runbook engine; its evidence and findings become the first message."""
        request = InvestigationRequest.model_validate(state["request"])
        investigation = await self.run.engine.investigate(
            request, self.run.ctx, gatherer=self.run.gatherer
        )
        # The first message shrinks to what the model's context leaves beside the tool
        # schemas and room for the answer (a small local model gets less evidence, not an error).
        room = self.run.limits.context_tokens - estimate_tokens(self.tools) - ANSWER_RESERVE
        budget = max(1000, min(self.run.limits.prompt_tokens, room))
        limits = self.run.limits.model_copy(update={"prompt_tokens": budget})
        content = first_message(request, investigation, limits)
        messages = [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": content},
        ]
        self.run.first_prompt_tokens = estimate_tokens(messages) + estimate_tokens(self.tools)
        return {
            "messages": messages,
            "evidence_ids": [r.evidence_id for r in self.run.gatherer.results],
            "runbook_ids": [r.runbook.id for r in self.run.engine.runbooks],
            "runbook_diagnosis": investigation.diagnosis.model_dump(mode="json"),
        }

    # --- reason ---------------------------------------------------------------------------

    async def reason(self, state: AgentState) -> dict[str, Any]:
        """One model turn with the tools bound; the reply is appended to the messages."""
        spent = self.run.spent()
        if spent:
            return {"stop_reason": f"{spent} reached before the model answered"}
        size = estimate_tokens(state["messages"]) + estimate_tokens(self.tools)
        if size > self.run.limits.context_tokens:
            return {
                "stop_reason": f"the conversation (~{size} tokens) outgrew the model's "
                f"context ({self.run.limits.context_tokens} tokens)"
            }
        remaining = self.run.limits.max_seconds - self.run.seconds()
        try:
            reply = await asyncio.wait_for(
                self.run.llm.complete(state["messages"], tools=self.tools), remaining
            )
        except TimeoutError:
            return {"stop_reason": f"time limit ({self.run.limits.max_seconds:g} s) reached"}
        except LLMError as error:
            return {"stop_reason": f"the LLM call failed ({error.kind}): {error}"}
        self.run.turns += 1
        self.run.tokens += reply.usage.prompt_tokens + reply.usage.completion_tokens
        update: dict[str, Any] = {"messages": [_assistant_message(reply)]}
        final = next((c for c in reply.tool_calls if c.name == FINAL_ANSWER), None)
        if final is None and not reply.tool_calls:
            return {**update, **self._answer_from(reply.content or "", state)}
        if final is not None:
            return {**update, **self._answer_from(final.arguments, state)}
        return update

    def _answer_from(self, arguments: str, state: AgentState) -> dict[str, Any]:
        try:
            answer = parse_answer(arguments)
        except AnswerError as error:
            invalid = state.get("invalid_answers", 0) + 1
            if invalid > MAX_INVALID_ANSWERS:
                return {"invalid_answers": invalid, "stop_reason": f"invalid answer: {error}"}
            return {"invalid_answers": invalid}  # `act` tells the model what to correct
        diagnosis = to_diagnosis(
            answer, set(state.get("evidence_ids", [])), set(state.get("runbook_ids", []))
        )
        return {"answer": diagnosis.model_dump(mode="json")}

    def after_reason(self, state: AgentState) -> Literal["act", "answer"]:
        """Act on tool calls; answer when there is an answer or a reason to stop."""
        if state.get("answer") or state.get("stop_reason"):
            return "answer"
        return "act"

    # --- act ------------------------------------------------------------------------------

    async def act(self, state: AgentState) -> dict[str, Any]:
        """Run the last turn's tool calls concurrently; each result answers its call id."""
        last = state["messages"][-1]
        calls = last.get("tool_calls") or []
        replies = await asyncio.gather(*(self._call(call) for call in calls))
        messages = [m for m, _ in replies]
        if not calls:  # a content-only reply that was not a valid answer
            messages.append(
                {"role": "user", "content": f"Call `{FINAL_ANSWER}` with your answer as JSON."}
            )
        return {"messages": messages, "evidence_ids": [i for _, i in replies if i]}

    async def _call(self, call: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        function = call["function"]
        name, raw = function["name"], function.get("arguments") or "{}"

        def reply(content: str) -> dict[str, Any]:
            return {"role": "tool", "tool_call_id": call["id"], "content": content}

        if name == FINAL_ANSWER:
            return reply(self._correction(raw)), None
        try:
            arguments = json.loads(raw)
            if not isinstance(arguments, dict):
                raise ValueError("arguments must be a JSON object")
        except ValueError as error:
            return reply(
                f"ERROR: the arguments of {name} are not valid JSON ({error}); "
                "call it again with a JSON object of its parameters"
            ), None
        if self.run.tool_calls >= self.run.limits.max_tool_calls:
            return reply(
                "ERROR: the tool call limit is reached; answer from the evidence "
                f"you have with `{FINAL_ANSWER}`"
            ), None
        self.run.tool_calls += 1
        result = await self.run.gatherer.call(name, arguments)
        text = result.render()
        limit = self.run.ctx.limits.max_output_chars
        return reply(text if len(text) <= limit + 200 else text[:limit]), result.evidence_id

    def _correction(self, raw: str) -> str:
        try:
            parse_answer(raw)
        except AnswerError as error:
            return f"{error}. Call `{FINAL_ANSWER}` again with valid arguments."
        return "received"

    # --- answer ---------------------------------------------------------------------------

    async def answer(self, state: AgentState) -> dict[str, Any]:
        """The model's answer with the run's cost, or the runbook diagnosis and why."""
        if state.get("answer"):
            diagnosis = Diagnosis.model_validate(state["answer"])
            runbook = Diagnosis.model_validate(state["runbook_diagnosis"])
            diagnosis.checked = runbook.checked
            diagnosis.sources_unavailable = self._sources(runbook)
            diagnosis = checked_model_answer(diagnosis, runbook)
        else:
            diagnosis = Diagnosis.model_validate(state["runbook_diagnosis"])
            diagnosis.sources_unavailable = self._sources(diagnosis)
            diagnosis.mode = "llm_fallback"
            reason = state.get("stop_reason") or "the model gave no answer"
            diagnosis.warnings.append(
                f"LLM answer unavailable ({reason}); this is the runbook engine's diagnosis"
            )
        for note in injection_notes(self.run.gatherer.flagged):
            if note not in diagnosis.warnings:
                diagnosis.warnings.append(note)
        usage = self.run.llm.usage
        diagnosis.cost.llm_calls = usage.calls
        diagnosis.cost.prompt_tokens = usage.prompt_tokens
        diagnosis.cost.completion_tokens = usage.completion_tokens
        diagnosis.cost.estimated_usd = usage.estimated_usd
        diagnosis.cost.tool_calls = len(self.run.gatherer.results)
        diagnosis.cost.seconds = round(self.run.seconds(), 3)
        return {"final": diagnosis.model_dump(mode="json"), "follow_up": None}

    def _sources(self, runbook: Diagnosis) -> list[SourceUnavailable]:
        """The sources that failed in the whole run (the model's calls included, and those of
        the turns before a resumed conversation), with what the runbook engine could not check
        without them."""
        unchecked = {s.source: s.unchecked for s in runbook.sources_unavailable}
        found = sources_unavailable(self.run.ctx.health, unchecked)
        named = {s.source for s in found}
        return found + [s for s in runbook.sources_unavailable if s.source not in named]


def offered_tools(registry: ToolRegistry, endpoints: SourceEndpoints) -> list[dict[str, Any]]:
    """The function-calling schemas the model gets: the tools of the configured sources (the
    others can only fail) and `final_answer`."""
    configured = {
        "kubernetes": endpoints.has_kubernetes,
        "prometheus": endpoints.prometheus_url is not None,
        "hubble": endpoints.hubble_address is not None,
    }
    schemas = [t.json_schema() for t in registry.tools() if configured.get(t.toolset, True)]
    return [*schemas, final_answer_tool()]


def unanswered_calls(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tool messages for the calls of the last assistant turn that got none.

    The API rejects a conversation in which a tool call has no answer; the turn that gave
    `final_answer` (or hit a limit) left its calls open, and a follow-up must close them first.
    """
    answered = {m.get("tool_call_id") for m in messages if m.get("role") == "tool"}
    last = next((m for m in reversed(messages) if m.get("role") == "assistant"), None)
    calls = (last or {}).get("tool_calls") or []
    return [
        {
            "role": "tool",
            "tool_call_id": call["id"],
            "content": "received" if call["function"]["name"] == FINAL_ANSWER else "not run",
        }
        for call in calls
        if call["id"] not in answered
    ]


def _assistant_message(reply: LLMReply) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.content}
    if reply.tool_calls:
        message["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for c in reply.tool_calls
        ]
    return message
