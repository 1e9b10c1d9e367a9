"""`holmes ask`: investigate a question or an Alertmanager alert and print the diagnosis.

Against a replayed incident (`--incident BUNDLE`) or a live cluster (kubeconfig/context,
`--prometheus-url`, `--hubble-address`). With an LLM configured (OPENAI_API_KEY,
OPENAI_BASE_URL, HOLMES_LLM_MODEL, or the Azure variables) the LLM agent investigates on top of
the runbook engine; `--no-llm` forces the runbook engine alone. Prints a live line per tool call
while it works, then the diagnosis as markdown with the tokens and cost (or `--json`, the
Diagnosis itself). `-i` keeps the conversation open for follow-ups. An `--alert` payload with
several alerts gets an investigation and an answer per alert (`--json`: a list of Diagnoses).
Input is checked first (`inputs.py`): bad input exits 2 with one line naming it; a run where no
source answered at all exits 1.
"""

from __future__ import annotations

import asyncio
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from holmes.cli.inputs import (
    NON_UTF8_NOTE,
    checked_hubble_address,
    checked_kubeconfig,
    checked_prometheus_url,
    default_kubeconfig,
    question_text,
    read_alert_file,
)
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
    endpoints_and_limits,
    llm_settings,
    load_incident,
    runbook_engine,
    source_flags,
    use_config,
)

# The engine, the clients and rich load when the command runs, not for `holmes ask --help`.
if TYPE_CHECKING:
    from holmes.agent.engine.intake import AlertInput, InvestigationRequest
    from holmes.tools import SourceEndpoints, ToolContext


def ask_command(
    question: Annotated[str | None, typer.Argument(help="What to investigate.")] = None,
    alert: Annotated[
        Path | None,
        typer.Option(help="An Alertmanager webhook payload, one alert, or a list, as JSON."),
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
    """Find the root cause of a problem, with the evidence and the remediation.

    Exits 1 when it could not investigate at all (no source answered), 2 on bad input.
    """
    from rich.console import Console

    from holmes.cli.ask_session import Session
    from holmes.evals.replay import replay
    from holmes.evals.runner import context_for, requests_for
    from holmes.tools import ToolContext

    flags = source_flags(kubeconfig, context, in_cluster, prometheus_url, hubble_address, timeout)
    use_config(config, **flags, **{"llm.model": model})
    configured, limits = endpoints_and_limits()
    console = Console(stderr=True)
    question, replaced = question_text(question)
    alerts = read_alert_file(alert) if alert is not None else []
    settings = None if no_llm else llm_settings(model)
    if (interactive or conversation) and settings is None:
        raise typer.BadParameter(f"follow-ups need an LLM: {NO_LLM}", param_hint="--interactive")
    if (interactive or conversation) and len(alerts) > 1:
        raise typer.BadParameter(
            f"follow-ups continue one investigation; {alert} holds {len(alerts)} alerts",
            param_hint="--interactive",
        )
    engine = runbook_engine(runbooks)  # --runbooks, else the config's folders
    with ExitStack() as stack:
        if incident is not None:
            bundle = load_incident(incident)
            requests = _requests(question, alerts, default=requests_for(bundle))
            endpoints = stack.enter_context(replay(bundle))

            def make_context() -> ToolContext:
                ctx = context_for(endpoints)
                ctx.limits = limits
                return ctx

        else:
            requests = _requests(question, alerts, default=[])
            sources = _checked_sources(configured, kubeconfig)

            def make_context() -> ToolContext:
                return ToolContext(sources, limits=limits)

        if replaced:
            console.print(NON_UTF8_NOTE.format(what="question"), highlight=False)
        session = Session(engine, settings, make_context, console, as_json=as_json, verbose=verbose)
        investigated = asyncio.run(session.run(requests, conversation, interactive))
    failed = [number for number, ok in enumerate(investigated, 1) if not ok]
    if failed:
        which = "" if len(requests) == 1 else f" (alert {', '.join(map(str, failed))})"
        console.print(
            f"[red]could not investigate{which}:[/red] no source answered (see Sources unavailable)"
        )
        raise typer.Exit(1)


def _requests(
    question: str | None, alerts: list[AlertInput], default: list[InvestigationRequest]
) -> list[InvestigationRequest]:
    """One request per alert (each with the question, if any), else the question alone, else
    the bundle's own requests (one per alert of its webhook body)."""
    from holmes.agent.engine.intake import InvestigationRequest

    if alerts:
        return [InvestigationRequest(question=question, alert=alert) for alert in alerts]
    if question is not None:
        return [InvestigationRequest(question=question)]
    if not default:
        raise typer.BadParameter("give a question (not blank) or --alert", param_hint="QUESTION")
    return default


def _checked_sources(endpoints: SourceEndpoints, kubeconfig_flag: Path | None) -> SourceEndpoints:
    """The configured live endpoints with the checks of `inputs.py`: a kubeconfig given on the
    command line (or named by $KUBECONFIG) must be a usable file, the Prometheus URL and the
    Hubble address well formed."""
    if kubeconfig_flag is not None:
        endpoints.kubeconfig = checked_kubeconfig(kubeconfig_flag)
    elif not endpoints.has_kubernetes:
        endpoints.kubeconfig = default_kubeconfig()  # a $KUBECONFIG naming no file is an error
    endpoints.prometheus_url = checked_prometheus_url(endpoints.prometheus_url)
    endpoints.hubble_address = checked_hubble_address(endpoints.hubble_address)
    return endpoints
