"""Read a recorded-incident folder (shared/incident-format.md) into typed models.

Called by the replay servers, the eval runner and the CLI. `load_bundle` checks the whole folder
up front and raises `BundleError` naming the file, the line or field, and the problem, so a bad
bundle fails before any server starts. `Bundle.expected` is what a correct answer must say: only
scoring reads it, and it is left out of the bundle's repr and serialisation.

An incident may hold a whole Alertmanager webhook body (`alert_body`, several alerts of one
group) with an expectation per alert (`expected_alerts`, keyed by fingerprint or by index in
`alerts`); an alert without an entry is scored against `expected`.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from holmes.agent.engine.intake import AlertInput
from holmes.evals.bundle_alerts import alert_expectations
from holmes.evals.bundle_files import read_log_text, read_text
from holmes.evals.bundle_objects import ObjectKey, container_names, object_key, objects_in_file
from holmes.evals.errors import BundleError
from holmes.evals.series import SAFE_LOADER, Series, load_openmetrics, load_series_yaml

SourceName = Literal["kubernetes", "prometheus", "hubble"]
SOURCES: tuple[SourceName, ...] = ("kubernetes", "prometheus", "hubble")

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def parse_rfc3339(value: Any) -> datetime:
    """Parse an RFC 3339 time with a zone (YAML may already have made it a datetime) into UTC."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"{value.isoformat()} has no time zone; write it as RFC 3339 with Z")
        return value.astimezone(UTC)
    if not isinstance(value, str) or not _RFC3339.match(value.strip()):
        raise ValueError(f"{value!r} is not an RFC 3339 time such as 2026-03-18T14:32:00Z")
    return datetime.fromisoformat(value.strip().replace("z", "Z")).astimezone(UTC)


class Alert(AlertInput):
    """One alert as in the `alerts[]` of an Alertmanager webhook (version 4) payload.

    The alert an investigation takes (`AlertInput`: labels as strings, YAML's `gpu: 2`
    included), with the fields a bundle also records and strict RFC 3339 times.
    """

    endsAt: datetime | None = None  # Alertmanager spells these in camelCase
    generatorURL: str | None = None

    @field_validator("startsAt", "endsAt", mode="before")
    @classmethod
    def _time(cls, value: Any) -> Any:
        return None if value in (None, "", "0001-01-01T00:00:00Z") else parse_rfc3339(value)


class AlertBody(BaseModel):
    """A whole Alertmanager webhook (version 4) body, as Alertmanager POSTs it for one group."""

    model_config = ConfigDict(extra="allow")

    version: str = "4"
    receiver: str = ""
    status: Literal["firing", "resolved"]
    alerts: list[Alert] = Field(min_length=1)
    groupLabels: dict[str, str] = Field(default_factory=dict)
    commonLabels: dict[str, str] = Field(default_factory=dict)
    commonAnnotations: dict[str, str] = Field(default_factory=dict)
    externalURL: str = ""
    groupKey: str = ""
    truncatedAlerts: int = Field(0, ge=0)

    @field_validator("alerts")
    @classmethod
    def _alert_states(cls, alerts: list[Alert]) -> list[Alert]:
        for index, alert in enumerate(alerts):
            if alert.status not in ("firing", "resolved"):
                raise ValueError(f"alerts[{index}].status {alert.status!r}: firing or resolved")
        return alerts

    @model_validator(mode="after")
    def _body_status(self) -> AlertBody:
        # Alertmanager: the body is `firing` when any of its alerts fires, else `resolved`.
        status = "firing" if any(a.status == "firing" for a in self.alerts) else "resolved"
        if self.status != status:
            raise ValueError(f"status is {self.status!r} but its alerts make it {status!r}")
        return self

    def investigated(self) -> list[Alert]:
        """Each alert with the group's common labels under its own (as `ask --alert` reads it)."""
        return [
            alert.model_copy(update={"labels": {**self.commonLabels, **alert.labels}})
            for alert in self.alerts
        ]


MentionEntry = str | list[str]


class Expected(BaseModel):
    """What a correct answer must contain (see "Scoring" in the incident format)."""

    root_cause: str = ""
    must_mention: list[MentionEntry] = Field(default_factory=list)
    remediation_must_mention: list[MentionEntry] = Field(default_factory=list)
    runbook: str | None = None
    chain: list[str] = Field(
        default_factory=list,
        description="The runbook of each hop of the causal chain, symptom first (empty: not "
        "scored).",
    )
    hypotheses: dict[str, str] = Field(
        default_factory=dict,
        description="Regex over a hypothesis' words -> the verdict it must get (confirmed, "
        "contributing, ruled_out, not_checked).",
    )

    @property
    def unfilled(self) -> bool:
        """True when nothing is checked (a fresh `holmes record` bundle): such an incident
        is reported as unfilled, never as passed."""
        return not (self.must_mention or self.remediation_must_mention or self.runbook)

    @field_validator("must_mention", "remediation_must_mention")
    @classmethod
    def _regexes_compile(cls, entries: list[MentionEntry]) -> list[MentionEntry]:
        for entry in entries:
            for pattern in [entry] if isinstance(entry, str) else entry:
                try:
                    re.compile(pattern)
                except re.error as error:
                    raise ValueError(
                        f"{pattern!r} is not a valid regular expression: {error}"
                    ) from error
        return entries


