"""`holmes ask`: investigate a question or an Alertmanager alert and print the diagnosis.

Against a replayed incident (`--incident BUNDLE`) or a live cluster (kubeconfig/context,
`--prometheus-url`, `--hubble-address`). With an LLM configured (OPENAI_API_KEY,
OPENAI_BASE_URL, HOLMES_LLM_MODEL, or the Azure variables) the LLM agent investigates on top of
the runbook engine; `--no-llm` forces the runbook engine alone. Prints a live line per tool call
while it works, then the diagnosis as markdown with the tokens and cost (or `--json`, the
Diagnosis itself). `-i` keeps the conversation open for follow-ups.
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from holmes.cli.options import (
    NO_LLM,
    ConfigOption,
    ContextOption,
    HubbleOption,
    IncidentOption,
    InClusterOption,
    KubeconfigOption,
    PrometheusOption,
    RunbooksOption,
    TimeoutOption,
    agent_limits,
    endpoints_and_limits,
    llm_settings,
    load_incident,
    runbook_engine,
    source_flags,
    use_config,
)

# The engine, the clients and rich load when the command runs, not for `holmes ask --help`.
if TYPE_CHECKING:
    from rich.console import Console

    from holmes.agent.diagnosis import Diagnosis
    from holmes.agent.engine import RunbookEngine
    from holmes.agent.intake import InvestigationRequest
    from holmes.agent.llm import LLMSettings
    from holmes.tools import ToolContext, ToolResult


def ask_command(
    question: Annotated[str | None, typer.Argument(help="What to investigate.")] = None,
    alert: Annotated[
        Path | None, typer.Option(help="An Alertmanager webhook payload (or one alert) as JSON.")
    ] = None,
    incident: IncidentOption = None,
    kubeconfig: KubeconfigOption = None,
    context: ContextOption = None,
    in_cluster: InClusterOption = None,
    prometheus_url: PrometheusOption = None,
    hubble_address: HubbleOption = None,
    runbooks: RunbooksOption = None,
    timeout: TimeoutOption = None,
    no_llm: Annotated[bool, typer.Option("--no-llm", help="Use the runbook engine only.")] = False,
    model: Annotated[str | None, typer.Option(help="LLM model (or Azure deployment).")] = None,
    interactive: Annotated[
        bool, typer.Option("-i", "--interactive", help="Ask follow-ups after the answer (LLM).")
    ] = False,
    conversation: Annotated[
        str | None, typer.Option(help="Continue this conversation id with QUESTION (LLM).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the Diagnosis as JSON.")] = False,
    verbose: Annotated[bool, typer.Option("-v", help="Also list what was checked.")] = False,
    config: ConfigOption = None,
) -> None:
    """Find the root cause of a problem, with the evidence and the remediation."""
    from rich.console import Console

    from holmes.evals.replay import replay
    from holmes.evals.runner import context_for, request_for
    from holmes.tools import ToolContext

    flags = source_flags(kubeconfig, context, in_cluster, prometheus_url, hubble_address, timeout)
    use_config(config, **flags, **{"llm.model": model})
    endpoints, limits = endpoints_and_limits()
    console = Console(stderr=True)
    settings = None if no_llm else llm_settings(model)
    if (interactive or conversation) and settings is None:
        raise typer.BadParameter(f"follow-ups need an LLM: {NO_LLM}", param_hint="--interactive")
    engine = runbook_engine(runbooks)  # --runbooks, else the config's folders
    with ExitStack() as stack:
        if incident is not None:
            bundle = load_incident(incident)
            request = _request(question, alert, default=request_for(bundle))
            ctx = context_for(stack.enter_context(replay(bundle)))
        else:
            request = _request(question, alert, default=None)
            ctx = ToolContext(endpoints)
        ctx.limits = limits
        mode = f"LLM agent ({settings.model})" if settings else "runbook engine"
        console.print(f"[bold]investigating[/bold] with the {mode}: {request.describe()}")
        session = Session(engine, settings, ctx, console, as_json=as_json, verbose=verbose)
        asyncio.run(session.run(request, conversation, interactive))


def _request(
    question: str | None, alert: Path | None, default: InvestigationRequest | None
) -> InvestigationRequest:
    from holmes.agent.intake import AlertInput, InvestigationRequest, alerts_from_webhook

    parsed: AlertInput | None = None
    if alert is not None:
        try:
            payload = json.loads(alert.read_text(encoding="utf-8"))
            parsed = alerts_from_webhook(payload)[0]
        except (OSError, json.JSONDecodeError, ValueError) as error:
            raise typer.BadParameter(f"{alert}: {error}", param_hint="--alert") from error
    if question is None and parsed is None:
        if default is None:
            raise typer.BadParameter("give a question or --alert", param_hint="QUESTION")
        return default
    return InvestigationRequest(question=question, alert=parsed)


def _default_kubeconfig() -> Path | None:
    """What kubectl would use: the first file of $KUBECONFIG, else ~/.kube/config."""
    listed = [p for p in os.environ.get("KUBECONFIG", "").split(os.pathsep) if p]
    path = Path(listed[0]) if listed else Path.home() / ".kube" / "config"
    return path if path.is_file() else None


class Session:
    """One `holmes ask` run: the first answer and, with `-i`, the follow-ups."""

    def __init__(
        self,
        engine: RunbookEngine,
        settings: LLMSettings | None,
        ctx: ToolContext,
        console: Console,
        *,
        as_json: bool,
        verbose: bool,
    ) -> None:
        self.engine, self.settings, self.ctx, self.console = engine, settings, ctx, console
        self.as_json, self.verbose = as_json, verbose
        self.limits = agent_limits()

    async def run(
        self, request: InvestigationRequest, conversation: str | None, interactive: bool
    ) -> None:
        """Investigate (or continue `conversation`), print, and take follow-ups if asked."""
        try:
            if self.settings is None:
                self.show(await self.engine.diagnose(request, self.ctx, on_call=self.on_call))
                return
            # The agent's stack (langgraph, openai) loads only when an LLM is used.
            from holmes.agent.conversations import conversation_store
            from holmes.agent.graph import LLMAgent
            from holmes.agent.llm.client import LLMClient
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
                self.show(diagnosis)
                while interactive:
                    follow_up = self.console.input("[bold]follow-up[/bold] (empty to end)> ")
                    if not follow_up.strip():
                        break
                    self.show(
                        await agent.follow_up(
                            follow_up, self.ctx, conversation_id=thread, on_call=self.on_call
                        )
                    )
                self.console.print(f"conversation id: {thread} (continue with --conversation)")
        except EOFError:
            pass
        finally:
            await self.ctx.aclose()

    def show(self, diagnosis: Diagnosis) -> None:
        """Print the diagnosis: markdown to stdout, or its JSON."""
        from rich.console import Console
        from rich.markdown import Markdown

        from holmes.cli.render import diagnosis_markdown

        if self.as_json:
            typer.echo(diagnosis.model_dump_json(indent=2))
        else:
            Console().print(Markdown(diagnosis_markdown(diagnosis, verbose=self.verbose)))

    def on_call(self, tool: str, arguments: dict[str, Any], result: ToolResult | None) -> None:
        """A live line per finished tool call (on stderr)."""
        if self.as_json or result is None:
            return
        args = ", ".join(f"{k}={v}" for k, v in arguments.items())
        mark = "[green]ok[/green]" if result.ok else f"[yellow]{result.error.kind}[/yellow]"
        self.console.print(
            f"  [dim]{result.evidence_id}[/dim] {tool}({args}) {mark} "
            f"[dim]{result.duration_ms:.0f} ms[/dim]",
            highlight=False,
        )
