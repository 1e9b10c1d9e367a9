"""`kubernetes_logs`: a container's log, compacted so the decisive lines survive.

Called through the registry. Reads the pod first (to pick the container, to name the choices
when the one asked for does not exist, and to see restarts), then the log with the kubelet's
timestamps, then compacts it with `shaping.logs.compact_log` under the output bound. With no
container named, every container of the pod is read, in parallel, each with an equal share of
the bound. The data holds, per instance, the log's decisive lines as typed facts
(`shaping.log_signals`).

When the container has restarted and `previous` was not asked for, both the current and the
previous instance's logs are fetched and shown (half the budget each): in a crash loop the
current instance has often just started and logged nothing useful, while the previous one
holds the crash; one extra request saves the agent a round trip and the runbook engine a
second step.
"""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, Field

from holmes.tools.base import Tool, ToolFailure, ToolOutput
from holmes.tools.context import ToolContext
from holmes.tools.facts.text import clip
from holmes.tools.kubernetes import pods
from holmes.tools.kubernetes.arguments import Namespace, OptionalContainerName, PodName
from holmes.tools.kubernetes.client import KubeSession, Query, session
from holmes.tools.kubernetes.common import full_name, parse_duration
from holmes.tools.kubernetes.errors import SOURCE
from holmes.tools.kubernetes.related import quietly
from holmes.tools.kubernetes.resources import ResourceRef, get_object, resolve
from holmes.tools.shaping.log_signals import log_signals
from holmes.tools.shaping.logs import compact_log

_LIMIT_BYTES = 32 * 1024 * 1024  # a log bigger than this is cut by the kubelet, and we say so
_MIN_SECTION = 200  # characters a section gets however small the bound (then the registry cuts)


class LogsInput(BaseModel):
    """Arguments of kubernetes_logs."""

    namespace: Namespace = Field(description="Namespace of the pod.")
    name: PodName = Field(description="Pod name.")
    container: OptionalContainerName = Field(
        None, description="Container name; when left out, every container of the pod is read."
    )
    previous: bool = Field(
        False,
        description="Read the previous (crashed) instance's log only. When false and the "
        "container restarted, both the current and the previous logs are shown.",
    )
    tail_lines: int = Field(
        5000, ge=1, le=200_000, description="Read only the last N lines of the log."
    )
    since: str | None = Field(
        None, description="Only lines from this duration before now, e.g. 10m, 1h."
    )
    grep: str | None = Field(
        None, description="Regular expression; keep only matching lines (case-insensitive)."
    )


class KubernetesLogs(Tool):
    """Compacted container logs."""

    name = "kubernetes_logs"
    toolset = "kubernetes"
    description = (
        "Read a container's log (current and, after restarts, the previous crashed instance; "
        "every container of the pod when none is named) and return it compacted: "
        "error/exception/fatal/panic lines with their stack traces "
        "kept, repeated lines folded with counts, the last lines kept, first and last "
        "timestamps stated, and how many lines were read and left out. Use grep (a regular "
        "expression) to look for something specific, since (e.g. 30m) to narrow the window."
    )
    Input = LogsInput

    async def run(self, args: LogsInput, ctx: ToolContext) -> ToolOutput:
        """Pick the container(s), fetch the log(s), compact them.

        Without a container on a pod of several, every container is read (the budget shared
        equally): a sidecar's log holds the fault as often as the main container's.
        """
        pattern = _compile(args.grep)
        since = parse_duration(args.since) if args.since else None
        kube = session(ctx)
        pod_ref = await resolve(kube, "v1", "Pod")
        pod = await get_object(kube, pod_ref, args.name, args.namespace)
        chosen = containers_to_read(pod, args.container)
        if len(chosen) == 1:
            budget = ctx.limits.max_output_chars
            text, data = await _read(
                kube, pod_ref, pod, chosen[0], args, ctx, budget, pattern, since
            )
            return ToolOutput(data=data, text=text)
        head = f"logs of {full_name(pod)}: {len(chosen)} containers ({', '.join(chosen)})"
        share = (ctx.limits.max_output_chars - len(head) - 1) // len(chosen) - 1
        read = await asyncio.gather(
            *(_read(kube, pod_ref, pod, name, args, ctx, share, pattern, since) for name in chosen)
        )
        data = {"pod": full_name(pod), "container": None, "containers": [d for _, d in read]}
        return ToolOutput(data=data, text="\n".join([head, *(text for text, _ in read)]))