class Incident(BaseModel):
    """What holmes may know of a recorded incident: all of incident.yaml but `expected`."""

    model_config = ConfigDict(extra="ignore")

    id: str
    title: str = ""
    time: datetime
    question: str | None = None
    alert: Alert | None = None
    alert_body: AlertBody | None = None
    sources: list[SourceName]
    tags: list[str] = Field(default_factory=list)

    @field_validator("time", mode="before")
    @classmethod
    def _time(cls, value: Any) -> datetime:
        return parse_rfc3339(value)

    @property
    def alerts(self) -> list[Alert]:
        """The alerts to investigate, one request each: the body's, or the one alert."""
        if self.alert_body is not None:
            return self.alert_body.investigated()
        return [self.alert] if self.alert is not None else []


class ContainerLog(BaseModel):
    """What `kubectl logs` printed for one container (`previous`: the crashed instance)."""

    namespace: str
    pod: str
    container: str
    previous: bool = False
    text: str


class FlowRecord(BaseModel):
    """One line of hubble/flows.jsonl, kept as the JSON object Hubble printed."""

    line: int
    data: dict[str, Any]


class SkippedFlowLine(BaseModel):
    """A line of hubble/flows.jsonl that is not a JSON object: skipped, as Hubble's reader does."""

    line: int
    reason: str


class Bundle(BaseModel):
    """A loaded incident folder. Objects are kept as the API server would serve them (dicts)."""

    path: Path
    incident: Incident
    objects: list[dict[str, Any]] = Field(default_factory=list)
    logs: list[ContainerLog] = Field(default_factory=list)
    series: list[Series] = Field(default_factory=list)
    flows: list[FlowRecord] = Field(default_factory=list)
    flow_skipped: list[SkippedFlowLine] = Field(default_factory=list)
    expected: Expected = Field(default_factory=Expected, exclude=True, repr=False)
    # Per alert of `alert_body`, by index: its own expectation (`expected_alerts`) or `expected`.
    expected_alerts: list[Expected] = Field(default_factory=list, exclude=True, repr=False)

    @property
    def id(self) -> str:
        """The incident id (the folder name)."""
        return self.incident.id

    @property
    def time(self) -> datetime:
        """The incident's "now": every relative window during the replay ends here."""
        return self.incident.time

    def has_source(self, source: SourceName) -> bool:
        """Whether the bundle recorded this source (others are "unavailable" during the replay)."""
        return source in self.incident.sources

    def expected_for(self, index: int) -> Expected:
        """What the answer to the `index`th alert must say (`expected` for a single alert)."""
        return self.expected_alerts[index] if index < len(self.expected_alerts) else self.expected


def load_bundle(path: Path | str) -> Bundle:
    """Load and check an incident folder; raise `BundleError` on the first problem found."""
    root = Path(path)
    if not root.is_dir():
        raise BundleError(root, "is not a folder; an incident bundle is a folder")
    incident_file = root / "incident.yaml"
    if not incident_file.is_file():
        raise BundleError(incident_file, "missing: every bundle needs an incident.yaml")
    raw = _read_incident_yaml(incident_file, root)
    present = {
        "kubernetes": (root / "kubernetes").is_dir() or (root / "logs").is_dir(),
        "prometheus": (root / "prometheus").is_dir(),
        "hubble": (root / "hubble").is_dir(),
    }
    raw.setdefault("sources", [name for name in SOURCES if present[name]])
    incident, expected = _validate_incident(incident_file, raw)
    expected_alerts = alert_expectations(incident_file, raw, incident, expected)
    for name in SOURCES:
        if present[name] and name not in incident.sources:
            raise BundleError(
                incident_file,
                f"the bundle has {name} data but 'sources' does not list {name!r}",
                where="sources",
            )
    objects = _load_objects(root / "kubernetes")
    flows, flow_skipped = _load_flows(root / "hubble" / "flows.jsonl")
    return Bundle(
        path=root,
        incident=incident,
        objects=objects,
        logs=_load_logs(root / "logs", objects),
        series=_load_series(root / "prometheus", incident.time),
        flows=flows,
        flow_skipped=flow_skipped,
        expected=expected,
        expected_alerts=expected_alerts,
    )


