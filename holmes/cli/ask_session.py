"""One `holmes ask` run: investigate each request, print each answer, take follow-ups.

Called by `holmes ask` (`ask.py`), which has checked the input and started any replay. Each
request (one per alert of an `--alert` payload) gets a fresh tool context, its own live lines
and its own answer; the run tells the command which requests could not be investigated at all
(not one tool call succeeded), so that `ask` exits 1 for them rather than 0.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from typing import Any

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.markup import escape

from holmes.agent.engine.diagnosis import Diagnosis
from holmes.agent.engine.intake import InvestigationRequest, as_resolved
from holmes.agent.engine.runbook_engine import RunbookEngine
from holmes.agent.llm import LLMSettings
from holmes.cli.inputs import shortened
from holmes.cli.options import agent_limits
from holmes.cli.render import diagnosis_markdown
from holmes.tools import ToolContext, ToolResult


class Session:
    """One `holmes ask` run: the answers and, with `-i`, the follow-ups."""

    def __init__(
        self,
        engine: RunbookEngine,
        settings: LLMSettings | None,
        make_context: Callable[[], ToolContext],
        console: Console,
        *,
        as_json: bool,
        verbose: bool,
    ) -> None:
        self.engine, self.settings, self.console = engine, settings, console
        self.make_context = make_context
        self.as_json, self.verbose = as_json, verbose
        self.limits = agent_limits()
        self.ctx: ToolContext | None = None
        self._ok_calls = 0

    async def run(
        self, requests: list[InvestigationRequest], conversation: str | None, interactive: bool
    ) -> list[bool]:
        """Investigate each request (or continue `conversation`) and print the answers.

        Returns, per request, whether it was investigated (at least one tool call succeeded).
        """
        mode = f"LLM agent ({self.settings.model})" if self.settings else "runbook engine"
        collected: list[Diagnosis] | None = [] if self.as_json and len(requests) > 1 else None
        investigated: list[bool] = []
        for number, request in enumerate(requests, 1):
            of = f" ({number} of {len(requests)})" if len(requests) > 1 else ""
            what = escape(shortened(request.describe()))
            self.console.print(
                f"[bold]investigating{of}[/bold] with the {mode}: {what}", highlight=False
            )
            self.ctx, self._ok_calls = self.make_context(), 0
            try:
                diagnosis = await self._investigate(request, conversation, interactive)
                if request.alert is not None and request.alert.resolved:
                    diagnosis = as_resolved(diagnosis, request.alert)
            finally:
                await self.ctx.aclose()
            investigated.append(self._ok_calls > 0)
            if interactive and self.settings is not None:
                pass  # shown before the follow-ups, inside the conversation
            elif collected is None:
                self.show(diagnosis)
            else:
                collected.append(diagnosis)
        if collected:  # several alerts: one JSON array, an answer per alert in order
            answers = ",\n".join(d.model_dump_json(indent=2) for d in collected)
            typer.echo(f"[\n{answers}\n]")
        return investigated

    async def _investigate(
        self, request: InvestigationRequest, conversation: str | None, interactive: bool
    ) -> Diagnosis:
        assert self.ctx is not None
        if self.settings is None:
            return await self.engine.diagnose(request, self.ctx, on_call=self.on_call)
        # The agent's stack (langgraph, openai) loads only when an LLM is used.
        from holmes.agent.llm.client import LLMClient
        from holmes.agent.llm.conversations import conversation_store
        from holmes.agent.llm.graph import LLMAgent
        from holmes.cli.config_use import conversations_file
        from holmes.cli.options import current_config

        async with (
            conversation_store(conversations_file(current_config(), os.environ)) as saver,
            LLMClient(self.settings) as llm,
        ):
            agent = LLMAgent(self.engine, llm, limits=self.limits, checkpointer=saver)
            thread = conversation or uuid.uuid4().hex[:12]
            if conversation and request.question:
                diagnosis = await agent.follow_up(
                    request.question, self.ctx, conversation_id=thread, on_call=self.on_call
                )
            else:
                diagnosis = await agent.investigate(
                    request, self.ctx, conversation_id=thread, on_call=self.on_call
                )
            if interactive:
                self.show(diagnosis)
                await self._follow_ups(agent, thread)
            self.console.print(f"conversation id: {thread} (continue with --conversation)")
        return diagnosis

    async def _follow_ups(self, agent: Any, thread: str) -> None:
        """Ask for follow-ups until an empty line or end of input; print each answer."""
        assert self.ctx is not None
        try:
            while True:
                follow_up = self.console.input("[bold]follow-up[/bold] (empty to end)> ")
                if not follow_up.strip():
                    return
                self.show(
                    await agent.follow_up(
                        follow_up, self.ctx, conversation_id=thread, on_call=self.on_call
                    )
                )
        except EOFError:
            return

    def show(self, diagnosis: Diagnosis) -> None:
        """Print the diagnosis: markdown to stdout, or its JSON."""
        if self.as_json:
            typer.echo(diagnosis.model_dump_json(indent=2))
        else:
            Console().print(Markdown(diagnosis_markdown(diagnosis, verbose=self.verbose)))

    def on_call(self, tool: str, arguments: dict[str, Any], result: ToolResult | None) -> None:
        """A live line per finished tool call (on stderr); counts the calls that succeeded."""
        if result is None:
            return
        self._ok_calls += result.ok
        if self.as_json:
            return
        args = escape(", ".join(f"{k}={shortened(str(v), 200)}" for k, v in arguments.items()))
        mark = "[green]ok[/green]" if result.ok else f"[yellow]{result.error.kind}[/yellow]"
        self.console.print(
            f"  [dim]{result.evidence_id}[/dim] {escape(tool)}({args}) {mark} "
            f"[dim]{result.duration_ms:.0f} ms[/dim]",
            highlight=False,
        )