async def _read(
    kube: KubeSession,
    pod_ref: ResourceRef,
    pod: dict[str, Any],
    container: str,
    args: LogsInput,
    ctx: ToolContext,
    budget: int,
    pattern: re.Pattern[str] | None,
    since: timedelta | None,
) -> tuple[str, dict[str, Any]]:
    """One container's log(s) within `budget` characters: its text and data."""
    status = _status(pod, container)
    restarts = int(status.get("restartCount") or 0)
    query: Query = [("container", container), ("timestamps", "true")]
    query.append(("tailLines", str(args.tail_lines)))
    query.append(("limitBytes", str(_LIMIT_BYTES)))
    if since is not None:
        query.append(("sinceSeconds", str(max(1, int(since.total_seconds())))))
    path = pod_ref.path(args.namespace, args.name, "log")
    both = not args.previous and restarts > 0
    state = clip(pods.state_text(status.get("state"), ctx.now()), 160)
    head = f"logs of {full_name(pod)} container {container} (restarts {restarts}, state {state})"
    budget = budget - len(head) - 1
    sections, data = [head], {"pod": full_name(pod), "container": container}
    if args.previous or both:
        text = await _fetch(kube, path, [*query, ("previous", "true")], args.previous)
        share = budget // 2 if both else budget
        sections.append(_section("previous instance", text, pattern, share, data, args))
    if not args.previous:
        text = await _fetch(kube, path, query, True)
        share = budget - sum(len(s) + 1 for s in sections[1:]) if both else budget
        sections.append(_section("current instance", text, pattern, share, data, args))
    return "\n".join(sections), data


def containers_to_read(pod: dict[str, Any], requested: str | None) -> list[str]:
    """The container asked for, else every container of the pod (init containers when it has
    no other); bad_arguments listing the choices when the one asked for does not exist."""
    if requested:
        return [choose_container(pod, requested)]
    names = [c.get("name", "") for c in pods.containers(pod)]
    return names or [c.get("name", "") for c in pods.containers(pod, init=True)][:1] or [""]


def choose_container(pod: dict[str, Any], requested: str | None) -> str:
    """The container to read; bad_arguments listing the choices when it is ambiguous or wrong."""
    names = [c.get("name", "") for c in pods.containers(pod)]
    init = [c.get("name", "") for c in pods.containers(pod, init=True)]
    ephemeral = [
        c.get("name", "") for c in (pod.get("spec") or {}).get("ephemeralContainers") or []
    ]
    choices = f"containers: {', '.join(names)}" + (
        f"; init containers: {', '.join(init)}" if init else ""
    )
    if requested:
        if requested in (*names, *init, *ephemeral):
            return requested
        raise ToolFailure(
            SOURCE,
            "bad_arguments",
            f"pod {full_name(pod)} has no container {requested!r}; {choices}",
        )
    if len(names) == 1:
        return names[0]
    raise ToolFailure(
        SOURCE,
        "bad_arguments",
        f"pod {full_name(pod)} has {len(names)} containers; say which one ({choices})",
    )


def _status(pod: dict[str, Any], container: str) -> dict[str, Any]:
    found = pods.statuses(pod) + pods.statuses(pod, init=True)
    return next((s for s in found if s.get("name") == container), {})


def _compile(grep: str | None) -> re.Pattern[str] | None:
    if not grep:
        return None
    try:
        return re.compile(grep, re.IGNORECASE)
    except re.error as error:
        raise ToolFailure(
            SOURCE, "bad_arguments", f"grep: invalid regular expression: {error}"
        ) from error


async def _fetch(kube: KubeSession, path: str, query: Query, required: bool) -> str | ToolFailure:
    """The log text; when not `required`, a failure (no previous instance) is returned."""
    if required:
        return await kube.text(path, query)
    return await quietly(kube.text(path, query))


def _section(
    label: str,
    text: str | ToolFailure,
    pattern: re.Pattern[str] | None,
    budget: int,
    data: dict[str, Any],
    args: LogsInput,
) -> str:
    key = label.split()[0]
    if isinstance(text, ToolFailure):
        data[key] = {"error": text.error.message}
        return f"== {label}: no log available ({text.error.message})"
    note = ""
    if pattern is not None:
        lines = text.splitlines()
        kept = [line for line in lines if pattern.search(line)]
        note = f"; grep {args.grep!r} matched {len(kept)} of {len(lines)} lines"
        text = "\n".join(kept)
    window = f"last {args.tail_lines} lines" + (f", since {args.since}" if args.since else "")
    lines_read = text.rstrip("\n").count("\n") + 1 if text.strip() else 0
    if pattern is None and lines_read >= args.tail_lines:
        note += f"; the log is longer: raise tail_lines (now {args.tail_lines}) to read more"
    title = f"== {label} log ({window}{note}):"
    compact = compact_log(text, max_chars=max(_MIN_SECTION, budget - len(title) - 1))
    data[key] = {
        "lines_read": compact.lines_read,
        "lines_shown": compact.lines_shown,
        "lines_folded": compact.lines_folded,
        "first_time": compact.first_time,
        "last_time": compact.last_time,
        "error_records": compact.error_records,
        # The decisive lines as typed facts (shaping.log_signals), read by the evidence sweep.
        "signals": [signal.model_dump() for signal in log_signals(text)],
    }
    return f"{title}\n{compact.text}"
