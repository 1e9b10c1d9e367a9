"""`holmes doctor`: check that the configured sources work for holmes, one line per check.

Kubernetes: reachable and authenticated (server version), the DRA API versions served, the
read permissions the tools need and any write verb held (SelfSubjectAccessReview).
Prometheus: reachable (build info), DCGM series present and the DCGM fields each runbook reads,
kube-state-metrics present. Hubble: the Relay reachable (ServerStatus: version, flows), its
nodes connected and unavailable. LLM: the endpoint and model answer a one-token request.
Store: the server's store writable (SQLite file or folder; PostgreSQL `SELECT 1`).
Each line that is not ok says how to fix it. Exit 0 when nothing failed (warnings allowed), 1
otherwise; `--json` prints the checks as JSON. Sources, LLM and store come from the config
(file, environment, flags: see `holmes config show`).
"""

from __future__ import annotations

import asyncio
import json
import re
from contextlib import ExitStack
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
    current_config,
    endpoints_and_limits,
    llm_settings,
    load_incident,
    load_runbook_set,
    source_flags,
    use_config,
)

if TYPE_CHECKING:
    from holmes.agent.engine.rules import LoadedRunbook
    from holmes.agent.llm import LLMSettings
    from holmes.tools import ToolContext
    from holmes.tools.checks import Check

_DCGM_FIELD = re.compile(r"\bDCGM_FI_[A-Z0-9_]*[A-Z0-9]\b")
_MARKS = {"ok": "ok", "warn": "WARN", "fail": "FAIL"}


def doctor_command(
    incident: IncidentOption = None,
    kubeconfig: KubeconfigOption = None,
    context: ContextOption = None,
    in_cluster: InClusterOption = None,
    prometheus_url: PrometheusOption = None,
    hubble_address: HubbleOption = None,
    runbooks: RunbooksOption = None,
    timeout: TimeoutOption = None,
    model: Annotated[str | None, typer.Option(help="LLM model (or Azure deployment).")] = None,
    no_llm: Annotated[bool, typer.Option("--no-llm", help="Skip the LLM check.")] = False,
    store: Annotated[
        str | None, typer.Option(help="Store URL to check (else the config's server.store_url).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the checks as JSON.")] = False,
    config: ConfigOption = None,
) -> None:
    """Check the configured sources: reachable, versions, series, permissions, with fixes."""
    from holmes.agent.engine.rules import RunbookError
    from holmes.cli.config_use import store_url
    from holmes.evals.replay import replay
    from holmes.evals.runner import context_for
    from holmes.tools import ToolContext

    flags = source_flags(kubeconfig, context, in_cluster, prometheus_url, hubble_address, timeout)
    use_config(config, **flags | {"runbooks.folders": runbooks, "server.store_url": store})
    endpoints, limits = endpoints_and_limits()
    llm = None if no_llm else llm_settings(model)
    store_at = store_url(current_config().config.server)

    try:
        needs = dcgm_fields_by_runbook(load_runbook_set(runbooks))
    except RunbookError as error:
        raise typer.BadParameter(str(error), param_hint="--runbooks") from error
    with ExitStack() as stack:
        if incident is not None:
            ctx = context_for(stack.enter_context(replay(load_incident(incident))))
        else:
            ctx = ToolContext(endpoints)
        ctx.limits = limits
        checks = asyncio.run(_run(ctx, needs, None if no_llm else llm, check_llm=not no_llm))
    checks.append(_store(store_at, limits.timeout_seconds))
    if as_json:
        typer.echo(json.dumps([check.model_dump() for check in checks], indent=2))
    else:
        for line in check_lines(checks):
            typer.echo(line)
    if any(check.status == "fail" for check in checks):
        raise typer.Exit(1)


async def _run(
    ctx: ToolContext, needs: dict[str, list[str]], llm: LLMSettings | None, *, check_llm: bool
) -> list[Check]:
    """The source checks and the LLM's, concurrently, in a fixed order."""
    from holmes.agent.llm.probe import llm_checks
    from holmes.tools.hubble.doctor import hubble_checks
    from holmes.tools.kubernetes.doctor import kubernetes_checks
    from holmes.tools.prometheus.doctor import prometheus_checks

    async def no_check() -> list[Check]:
        return []

    try:
        groups = await asyncio.gather(
            kubernetes_checks(ctx),
            prometheus_checks(ctx, needs),
            hubble_checks(ctx),
            llm_checks(llm) if check_llm else no_check(),
        )
    finally:
        await ctx.aclose()
    return [check for group in groups for check in group]


def _store(url: str, timeout: float) -> Check:
    from holmes.cli.doctor_store import store_check

    return store_check(url, timeout)


def dcgm_fields_by_runbook(loaded: list[LoadedRunbook]) -> dict[str, list[str]]:
    """DCGM field -> the ids of the runbooks whose file names it (queries, findings, guidance)."""
    needs: dict[str, list[str]] = {}
    for item in loaded:
        for field in sorted(set(_DCGM_FIELD.findall(item.path.read_text(encoding="utf-8")))):
            needs.setdefault(field, []).append(item.runbook.id)
    return needs


def check_lines(checks: list[Check]) -> list[str]:
    """One line per check (status, source, name, detail), then its fix, indented, if any."""
    lines = []
    for check in checks:
        lines.append(
            f"{_MARKS[check.status]:<5} {check.source:<11} {check.name:<18} {check.detail}"
        )
        if check.fix and check.status != "ok":
            lines.append(f"{'':<36} fix: {check.fix}")
    return lines
