"""CronJob schedules and why a CronJob runs no new Job."""

from __future__ import annotations

from holmes.agent.engine.rules.functions_cronjobs import (
    cron_error,
    cron_runs_between,
    cronjob_state,
)


def test_schedules_parse_as_cron_does_and_runs_are_counted() -> None:
    assert cron_error("0 2 * * *") == "" and cron_error("@daily") == ""
    assert cron_error("CRON_TZ=Europe/Paris 0 2 * * mon-fri") == ""
    assert "5 fields" in cron_error("0 2 * *")
    assert "outside" in cron_error("61 * * * *")
    assert cron_runs_between("0 2 * * *", "2026-12-03T02:00:00Z", "2026-12-06T02:00:00Z") == 3
    assert cron_runs_between("*/30 * * * *", "2026-12-06T00:00:00Z", "2026-12-06T02:00:00Z") == 4
    # 2026-12-05 is a Saturday: weekday-only schedules skip the weekend.
    assert cron_runs_between("0 9 * * 1-5", "2026-12-04T10:00:00Z", "2026-12-08T10:00:00Z") == 2
    assert cron_runs_between("bad", "2026-12-04T10:00:00Z", "2026-12-08T10:00:00Z") == -1


def _events(*pairs):
    events = [
        {
            "kind": "CronJob",
            "name": "refresh",
            "reason": r,
            "message": m,
            "last_seen": "2026-12-06T02:00:00Z",
            "count": 1,
        }
        for r, m in pairs
    ]
    return [{"ok": True, "data": {"events": events}}]


CRON = {
    "name": "refresh",
    "schedule": "0 2 * * *",
    "suspend": False,
    "concurrency_policy": "Forbid",
    "active": ["refresh-1"],
    "last_schedule": "2026-12-03T02:00:00Z",
}
JOBS = [{"name": "refresh-1", "start_time": "2026-12-03T02:00:00Z"}]


def test_forbid_behind_an_active_job_counts_the_runs_it_cost() -> None:
    state = cronjob_state(CRON, JOBS, _events(("JobAlreadyActive", "Not starting job because ...")))
    assert state["kind"] == "forbid-active"
    assert state["active"][0]["runs_skipped"] == 3 and state["skipped_events"] == 1
    # A run still inside its period with no skip event is not (yet) a blocker.
    fresh = {**CRON, "last_schedule": "2026-12-06T02:00:00Z"}
    assert (
        cronjob_state(fresh, [{"name": "refresh-1", "start_time": "2026-12-06T02:00:00Z"}], [])[
            "kind"
        ]
        == "none"
    )
    assert cronjob_state({**CRON, "concurrency_policy": "Allow"}, JOBS, [])["kind"] == "none"


def test_suspended_bad_schedule_and_missed_starts() -> None:
    assert cronjob_state({**CRON, "suspend": True}, JOBS, [])["kind"] == "suspended"
    assert cronjob_state({**CRON, "schedule": "0 25 * * *", "active": []}, [], [])["kind"] == (
        "invalid-schedule"
    )
    missed = _events(
        (
            "TooManyMissedTimes",
            "too many missed start times: 101. Set or decrease "
            ".spec.startingDeadlineSeconds or check clock skew",
        )
    )
    assert cronjob_state({**CRON, "active": []}, [], missed)["kind"] == "missed-starts"


def test_runs_missed_past_the_starting_deadline() -> None:
    # The controller's MissSchedule event: a run reached later than startingDeadlineSeconds.
    missed = _events(
        ("MissSchedule", "Missed scheduled time to start a job: Mon, 07 Dec 2026 06:00:00 +0000")
    )
    state = cronjob_state({**CRON, "active": [], "starting_deadline_seconds": 10}, [], missed)
    assert state["kind"] == "missed-starts"
    assert state["event"].startswith("Missed scheduled time")
