"""`holmes ask`: investigate a question or an Alertmanager alert and print the diagnosis.

Against a replayed incident (`--incident BUNDLE`) or a live cluster (kubeconfig/context,
`--prometheus-url`, `--hubble-address`). Prints a live line per tool call while it works, then
the diagnosis as markdown (or `--json`, the Diagnosis itself).
"""

from __future__ import annotations

import asyncio
import json
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markdown import Markdown

from holmes.agent.diagnosis import Diagnosis
from holmes.agent.engine import RunbookEngine
from holmes.agent.intake import AlertInput, InvestigationRequest, alerts_from_webhook
from holmes.agent.runbooks import RunbookError, load_runbooks
from holmes.cli.options import runbook_folders
from holmes.cli.render import diagnosis_markdown
from holmes.evals import BundleError, load_bundle
from holmes.evals.replay import replay
from holmes.evals.runner import context_for, request_for
from holmes.tools import Limits, SourceEndpoints, ToolContext, ToolResult, default_registry


def ask_command(
    question: Annotated[str | None, typer.Argument(help="What to investigate.")] = None,
    alert: Annotated[
        Path | None, typer.Option(help="An Alertmanager webhook payload (or one alert) as JSON.")
    ] = None,
    incident: Annotated[
        Path | None, typer.Option(help="Replay this recorded incident and investigate it.")
    ] = None,
    kubeconfig: Annotated[Path | None, typer.Option(help="Live cluster: kubeconfig.")] = None,
    context: Annotated[str | None, typer.Option(help="Live cluster: kubeconfig context.")] = None,
    in_cluster: Annotated[bool, typer.Option(help="Use the pod's service account.")] = False,
    prometheus_url: Annotated[str | None, typer.Option(help="Live Prometheus URL.")] = None,
    hubble_address: Annotated[str | None, typer.Option(help="Live Hubble Relay host:port.")] = None,
    runbooks: Annotated[
        list[Path] | None, typer.Option("--runbooks", help="Another folder of runbooks.")
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds one tool call may take.")] = 10.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the Diagnosis as JSON.")] = False,
    verbose: Annotated[bool, typer.Option("-v", help="Also list what was checked.")] = False,
) -> None:
    """Find the root cause of a problem, with the evidence and the remediation."""
    console = Console(stderr=True)
    try:
        registry = default_registry()
        loaded = load_runbooks(runbook_folders(runbooks), tools=[t.name for t in registry.tools()])
    except RunbookError as error:
        raise typer.BadParameter(str(error), param_hint="--runbooks") from error
    engine = RunbookEngine(registry, loaded)
    with ExitStack() as stack:
        if incident is not None:
            try:
                bundle = load_bundle(incident)
            except BundleError as error:
                raise typer.BadParameter(str(error), param_hint="--incident") from error
            request = _request(question, alert, default=request_for(bundle))
            ctx = context_for(stack.enter_context(replay(bundle)))
        else:
            request = _request(question, alert, default=None)
            endpoints = SourceEndpoints(
                kubeconfig=kubeconfig,
                kube_context=context,
                in_cluster=in_cluster,
                prometheus_url=prometheus_url,
                hubble_address=hubble_address,
            )
            if not endpoints.has_kubernetes:
                endpoints.kubeconfig = _default_kubeconfig()
            ctx = ToolContext(endpoints)
        ctx.limits = Limits(timeout_seconds=timeout)
        console.print(f"[bold]investigating:[/bold] {request.describe()}")
        diagnosis = asyncio.run(_run(engine, request, ctx, console, quiet=as_json))
    if as_json:
        typer.echo(diagnosis.model_dump_json(indent=2))
    else:
        Console().print(Markdown(diagnosis_markdown(diagnosis, verbose=verbose)))


def _request(
    question: str | None, alert: Path | None, default: InvestigationRequest | None
) -> InvestigationRequest:
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
    path = Path.home() / ".kube" / "config"
    return path if path.is_file() else None


async def _run(
    engine: RunbookEngine,
    request: InvestigationRequest,
    ctx: ToolContext,
    console: Console,
    quiet: bool,
) -> Diagnosis:
    def on_call(tool: str, arguments: dict[str, Any], result: ToolResult | None) -> None:
        if quiet or result is None:
            return
        args = ", ".join(f"{k}={v}" for k, v in arguments.items())
        mark = "[green]ok[/green]" if result.ok else f"[yellow]{result.error.kind}[/yellow]"
        console.print(
            f"  [dim]{result.evidence_id}[/dim] {tool}({args}) {mark} "
            f"[dim]{result.duration_ms:.0f} ms[/dim]",
            highlight=False,
        )

    try:
        return await engine.diagnose(request, ctx, on_call=on_call)
    finally:
        await ctx.aclose()
