"""Pod logs of the replay: `GET .../pods/<pod>/log` with the kubelet's query options.

Called by `kubernetes_router` for the `pods/log` subresource. Picks the container the way
the API server does (and refuses with its words), then applies the kubelet's options to the
recorded text: `tailLines` first, then `sinceSeconds`/`sinceTime` (relative to the incident's
time, never the wall clock), then `timestamps`, then `limitBytes`. A line is dated by an RFC 3339
time that opens it (the prefix of `kubectl logs --timestamps`, or the application's own); an
undated line belongs to the dated line above it, and a log with no dates is kept whole.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt

from holmes.evals.bundle import Bundle, ContainerLog, parse_rfc3339


class LogRequestError(ValueError):
    """A log request the API server answers with 400 BadRequest; the message is its words."""


class LogOptions(BaseModel):
    """The query parameters of a log request (PodLogOptions), already parsed."""

    model_config = ConfigDict(frozen=True)

    container: str = ""
    previous: bool = False
    timestamps: bool = False
    tail_lines: NonNegativeInt | None = None
    since_seconds: int | None = Field(default=None, gt=0)
    since_time: datetime | None = None
    limit_bytes: int | None = Field(default=None, gt=0)


def parse_log_options(query: dict[str, str]) -> LogOptions:
    """Read PodLogOptions from a query string; raise `LogRequestError` on a bad value."""
    if query.get("sinceSeconds") and query.get("sinceTime"):
        raise LogRequestError("at most one of `sinceTime` or `sinceSeconds` may be specified")
    try:
        return LogOptions(
            container=query.get("container", ""),
            previous=_flag(query.get("previous")),
            timestamps=_flag(query.get("timestamps")),
            tail_lines=_integer(query.get("tailLines")),
            since_seconds=_integer(query.get("sinceSeconds")),
            since_time=parse_rfc3339(query["sinceTime"]) if query.get("sinceTime") else None,
            limit_bytes=_integer(query.get("limitBytes")),
        )
    except ValueError as error:
        raise LogRequestError(f"invalid log options: {error}") from error


def _flag(value: str | None) -> bool:
    return (value or "").lower() in ("true", "1")


def _integer(value: str | None) -> int | None:
    return int(value) if value not in (None, "") else None


def choose_container(pod: dict[str, Any], requested: str) -> str:
    """The container whose log is asked for, or the API server's 400 message."""
    spec = pod.get("spec") or {}
    name = pod["metadata"]["name"]
    containers = [c.get("name", "") for c in spec.get("containers") or []]
    init_containers = [c.get("name", "") for c in spec.get("initContainers") or []]
    if not requested:
        if len(containers) == 1:
            return containers[0]
        if not containers:
            raise LogRequestError(f"a container name must be specified for pod {name}")
        message = (
            f"a container name must be specified for pod {name}, "
            f"choose one of: [{' '.join(containers)}]"
        )
        if init_containers:
            message += f" or one of the init containers: [{' '.join(init_containers)}]"
        raise LogRequestError(message)
    ephemeral = [c.get("name", "") for c in spec.get("ephemeralContainers") or []]
    if requested not in (*containers, *init_containers, *ephemeral):
        raise LogRequestError(f"container {requested} is not valid for pod {name}")
    return requested


def find_log(
    bundle: Bundle, namespace: str, pod: str, container: str, previous: bool
) -> ContainerLog | None:
    """The recorded log of one container instance, if the bundle has it."""
    for log in bundle.logs:
        if (log.namespace, log.pod, log.container, log.previous) == (
            namespace,
            pod,
            container,
            previous,
        ):
            return log
    return None


# Any RFC 3339 time opening a line dates it (for sinceSeconds / sinceTime) ...
_STAMP = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2}) ")
# ... but only the kubelet's own prefix (RFC3339NanoFixed: nine digits, UTC) is what
# `--timestamps` added and may be stripped; any other leading time is the application's text.
_KUBELET_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z ")


def line_time(line: str) -> datetime | None:
    """The time an RFC 3339 prefix gives a line, else None."""
    match = _STAMP.match(line)
    if match is None:
        return None
    fraction = (match[2] or "")[:7]  # Python parses microseconds; kubelet writes nanoseconds
    zone = "+00:00" if match[3] == "Z" else match[3]
    try:
        return datetime.fromisoformat(match[1] + fraction + zone).astimezone(UTC)
    except ValueError:
        return None  # looks like a time but is not one (month 13): undated text


def _dated_lines(text: str) -> list[tuple[str, datetime | None]]:
    """Each line with its time; an undated line (a traceback's continuation) takes the time of
    the last dated line before it, and lines before any dated one stay undated (always kept)."""
    dated: list[tuple[str, datetime | None]] = []
    current: datetime | None = None
    for line in text.splitlines(keepends=True):
        current = line_time(line) or current
        dated.append((line, current))
    return dated


def render_log(text: str, options: LogOptions, now: datetime) -> bytes:
    """The log body for these options; `now` is the incident's time."""
    lines = _dated_lines(text)
    if options.tail_lines is not None:
        lines = lines[len(lines) - options.tail_lines :] if options.tail_lines else []
    since = options.since_time
    if options.since_seconds is not None:
        since = now - timedelta(seconds=options.since_seconds)
    if since is not None:
        lines = [(line, when) for line, when in lines if when is None or when >= since]
    if options.timestamps:
        body = "".join(line for line, _ in lines)
    else:
        body = "".join(_KUBELET_PREFIX.sub("", line, count=1) for line, _ in lines)
    encoded = body.encode("utf-8")
    if options.limit_bytes is not None:
        encoded = encoded[: options.limit_bytes]
    return encoded
