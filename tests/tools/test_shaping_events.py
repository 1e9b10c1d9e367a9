"""Event shaping, pure: both API shapes, deduplication, order, relative times."""

from __future__ import annotations

from datetime import UTC, datetime

from holmes.tools.shaping.events import ago, deduplicate, normalize, render_events

NOW = datetime(2026, 10, 14, 9, 42, tzinfo=UTC)


def core(reason: str, message: str, count: int, first: str, last: str, kind: str = "Warning"):
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": "p.1", "namespace": "serving"},
        "involvedObject": {
            "kind": "Pod",
            "name": "p",
            "namespace": "serving",
            "fieldPath": "spec.containers{app}",
        },
        "reason": reason,
        "message": message,
        "type": kind,
        "count": count,
        "firstTimestamp": first,
        "lastTimestamp": last,
        "source": {"component": "kubelet"},
    }


def test_both_shapes_read_alike() -> None:
    old = core("BackOff", "Back-off restarting", 3, "2026-10-14T09:30:00Z", "2026-10-14T09:41:00Z")
    new = {
        "apiVersion": "events.k8s.io/v1",
        "kind": "Event",
        "metadata": {"name": "p.1", "namespace": "serving"},
        "regarding": old["involvedObject"],
        "reason": "BackOff",
        "note": "Back-off restarting",
        "type": "Warning",
        "eventTime": "2026-10-14T09:30:00.000000Z",
        "series": {"count": 3, "lastObservedTime": "2026-10-14T09:41:00.000000Z"},
        "reportingController": "kubelet",
    }
    a, b = normalize(old), normalize(new)
    assert (a.kind, a.name, a.reason, a.message, a.count, a.source) == (
        b.kind,
        b.name,
        b.reason,
        b.message,
        b.count,
        b.source,
    )
    assert a.first_seen == b.first_seen and a.last_seen == b.last_seen


def test_dedup_sums_counts_widens_times_and_orders_warning_first() -> None:
    events = [
        normalize(
            core(
                "Pulled",
                "pulled image",
                1,
                "2026-10-14T09:40:00Z",
                "2026-10-14T09:41:50Z",
                "Normal",
            )
        ),
        normalize(
            core(
                "BackOff",
                "Back-off 10s restarting",
                2,
                "2026-10-14T09:30:00Z",
                "2026-10-14T09:35:00Z",
            )
        ),
        normalize(
            core(
                "BackOff",
                "Back-off 40s restarting",
                5,
                "2026-10-14T09:36:00Z",
                "2026-10-14T09:41:00Z",
            )
        ),
        normalize(
            core("Unhealthy", "probe failed", 1, "2026-10-14T09:20:00Z", "2026-10-14T09:20:00Z")
        ),
    ]
    groups = deduplicate(events)
    assert [(g.reason, g.count) for g in groups] == [
        ("BackOff", 7),
        ("Unhealthy", 1),
        ("Pulled", 1),
    ]
    backoff = groups[0]
    assert backoff.message == "Back-off 40s restarting"  # the latest one
    lines = render_events(groups, NOW, limit=2)
    assert lines[0] == (
        "Warning BackOff Pod serving/p [container app] x7 (first 12m ago, last 1m ago): "
        "Back-off 40s restarting"
    )
    assert lines[-1] == "1 more events not shown (0 of them Warning)"


def test_relative_times() -> None:
    assert ago(datetime(2026, 10, 14, 9, 41, 46, tzinfo=UTC), NOW) == "14s ago"
    assert ago(datetime(2026, 10, 14, 7, 29, tzinfo=UTC), NOW) == "2h13m ago"
    assert ago(datetime(2026, 10, 10, 9, 42, tzinfo=UTC), NOW) == "4d ago"
    assert ago(datetime(2026, 10, 14, 9, 47, tzinfo=UTC), NOW) == "in 5m"
    assert ago(None, NOW) == "unknown time"
