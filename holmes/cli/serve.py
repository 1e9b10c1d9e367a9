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
    ContextOption,
    HubbleOption,
    IncidentOption,
    KubeconfigOption,
    PrometheusOption,
    RunbooksOption,
    agent_limits,
    llm_settings,
    load_incident,
    runbook_engine,
)

# The server stack and the tools load when the command runs, not for `holmes serve --help`.
if TYPE_CHECKING:
    from holmes.tools import Limits, SourceEndpoints, ToolContext


def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 5050,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Concurrent investigations.")] = 2,
    store: Annotated[
        str | None,
        typer.Option(
            help="Store URL: sqlite:///PATH (default <data dir>/holmes.db) or postgresql://...",
            envvar="HOLMES_STORE_URL",
        ),
    ] = None,
    queue_size: Annotated[
        int, typer.Option(min=1, help="Queued investigations before the API answers 429.")
    ] = 100,
    tokens_file: Annotated[
        Path | None, typer.Option(help="API tokens, one per line (also HOLMES_API_TOKENS).")
    ] = None,
    incident: IncidentOption = None,
    kubeconfig: KubeconfigOption = None,
    context: ContextOption = None,
    in_cluster: Annotated[bool, typer.Option(help="Use the pod's service account.")] = False,
    prometheus_url: PrometheusOption = None,
    hubble_address: HubbleOption = None,
    runbooks: RunbooksOption = None,
    timeout: Annotated[float, typer.Option(help="Seconds one tool call may take.")] = 10.0,
    no_llm: Annotated[bool, typer.Option("--no-llm", help="Use the runbook engine only.")] = False,
    model: Annotated[str | None, typer.Option(help="LLM model (or Azure deployment).")] = None,
    lease_seconds: Annotated[
        float, typer.Option(min=1, help="A worker's lease; a dead worker's work resumes after it.")
    ] = 30.0,
    log_level: Annotated[str, typer.Option(help="debug, info, warning, error.")] = "info",
) -> None:
    """Serve the HTTP API and the Alertmanager webhook, investigating in the background."""
    import uvicorn

    from holmes.server import (
        AuthConfigError,
        Investigator,
        ServerSettings,
        check_exposure,
        create_app,
        default_store_url,
        load_tokens,
    )
    from holmes.tools import Limits, SourceEndpoints

    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(message)s")
    for chatty in ("httpx", "alembic"):  # a line per tool request or migration step is noise
        logging.getLogger(chatty).setLevel(max(logging.WARNING, logging.getLogger().level))
    try:
        tokens = load_tokens(dict(os.environ), tokens_file)
        check_exposure(host, tokens)
    except AuthConfigError as error:
        raise typer.BadParameter(str(error), param_hint="--host / --tokens-file") from None
    store_url = store or default_store_url()
    _check_store(store_url)
    slack = _slack_settings()
    settings = ServerSettings(
        store_url=store_url,
        host=host,
        workers=workers,
        queue_size=queue_size,
        tokens=tokens,
        lease_seconds=lease_seconds,
        slack=slack,
    )
    llm = None if no_llm else llm_settings(model)
    engine = runbook_engine(runbooks)
    sources = SourceEndpoints(
        kubeconfig=kubeconfig, kube_context=context, in_cluster=in_cluster,
        prometheus_url=prometheus_url, hubble_address=hubble_address,
    )  # fmt: skip
    with ExitStack() as stack:
        contexts = tool_contexts(stack, incident, sources, Limits(timeout_seconds=timeout))
        investigator = Investigator(
            engine, contexts, llm=llm, limits=agent_limits(),
            conversations=_conversations(store_url) if llm else None,
        )  # fmt: skip
        app = create_app(settings, investigator)
        config = uvicorn.Config(
            app, host=host, port=port, log_level=log_level, timeout_graceful_shutdown=5
        )
        uvicorn.Server(config).run()


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


def _slack_settings():  # type: ignore[no-untyped-def]
    """The Slack responder's settings from the environment; None when Slack is not enabled."""
    from holmes.server.slack.settings import SlackConfigError, from_environ

    try:
        slack = from_environ(os.environ)
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
    $HOLMES_CONVERSATIONS (PostgreSQL stores: no PostgreSQL checkpointer is installed)."""
    from holmes.agent.conversations import conversation_file

    if store_url.startswith("sqlite:///"):
        return Path(store_url.removeprefix("sqlite:///"))
    return conversation_file(os.environ)
