"""Options several `holmes` commands share (config file, runbook folders, source endpoints)
and the helpers that read them through the one configuration (holmes/cli/config*.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from holmes.cli.inputs import timeout_seconds

# The helpers import what they use when called: the commands' modules import this one, and
# `holmes <command> --help` must not load the engine, the clients or CEL (see main.py).
if TYPE_CHECKING:
    from holmes.agent.engine.rules import LoadedRunbook
    from holmes.agent.engine.runbook_engine import RunbookEngine
    from holmes.agent.llm import LLMSettings
    from holmes.agent.llm.budget import AgentLimits
    from holmes.cli.config_load import ResolvedConfig
    from holmes.evals import Bundle
    from holmes.tools import Limits, SourceEndpoints

NO_LLM = (
    "set OPENAI_API_KEY (or OPENAI_BASE_URL and HOLMES_LLM_MODEL, or the AZURE_OPENAI_* variables)"
)

# Typed option aliases: one help text per option, whichever command offers it. Options that
# are also config fields default to None (not given): the config decides then (env, file).
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="Config file (else $HOLMES_CONFIG, else ~/.config/holmes/config.yaml).",
        show_default=False,
    ),
]
IncidentOption = Annotated[
    Path | None, typer.Option(help="Replay this recorded incident and run against it.")
]
KubeconfigOption = Annotated[Path | None, typer.Option(help="Live cluster: kubeconfig.")]
ContextOption = Annotated[str | None, typer.Option(help="Live cluster: kubeconfig context.")]
InClusterOption = Annotated[
    bool | None, typer.Option("--in-cluster", help="Use the pod's service account.")
]
PrometheusOption = Annotated[
    str | None, typer.Option(help="Live Prometheus URL (also HOLMES_PROMETHEUS_URL).")
]
HubbleOption = Annotated[
    str | None, typer.Option(help="Live Hubble Relay host:port (also HOLMES_HUBBLE_ADDRESS).")
]
TimeoutOption = Annotated[
    float | None,
    typer.Option(
        help="Seconds one tool call may take (> 0) [default: 10].", callback=timeout_seconds
    ),
]
RunbooksOption = Annotated[
    list[Path] | None, typer.Option("--runbooks", help="Another folder of runbooks.")
]


# The resolved configuration lives in the running command's click context (shared by the
# group and the command of one invocation), never in a module global: a later invocation in
# the same process (tests, CliRunner) must not see an earlier one's.
_META_KEY = "holmes.config"


def use_config(config: Path | None = None, **flags: object) -> ResolvedConfig:
    """Resolve this command's configuration (flags by dotted path, None when not given) and
    keep it for the helpers below. A config error prints one line and exits with 2."""
    from typer._click.globals import get_current_context

    from holmes.cli.config_load import ConfigError, load_config

    try:
        resolved = load_config(config, flags)
    except ConfigError as error:
        typer.echo(f"holmes: config: {error}", err=True)
        raise typer.Exit(2) from None
    click_context = get_current_context(silent=True)
    if click_context is not None:
        click_context.meta[_META_KEY] = (resolved, config, dict(flags))
    return resolved


def current_config() -> ResolvedConfig:
    """The configuration `use_config` resolved for this command, else the file and the
    environment alone."""
    given = _given()
    return given[0] if given is not None else use_config()


def _given() -> tuple[ResolvedConfig, Path | None, dict[str, object]] | None:
    from typer._click.globals import get_current_context

    click_context = get_current_context(silent=True)
    return None if click_context is None else click_context.meta.get(_META_KEY)


def source_flags(
    kubeconfig: Path | None = None,
    context: str | None = None,
    in_cluster: bool | None = None,
    prometheus_url: str | None = None,
    hubble_address: str | None = None,
    timeout: float | None = None,
    runbooks: list[Path] | None = None,
) -> dict[str, object]:
    """The shared options as config paths (for `use_config`)."""
    return {
        "sources.kubernetes.kubeconfig": kubeconfig,
        "sources.kubernetes.context": context,
        "sources.kubernetes.in_cluster": in_cluster,
        "sources.prometheus.url": prometheus_url,
        "sources.hubble.address": hubble_address,
        "limits.tool_timeout_seconds": timeout,
        "runbooks.folders": runbooks,
    }


def runbook_folders(given: list[Path] | None) -> list[Path]:
    """Folders of extra runbooks: `--runbooks` options, else the config's (HOLMES_RUNBOOKS)."""
    if given:
        return list(given)
    return list(current_config().config.runbooks.folders)


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
    from holmes.agent.engine.rules import load_runbooks
    from holmes.tools import default_registry

    tools = [tool.name for tool in default_registry().tools()]
    return load_runbooks(runbook_folders(folders), tools=tools)


def runbook_engine(folders: list[Path] | None) -> RunbookEngine:
    """The engine over the runbooks; a broken runbook is a usage error naming file and field."""
    from holmes.agent.engine.rules import RunbookError
    from holmes.agent.engine.runbook_engine import RunbookEngine
    from holmes.tools import default_registry

    try:
        return RunbookEngine(default_registry(), load_runbook_set(folders))
    except RunbookError as error:
        raise typer.BadParameter(str(error), param_hint="--runbooks") from error


def llm_settings(model: str | None = None) -> LLMSettings | None:
    """The configured LLM (None without one), with `--model` applied; a bad or missing value
    prints one line naming where it was set and exits with 2."""
    from holmes.cli.config_load import ConfigError
    from holmes.cli.config_use import llm_settings as configured_llm

    resolved = current_config()
    if model and resolved.config.llm.model != model:
        _, config, flags = _given() or (resolved, None, {})
        resolved = use_config(config, **{**flags, "llm.model": model})
    try:
        return configured_llm(resolved)
    except ConfigError as error:
        typer.echo(f"holmes: config: {error}", err=True)
        raise typer.Exit(2) from None


def agent_limits() -> AgentLimits:
    """The agent's limits, from the configuration (limits section, llm.context_tokens)."""
    from holmes.cli.config_use import agent_limits as configured_limits

    return configured_limits(current_config())


def endpoints_and_limits() -> tuple[SourceEndpoints, Limits]:
    """The live sources and the tool-call limits of the configuration."""
    from holmes.cli.config_use import source_endpoints, tool_limits

    resolved = current_config()
    return source_endpoints(resolved), tool_limits(resolved)
