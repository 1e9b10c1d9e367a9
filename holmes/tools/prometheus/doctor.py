"""`holmes doctor`'s checks of Prometheus: reachable (build info), and the series the GPU and
workload runbooks read present: NVIDIA DCGM (with the fields each runbook needs) and
kube-state-metrics.

Called by `holmes doctor` with the investigation's `ToolContext` and, from the runbooks, which
DCGM fields each one reads. Series are looked up by name over the last hour before "now" (the
incident's time in a replay), as the tools query them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta

from holmes.tools.base import ToolFailure
from holmes.tools.checks import Check
from holmes.tools.context import ToolContext
from holmes.tools.prometheus.client import PrometheusClient, prometheus
from holmes.tools.prometheus.errors import SOURCE
from holmes.tools.prometheus.gpu_state import CLOCK_REASON_METRICS

WINDOW = timedelta(hours=1)
# Fields that are one fact under two names (dcgm-exporter renamed it): either one will do.
_ALTERNATIVES = {name: set(CLOCK_REASON_METRICS) for name in CLOCK_REASON_METRICS}
_DCGM_FIX = (
    "run NVIDIA dcgm-exporter (the GPU Operator installs it) and let Prometheus scrape it "
    "(ServiceMonitor or scrape config)"
)
_KSM_FIX = "run kube-state-metrics and let Prometheus scrape it (kube-prometheus-stack does)"


async def prometheus_checks(
    ctx: ToolContext, dcgm_needs: Mapping[str, Sequence[str]]
) -> list[Check]:
    """Reachability, then DCGM, the fields of `dcgm_needs` (field -> runbooks), and KSM."""
    if not ctx.endpoints.prometheus_url:
        return [
            Check(
                source=SOURCE,
                name="configured",
                status="warn",
                detail="no Prometheus URL: the GPU and metrics runbooks will have no evidence",
                fix="pass --prometheus-url or set HOLMES_PROMETHEUS_URL",
            )
        ]
    client = prometheus(ctx)
    try:
        info = await client.build_info()
    except ToolFailure as failure:
        return [_unusable(failure)]
    reached = Check(
        source=SOURCE,
        name="version",
        status="ok",
        detail=f"Prometheus {info.get('version', '?')} at {client.url}",
    )
    try:
        dcgm = await _names(ctx, client, "DCGM_FI_.*")
        kube_state = await _names(ctx, client, "kube_.*")
    except ToolFailure as failure:
        failed = Check(source=SOURCE, name="series", status="fail", detail=failure.error.message)
        return [reached, failed]
    return [reached, *_dcgm_checks(dcgm, dcgm_needs), _kube_state_check(kube_state)]


def _unusable(failure: ToolFailure) -> Check:
    fix = (
        "the server refused the credentials: set the auth header it expects"
        if failure.error.kind == "forbidden"
        else "check --prometheus-url (or HOLMES_PROMETHEUS_URL): the address, the scheme and "
        "that it is reachable from here"
    )
    return Check(
        source=SOURCE, name="reachable", status="fail", detail=failure.error.message, fix=fix
    )


async def _names(ctx: ToolContext, client: PrometheusClient, pattern: str) -> set[str]:
    end = ctx.now()
    names, _ = await client.label_values(
        "__name__", start=end - WINDOW, end=end, match=f'{{__name__=~"{pattern}"}}'
    )
    return set(names)


def _dcgm_checks(present: set[str], needs: Mapping[str, Sequence[str]]) -> list[Check]:
    if not present:
        return [
            Check(
                source=SOURCE,
                name="DCGM",
                status="warn",
                detail="no DCGM_FI_* series in the last hour: the GPU runbooks have no evidence",
                fix=_DCGM_FIX,
            )
        ]
    found = Check(
        source=SOURCE, name="DCGM", status="ok", detail=f"{len(present)} DCGM fields exported"
    )
    missing: dict[str, list[str]] = {}
    for field, runbooks in sorted(needs.items()):
        if not (_ALTERNATIVES.get(field, {field}) & present):
            for runbook in runbooks:
                missing.setdefault(runbook, []).append(field)
    if not missing:
        fields = Check(
            source=SOURCE,
            name="DCGM fields",
            status="ok",
            detail=f"every field the runbooks read is exported ({len(needs)})",
        )
        return [found, fields]
    detail = "; ".join(f"{runbook} lacks {', '.join(f)}" for runbook, f in sorted(missing.items()))
    fix = (
        "add the fields to dcgm-exporter's counters file (its -f/--collectors CSV; the "
        "default file leaves some out)"
    )
    return [found, Check(source=SOURCE, name="DCGM fields", status="warn", detail=detail, fix=fix)]


def _kube_state_check(present: set[str]) -> Check:
    if any(name.startswith("kube_pod_") for name in present):
        return Check(
            source=SOURCE,
            name="kube-state-metrics",
            status="ok",
            detail=f"{len(present)} kube_* series names",
        )
    return Check(
        source=SOURCE,
        name="kube-state-metrics",
        status="warn",
        detail="no kube_pod_* series in the last hour: restarts, OOM kills and job status "
        "history are missing",
        fix=_KSM_FIX,
    )
