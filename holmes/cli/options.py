"""Options several `holmes` commands share: runbook folders and source endpoints."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from holmes.cli.inputs import timeout_seconds

# The helpers import what they use when called: the commands' modules import this one, and
# `holmes <command> --help` must not load the engine, the clients or CEL (see main.py).
if TYPE_CHECKING:
    from holmes.agent.budget import AgentLimits
    from holmes.agent.engine import RunbookEngine
    from holmes.agent.llm import LLMSettings
    from holmes.agent.runbooks import LoadedRunbook
    from holmes.evals import Bundle

NO_LLM = (
    "set OPENAI_API_KEY (or OPENAI_BASE_URL and HOLMES_LLM_MODEL, or the AZURE_OPENAI_* variables)"
)

# Typed option aliases: one help text per option, whichever command offers it.
IncidentOption = Annotated[
    Path | None, typer.Option(help="Replay this recorded incident and run against it.")
]
KubeconfigOption = Annotated[Path | None, typer.Option(help="Live cluster: kubeconfig.")]
ContextOption = Annotated[str | None, typer.Option(help="Live cluster: kubeconfig context.")]
PrometheusOption = Annotated[
    str | None, typer.Option(help="Live Prometheus URL.", envvar="HOLMES_PROMETHEUS_URL")
]
HubbleOption = Annotated[
    str | None, typer.Option(help="Live Hubble Relay host:port.", envvar="HOLMES_HUBBLE_ADDRESS")
]
TimeoutOption = Annotated[
    float,
    typer.Option(help="Seconds one tool call may take (> 0).", callback=timeout_seconds),
]
RunbooksOption = Annotated[
    list[Path] | None, typer.Option("--runbooks", help="Another folder of runbooks.")
]


def runbook_folders(given: list[Path] | None) -> list[Path]:
    """Folders of extra runbooks: `--runbooks` options, else `HOLMES_RUNBOOKS` (path list)."""
    if given:
        return list(given)
    configured = os.environ.get("HOLMES_RUNBOOKS", "")
    return [Path(p) for p in configured.split(os.pathsep) if p]


def default_kubeconfig() -> Path | None:
    """What kubectl would use: the first file of $KUBECONFIG, else ~/.kube/config."""
    listed = [p for p in os.environ.get("KUBECONFIG", "").split(os.pathsep) if p]
    path = Path(listed[0]) if listed else Path.home() / ".kube" / "config"
    return path if path.is_file() else None


def load_incident(path: Path) -> Bundle:
    """The bundle `--incident` names; a bad one is a usage error naming file and problem."""
    from holmes.evals import BundleError, load_bundle

    try:
        return load_bundle(path)
    except BundleError as error:
        raise typer.BadParameter(str(error), param_hint="--incident") from error


def load_runbook_set(folders: list[Path] | None) -> list[LoadedRunbook]:
    """The built-in runbooks and the user's folders, checked against the registered tools."""
    from holmes.agent.runbooks import load_runbooks
    from holmes.tools import default_registry

    tools = [tool.name for tool in default_registry().tools()]
    return load_runbooks(runbook_folders(folders), tools=tools)


def runbook_engine(folders: list[Path] | None) -> RunbookEngine:
    """The engine over the runbooks; a broken runbook is a usage error naming file and field."""
    from holmes.agent.engine import RunbookEngine
    from holmes.agent.runbooks import RunbookError
    from holmes.tools import default_registry

    try:
        return RunbookEngine(default_registry(), load_runbook_set(folders))
    except RunbookError as error:
        raise typer.BadParameter(str(error), param_hint="--runbooks") from error


def llm_settings(model: str | None) -> LLMSettings | None:
    """The LLM configured in the environment (None without one), with `--model` applied."""
    from holmes.agent.llm import LLMSettings, LLMSettingsError

    try:
        settings = LLMSettings.from_env(os.environ)
    except LLMSettingsError as error:
        raise typer.BadParameter(str(error), param_hint="LLM environment") from error
    if settings is not None and model:
        update = {"azure_deployment": model} if settings.provider == "azure" else {}
        settings = settings.model_copy(update={"model": model, **update})
    return settings


def agent_limits() -> AgentLimits:
    """The agent's limits, with those set in the environment."""
    from holmes.agent.budget import limits_from_env

    try:
        return limits_from_env(os.environ)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="agent limits") from error
