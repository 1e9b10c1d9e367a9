"""The evidence sweep's pure parts: log lines ranked by decisiveness, the throttling and memory
maths, rollout template diffs, autoscaler facts and the question's window."""

from __future__ import annotations

from datetime import UTC, datetime

from holmes.agent.engine.sweep import question_window
from holmes.agent.engine.sweep_metrics import memory_pressure, peak_when, throttling, value_at
from holmes.tools.facts.autoscaling import hpa_facts
from holmes.tools.facts.rollouts import (
    config_change,
    controller_revision,
    revision_template,
    template_changes,
)
from holmes.tools.shaping.log_signals import classify, duration_ms, log_signals

LOG = """\
2026-12-03T11:00:00.000000000Z INFO request served in 12 ms
2026-12-03T11:00:01.000000000Z WARNING cache hit ratio low
2026-12-03T11:00:02.000000000Z ERROR lookup failed
Traceback (most recent call last):
  File "/app/x.py", line 3, in f
    return await self._execute(query, args, 0, timeout)
asyncpg.exceptions.UndefinedColumnError: column "embedding_v2" does not exist
2026-12-03T11:00:03.000000000Z ERROR dial tcp 10.0.0.5:5432: connect: connection refused
2026-12-03T11:00:04.000000000Z WARN slow query took 8423 ms: SELECT * FROM orders
2026-12-03T11:00:05.000000000Z WARN slow query took 9120 ms: SELECT * FROM orders
2026-12-03T11:00:06.000000000Z E1204 reflector.go:158] configmaps is forbidden: User "x" \
cannot list resource "configmaps"
"""


def test_log_lines_rank_forbidden_then_exception_then_refused_then_slow() -> None:
    kinds = [s.kind for s in log_signals(LOG, limit=10)]
    assert kinds[:4] == ["forbidden", "exception", "refused", "slow"]
    assert "Traceback" not in " ".join(s.line for s in log_signals(LOG, limit=10))
    exception = next(s for s in log_signals(LOG) if s.kind == "exception")
    assert exception.line.startswith("asyncpg.exceptions.UndefinedColumnError")


def test_slow_operations_fold_with_their_longest_duration() -> None:
    slow = next(s for s in log_signals(LOG, limit=10) if s.kind == "slow")
    assert slow.count == 2 and slow.duration_ms == 9120
    assert slow.last_time == "2026-12-03T11:00:05.000000000Z"


def test_fast_operations_and_code_lines_are_not_signals() -> None:
    assert classify('INFO embed{total_time="15.30ms"}: Success') is None
    assert classify("request took 120 ms") is None  # below a second: not slow
    assert duration_ms("query took 2.5s") == 2500
    assert classify("    return await self._execute(query, args, 0, timeout)") is None
    assert classify("upstream timed out after 50 ms")[0] == "timeout"


def test_throttling_is_the_worst_ratio_of_the_window_with_its_time() -> None:
    key = ("api-0", "api")
    # An episode 30 minutes before the end: 60% throttled at t=1800, little now.
    shares = {key: [(0.0, 0.02), (1800.0, 0.6), (1860.0, 0.3), (3600.0, 0.01)]}
    usage = {key: [(0.0, 0.1), (1800.0, 0.49), (3600.0, 0.05)]}
    found = throttling(shares, usage, {key: 0.5})
    assert len(found) == 1
    assert found[0].share == 0.6 and found[0].at == 1800.0 and found[0].at_limit
    assert "ending 00:30:00Z, 30m ago" in peak_when(
        found[0].at, datetime(1970, 1, 1, 1, tzinfo=UTC)
    )
    # Throttled in a tenth of the periods at worst: below the threshold.
    assert throttling({key: [(0.0, 0.1), (60.0, 0.05)]}, usage, {key: 0.5}) == []
    # No CPU limit, no CFS quota: never reported, whatever the counters say.
    assert throttling(shares, usage, {}) == []
    # NaN points (no periods in a step) are skipped, not taken as the peak.
    assert throttling({key: [(0.0, float("nan")), (60.0, 0.3)]}, usage, {key: 0.5})[0].at == 60.0
    # Bursting into the limit while using little of it at the peak: throttled, not at the limit.
    assert not throttling({key: [(3600.0, 0.5)]}, usage, {key: 0.5})[0].at_limit
    assert value_at([(10.0, 1.0), (20.0, 2.0)], 5.0) == 1.0


def test_memory_near_its_limit() -> None:
    key = ("api-0", "api")
    assert memory_pressure({key: 950.0}, {key: 1000.0})[0].share == 0.95
    assert memory_pressure({key: 500.0}, {key: 1000.0}) == []