def _read_incident_yaml(path: Path, root: Path) -> dict[str, Any]:
    try:
        raw = yaml.load(read_text(path), Loader=SAFE_LOADER)
    except yaml.YAMLError as error:
        raise BundleError(path, f"not valid YAML: {error}") from error
    if not isinstance(raw, dict):
        raise BundleError(path, "must be a mapping with id, time, sources and expected")
    if raw.get("id") != root.name:
        raise BundleError(
            path, f"id {raw.get('id')!r} differs from the folder name {root.name!r}", where="id"
        )
    question = raw.get("question")
    asked = question.strip() if isinstance(question, str) else question
    if not asked and not raw.get("alert") and not raw.get("alert_body"):
        raise BundleError(
            path, "a bundle needs a 'question', an 'alert' (or 'alert_body'), or both"
        )
    if raw.get("alert") and raw.get("alert_body"):
        raise BundleError(
            path,
            "give one alert ('alert') or a webhook body ('alert_body'), not both",
            "alert_body",
        )
    return raw


def _validate_incident(path: Path, raw: dict[str, Any]) -> tuple[Incident, Expected]:
    try:
        incident = Incident.model_validate(raw)
        expected = Expected.model_validate(raw.get("expected") or {})
    except ValidationError as error:
        first = error.errors()[0]
        prefix = ("expected",) if "expected" in raw and not _in_incident(first) else ()
        field = ".".join(str(part) for part in (*prefix, *first["loc"]))
        raise BundleError(path, first["msg"].removeprefix("Value error, "), where=field) from error
    return incident, expected


def _in_incident(error: Any) -> bool:
    return bool(error["loc"]) and error["loc"][0] in Incident.model_fields


def _load_objects(folder: Path) -> list[dict[str, Any]]:
    if not folder.is_dir():
        return []
    objects: list[dict[str, Any]] = []
    seen: dict[ObjectKey, str] = {}
    for path in sorted(folder.glob("*.y*ml")):
        for obj, where in objects_in_file(path):
            key = object_key(path, obj, where)
            if key in seen:
                raise BundleError(
                    path,
                    f"{key[1]} {'/'.join(filter(None, key[2:]))} is also in {seen[key]}",
                    where=where,
                )
            seen[key] = f"{path.name} ({where})"
            objects.append(obj)
    return objects


def _load_logs(folder: Path, objects: list[dict[str, Any]]) -> list[ContainerLog]:
    if not folder.is_dir():
        return []
    pods = {
        (obj["metadata"].get("namespace") or "", obj["metadata"]["name"]): obj
        for obj in objects
        if obj["kind"] == "Pod" and obj["apiVersion"] == "v1"
    }
    logs = []
    for path in sorted(folder.rglob("*.log")):
        if path.is_dir():
            raise BundleError(path, "is a folder; a log is a file <container>.log")
        parts = path.relative_to(folder).parts
        if len(parts) != 3:
            raise BundleError(path, "log files go in logs/<namespace>/<pod>/<container>.log")
        namespace, pod_name, file_name = parts
        pod = pods.get((namespace, pod_name))
        if pod is None:
            raise BundleError(
                path, f"the bundle has no Pod {namespace}/{pod_name} for this log folder"
            )
        previous = file_name.endswith(".previous.log")
        container = file_name.removesuffix(".log").removesuffix(".previous")
        if container not in container_names(pod):
            raise BundleError(
                path,
                f"Pod {namespace}/{pod_name} has no container {container!r} "
                f"(it has {', '.join(sorted(container_names(pod))) or 'none'})",
            )
        text = read_log_text(path)
        logs.append(
            ContainerLog(
                namespace=namespace,
                pod=pod_name,
                container=container,
                previous=previous,
                text=text,
            )
        )
    return logs


def _load_series(folder: Path, end: datetime) -> list[Series]:
    if not folder.is_dir():
        return []
    series: list[Series] = []
    for path in sorted(folder.glob("*.om")):
        series.extend(load_openmetrics(path, end))
    compact = folder / "series.yaml"
    if compact.is_file():
        series.extend(load_series_yaml(compact, end))
    return series


def _load_flows(path: Path) -> tuple[list[FlowRecord], list[SkippedFlowLine]]:
    """The JSON objects of the flow file, and the lines that are not one (skipped and named,
    never fatal to the file: Hubble's own reader logs such a line and goes on)."""
    if not path.is_file():
        return [], []
    flows, skipped = [], []
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            skipped.append(SkippedFlowLine(line=number, reason=f"not a JSON object: {error.msg}"))
            continue
        if not isinstance(data, dict):
            skipped.append(SkippedFlowLine(line=number, reason="not a JSON object"))
            continue
        flows.append(FlowRecord(line=number, data=data))
    return flows, skipped
