"""A small async client of the Prometheus HTTP API (v1), shared by one investigation's tools.

The Prometheus tools get it with `prometheus(ctx)` at the start of `run`: a `PrometheusClient`
over the investigation's one `httpx.AsyncClient` (`PrometheusConnection`, created on first use
through `ctx.client`, carrying the configured auth headers). All requests of one tool call share
a deadline derived from `ctx.limits.timeout_seconds` (a little under it, so that this client,
which can name the address, reports the timeout rather than the registry), and every failure
leaves as a `ToolFailure` made by `errors.py`, the httpx error chained as the cause.

Answers are parsed into plain models: `Sample` (instant vector), `SeriesPoints` (matrix),
`Scalar` (scalar or string), with Prometheus's string values turned into floats.
"""

from __future__ import annotations

import asyncio
import math
import ssl
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import BaseModel, Field

from holmes.tools.context import PrometheusTLS, ToolContext
from holmes.tools.prometheus import errors
from holmes.tools.recorder import SourceRecorder

# Our timeout is this share of the call's limit so that it fires before the registry's.
_TIMEOUT_SHARE = 0.9


class Sample(BaseModel):
    """One series of an instant vector at its evaluation time."""

    labels: dict[str, str]
    value: float


class SeriesPoints(BaseModel):
    """One series of a matrix: (unix seconds, value) points in time order."""

    labels: dict[str, str]
    points: list[tuple[float, float]]


class Scalar(BaseModel):
    """A scalar or string result."""

    value: float | str


class QueryResult(BaseModel):
    """What a query returned, by result type, with the server's warnings."""

    result_type: str
    vector: list[Sample] = Field(default_factory=list)
    matrix: list[SeriesPoints] = Field(default_factory=list)
    scalar: Scalar | None = None
    warnings: list[str] = Field(default_factory=list)


class PrometheusConnection:
    """The investigation's connections to the Prometheus HTTP API at `url` (one httpx client).

    Shared by every tool call of the investigation and closed by `ctx.aclose()`. Tools do not
    use it directly: `prometheus(ctx)` wraps it in a `PrometheusClient` with the call's deadline.
    """

    def __init__(
        self, url: str, headers: dict[str, str], limit: float, tls: PrometheusTLS | None = None
    ) -> None:
        self.url = url.rstrip("/")
        self.limit = limit
        # httpx bounds each phase (connect, write, read) on its own; the per-call deadline of
        # PrometheusClient bounds them all together.
        self._http = httpx.AsyncClient(
            base_url=self.url + "/",
            headers=headers,
            timeout=httpx.Timeout(limit * _TIMEOUT_SHARE),
            verify=_verify(tls),
        )

    async def send(
        self, method: str, path: str, params: dict[str, Any], deadline: float
    ) -> tuple[Any, list[str]]:
        """One request that must be answered by `deadline` (event loop time): data + warnings."""
        try:
            async with asyncio.timeout_at(deadline):
                if method == "GET":
                    response = await self._http.get(path, params=params)
                else:
                    response = await self._http.post(path, data=params)
        except (TimeoutError, httpx.HTTPError) as error:
            raise errors.from_transport(error, self.url, self.limit) from error
        try:
            body = response.json()
        except ValueError:
            body = None
        failure = errors.from_response(response, body, self.url)
        if failure is not None:
            raise failure
        return body.get("data"), [str(w) for w in body.get("warnings") or []]

    async def aclose(self) -> None:
        """Close the connections."""
        await self._http.aclose()


