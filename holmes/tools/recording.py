"""Complete what an investigation read into a `Recording`: the raw material of a bundle.

Called by `holmes record` after the investigation, with the `SourceRecorder` that watched it
(holmes/tools/recorder.py). The recorder knows the objects as the API server returned them, but
only which logs and queries were read: this module fetches each log whole (both instances read,
with the kubelet's timestamps so that a replay can answer `sinceSeconds`), and for each PromQL
expression the raw samples of every selector it reads, over the recording window (`since`
before "now", widened by the expression's ranges and offsets). A fetch that fails is a note in
the recording, never an exception: the bundle is still written, and the note says what it lacks.

The bundle writer (holmes/evals/bundle_writer.py) redacts and writes the result.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field

from holmes.tools.base import ToolFailure
from holmes.tools.context import ToolContext
from holmes.tools.kubernetes.client import session
from holmes.tools.prometheus.client import prometheus
from holmes.tools.prometheus.selectors import query_reads
from holmes.tools.recorder import LogRead, SourceRecorder

_LOG_LIMIT_BYTES = 8 * 1024 * 1024  # one container log; kubelet keeps ~10 MiB per file anyway


class RecordedLog(BaseModel):
    """One container log as `kubectl logs --timestamps [--previous]` prints it."""

    namespace: str
    pod: str
    container: str
    previous: bool = False
    text: str


class RecordedSeries(BaseModel):
    """The raw samples of one series: (unix seconds, value) in time order."""

    name: str
    labels: dict[str, str] = Field(default_factory=dict)
    samples: list[tuple[float, float]] = Field(default_factory=list)


class Recording(BaseModel):
    """Everything an investigation read, unredacted, with what could not be fetched."""

    time: datetime
    sources: list[str]
    objects: list[dict[str, Any]] = Field(default_factory=list)
    logs: list[RecordedLog] = Field(default_factory=list)
    series: list[RecordedSeries] = Field(default_factory=list)
    flows: list[dict[str, Any]] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


async def complete_recording(
    recorder: SourceRecorder, ctx: ToolContext, *, time: datetime, since: timedelta
) -> Recording:
    """The recording of what `recorder` saw, completed from the sources `ctx` reaches."""
    ctx.recorder = None  # what is fetched here is added explicitly, not by the clients
    endpoints = ctx.endpoints
    sources = [
        name
        for name, configured in (
            ("kubernetes", endpoints.has_kubernetes),
            ("prometheus", bool(endpoints.prometheus_url)),
            ("hubble", bool(endpoints.hubble_address)),
        )
        if configured
    ]
    recording = Recording(time=time, sources=sources)
    logs, series = await asyncio.gather(
        _logs(recorder, ctx, recording.notes),
        _series(recorder, ctx, time - since, time, recording.notes),
    )
    recording.objects = _objects(recorder)
    recording.logs = logs
    recording.series = series
    recording.flows = sorted(recorder.flows.values(), key=lambda flow: str(flow.get("time", "")))
    return recording


def _objects(recorder: SourceRecorder) -> list[dict[str, Any]]:
    """Every object read; an Event read through both APIs is kept once (the replay serves one
    Event in either version, as kube-apiserver does)."""
    objects = recorder.objects
    return [
        obj
        for (api_version, kind, namespace, name), obj in objects.items()
        if not (
            kind == "Event"
            and api_version == "events.k8s.io/v1"
            and ("v1", "Event", namespace, name) in objects
        )
    ]


async def _logs(recorder: SourceRecorder, ctx: ToolContext, notes: list[str]) -> list[RecordedLog]:
    results = await asyncio.gather(*(_log(recorder, ctx, read) for read in list(recorder.logs)))
    logs: dict[tuple[str, str, str, bool], RecordedLog] = {}
    for result in results:
        if isinstance(result, str):
            notes.append(result)
        elif result is not None:
            logs[(result.namespace, result.pod, result.container, result.previous)] = result
    return list(logs.values())


async def _log(
    recorder: SourceRecorder, ctx: ToolContext, read: LogRead
) -> RecordedLog | str | None:
    """The whole log of one container instance; a note (str) when it cannot be read."""
    where = f"log of {read.namespace}/{read.pod}" + (" (previous)" if read.previous else "")
    pod_path = f"/api/v1/namespaces/{read.namespace}/pods/{read.pod}"
    try:
        pod = recorder.objects.get(("v1", "Pod", read.namespace, read.pod))
        if pod is None:  # the log was read by name: the bundle needs its Pod too
            pod = await session(ctx).get(pod_path)
            recorder.kubernetes_document(pod)
        container = read.container or _only_container(pod)
        if container is None:
            return None  # the API server refused the unnamed container: nothing was read
        query = [("container", container), ("timestamps", "true")]
        query += [("limitBytes", str(_LOG_LIMIT_BYTES))]
        if read.previous:
            query.append(("previous", "true"))
        text = await session(ctx).text(pod_path + "/log", query)
    except ToolFailure as failure:
        if read.previous and failure.error.kind in ("not_found", "bad_arguments"):
            return None  # no previous instance: there is nothing to record
        return f"kubernetes: {where} not recorded: {failure.error.message}"
    return RecordedLog(
        namespace=read.namespace,
        pod=read.pod,
        container=container,
        previous=read.previous,
        text=text,
    )


def _only_container(pod: dict[str, Any]) -> str | None:
    containers = (pod.get("spec") or {}).get("containers") or []
    return containers[0].get("name") if len(containers) == 1 else None


async def _series(
    recorder: SourceRecorder,
    ctx: ToolContext,
    window_start: datetime,
    end: datetime,
    notes: list[str],
) -> list[RecordedSeries]:
    """The raw samples of every selector of every query, each over the widest span it needs."""
    spans: dict[str, datetime] = {}
    for read in list(recorder.queries):
        reads = query_reads(read.promql)
        start = min(read.start, window_start) - timedelta(seconds=reads.lookback_seconds)
        for selector in reads.selectors:
            spans[selector] = min(spans.get(selector, start), start)
    fetched = await asyncio.gather(
        *(_raw_samples(ctx, selector, start, end) for selector, start in spans.items())
    )
    merged: dict[tuple[str, tuple[tuple[str, str], ...]], dict[float, float]] = {}
    for result in fetched:
        if isinstance(result, str):
            notes.append(result)
            continue
        for series in result:
            key = (series.name, tuple(sorted(series.labels.items())))
            merged.setdefault(key, {}).update(series.samples)
    return [
        RecordedSeries(name=name, labels=dict(labels), samples=sorted(samples.items()))
        for (name, labels), samples in sorted(merged.items())
    ]


async def _raw_samples(
    ctx: ToolContext, selector: str, start: datetime, end: datetime
) -> list[RecordedSeries] | str:
    """`selector[end - start]` evaluated at `end`: every raw sample in the span."""
    seconds = max(1, int((end - start).total_seconds() + 0.999))
    try:
        result = await prometheus(ctx).query(f"{selector}[{seconds}s]", end)
    except ToolFailure as failure:
        return f"prometheus: series of {selector} not recorded: {failure.error.message}"
    series = []
    for points in result.matrix:
        labels = dict(points.labels)
        name = labels.pop("__name__", "")
        if name:
            series.append(RecordedSeries(name=name, labels=labels, samples=points.points))
    return series
