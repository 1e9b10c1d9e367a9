"""`holmes record`: investigate, and save what was read as a recorded-incident bundle.

Against a live cluster (the source options of `holmes ask`) or a replay (`--incident BUNDLE`),
the runbook engine investigates the question or alert (no LLM) while the source clients record
what they read; the bundle written to `--out` holds the full objects, the whole logs, the raw
series of every query over `--since` before the investigation's time, and the Hubble flows,
redacted, with `incident.yaml` whose `expected` a person fills in to make it a regression test.
Heavy modules (the engine, the clients, the replay) load inside the command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from holmes.cli.options import (
    ConfigOption,
    ContextOption,
    HubbleOption,
    IncidentOption,
    InClusterOption,
    KubeconfigOption,
    PrometheusOption,
    RunbooksOption,
    TimeoutOption,
    endpoints_and_limits,
    load_incident,
    runbook_engine,
    source_flags,
    use_config,
)


def record_command(
    question: Annotated[str | None, typer.Argument(help="What to investigate.")] = None,
    out: Annotated[
        Path, typer.Option(help="New folder for the bundle; its name becomes the incident id.")
    ] = ...,  # type: ignore[assignment]  # typer: a required option
    alert: Annotated[
        Path | None, typer.Option(help="An Alertmanager webhook payload (or one alert) as JSON.")
    ] = None,
    namespace: Annotated[
        str | None, typer.Option(help="The namespace the question is about (added to it).")
    ] = None,
    since: Annotated[
        str, typer.Option(help="Prometheus series recorded from this long before the time.")
    ] = "1h",
    incident: IncidentOption = None,
    kubeconfig: KubeconfigOption = None,
    context: ContextOption = None,
    in_cluster: InClusterOption = None,
    prometheus_url: PrometheusOption = None,
    hubble_address: HubbleOption = None,
    runbooks: RunbooksOption = None,
    timeout: TimeoutOption = None,
    config: ConfigOption = None,
) -> None:
    """Investigate and save what was read as a recorded incident (a regression test to be)."""
    import asyncio
    from contextlib import ExitStack
    from datetime import timedelta

    from rich.console import Console

    from holmes.evals import BundleError
    from holmes.evals.record import record_investigation
    from holmes.evals.replay import replay
    from holmes.evals.runner import context_for, request_for
    from holmes.tools import ToolContext
    from holmes.tools.times import duration_seconds

    flags = source_flags(kubeconfig, context, in_cluster, prometheus_url, hubble_address, timeout)
    use_config(config, **flags | {"runbooks.folders": runbooks})
    endpoints, limits = endpoints_and_limits()
    console = Console(stderr=True)
    try:
        window = timedelta(seconds=duration_seconds(since))
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--since") from error
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise typer.BadParameter(f"{out} already exists and is not empty", param_hint="--out")
    engine = runbook_engine(runbooks)
    with ExitStack() as stack:
        if incident is not None:
            bundle = load_incident(incident)
            request = _request_from(question, alert, request_for(bundle))
            ctx = context_for(stack.enter_context(replay(bundle)))
        else:
            request = _request_from(question, alert, None)
            ctx = ToolContext(_live_endpoints(endpoints))
        if namespace:
            request = _scoped(request, namespace)
        ctx.limits = limits
        console.print(f"[bold]recording[/bold] {request.describe()}")

        async def run() -> Any:
            try:
                return await record_investigation(engine, request, ctx, out, since=window)
            finally:
                await ctx.aclose()

        try:
            outcome = asyncio.run(run())
        except BundleError as error:
            raise typer.BadParameter(str(error), param_hint="--out") from error
    _report(console, outcome)


def _live_endpoints(endpoints: Any) -> Any:
    """The configured live sources (kubectl's default kubeconfig when none); at least one."""
    if not (endpoints.has_kubernetes or endpoints.prometheus_url or endpoints.hubble_address):
        raise typer.BadParameter(
            "no source to record from: give --kubeconfig/--context/--in-cluster, "
            "--prometheus-url or --hubble-address (or --incident to record a replay)",
            param_hint="source options",
        )
    return endpoints


def _request_from(question: str | None, alert: Path | None, default: Any) -> Any:
    """The question and the first alert of `--alert`; `default` (a replay's) when neither."""
    import json

    from holmes.agent.engine.intake import InvestigationRequest, alerts_from_webhook

    parsed = None
    if alert is not None:
        try:
            parsed = alerts_from_webhook(json.loads(alert.read_text(encoding="utf-8")))[0]
        except (OSError, json.JSONDecodeError, ValueError, IndexError) as error:
            raise typer.BadParameter(f"{alert}: {error}", param_hint="--alert") from error
    if question is None and parsed is None:
        if default is None:
            raise typer.BadParameter("give a question or --alert", param_hint="QUESTION")
        return default
    return InvestigationRequest(question=question, alert=parsed)


def _scoped(request: Any, namespace: str) -> Any:
    """The request with the namespace named in its question, as triage reads it."""
    question = request.question or ""
    if f"namespace {namespace}" in question:
        return request
    scoped = f"{question} (namespace {namespace})" if question else f"In namespace {namespace}."
    return request.model_copy(update={"question": scoped})


def _report(console: Any, outcome: Any) -> None:
    console.print(
        f"wrote {outcome.folder}: {outcome.objects} objects, {outcome.logs} logs, "
        f"{outcome.series} series, {outcome.flows} flows "
        f"(holmes answered with runbook {outcome.diagnosis.runbook_id or '(none)'})"
    )
    for note in outcome.notes:
        console.print(f"[yellow]not recorded:[/yellow] {note}", highlight=False)
    console.print(
        f"next: fill in 'expected' in {outcome.folder / 'incident.yaml'}, then "
        f"`holmes eval --suite {outcome.folder}`"
    )
