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

from holmes.agent.engine.degraded import checked_model_answer, sources_unavailable
from holmes.agent.engine.diagnosis import Diagnosis, SourceUnavailable
from holmes.agent.engine.injection import injection_notes
from holmes.agent.engine.intake import InvestigationRequest
from holmes.agent.llm import LLMError, LLMReply, ToolCall
from holmes.agent.llm.answer import FINAL_ANSWER, AnswerError, parse_answer, to_diagnosis
from holmes.agent.llm.answer_checks import AnswerContext, check_answer
from holmes.agent.llm.budget import estimate_request
from holmes.agent.llm.fitting import fit_messages
from holmes.agent.llm.offer import drop_order, offered_tools
from holmes.agent.llm.prompts import FOLLOW_UP_HINT, SYSTEM_PROMPT, first_message
from holmes.agent.llm.replies import calls_in_text
from holmes.agent.llm.state import AgentRun, AgentState, as_diagnosis

MAX_INVALID_ANSWERS = 2  # an invalid answer is corrected twice, then the runbook answer stands


class AgentNodes:
    """The node functions, bound to one run."""

    def __init__(self, run: AgentRun) -> None:
        self.run = run
        self.tools = self._offer([])

    def _offer(self, used: list[str]) -> list[dict[str, Any]]:
        """The tools for this run's profile: the used ones first, within the tools' share."""
        profile = self.run.profile
        tools = offered_tools(
            self.run.engine.registry, self.run.ctx.endpoints, used=used, max_tools=profile.max_tools
        )
        *chosen, final = tools
        while chosen and estimate_request([], [*chosen, final]) > profile.tool_tokens:
            chosen.remove(max(chosen, key=lambda t: drop_order(t["function"]["name"], used)))
        return [*chosen, final]

    @property
    def reply_reserve(self) -> int:
        """Tokens kept free in the context for the model's reply: its cap."""
        return self.run.llm.settings.max_completion_tokens

    def system_prompt(self) -> str:
        """The system prompt, with the profile's output rules."""
        return SYSTEM_PROMPT + self.run.profile.output_rules

    # --- intake ---------------------------------------------------------------------------

    async def intake(self, state: AgentState) -> dict[str, Any]:
        """A follow-up continues the conversation; a new request starts from the evidence."""
        reset = {
            "answer": None,
            "final": None,
            "stop_reason": None,
            "invalid_answers": 0,
            "correction": None,
        }
        if state.get("messages") and state.get("follow_up"):
            ids = state.get("evidence_ids", [])
            if ids:
                self.run.ctx.continue_evidence_ids(max(int(i.lstrip("E")) for i in ids))
            self.run.ctx.health.ask_again()
            follow_up = {"role": "user", "content": f"{state['follow_up']}\n\n{FOLLOW_UP_HINT}"}
            return {"messages": [*unanswered_calls(state["messages"]), follow_up], **reset}
        return reset

    def after_intake(self, state: AgentState) -> Literal["gather", "reason"]:
        """Gather for a new request; reason straight away for a follow-up."""
        return "reason" if state.get("follow_up") and state.get("messages") else "gather"

    # --- gather ---------------------------------------------------------------------------

    async def gather(self, state: AgentState) -> dict[str, Any]:
        """Run the runbook engine; its evidence and findings become the first message."""
        request = state["request"]
        if not isinstance(request, InvestigationRequest):  # a conversation stored as JSON
            request = InvestigationRequest.model_validate(request)
        investigation = await self.run.engine.investigate(
            request, self.run.ctx, gatherer=self.run.gatherer
        )
        self.tools = self._offer([r.tool for r in self.run.gatherer.results])
        # The whole first request (messages and tools) stays within prompt_tokens, and within
        # what the context leaves beside the room for the reply: a small model gets less
        # evidence, not an error.
        limits = self.run.limits
        target = min(limits.prompt_tokens, limits.context_tokens - self.reply_reserve)
        budget = max(1000, target - estimate_request([], self.tools))
        for _ in range(6):  # the message's own estimate is rough: measure it whole, redo
            content = first_message(
                request, investigation, limits.model_copy(update={"prompt_tokens": budget})
            )
            messages = [
                {"role": "system", "content": self.system_prompt()},
                {"role": "user", "content": content},
            ]
            excess = estimate_request(messages, self.tools) - target
            if excess <= 0 or budget <= 1000:
                break
            budget = max(1000, budget - excess - 100)
        self.run.first_prompt_tokens = estimate_request(messages, self.tools)
        return {
            "messages": messages,
            "evidence_ids": [r.evidence_id for r in self.run.gatherer.results],
            "runbook_ids": [r.runbook.id for r in self.run.engine.runbooks],
            "runbook_diagnosis": investigation.diagnosis,
        }

    # --- reason ---------------------------------------------------------------------------

    async def reason(self, state: AgentState) -> dict[str, Any]:
        """One model turn with the tools bound; the reply is appended to the messages.

        The request is fitted to the context first; a context-exceeded answer teaches the
        window and the real count, and the request is shrunk and sent once more.
        """
        spent = self.run.spent()
        if spent:
            return {"stop_reason": f"{spent} reached before the model answered"}
        reply: LLMReply | None = None
        for attempt in (1, 2):
            window = self.run.context_tokens()
            sent = fit_messages(
                state["messages"], self.tools, window - self.reply_reserve, self.run.scale
            )
            if sent is None:
                size = self.run.scale.tokens(state["messages"], self.tools)
                return {
                    "stop_reason": f"the conversation (~{size} tokens) outgrew the model's "
                    f"context ({window} tokens)"
                }
            estimated = estimate_request(sent, self.tools)
            remaining = self.run.limits.max_seconds - self.run.seconds()
            try:
                reply = await asyncio.wait_for(
                    self.run.llm.complete(
                        sent,
                        tools=self.tools,
                        prompt_tokens=self.run.scale.tokens(sent, self.tools),
                        stream=self.run.profile.stream,
                    ),
                    remaining,
                )
            except TimeoutError:
                return {"stop_reason": f"time limit ({self.run.limits.max_seconds:g} s) reached"}
            except LLMError as error:
                if error.kind == "context_exceeded" and attempt == 1:
                    context = error.context
                    self.run.scale.overflowed(
                        estimated,
                        context.prompt_tokens if context else None,
                        context.context_tokens if context else None,
                    )
                    self.run.notes.append(f"the request was shrunk and sent again: {error}")
                    continue
                return {"stop_reason": f"the LLM call failed ({error.kind}): {error}"}
            break
        assert reply is not None
        self.run.scale.observe(estimated, reply.usage.prompt_tokens)
        self.run.turns += 1
        self.run.tokens += reply.usage.prompt_tokens + reply.usage.completion_tokens
        return self._interpret(reply, state)

    def _interpret(self, reply: LLMReply, state: AgentState) -> dict[str, Any]:
        """The reply's calls (native, else written in its text) and answer, as state."""
        calls = list(reply.tool_calls)
        refused: list[str] = []
        if not calls and reply.content:
            offered = {t["function"]["name"] for t in self.tools}
            found = calls_in_text(reply.content, offered, FINAL_ANSWER)
            calls, refused = found.calls, found.refused
            self.run.text_calls += sum(1 for c in calls if c.name != FINAL_ANSWER)
        update: dict[str, Any] = {"messages": [_assistant_message(reply, calls)]}
        final = next((c for c in calls if c.name == FINAL_ANSWER), None)
        if final is not None:
            return {**update, **self._answer_from(final.arguments, state)}
        if calls:
            return {**update, "correction": None}
        if refused:
            names = ", ".join(t["function"]["name"] for t in self.tools)
            problem = f"there is no tool named {', '.join(map(repr, refused))}; the tools: {names}"
            return {**update, **self._invalid(problem, state)}
        if reply.finish_reason == "length":
            cap = self.run.llm.settings.max_completion_tokens
            problem = (
                f"your reply was cut at {cap} tokens without a tool call or an answer; "
                "reply with one short JSON object"
            )
            return {**update, **self._invalid(problem, state)}
        return {**update, **self._answer_from(reply.content or "", state)}

    def _answer_from(self, arguments: str, state: AgentState) -> dict[str, Any]:
        try:
            answer = parse_answer(arguments)
            answer, dropped = check_answer(answer, self._answer_context(state))
        except AnswerError as error:
            return self._invalid(str(error), state)
        if dropped:
            self.run.notes.append(
                f"{len(dropped)} 'suspicious' entries of the model were not found in any tool "
                "output and were dropped"
            )
        diagnosis = to_diagnosis(
            answer, set(state.get("evidence_ids", [])), set(state.get("runbook_ids", []))
        )
        # A direct question (logs, not-ready pods, changes) stays one when the model answers.
        runbook = state.get("runbook_diagnosis")
        diagnosis.answer_kind = as_diagnosis(runbook).answer_kind if runbook else "diagnosis"
        return {"answer": diagnosis, "correction": None}

    def _invalid(self, problem: str, state: AgentState) -> dict[str, Any]:
        """An unusable reply: corrected (the `act` node tells the model), or the end."""
        invalid = state.get("invalid_answers", 0) + 1
        if invalid > MAX_INVALID_ANSWERS:
            return {"invalid_answers": invalid, "stop_reason": f"invalid answer: {problem}"}
        return {"invalid_answers": invalid, "correction": problem}

    def _answer_context(self, state: AgentState) -> AnswerContext:
        results = self.run.gatherer.results
        output = [r.render() for r in results] + [text for _, text in self.run.gatherer.flagged]
        return AnswerContext(
            evidence_ids=set(state.get("evidence_ids", [])),
            runbook_headings={r.runbook.id: r.runbook.title for r in self.run.engine.runbooks},
            tool_output="\n".join(output),
        )

    def after_reason(self, state: AgentState) -> Literal["act", "answer"]:
        """Act on tool calls; answer when there is an answer or a reason to stop."""
        if state.get("answer") or state.get("stop_reason"):
            return "answer"
        return "act"

    # --- act ------------------------------------------------------------------------------

    async def act(self, state: AgentState) -> dict[str, Any]:
        """Run the last turn's tool calls concurrently; each result answers its call id. An
        unusable answer gets its correction, naming exactly what to fix."""
        last = state["messages"][-1]
        calls = last.get("tool_calls") or []
        correction = state.get("correction")
        replies = await asyncio.gather(*(self._call(call, correction) for call in calls))
        messages = [m for m, _ in replies]
        if not calls:  # a text reply that was neither a call nor a valid answer
            problem = correction or "the reply held no tool call and no answer"
            messages.append(
                {
                    "role": "user",
                    "content": f"{problem}. Call a tool, or call `{FINAL_ANSWER}` with your "
                    "answer as one JSON object.",
                }
            )
        return {"messages": messages, "evidence_ids": [i for _, i in replies if i]}

    async def _call(
        self, call: dict[str, Any], correction: str | None
    ) -> tuple[dict[str, Any], str | None]:
        function = call["function"]
        name, raw = function["name"], function.get("arguments") or "{}"

        def reply(content: str) -> dict[str, Any]:
            return {"role": "tool", "tool_call_id": call["id"], "content": content}

        if name == FINAL_ANSWER:
            problem = correction or "final_answer was not valid"
            return reply(f"ERROR: {problem}. Call `{FINAL_ANSWER}` again with the fix."), None
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

    # --- answer ---------------------------------------------------------------------------

    async def answer(self, state: AgentState) -> dict[str, Any]:
        """The model's answer with the run's cost, or the runbook diagnosis and why."""
        if state.get("answer"):
            # copies: the state's objects stay as the checkpoint recorded them
            diagnosis = as_diagnosis(state["answer"]).model_copy(deep=True)
            runbook = as_diagnosis(state["runbook_diagnosis"])
            diagnosis.checked, diagnosis.calls = runbook.checked, runbook.calls
            diagnosis.alert_explanation = runbook.alert_explanation  # the route table's facts
            diagnosis.sources_unavailable = self._sources(runbook)
            diagnosis.symptom = runbook.symptom
            if diagnosis.runbook_id and diagnosis.runbook_id == runbook.runbook_id:
                # The model kept the runbook's answer: its chain and verdicts still hold.
                diagnosis.chain, diagnosis.hypotheses = runbook.chain, runbook.hypotheses
            diagnosis = checked_model_answer(diagnosis, runbook)
        else:
            diagnosis = as_diagnosis(state["runbook_diagnosis"]).model_copy(deep=True)
            diagnosis.sources_unavailable = self._sources(diagnosis)
            diagnosis.mode = "llm_fallback"
            reason = state.get("stop_reason") or "the model gave no answer"
            diagnosis.warnings.append(
                f"LLM answer unavailable ({reason}); this is the runbook engine's diagnosis"
            )
        for note in injection_notes(self.run.gatherer.flagged):
            if note not in diagnosis.warnings:
                diagnosis.warnings.append(note)
        run = self.run
        diagnosis.notes.append(
            f"model profile {run.profile.name}; model-driven tool calls: {run.tool_calls}"
            + (f" ({run.text_calls} written in text)" if run.text_calls else "")
        )
        diagnosis.notes += [n for n in run.notes if n not in diagnosis.notes]
        usage = self.run.llm.usage
        diagnosis.cost.llm_calls = usage.calls
        diagnosis.cost.prompt_tokens = usage.prompt_tokens
        diagnosis.cost.completion_tokens = usage.completion_tokens
        diagnosis.cost.estimated_usd = usage.estimated_usd
        diagnosis.cost.tool_calls = len(self.run.gatherer.results)
        diagnosis.cost.seconds = round(self.run.seconds(), 3)
        return {"final": diagnosis, "follow_up": None}

    def _sources(self, runbook: Diagnosis) -> list[SourceUnavailable]:
        """The sources that failed in the whole run (the model's calls included, and those of
        the turns before a resumed conversation), with what the runbook engine could not check
        without them."""
        unchecked = {s.source: s.unchecked for s in runbook.sources_unavailable}
        found = sources_unavailable(self.run.ctx.health, unchecked)
        named = {s.source for s in found}
        return found + [s for s in runbook.sources_unavailable if s.source not in named]


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


def _assistant_message(reply: LLMReply, calls: list[ToolCall]) -> dict[str, Any]:
    """The reply as the conversation keeps it: its text, and the calls it asked for (written
    in the text or native), so that each tool result answers a call id."""
    message: dict[str, Any] = {"role": "assistant", "content": reply.content}
    if calls:
        message["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for c in calls
        ]
    return message
