"""`holmes doctor`: check that the configured sources work for holmes, one line per check.

Kubernetes: reachable and authenticated (server version), the DRA API versions served, the
read permissions the tools need and any write verb held (SelfSubjectAccessReview).
Prometheus: reachable (build info), DCGM series present and the DCGM fields each runbook reads,
kube-state-metrics present. Each line that is not ok says how to fix it. Exit 0 when nothing
failed (warnings allowed), 1 otherwise; `--json` prints the checks as JSON.
"""

from __future__ import annotations

import asyncio
import json
import re
from contextlib import ExitStack
from typing import TYPE_CHECKING, Annotated

import typer

from holmes.cli.options import (
    ContextOption,
    IncidentOption,
    KubeconfigOption,
    PrometheusOption,
    RunbooksOption,
    default_kubeconfig,
    load_incident,
    load_runbook_set,
)

if TYPE_CHECKING:
    from holmes.agent.runbooks import LoadedRunbook
    from holmes.tools import ToolContext
    from holmes.tools.checks import Check

_DCGM_FIELD = re.compile(r"\bDCGM_FI_[A-Z0-9_]*[A-Z0-9]\b")
_MARKS = {"ok": "ok", "warn": "WARN", "fail": "FAIL"}


def doctor_command(
    incident: IncidentOption = None,
    kubeconfig: KubeconfigOption = None,
    context: ContextOption = None,
    in_cluster: Annotated[bool, typer.Option(help="Use the pod's service account.")] = False,
    prometheus_url: PrometheusOption = None,
    runbooks: RunbooksOption = None,
    timeout: Annotated[float, typer.Option(help="Seconds each source may take.")] = 10.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the checks as JSON.")] = False,
) -> None:
    """Check the configured sources: reachable, versions, series, permissions, with fixes."""
    from holmes.agent.runbooks import RunbookError
    from holmes.evals.replay import replay
    from holmes.evals.runner import context_for
    from holmes.tools import Limits, SourceEndpoints, ToolContext

    try:
        needs = dcgm_fields_by_runbook(load_runbook_set(runbooks))
    except RunbookError as error:
        raise typer.BadParameter(str(error), param_hint="--runbooks") from error
    with ExitStack() as stack:
        if incident is not None:
            ctx = context_for(stack.enter_context(replay(load_incident(incident))))
        else:
            endpoints = SourceEndpoints(
                kubeconfig=kubeconfig,
                kube_context=context,
                in_cluster=in_cluster,
                prometheus_url=prometheus_url,
            )
            if not endpoints.has_kubernetes:
                endpoints.kubeconfig = default_kubeconfig()
            ctx = ToolContext(endpoints)
        ctx.limits = Limits(timeout_seconds=timeout)
        checks = asyncio.run(_run(ctx, needs))
    if as_json:
        typer.echo(json.dumps([check.model_dump() for check in checks], indent=2))
    else:
        for line in check_lines(checks):
            typer.echo(line)
    if any(check.status == "fail" for check in checks):
        raise typer.Exit(1)


async def _run(ctx: ToolContext, needs: dict[str, list[str]]) -> list[Check]:
    from holmes.tools.kubernetes.doctor import kubernetes_checks
    from holmes.tools.prometheus.doctor import prometheus_checks

    try:
        kubernetes, prometheus = await asyncio.gather(
            kubernetes_checks(ctx), prometheus_checks(ctx, needs)
        )
    finally:
        await ctx.aclose()
    return [*kubernetes, *prometheus]


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
