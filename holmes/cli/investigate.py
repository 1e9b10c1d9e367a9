"""`holmes investigate alertmanager`: pull the firing alerts from Alertmanager and investigate.

Each distinct fingerprint is investigated once (the same dedupe as the webhook), against a
replayed incident or the live sources, with the LLM agent when one is configured; the answers
are printed (`--json`: an array of {fingerprint, alertname, diagnosis}). With `--server URL`
the alerts go to a running `holmes serve` instead (its webhook: stored, deduplicated per
episode, investigated there) and its answer is printed. The server stack is imported inside
the command.
"""

from __future__ import annotations

import asyncio
import json
import os
from contextlib import ExitStack
from typing import TYPE_CHECKING, Annotated, Any

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
    agent_limits,
    endpoints_and_limits,
    llm_settings,
    runbook_engine,
    source_flags,
    use_config,
)

# rich, httpx, the tools and the server stack load when the command runs, not for `--help`.
if TYPE_CHECKING:
    from rich.console import Console

investigate_app = typer.Typer(
    help="Investigate alerts pulled from their source.", no_args_is_help=True, rich_markup_mode=None
)


@investigate_app.command("alertmanager")
def alertmanager_command(
    url: Annotated[str, typer.Option(help="Alertmanager's URL, e.g. http://alertmanager:9093.")],
    filters: Annotated[
        list[str] | None,
        typer.Option("--filter", help='A matcher, e.g. alertname=~"Kube.*" (repeatable).'),
    ] = None,
    receiver: Annotated[
        str | None, typer.Option(help="Only alerts of receivers matching RE.")
    ] = None,
    server: Annotated[
        str | None, typer.Option(help="Submit to this `holmes serve` instead of investigating.")
    ] = None,
    token: Annotated[
        str | None, typer.Option(help="Bearer token for --server.", envvar="HOLMES_API_TOKEN")
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
    as_json: Annotated[bool, typer.Option("--json", help="Print the answers as JSON.")] = False,
    verbose: Annotated[bool, typer.Option("-v", help="Also list what was checked.")] = False,
    config: ConfigOption = None,
) -> None:
    """Investigate every firing alert of an Alertmanager, once per fingerprint."""
    from rich.console import Console

    from holmes.cli.serve import tool_contexts
    from holmes.server.alerts import AlertBodyError, alerts_from_body
    from holmes.server.pull import PullError, active_alerts

    flags = source_flags(kubeconfig, context, in_cluster, prometheus_url, hubble_address, timeout)
    use_config(config, **flags, **{"llm.model": model})
    sources, limits = endpoints_and_limits()
    console = Console(stderr=True)
    try:
        pulled = active_alerts(
            url, filters=filters or [], receiver=receiver, timeout=limits.timeout_seconds
        )
        alerts, _ = alerts_from_body(pulled)
    except (PullError, AlertBodyError) as error:
        raise typer.BadParameter(str(error), param_hint="--url") from None
    distinct = list({alert.fingerprint: alert for alert in alerts}.values())
    console.print(f"{len(distinct)} firing alert(s) at {url}")
    if server is not None:
        _submit(server, token, pulled, console)
        return
    if not distinct:
        if as_json:
            typer.echo("[]")
        return
    llm = None if no_llm else llm_settings(model)
    engine = runbook_engine(runbooks)
    with ExitStack() as stack:
        from holmes.agent.engine.intake import AlertInput, InvestigationRequest
        from holmes.server import Investigator

        contexts = tool_contexts(stack, incident, sources, limits)
        investigator = Investigator(
            engine, contexts, llm=llm, limits=agent_limits(),
            conversations=_conversations() if llm else None,
        )  # fmt: skip
        requests = [
            InvestigationRequest(alert=AlertInput.model_validate(a.alert)) for a in distinct
        ]
        answers = asyncio.run(_investigate_all(investigator, requests))
    _show(distinct, answers, as_json=as_json, verbose=verbose, console=console)


def _show(
    alerts: list[Any], answers: list[Any], *, as_json: bool, verbose: bool, console: Console
) -> None:
    """Print each alert's diagnosis: markdown under a line naming the alert, or one JSON array."""
    from rich.console import Console
    from rich.markdown import Markdown

    from holmes.cli.render import diagnosis_markdown

    pairs = list(zip(alerts, answers, strict=True))
    if as_json:
        rows = [
            {
                "fingerprint": a.fingerprint,
                "alertname": a.alertname,
                "diagnosis": d.model_dump(mode="json"),
            }
            for a, d in pairs
        ]
        typer.echo(json.dumps(rows, indent=2))
        return
    for alert, diagnosis in pairs:
        console.print(f"[bold]alert {alert.alertname}[/bold] (fingerprint {alert.fingerprint})")
        Console().print(Markdown(diagnosis_markdown(diagnosis, verbose=verbose)))


async def _investigate_all(investigator: Any, requests: list[Any]) -> list[Any]:
    bound = asyncio.Semaphore(4)  # a few at once: each one fans out its own tool calls

    async def one(request: Any) -> Any:
        async with bound:
            return await investigator.investigate(request)

    return await asyncio.gather(*(one(request) for request in requests))


def _submit(server: str, token: str | None, alerts: list[dict[str, Any]], console: Console) -> None:
    """POST the pulled alerts (API v2 shape) to a running server's webhook; print its answer."""
    import httpx

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    endpoint = server.rstrip("/") + "/api/v1/alertmanager"
    try:
        response = httpx.post(endpoint, json=alerts, headers=headers, timeout=30)
    except httpx.HTTPError as error:
        raise typer.BadParameter(f"{endpoint}: {error}", param_hint="--server") from None
    if response.status_code != 200:
        hint = " (set --token or HOLMES_API_TOKEN)" if response.status_code == 401 else ""
        raise typer.BadParameter(
            f"{endpoint}: HTTP {response.status_code}{hint}: {response.text[:200]}",
            param_hint="--server",
        )
    typer.echo(json.dumps(response.json(), indent=2))


def _conversations() -> Any:
    """The config's llm.conversations_file (HOLMES_CONVERSATIONS), else the default file."""
    from holmes.cli.config_use import conversations_file
    from holmes.cli.options import current_config

    return conversations_file(current_config(), os.environ)
