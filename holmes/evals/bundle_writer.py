"""Write a `Recording` as a recorded-incident bundle (shared/incident-format.md), redacted.

Called by `holmes record`. The files are those `bundle.py` and `series.py` read, in the formats
the real tools print: `kubernetes/<kind>[.<group>].yaml` (a `kind: List` per kind, as `kubectl
get -o yaml` prints), `logs/<ns>/<pod>/<container>[.previous].log`, `prometheus/recorded.om`
(OpenMetrics with a timestamp on every sample), `hubble/flows.jsonl` (`hubble observe -o
jsonpb`), and `incident.yaml`. Everything passes through holmes/tools/redaction first; Secrets
lose their `data` and `stringData` altogether, and `managedFields` (noise kubectl hides) go too.

`expected` is left for a person to fill: empty criteria that `holmes eval` reports as unfilled
(see `Expected.unfilled`), with what holmes answered at recording time as a comment to start
from.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import yaml

from holmes.agent.engine.intake import AlertInput
from holmes.evals.errors import BundleError
from holmes.evals.replay.prometheus_openmetrics import render_openmetrics
from holmes.evals.series import Series
from holmes.tools.recording import Recording
from holmes.tools.redaction import redact, redact_data

_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def write_bundle(
    folder: Path,
    recording: Recording,
    *,
    question: str | None,
    alert: AlertInput | None,
    answered: list[str] | None = None,
) -> Path:
    """Write the bundle into `folder` (new or empty; its name is the incident id)."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BundleError(folder, "already exists and is not empty; choose a new --out folder")
    if not question and alert is None:
        raise BundleError(folder, "a bundle needs a question, an alert, or both")
    folder.mkdir(parents=True, exist_ok=True)
    _write_objects(folder / "kubernetes", recording.objects)
    for log in recording.logs:
        suffix = ".previous.log" if log.previous else ".log"
        path = folder / "logs" / log.namespace / log.pod / f"{log.container}{suffix}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(redact(log.text), encoding="utf-8")
    if recording.series:
        series = [
            Series(
                name=s.name, labels={k: redact(v) for k, v in s.labels.items()}, samples=s.samples
            )
            for s in recording.series
        ]
        (folder / "prometheus").mkdir()
        (folder / "prometheus" / "recorded.om").write_text(
            render_openmetrics(series), encoding="utf-8"
        )
    if recording.flows:
        (folder / "hubble").mkdir()
        lines = [json.dumps(redact_data(flow), separators=(",", ":")) for flow in recording.flows]
        (folder / "hubble" / "flows.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _write_incident(folder, recording, question, alert, answered or [])
    return folder


def _write_objects(folder: Path, objects: list[dict[str, Any]]) -> None:
    by_file: dict[str, list[dict[str, Any]]] = {}
    for obj in objects:
        group = str(obj["apiVersion"]).rpartition("/")[0]
        name = str(obj["kind"]).lower() + (f".{group}" if group else "")
        by_file.setdefault(name, []).append(_cleaned(obj))
    if not by_file:
        return
    folder.mkdir()
    for name, items in sorted(by_file.items()):
        items.sort(key=lambda o: (o["metadata"].get("namespace") or "", o["metadata"]["name"]))
        document = {"apiVersion": "v1", "kind": "List", "items": items}
        (folder / f"{name}.yaml").write_text(_yaml(document), encoding="utf-8")


def _cleaned(obj: dict[str, Any]) -> dict[str, Any]:
    """The object redacted, without managedFields, a Secret without its values."""
    obj = dict(obj)
    obj["metadata"] = {k: v for k, v in obj["metadata"].items() if k != "managedFields"}
    if obj.get("kind") == "Secret" and obj.get("apiVersion") == "v1":
        obj.pop("data", None)
        obj.pop("stringData", None)
    return redact_data(obj)


def _write_incident(
    folder: Path,
    recording: Recording,
    question: str | None,
    alert: AlertInput | None,
    answered: list[str],
) -> None:
    incident: dict[str, Any] = {
        "id": folder.name,
        "title": _title(question, alert),
        "time": recording.time.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    if question:
        incident["question"] = redact(question)
    if alert is not None:
        incident["alert"] = redact_data(alert.model_dump(mode="json", exclude_none=True))
    incident["sources"] = list(recording.sources)
    incident["tags"] = ["recorded"]
    hint = "".join(
        f"#   {part}\n"
        for line in answered
        for part in textwrap.wrap(line, 94, subsequent_indent="  ") or [""]
    )
    text = _yaml(incident) + _EXPECTED_PLACEHOLDER.format(answered=hint or "#   (nothing)\n")
    (folder / "incident.yaml").write_text(text, encoding="utf-8")


_EXPECTED_PLACEHOLDER = """\
# What a correct answer must say (shared/incident-format.md, "Scoring"). Until it names at least
# one must_mention, remediation_must_mention or runbook, `holmes eval` reports this incident as
# unfilled, never as passed. When it was recorded, holmes answered:
{answered}expected:
  root_cause: ""
  must_mention: []              # e.g. - "xid ?79|fell off the bus"
  remediation_must_mention: []  # e.g. - "cordon|drain"
"""


def _title(question: str | None, alert: AlertInput | None) -> str:
    text = question or (alert.annotations.get("summary") if alert else None) or ""
    if not text and alert is not None:
        text = alert.labels.get("alertname", "")
    text = redact(" ".join(text.split()))
    return text if len(text) <= 100 else text[:99] + "…"


def _yaml(document: Any) -> str:
    return yaml.dump(
        document, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, default_flow_style=False
    )
