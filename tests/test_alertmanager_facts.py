"""The facts of shared/reference/alertmanager.md, held by the intake (`holmes.agent.engine.intake`,
what `ask --alert` and the eval runner read) and the webhook (`holmes.server.alerts`).

Payload fields of a version 4 body, alert status values, the zero `endsAt` of a firing alert,
fingerprints (16 hex digits, stable for a label set), `groupKey` and `truncatedAlerts`, and
API v2's gettable alerts (an array; `status` an object with `state`).
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from holmes.agent.engine.intake import AlertInput, InvestigationRequest, alerts_from_webhook
from holmes.server.alerts import AlertBodyError, alerts_from_body, fingerprint_of

GROUPED = Path("evals/incidents/grouped-alerts-ranking-job-failed-and-crashloop")


def _body() -> dict[str, Any]:
    """The grouped incident's body: as Alertmanager 0.25 POSTs it, every documented field."""
    raw = yaml.safe_load((GROUPED / "incident.yaml").read_text())
    return copy.deepcopy(raw["alert_body"])


def _v2(state: str, **labels: str) -> dict[str, Any]:
    """A gettable alert of `GET /api/v2/alerts` (and `amtool alert query -o json`)."""
    return {
        "labels": {"alertname": "KubePodCrashLooping", **labels},
        "annotations": {"summary": "Pod is crash looping."},
        "startsAt": "2026-11-20T13:35:40.123Z",
        "endsAt": "2026-11-20T13:49:40.123Z",
        "updatedAt": "2026-11-20T13:45:40.123Z",
        "generatorURL": "http://prometheus-k8s-0:9090/graph?g0.expr=up",
        "fingerprint": "a93d05c7e18f2b46",
        "receivers": [{"name": "holmes"}],
        "status": {"state": state, "silencedBy": [], "inhibitedBy": []},
    }


def test_the_body_has_every_documented_field() -> None:
    body = _body()
    for field in ("version", "receiver", "status", "alerts", "groupLabels", "commonLabels"):
        assert field in body
    for field in ("commonAnnotations", "externalURL", "groupKey", "truncatedAlerts"):
        assert field in body
    assert body["version"] == "4" and body["truncatedAlerts"] == 0
    # groupKey: the route's matchers, then the group's labels (group_by namespace).
    assert re.fullmatch(r"\{.*\}/\{.*\}:\{namespace=\"search-ranking\"\}", body["groupKey"])


@pytest.mark.parametrize("read", ["intake", "webhook"])
def test_every_alert_of_a_group_is_read_not_the_first(read: str) -> None:
    body = _body()
    if read == "intake":
        names = [a.name for a in alerts_from_webhook(body)]
    else:
        names = [a.alertname for a in alerts_from_body(body)[0]]
    assert names == ["KubeJobFailed", "KubePodCrashLooping"]


def test_firing_alerts_have_the_zero_end_time_and_keep_their_fields() -> None:
    first = alerts_from_webhook(_body())[0]
    assert first.status == "firing" and first.endsAt is None  # 0001-01-01T00:00:00Z
    assert first.startsAt is not None and first.startsAt.isoformat() == "2026-11-20T13:39:22+00:00"
    assert first.fingerprint == "4e1b7a90c3d25f68"
    assert (first.model_extra or {})["generatorURL"].startswith("http://prometheus-k8s-0:9090/")


def test_common_labels_reach_each_alert_in_both_readers() -> None:
    body = _body()
    for alert in body["alerts"]:
        del alert["labels"]["namespace"]
    assert {a.labels["namespace"] for a in alerts_from_webhook(body)} == {"search-ranking"}
    assert {a.namespace for a in alerts_from_body(body)[0]} == {"search-ranking"}


def test_a_resolved_body_has_resolved_alerts_with_their_end() -> None:
    body = _body()
    body["status"] = "resolved"
    for alert in body["alerts"]:
        alert.update(status="resolved", endsAt="2026-11-20T13:44:10Z")
    alerts = alerts_from_webhook(body)
    assert all(a.resolved and a.endsAt is not None for a in alerts)
    request = InvestigationRequest(alert=alerts[0])
    assert request.describe().startswith("resolved alert KubeJobFailed")
    assert [a.status for a in alerts_from_body(body)[0]] == ["resolved", "resolved"]


def test_firing_alerts_come_first() -> None:
    body = _body()
    body["alerts"][0].update(status="resolved", endsAt="2026-11-20T13:44:10Z")
    assert [a.name for a in alerts_from_webhook(body)] == ["KubePodCrashLooping", "KubeJobFailed"]


def test_a_status_that_alertmanager_never_sends_is_refused_with_its_field() -> None:
    body = _body()
    body["alerts"][1]["status"] = "pending"
    with pytest.raises(AlertBodyError) as raised:
        alerts_from_body(body)
    assert raised.value.location == ["alerts", 1, "status"]


def test_a_truncated_group_is_still_read() -> None:
    body = _body()
    body["truncatedAlerts"] = 7  # max_alerts cut 7 alerts: the 2 sent are still investigated
    assert len(alerts_from_body(body)[0]) == 2
    assert len(alerts_from_webhook(body)) == 2


def test_fingerprint_is_16_hex_and_stable_for_a_label_set() -> None:
    labels = {"alertname": "KubeJobFailed", "namespace": "search-ranking", "job_name": "x"}
    reordered = dict(reversed(list(labels.items())))
    assert re.fullmatch(r"[0-9a-f]{16}", fingerprint_of(labels))
    assert fingerprint_of(labels) == fingerprint_of(reordered)
    assert fingerprint_of(labels) != fingerprint_of({**labels, "job_name": "y"})
    body = _body()
    del body["alerts"][0]["fingerprint"]
    computed = alerts_from_body(body)[0][0].fingerprint
    assert computed == fingerprint_of({**body["commonLabels"], **body["alerts"][0]["labels"]})
    assert alerts_from_body(body)[0][1].fingerprint == "a93d05c7e18f2b46"  # Alertmanager's kept


@pytest.mark.parametrize(("state", "status"), [("active", "firing"), ("unprocessed", "firing")])
def test_api_v2_states_read_as_webhook_status(state: str, status: str) -> None:
    alert = AlertInput.model_validate(_v2(state, namespace="search-ranking"))
    assert alert.status == status and alert.endsAt is not None
    records, suppressed = alerts_from_body([_v2(state, namespace="search-ranking")])
    assert [r.status for r in records] == [status] and suppressed == 0


def test_api_v2_suppressed_alerts_are_not_investigated() -> None:
    array = [_v2("active", pod="a"), _v2("suppressed", pod="b"), _v2("unprocessed", pod="c")]
    records, suppressed = alerts_from_body(array)
    assert [r.alert["labels"]["pod"] for r in records] == ["a", "c"] and suppressed == 1
    assert AlertInput.model_validate(_v2("suppressed")).status == "suppressed"


def test_api_v2_unknown_state_names_the_field() -> None:
    with pytest.raises(ValueError, match="state 'pending' is not active, suppressed"):
        AlertInput.model_validate(_v2("pending"))


def test_postable_alerts_read_as_one_alert_each() -> None:
    """`POST /api/v2/alerts` takes an array of postable alerts: no status, no fingerprint."""
    postable = [{"labels": {"alertname": "X", "pod": p}, "annotations": {}} for p in "ab"]
    records, _ = alerts_from_body(postable)
    assert [r.status for r in records] == ["firing", "firing"]
    assert len({r.fingerprint for r in records}) == 2
