"""Per-alert expectations of an incident holding a whole webhook body (`expected_alerts`).

`expected_alerts` maps an alert of `alert_body` (by its `fingerprint`, or by its index in
`alerts`, from 0) to what the answer to that alert must say, in the fields of `expected`. An
alert without an entry is scored against `expected`. Every problem raises `BundleError` naming
incident.yaml and the field (`expected_alerts.<key>.must_mention.0`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from holmes.evals.errors import BundleError

if TYPE_CHECKING:
    from holmes.evals.bundle import Expected, Incident


def alert_expectations(
    path: Path, raw: dict[str, Any], incident: Incident, expected: Expected
) -> list[Expected]:
    """One expectation per alert of `alert_body`, in its order ([] without a body)."""
    from holmes.evals.bundle import Expected  # bundle imports this module

    entries = raw.get("expected_alerts")
    if entries is None:
        return []
    if incident.alert_body is None:
        raise BundleError(path, "needs an 'alert_body' whose alerts it keys", "expected_alerts")
    if not isinstance(entries, dict) or not entries:
        raise BundleError(
            path, "must map an alert's fingerprint or index to its expectation", "expected_alerts"
        )
    alerts = incident.alert_body.alerts
    chosen: dict[int, Expected] = {}
    for key, value in entries.items():
        where = f"expected_alerts.{key}"
        index = _alert_index(path, key, [a.fingerprint for a in alerts], where)
        if index in chosen:
            raise BundleError(path, f"alert_body.alerts[{index}] is keyed twice", where)
        if not isinstance(value, dict):
            raise BundleError(path, "must be a mapping with the fields of 'expected'", where)
        try:
            chosen[index] = Expected.model_validate(value)
        except ValidationError as error:
            first = error.errors()[0]
            field = ".".join(str(part) for part in (key, *first["loc"]))
            message = first["msg"].removeprefix("Value error, ")
            raise BundleError(path, message, f"expected_alerts.{field}") from error
    return [chosen.get(index, expected) for index in range(len(alerts))]


def _alert_index(path: Path, key: Any, fingerprints: list[str | None], where: str) -> int:
    """The index in `alerts` that a key names: an integer index or an alert's fingerprint."""
    if isinstance(key, bool) or not isinstance(key, int | str):
        raise BundleError(path, "a key is an alert's fingerprint or its index", where)
    if isinstance(key, int):
        if not 0 <= key < len(fingerprints):
            raise BundleError(
                path,
                f"index {key} is not in alert_body.alerts (0 to {len(fingerprints) - 1})",
                where,
            )
        return key
    if key not in fingerprints:
        known = ", ".join(f for f in fingerprints if f) or "none"
        raise BundleError(
            path, f"no alert of alert_body has fingerprint {key!r} (they have {known})", where
        )
    return fingerprints.index(key)