class PrometheusClient:
    """One tool call's Prometheus API: every request it makes shares the call's deadline."""

    def __init__(
        self,
        connection: PrometheusConnection,
        deadline: float,
        recorder: SourceRecorder | None = None,
    ) -> None:
        self.url = connection.url
        self._connection = connection
        self._deadline = deadline
        self._recorder = recorder  # `holmes record`: told every query and its time span

    def _timeout(self) -> str:
        """What is left of the deadline, for Prometheus to stop evaluating a query in time."""
        left = self._deadline - asyncio.get_running_loop().time()
        return f"{max(int(left * 1000), 1)}ms"  # Prometheus durations take no fractions

    async def query(self, promql: str, at: datetime) -> QueryResult:
        """An instant query evaluated at `at`."""
        form = {"query": promql, "time": at.timestamp(), "timeout": self._timeout()}
        if self._recorder is not None:
            self._recorder.prometheus_query(promql, at, at)
        data, warnings = await self._send("POST", "api/v1/query", form)
        return self._parsed(data, warnings)

    async def query_range(
        self, promql: str, start: datetime, end: datetime, step: float
    ) -> QueryResult:
        """A range query over [start, end] every `step` seconds."""
        form = {
            "query": promql,
            "start": start.timestamp(),
            "end": end.timestamp(),
            "step": step,
            "timeout": self._timeout(),
        }
        if self._recorder is not None:
            self._recorder.prometheus_query(promql, start, end)
        data, warnings = await self._send("POST", "api/v1/query_range", form)
        return self._parsed(data, warnings)

    async def label_values(
        self,
        label: str,
        *,
        start: datetime,
        end: datetime,
        match: str | None = None,
        limit: int | None = None,
    ) -> tuple[list[str], list[str]]:
        """Values of `label` (`__name__` for metric names) on series in the window; + warnings."""
        params: dict[str, Any] = {"start": start.timestamp(), "end": end.timestamp()}
        if match:
            params["match[]"] = match
        if limit:
            params["limit"] = limit  # honoured by Prometheus >= 2.51, ignored before
        # The label name was validated by the tool; escaped anyway, it stays one path segment.
        path = f"api/v1/label/{quote(label, safe='')}/values"
        data, warnings = await self._send("GET", path, params)
        return [str(value) for value in data or []], warnings

    async def build_info(self) -> dict[str, str]:
        """The server's build information (version, revision, goVersion), for `holmes doctor`."""
        data, _ = await self._send("GET", "api/v1/status/buildinfo", {})
        return {str(key): str(value) for key, value in (data or {}).items()}

    def _parsed(self, data: Any, warnings: list[str]) -> QueryResult:
        """A success envelope's `data` as a QueryResult; one not shaped like Prometheus's
        (a proxy or an impostor answering `{"status": "success"}`) is the source's fault."""
        try:
            return _parse_result(data, warnings)
        except (AttributeError, KeyError, IndexError, TypeError) as error:
            raise errors.malformed(self.url, error) from error

    async def _send(self, method: str, path: str, params: dict[str, Any]) -> tuple[Any, list[str]]:
        return await self._connection.send(method, path, params, self._deadline)


def prometheus(ctx: ToolContext) -> PrometheusClient:
    """The Prometheus API for one tool call; call it first thing in `run`.

    The call's deadline starts now, at a share of the limit, so that it passes (and is
    reported with the address) before the registry's own timeout, even when creating the
    shared connection took a while. Unavailable when no URL is configured.
    """
    limit = ctx.limits.timeout_seconds
    deadline = asyncio.get_running_loop().time() + limit * _TIMEOUT_SHARE
    url = ctx.endpoints.prometheus_url
    if not url:
        raise errors.not_configured()
    headers = dict(ctx.endpoints.prometheus_headers)
    tls = ctx.endpoints.prometheus_tls
    connection = ctx.client("prometheus", lambda: PrometheusConnection(url, headers, limit, tls))
    return PrometheusClient(connection, deadline, ctx.recorder)


async def probe(ctx: ToolContext) -> None:
    """Evaluate the query `1`, which every Prometheus-compatible API answers: raises the
    `ToolFailure` of a server that does not (`holmes.tools.probe` calls it)."""
    await prometheus(ctx).query("1", ctx.now())


def _verify(tls: PrometheusTLS | None) -> ssl.SSLContext | bool:
    """httpx's `verify`: the system CAs, a private CA file, or none (insecure)."""
    if tls is not None and tls.insecure:
        return False
    if tls is None or tls.ca_file is None:
        return _default_context()
    try:
        return ssl.create_default_context(cafile=str(tls.ca_file))
    except (OSError, ssl.SSLError) as error:
        raise errors.bad_tls(tls.ca_file, error) from error


@lru_cache(maxsize=1)
def _default_context() -> ssl.SSLContext:
    """httpx's default verifying context, built once: loading the CA bundle costs ~20 ms of CPU,
    which `verify=True` paid for every connection (every investigation of `holmes serve`)."""
    return httpx.create_ssl_context()


def _parse_result(data: Any, warnings: list[str]) -> QueryResult:
    result_type = str(data.get("resultType", ""))
    result = data.get("result")
    parsed = QueryResult(result_type=result_type, warnings=warnings)
    if result_type == "vector":
        parsed.vector = [
            Sample(labels=item.get("metric", {}), value=to_float(item["value"][1]))
            for item in result
            if "value" in item  # native histograms ("histogram") are not summarised
        ]
    elif result_type == "matrix":
        parsed.matrix = [
            SeriesPoints(
                labels=item.get("metric", {}),
                points=[(float(t), to_float(v)) for t, v in item.get("values", [])],
            )
            for item in result
        ]
    elif result_type == "scalar":
        parsed.scalar = Scalar(value=to_float(result[1]))
    elif result_type == "string":
        parsed.scalar = Scalar(value=str(result[1]))
    return parsed


def to_float(text: Any) -> float:
    """A Prometheus sample value ("1", "NaN", "+Inf") as a float."""
    try:
        return float(text)
    except (TypeError, ValueError):
        return math.nan
