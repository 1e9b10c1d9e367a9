"""Reading what Alertmanager sends: a webhook body, one alert, or API v2 alerts.

| shape | recognised by | status |
| --- | --- | --- |
| webhook (version 4) | an object with `alerts` | each alert's `status`: firing / resolved |
| one alert | an object with `labels` | its `status`, firing if absent |
| API v2 alerts (`GET /api/v2/alerts`) | an array | `status.state`: `suppressed` ones skipped |

Each alert gets its fingerprint (Alertmanager's, or one computed from the sorted labels the
same way for every replica) and the namespace its subject lives in (`exported_namespace` first:
a DCGM exporter's own namespace is not the workload's). Problems raise `AlertBodyError` naming
the field (`alerts[2].labels`), which the route answers with 422.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import ValidationError

from holmes.agent.engine.intake import AlertInput
from holmes.server.store import FiringAlert

MAX_NAME = 253  # a DNS subdomain, the longest Kubernetes name; the store's column width


class AlertBodyError(ValueError):
    """A body that is not an Alertmanager payload; `location` is the field's path."""

    def __init__(self, location: list[str | int], message: str) -> None:
        super().__init__(message)
        self.location = location


def alerts_from_body(body: Any) -> tuple[list[FiringAlert], int]:
    """The alerts to record, and how many were skipped as suppressed (API v2)."""
    if isinstance(body, list):
        return _from_list(body, [], api_v2=True)
    if not isinstance(body, dict):
        raise AlertBodyError([], "expected an Alertmanager webhook body, an alert or an array")
    if "alerts" in body:
        alerts = body["alerts"]
        if not isinstance(alerts, list):
            raise AlertBodyError(["alerts"], "must be an array of alerts")
        common = body.get("commonLabels") or {}
        if not isinstance(common, dict):
            raise AlertBodyError(["commonLabels"], "must be an object of labels")
        return _from_list(alerts, ["alerts"], api_v2=False, common=common)
    if "labels" in body:
        return _from_list([body], [], api_v2=False)
    raise AlertBodyError(
        ["alerts"], "field required: a webhook body has `alerts`, an alert `labels`"
    )


def _from_list(
    items: list[Any], where: list[str | int], *, api_v2: bool, common: dict[str, Any] | None = None
) -> tuple[list[FiringAlert], int]:
    parsed: list[FiringAlert] = []
    suppressed = 0
    for index, item in enumerate(items):
        location = [*where, index] if where or len(items) > 1 or api_v2 else []
        if not isinstance(item, dict):
            raise AlertBodyError(location, "each alert must be an object")
        status = item.get("status")
        if isinstance(status, dict):  # API v2: {"state": "active"|"suppressed"|"unprocessed"}
            if status.get("state") == "suppressed":
                suppressed += 1
                continue
            status = "firing"
        item = {**item, "status": status or "firing"}
        if common and isinstance(item.get("labels"), dict):
            item["labels"] = {**common, **item["labels"]}
        parsed.append(_firing(item, location))
    return parsed, suppressed


def _firing(item: dict[str, Any], location: list[str | int]) -> FiringAlert:
    try:
        alert = AlertInput.model_validate(item)
    except ValidationError as invalid:
        first = invalid.errors()[0]
        raise AlertBodyError([*location, *first["loc"]], first["msg"]) from None
    if alert.status not in ("firing", "resolved"):
        raise AlertBodyError([*location, "status"], "must be firing or resolved")
    check_alert(alert, location)
    labels = alert.labels
    return FiringAlert(
        fingerprint=alert.fingerprint or fingerprint_of(labels),
        status=alert.status,  # type: ignore[arg-type]
        alertname=labels.get("alertname"),
        namespace=labels.get("exported_namespace") or labels.get("namespace"),
        alert=alert.model_dump(mode="json", exclude_none=True),
    )


def check_alert(alert: AlertInput, location: list[str | int]) -> None:
    """Refuse what the store cannot keep: NUL characters, over-long names and fingerprints."""
    texts = [(["labels", key], value) for key, value in alert.labels.items()]
    texts += [(["annotations", key], value) for key, value in alert.annotations.items()]
    for where, value in texts:
        if "\x00" in value or "\x00" in where[1]:
            raise AlertBodyError([*location, *where], "NUL characters are not allowed")
    for label in ("alertname", "namespace", "exported_namespace"):
        if len(alert.labels.get(label, "")) > MAX_NAME:
            raise AlertBodyError([*location, "labels", label], f"longer than {MAX_NAME} characters")
    fingerprint = alert.fingerprint
    if fingerprint is not None and (len(fingerprint) > 64 or not fingerprint.isprintable()):
        raise AlertBodyError([*location, "fingerprint"], "at most 64 printable characters")


def fingerprint_of(labels: dict[str, str]) -> str:
    """A stable 16-hex-digit fingerprint of a label set (sorted, so order never matters)."""
    canonical = json.dumps(sorted(labels.items()), separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]
