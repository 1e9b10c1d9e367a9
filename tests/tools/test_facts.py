"""The shared facts helpers: quantities, the scheduler's toleration rule, time and text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from holmes.tools.facts import (
    LabelSelector,
    SelectorError,
    Taint,
    Toleration,
    ago,
    clip,
    format_amount,
    format_bytes,
    format_summed,
    quantity,
    quantity_number,
    rfc3339,
    tolerated,
)
from holmes.tools.facts.owners import OwnerRef, owner_refs
from holmes.tools.facts.pod_status import kubectl_status
from holmes.tools.facts.pods import PodFacts


def test_quantities_parse_exactly_and_unreadable_is_zero() -> None:
    assert quantity("500m") == Decimal("0.5")
    assert quantity("1Gi") == 2**30
    assert quantity_number("2Ki") == 2048.0
    assert quantity("bogus") == 0 and quantity(None) == 0 and quantity("") == 0


def test_amounts_render_as_people_write_them() -> None:
    assert format_bytes(6.5 * 2**30) == "6.5Gi"
    assert format_bytes(512) == "512B"
    assert format_amount("memory", 48 * 2**30) == "48Gi"
    assert format_amount("nvidia.com/gpu", 8.0) == "8"
    assert format_amount("cpu", 2.5) == "2.5"
    assert format_summed("cpu", Decimal("0.25")) == "250m"
    assert format_summed("memory", Decimal(3 * 2**20)) == "3Mi"


def test_tolerations_follow_the_scheduler_rule() -> None:
    taint = Taint(key="gpu", value="a100", effect="NoSchedule")
    assert Toleration(operator="Exists").tolerates(taint)
    assert Toleration(key="gpu", operator="Exists").tolerates(taint)
    assert Toleration(key="gpu", value="a100").tolerates(taint)
    assert not Toleration(key="gpu", value="h100").tolerates(taint)
    assert not Toleration(key="gpu", operator="Exists", effect="NoExecute").tolerates(taint)
    assert not Toleration(key="gpu", operator="Gt", value="a100").tolerates(taint)
    raw = {"key": "gpu", "value": "a100", "effect": "NoSchedule"}
    assert tolerated([{"key": "gpu", "operator": "Exists"}], raw)
    assert not tolerated([], raw) and not tolerated([{"operator": "Exists"}], "not a taint")
    assert taint.text() == "gpu=a100:NoSchedule"


def test_time_and_text_helpers() -> None:
    now = datetime(2026, 9, 2, 16, 10, tzinfo=UTC)
    assert rfc3339(now) == "2026-09-02T16:10:00Z"
    assert rfc3339(now + timedelta(milliseconds=5), milliseconds=True).endswith(".005Z")
    assert ago(now - timedelta(minutes=14), now) == "14m ago"
    assert ago(now - timedelta(minutes=9, seconds=30), now, padded=True) == "9m30s ago"
    assert ago(now + timedelta(minutes=5), now) == "in 5m"
    assert clip("a\n  b", 10) == "a b"
    assert clip("a\nbcdefgh", 6, one_line=False) == "a\nb..."


def test_label_selector_object_query_and_matching() -> None:
    raw = {
        "matchLabels": {"app": "ranker"},
        "matchExpressions": [
            {"key": "tier", "operator": "In", "values": ["web", "api"]},
            {"key": "canary", "operator": "DoesNotExist"},
        ],
    }
    selector = LabelSelector.of(raw)
    assert selector.query() == "app=ranker,tier in (web,api),!canary"
    assert selector.text() == "app=ranker,tier In (web,api),canary DoesNotExist ()"
    assert selector.matches({"app": "ranker", "tier": "api"})
    assert not selector.matches({"app": "ranker", "tier": "api", "canary": "1"})
    assert not selector.matches({"app": "ranker", "tier": "batch"})
    assert LabelSelector.of({}).matches({"any": "thing"})
    parsed = LabelSelector.parse(selector.query())
    assert parsed.matches({"app": "ranker", "tier": "web"})
    assert not parsed.matches({"app": "other", "tier": "web"})
    assert LabelSelector.parse("gen>3").matches({"gen": "4"})
    assert not LabelSelector.parse("gen>3").matches({"gen": "x"})


def test_label_selector_syntax_error_is_the_servers() -> None:
    try:
        LabelSelector.parse("app=(")
    except SelectorError as error:
        assert "unable to parse requirement" in str(error)
    else:
        raise AssertionError("a bad selector parsed")


def test_kubectl_pod_status_follows_print_pod() -> None:
    def pod(**status: object) -> dict[str, object]:
        return {"metadata": {}, "status": status}

    crash = {"state": {"waiting": {"reason": "CrashLoopBackOff"}}}
    running = {"state": {"running": {}}, "ready": True}
    assert kubectl_status(pod(phase="Running", containerStatuses=[crash, running])) == (
        "CrashLoopBackOff"
    )
    init = [{"state": {"terminated": {"exitCode": 1}}}]
    assert kubectl_status(pod(phase="Pending", initContainerStatuses=init)) == "Init:ExitCode:1"
    waiting = [{"state": {"waiting": {"reason": "PodInitializing"}}}]
    assert kubectl_status(pod(phase="Pending", initContainerStatuses=waiting)) == "Init:0/1"
    gated = [{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]
    assert kubectl_status(pod(phase="Pending", conditions=gated)) == "SchedulingGated"
    evicted = pod(phase="Failed", reason="Evicted")
    assert kubectl_status(evicted) == "Evicted"
    deleting = {"metadata": {"deletionTimestamp": "2026-01-01T00:00:00Z"}, "status": {}}
    assert kubectl_status(deleting) == "Terminating"


def test_owner_refs_render_the_chain_and_read_back_typed() -> None:
    deployment = OwnerRef(kind="Deployment", name="web", namespace="shop", summary="ready 1/2")
    gone = OwnerRef(
        kind="ReplicaSet", name="web-1", namespace="shop", problem="not found: deleted?"
    )
    assert deployment.text() == "Deployment shop/web (ready 1/2)"
    assert gone.text() == "ReplicaSet shop/web-1 (not found: deleted?)"
    assert deployment.ref == "deployment/web"
    data = {"owner_refs": [gone.model_dump(), deployment.model_dump()]}
    assert owner_refs(data) == [gone, deployment]
    assert owner_refs(None) == []


def test_pod_facts_from_a_pod_object() -> None:
    pod = {
        "metadata": {
            "namespace": "shop",
            "name": "web-1",
            "ownerReferences": [{"kind": "ReplicaSet", "name": "web-abc", "controller": True}],
        },
        "spec": {
            "nodeName": "gpu-1",
            "containers": [
                {"name": "app", "resources": {"limits": {"memory": "1Gi"}}},
                {"name": "sidecar"},
            ],
        },
        "status": {
            "phase": "Running",
            "containerStatuses": [
                {
                    "name": "app",
                    "restartCount": 5,
                    "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                    "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}},
                },
                {"name": "sidecar", "ready": True, "state": {"running": {}}},
            ],
        },
    }
    facts = PodFacts.of(pod)
    assert (facts.status, facts.ready, facts.total, facts.restarts) == ("CrashLoopBackOff", 1, 2, 5)
    assert facts.node == "gpu-1" and facts.owner and facts.owner.ref == "replicaset/web-abc"
    app = facts.containers[0]
    assert (app.state, app.reason, app.last_exit_code, app.last_reason) == (
        "waiting",
        "CrashLoopBackOff",
        137,
        "OOMKilled",
    )
    assert app.limits == {"memory": "1Gi"}
    assert facts.unready and facts.problem and facts.severity == 4
    done = PodFacts(status="Completed", ready=0, total=1)
    assert not done.problem and done.severity == 0
