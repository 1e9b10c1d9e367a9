"""CEL functions for the CronJob runbook (registered on import); pure functions.

A CronJob stops producing Jobs when it is suspended, when its schedule (or time zone) cannot be
parsed, when concurrencyPolicy Forbid meets a Job of an earlier run that never ends (the
controller records JobAlreadyActive and skips every run), when it missed more than 100
start times without a startingDeadlineSeconds, or when each run is reached later than its
startingDeadlineSeconds (MissSchedule). `cronjob_state` tells these apart from the
CronJob's list facts, its Jobs' list facts and its events; the standard five-field cron syntax
(lists, ranges, steps, names, @macros) is read here to count the runs a stuck Job cost.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

_MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_NAMES = {**{m: i + 1 for i, m in enumerate(_MONTHS)}, **{d: i for i, d in enumerate(_DAYS)}}
_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))


def _field(text: str, low: int, high: int) -> set[int]:
    values: set[int] = set()
    for part in text.lower().split(","):
        body, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if body in ("*", "?"):
            start, end = low, high
        elif "-" in body:
            first, last = body.split("-", 1)
            start, end = int(_NAMES.get(first, first)), int(_NAMES.get(last, last))
        else:
            start = int(_NAMES.get(body, body))
            end = high if step_text else start
        if step < 1 or start < low or end > high + (1 if high == 6 else 0) or start > end:
            raise ValueError(f"{part!r} is outside {low}-{high}")
        values |= {v % 7 if high == 6 else v for v in range(start, end + 1, step)}
    return values


def _parse(schedule: str) -> tuple[list[set[int]], bool, bool]:
    text = re.sub(r"^(CRON_)?TZ=\S+\s+", "", str(schedule or "").strip())
    text = _MACROS.get(text.lower(), text)
    fields = text.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields, found {len(fields)}")
    parsed = [_field(f, low, high) for f, (low, high) in zip(fields, _RANGES, strict=True)]
    return parsed, fields[2] in ("*", "?"), fields[4] in ("*", "?")


def cron_error(schedule: Any) -> str:
    """Why a schedule cannot be parsed ("" when it can)."""
    try:
        _parse(str(schedule or ""))
    except ValueError as error:
        return str(error)
    return ""


def _time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


def cron_runs_between(schedule: Any, start: Any, end: Any, cap: int = 500) -> int:
    """How many times the schedule fires after `start` up to `end` (RFC 3339, UTC; at most
    `cap`); -1 when the schedule or a time cannot be read."""
    begin, finish = _time(start), _time(end)
    try:
        (minutes, hours, days, months, weekdays), any_day, any_weekday = _parse(str(schedule))
    except ValueError:
        return -1
    if begin is None or finish is None:
        return -1
    count, moment = 0, begin.replace(second=0, microsecond=0) + timedelta(minutes=1)
    while moment <= finish and count < cap:
        day_ok = moment.day in days
        weekday_ok = (moment.isoweekday() % 7) in weekdays
        # cron: when both day fields are restricted, either matches.
        on_day = (day_ok and weekday_ok) if (any_day or any_weekday) else (day_ok or weekday_ok)
        if not (moment.month in months and on_day):
            moment = (moment + timedelta(days=1)).replace(hour=0, minute=0)
            continue
        if moment.hour not in hours:
            moment = (moment + timedelta(hours=1)).replace(minute=0)
            continue
        if moment.minute in minutes:
            count += 1
        moment += timedelta(minutes=1)
    return count


def _events(results: Any, name: str) -> list[dict[str, Any]]:
    found = []
    for result in results or []:
        data = result.get("data") if isinstance(result, dict) and result.get("ok") else None
        for event in (data or {}).get("events") or []:
            if event.get("kind") == "CronJob" and event.get("name") == name:
                found.append(event)
    return found


def cronjob_state(cronjob: Any, jobs: Any, events: Any) -> dict[str, Any]:
    """Why a CronJob (list item with facts) runs no new Job: `{kind: suspended|
    invalid-schedule|forbid-active|missed-starts|none, detail, active: [{name, start_time,
    runs_skipped}], skipped_events, last_seen, event}`. `jobs` are Job list items with facts,
    `events` `kubernetes_events` results (its JobAlreadyActive, TooManyMissedTimes,
    InvalidSchedule, UnknownTimeZone events)."""
    cronjob = cronjob if isinstance(cronjob, dict) else {}
    name = str(cronjob.get("name", ""))
    mine = _events(events, name)
    last_seen = max((str(e.get("last_seen") or "") for e in mine), default="")
    state: dict[str, Any] = {"kind": "none", "detail": "", "active": [], "skipped_events": 0}
    state.update(last_seen=last_seen, event="")
    reasons = {str(e.get("reason")): e for e in mine}
    error = cron_error(cronjob.get("schedule"))
    for reason in ("InvalidSchedule", "UnparseableSchedule", "UnknownTimeZone", "InvalidTimeZone"):
        if reason in reasons:
            error = error or str(reasons[reason].get("message") or reason)
    if cronjob.get("suspend"):
        return {**state, "kind": "suspended", "detail": "spec.suspend is true"}
    if error:
        return {**state, "kind": "invalid-schedule", "detail": error}
    by_name = {str(j.get("name")): j for j in jobs or [] if isinstance(j, dict)}
    reference = last_seen or str(cronjob.get("last_schedule") or "")
    for job_name in cronjob.get("active") or []:
        job = by_name.get(job_name, {})
        start = str(job.get("start_time") or "")
        runs = cron_runs_between(cronjob.get("schedule"), start, reference) if start else -1
        state["active"].append({"name": job_name, "start_time": start, "runs_skipped": runs})
    skipped = reasons.get("JobAlreadyActive")
    state["skipped_events"] = int(skipped.get("count") or 1) if skipped else 0
    overdue = skipped or any(a["runs_skipped"] > 0 for a in state["active"])
    if cronjob.get("concurrency_policy") == "Forbid" and state["active"] and overdue:
        state["event"] = str(skipped.get("message") or "") if skipped else ""
        return {**state, "kind": "forbid-active", "detail": "concurrencyPolicy Forbid"}
    # TooManyMissedTimes (over 100 missed, no deadline) and MissSchedule ("Missed scheduled
    # time to start a job": a run reached later than startingDeadlineSeconds after its time).
    missed = next(
        (
            e
            for r, e in reasons.items()
            if "miss" in r.lower() or "missed" in str(e.get("message")).lower()
        ),
        None,
    )
    if missed:
        state["event"] = str(missed.get("message") or "")
        state["skipped_events"] = int(missed.get("count") or 1)
        return {**state, "kind": "missed-starts", "detail": state["event"]}
    return state


# The CEL functions of this module, by the name runbooks call them (`builtin.py` registers them).
FUNCTIONS = {
    "k8s.cron_error": cron_error,
    "k8s.cron_runs_between": cron_runs_between,
    "k8s.cronjob_state": cronjob_state,
}
