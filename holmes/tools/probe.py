"""A first word with each configured source: a dead one costs one timeout, not one per stage.

An investigation reaches its sources in stages: triage reads Kubernetes, then the runbooks that
triage's findings point at read Prometheus, then the others read Hubble. With every source hung,
each stage would wait out its own timeout. `probe_sources` asks each configured source a trivial
question (Kubernetes `/version`, Prometheus the query `1`, Hubble `ServerStatus`) concurrently, at
the start; a source that does not answer within the tool timeout, or cannot be reached, is
recorded as down in the context's health, so every later call to it fails at once and every
call already waiting on it is released. A probe's other failures (5xx, 401/403, a bad body) are
not recorded: the real calls find and report those themselves.

The runbook engine starts it beside triage and cancels it when it is done; nothing waits for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from holmes.tools.base import ToolError, ToolFailure
from holmes.tools.context import ToolContext
from holmes.tools.hubble.client import probe as hubble_probe
from holmes.tools.kubernetes.client import probe as kubernetes_probe
from holmes.tools.prometheus.client import probe as prometheus_probe
from holmes.tools.redaction import redact

Probe = Callable[[ToolContext], Awaitable[None]]


async def probe_sources(ctx: ToolContext) -> None:
    """Probe every configured source at once; those found down are recorded in `ctx.health`."""
    endpoints = ctx.endpoints
    probes: dict[str, Probe] = {}
    if endpoints.has_kubernetes:
        probes["kubernetes"] = kubernetes_probe
    if endpoints.prometheus_url:
        probes["prometheus"] = prometheus_probe
    if endpoints.hubble_address:
        probes["hubble"] = hubble_probe
    await asyncio.gather(*(_probe(source, run, ctx) for source, run in probes.items()))


async def _probe(source: str, run: Probe, ctx: ToolContext) -> None:
    limit = ctx.limits.timeout_seconds
    try:
        await asyncio.wait_for(run(ctx), limit)
    except ToolFailure as failure:
        error = failure.error
    except TimeoutError:
        error = ToolError(
            source=source,
            kind="timeout",
            message=f"{source} did not answer within {limit:g} s",
            fault="timeout",
            endpoint=ctx.endpoint(source),
        )
    except Exception:
        return
    else:
        return
    error.message = redact(error.message)
    error.endpoint = redact(error.endpoint) if error.endpoint else None
    ctx.health.record_if_down(error)
