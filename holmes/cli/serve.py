"""`holmes serve`: the HTTP API, the Alertmanager webhook, the queue and its workers.

Against a replayed incident (`--incident DIR`: the demo, the tests, the benchmarks) or a live
cluster (the same source options as `holmes ask`). The server stack (FastAPI, SQLAlchemy,
uvicorn) is imported inside the command, so `holmes --help` and the other commands never load
it. Refuses to start without tokens unless bound to a loopback address. SIGTERM or Ctrl-C:
uvicorn stops accepting, running investigations get a grace period, the rest are re-queued.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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
    load_incident,
    runbook_engine,
    source_flags,
    use_config,
)

# The server stack and the tools load when the command runs, not for `holmes serve --help`.
if TYPE_CHECKING:
    from holmes.cli.config import ServerConfig, SlackConfig
    from holmes.server import ServerSettings
    from holmes.server.slack.settings import SlackSettings
    from holmes.tools import Limits, SourceEndpoints, ToolContext


def serve_command(
    host: Annotated[
        str | None, typer.Option(help="Address to listen on [default: 127.0.0.1].")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on [default: 5050].")] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, max=64, help="Concurrent investigations [default: 2].")
    ] = None,
    store: Annotated[
        str | None,
        typer.Option(
            help="Store URL: sqlite:///PATH (default <data dir>/holmes.db) or postgresql://...",
        ),
    ] = None,
    queue_size: Annotated[
        int | None,
        typer.Option(min=1, help="Queued investigations before the API answers 429 [100]."),
    ] = None,
    tokens_file: Annotated[
        Path | None, typer.Option(help="API tokens, one per line (also HOLMES_API_TOKENS).")
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
    lease_seconds: Annotated[
        float, typer.Option(min=1, help="A worker's lease; a dead worker's work resumes after it.")
    ] = 30.0,
    log_level: Annotated[str, typer.Option(help="debug, info, warning, error.")] = "info",
    config: ConfigOption = None,
) -> None:
    """Serve the HTTP API and the Alertmanager webhook, investigating in the background."""
    import uvicorn

    from holmes.server import (
        Investigator,
        create_app,
    )

    flags = source_flags(kubeconfig, context, in_cluster, prometheus_url, hubble_address, timeout)
    server_flags = {
        "server.host": host,
        "server.port": port,
        "server.workers": workers,
        "server.queue_size": queue_size,
        "server.tokens_file": tokens_file,
        "server.store_url": store,
    }
    resolved = use_config(config, **flags, **server_flags, **{"llm.model": model})
    server = resolved.config.server
    sources, limits = endpoints_and_limits()

    _configure_logging(log_level)
    settings = _server_settings(server, resolved.config.slack, lease_seconds)
    llm = None if no_llm else llm_settings(model)
    engine = runbook_engine(runbooks)
    with ExitStack() as stack:
        contexts = tool_contexts(stack, incident, sources, limits)
        investigator = Investigator(
            engine, contexts, llm=llm, limits=agent_limits(),
            conversations=_conversations(settings.store_url) if llm else None,
        )  # fmt: skip
        app = create_app(settings, investigator)
        served = uvicorn.Config(
            app,
            host=server.host,
            port=server.port,
            log_level=log_level,
            timeout_graceful_shutdown=5,
        )
        uvicorn.Server(served).run()


def _configure_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(message)s")
    for chatty in ("httpx", "alembic"):  # a line per tool request or migration step is noise
        logging.getLogger(chatty).setLevel(max(logging.WARNING, logging.getLogger().level))


def _server_settings(
    server: ServerConfig, slack: SlackConfig, lease_seconds: float
) -> ServerSettings:
    """The server's settings from the config's server section: tokens (refusing to serve open
    on a non-loopback address) and the store, opened and migrated once (a bad URL is a usage
    error)."""
    from holmes.cli.config_use import store_url as configured_store_url
    from holmes.server import AuthConfigError, ServerSettings, check_exposure, load_tokens

    try:
        listed = server.api_tokens.get_secret_value() if server.api_tokens else ""
        tokens = load_tokens({"HOLMES_API_TOKENS": listed}, server.tokens_file)
        check_exposure(server.host, tokens)
    except AuthConfigError as error:
        raise typer.BadParameter(str(error), param_hint="--host / --tokens-file") from None
    store_url = configured_store_url(server)
    _check_store(store_url)
    return ServerSettings(
        store_url=store_url,
        host=server.host,
        workers=server.workers,
        queue_size=server.queue_size,
        tokens=tokens,
        lease_seconds=lease_seconds,
        slack=_slack_settings(slack),
    )


def tool_contexts(
    stack: ExitStack, incident: Path | None, sources: SourceEndpoints, limits: Limits
) -> Callable[[], ToolContext]:
    """A fresh tool context per investigation: on the replayed incident (started here, stopped
    with `stack`), else on the live sources (kubectl's default kubeconfig if none is given)."""
    from holmes.tools import ToolContext

    if incident is not None:
        from holmes.evals.replay import replay
        from holmes.evals.runner import context_for

        endpoints = stack.enter_context(replay(load_incident(incident)))

        def replayed() -> ToolContext:
            ctx = context_for(endpoints)
            ctx.limits = limits
            return ctx

        return replayed
    if not sources.has_kubernetes:
        from holmes.cli.inputs import default_kubeconfig

        sources.kubeconfig = default_kubeconfig()
    return lambda: ToolContext(sources, limits=limits)


def _check_store(url: str) -> None:
    """Open and migrate the store once before serving: a bad URL is a usage error."""
    from sqlalchemy.exc import SQLAlchemyError

    from holmes.server import StoreError
    from holmes.server.store import Store
    from holmes.tools.redaction import redact

    try:
        Store.open(url).close()
    except StoreError as error:
        raise typer.BadParameter(redact(str(error)), param_hint="--store") from None
    except SQLAlchemyError as error:
        # The URL may carry a password: the message shows it masked.
        message = f"{url}: {str(error).splitlines()[0]}"
        raise typer.BadParameter(redact(message), param_hint="--store") from None


def _slack_settings(section: SlackConfig) -> SlackSettings | None:
    """The Slack responder's settings: the config's slack section (file, or the SLACK_*
    variables it reads) and the HOLMES_SLACK_* routing variables; None when Slack is off."""
    from holmes.server.slack.settings import SlackConfigError, from_environ

    environ = dict(os.environ)
    for name, variable in (
        ("bot_token", "SLACK_BOT_TOKEN"),
        ("signing_secret", "SLACK_SIGNING_SECRET"),
        ("app_token", "SLACK_APP_TOKEN"),
    ):
        secret = getattr(section, name)
        if secret is not None:
            environ[variable] = secret.get_secret_value()
    try:
        slack = from_environ(environ)
    except SlackConfigError as error:
        raise typer.BadParameter(str(error), param_hint="HOLMES_SLACK_ALERT_ROUTES") from None
    if slack.bot_token and not slack.enabled:
        raise typer.BadParameter(
            "SLACK_BOT_TOKEN is set, but neither SLACK_SIGNING_SECRET (/slack/events) nor "
            "SLACK_APP_TOKEN (Socket Mode): Slack could not reach holmes",
            param_hint="SLACK_SIGNING_SECRET",
        )
    return slack if slack.enabled else None


def _conversations(store_url: str) -> Path:
    """Where the LangGraph checkpointer keeps conversations: the SQLite store's own file, else
    the config's llm.conversations_file (PostgreSQL stores: no PostgreSQL checkpointer is
    installed)."""
    from holmes.cli.config_use import conversations_file
    from holmes.cli.options import current_config

    if store_url.startswith("sqlite:///"):
        return Path(store_url.removeprefix("sqlite:///"))
    return conversations_file(current_config(), os.environ)