def _template(image: str, env: dict[str, str], cpu: str) -> dict:
    return {
        "spec": {
            "containers": [
                {
                    "name": "gateway",
                    "image": image,
                    "env": [{"name": k, "value": v} for k, v in env.items()],
                    "resources": {"limits": {"cpu": cpu}},
                }
            ]
        }
    }


def test_rollout_diff_names_image_env_and_resources() -> None:
    before = _template("gw:4.8.2", {"PSP_TIMEOUT_MS": "5000", "LOG": "info"}, "1")
    after = _template("gw:4.9.0", {"PSP_TIMEOUT_MS": "50", "LOG": "info", "NEW": "x"}, "500m")
    changes = {(c.field, c.before, c.after) for c in template_changes(before, after)}
    assert changes == {
        ("image", "gw:4.8.2", "gw:4.9.0"),
        ("env PSP_TIMEOUT_MS", "5000", "50"),
        ("env NEW", "", "x"),
        ("resources", "limits cpu=1", "limits cpu=500m"),
    }
    assert template_changes(before, before) == []


def test_config_change_time_comes_from_managed_fields() -> None:
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    obj = {
        "metadata": {
            "creationTimestamp": "2026-01-01T00:00:00Z",
            "resourceVersion": "42",
            "managedFields": [{"time": "2026-12-01T11:40:00Z"}],
        }
    }
    change = config_change("cfg", obj, now, 3600)
    assert change.in_window and change.seconds_ago == 1200 and change.resource_version == "42"
    assert not config_change("cfg", obj, now, 600).in_window
    assert not config_change("gone", None, now, 3600).exists


def test_hpa_facts_at_max_and_metrics_unavailable() -> None:
    hpa = {
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "maxReplicas": 4},
        "status": {
            "currentReplicas": 4,
            "desiredReplicas": 4,
            "currentMetrics": [{"type": ""}],
            "conditions": [
                {"type": "AbleToScale", "status": "True", "reason": "SucceededGetScale"},
                {"type": "ScalingActive", "status": "False", "reason": "FailedGetResourceMetric"},
            ],
        },
    }
    facts = hpa_facts(hpa)
    assert facts.at_max and facts.metrics_unavailable and facts.metrics == []
    assert facts.problems == ["ScalingActive=False (FailedGetResourceMetric)"]


def test_question_window() -> None:
    assert question_window("why did it fail in the last 30 minutes?") == 1800
    assert question_window("what broke in the past 2 hours") == 7200
    assert question_window("why is it slow") == 3600
    assert question_window("errors in the last hour") == 3600


def test_an_application_time_prefix_is_not_taken_for_a_continuation() -> None:
    line = (
        "2026-12-06T15:10:00.000Z  WARN PauseMonitor : JVM paused for GC, slow: pause took 2981 ms"
    )
    (signal,) = log_signals(f"{line}\n{line}")
    assert (signal.kind, signal.count, signal.duration_ms) == ("slow", 2, 2981)


def test_a_count_of_errors_is_not_an_error_line() -> None:
    assert classify('level=info msg="batch done" errors=0 error_rate=0.00') is None
    assert classify('level=error msg="batch failed"')[0] == "error"
    assert classify("2026-12-06 10:00:00 ERROR [main] batch failed")[0] == "error"
    assert classify("W1206 10:00:00.1 1 reflector.go:1] watch closed")[0] == "warning"


def test_controller_revisions_hold_the_template_and_take_replicas_from_the_statefulset() -> None:
    tpl = {
        "spec": {
            "containers": [{"name": "db", "image": "pg:16", "env": [{"name": "A", "value": "1"}]}]
        }
    }
    patch = {
        "kind": "ControllerRevision",
        "revision": 4,
        "data": {"spec": {"template": {"$patch": "replace", **tpl}}},
    }
    assert revision_template(patch) == {"$patch": "replace", **tpl}
    assert revision_template({"kind": "ReplicaSet", "spec": {"template": tpl}}) == tpl
    # Mid-rollout: two pods at the update revision, one still at the current one.
    sts = {
        "kind": "StatefulSet",
        "status": {"currentRevision": "db-old", "updateRevision": "db-new", "currentReplicas": 1,
                   "updatedReplicas": 2, "readyReplicas": 3},
    }  # fmt: skip
    new = controller_revision({**patch, "metadata": {"name": "db-new"}}, sts, newest=True)
    old = controller_revision({**patch, "revision": 3, "metadata": {"name": "db-old"}}, sts, False)
    assert (new.revision, new.replicas, new.ready, new.images) == (4, 2, 2, ["pg:16"])
    assert (old.revision, old.replicas, old.ready) == (3, 1, 0)
