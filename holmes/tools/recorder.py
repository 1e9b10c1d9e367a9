"""What an investigation read from its sources, kept raw for `holmes record`.

A `SourceRecorder` set on `ToolContext.recorder` is told, by each source client, what it
fetched: the Kubernetes clients pass every JSON document they got (objects, lists) and the log
requests they made; the Prometheus client passes every query with its time span; the Hubble
fetcher passes the GetFlows responses. Nothing here talks to a source: `holmes.tools.recording`
later completes the record (whole logs, the raw series behind each query) and the bundle writer
in `holmes.evals` writes it. The record holds full objects, not the tools' compacted text, and
is redacted only when written.

It imports no toolset, so every toolset can call it without depending on another.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message

Query = list[tuple[str, str]]

_LOG_PATH = re.compile(r"^/api/v1/namespaces/(?P<namespace>[^/]+)/pods/(?P<pod>[^/]+)/log$")
# Documents that describe the API rather than hold objects are not recorded.
_NOT_OBJECTS = {"APIResourceList", "APIGroupList", "APIGroup", "APIVersions", "Status", "Table"}


@dataclass(frozen=True)
class LogRead:
    """One container log an investigation read (`previous`: the crashed instance)."""

    namespace: str
    pod: str
    container: str
    previous: bool


@dataclass(frozen=True)
class PromRead:
    """One PromQL expression an investigation evaluated, over [start, end] (equal: instant)."""

    promql: str
    start: datetime
    end: datetime


class SourceRecorder:
    """Collects raw source responses of one investigation; safe to call from many tasks."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.objects: dict[tuple[str, str, str, str], dict[str, Any]] = {}
        self.logs: dict[LogRead, None] = {}  # ordered set
        self.queries: dict[PromRead, None] = {}
        self.flows: dict[str, dict[str, Any]] = {}

    def kubernetes_document(self, document: dict[str, Any]) -> None:
        """An object or a list the API server returned (discovery documents are skipped)."""
        kind = str(document.get("kind") or "")
        if kind in _NOT_OBJECTS:
            return
        if kind.endswith("List") and isinstance(document.get("items"), list):
            item_kind = kind.removesuffix("List") if kind != "List" else None
            for item in document["items"]:
                if isinstance(item, dict):
                    if item_kind:  # a typed list leaves kind and apiVersion off its items
                        item = {"apiVersion": document.get("apiVersion"), "kind": item_kind, **item}
                    self._object(item)
            return
        self._object(document)

    def _object(self, obj: dict[str, Any]) -> None:
        metadata = obj.get("metadata") or {}
        if not obj.get("kind") or not obj.get("apiVersion") or not metadata.get("name"):
            return
        key = (obj["apiVersion"], obj["kind"], metadata.get("namespace") or "", metadata["name"])
        with self._lock:
            self.objects[key] = obj  # the latest read wins: it is the freshest

    def kubernetes_log(self, path: str, query: Query) -> None:
        """A pod log request (`/api/v1/namespaces/NS/pods/POD/log?container=C&previous=true`)."""
        match = _LOG_PATH.match(path)
        if match is None:
            return
        options = dict(query)
        read = LogRead(
            namespace=unquote(match["namespace"]),
            pod=unquote(match["pod"]),
            container=options.get("container", ""),
            previous=str(options.get("previous", "")).lower() in ("true", "1"),
        )
        with self._lock:
            self.logs[read] = None

    def prometheus_query(self, promql: str, start: datetime, end: datetime) -> None:
        """A PromQL expression evaluated at `end` (instant) or over [start, end] (range)."""
        with self._lock:
            self.queries[PromRead(promql, start, end)] = None

    def hubble_responses(self, responses: list[Message]) -> None:
        """GetFlows responses: the flows among them are kept as `hubble observe -o jsonpb`."""
        for response in responses:
            if not response.HasField("flow"):
                continue
            record = MessageToDict(response, preserving_proto_field_name=True)
            key = json.dumps(record, sort_keys=True)
            with self._lock:
                self.flows[key] = record
