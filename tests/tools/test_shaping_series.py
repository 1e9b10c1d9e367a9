"""Per-series summaries: statistics, steps, jumps, trends, gaps, labels and number formats."""

from __future__ import annotations

from datetime import UTC, datetime

from holmes.tools.shaping.series import (
    common_labels,
    describe,
    find_gaps,
    format_age,
    format_labels,
    format_number,
    format_time,
    last_change,
    redundant_identity_labels,
    summarize,
)

NOW = datetime(2026, 3, 18, 14, 32, tzinfo=UTC)
END = NOW.timestamp()
START = END - 3600


def points(values: list[float | None], step: float = 30.0) -> list[tuple[float, float]]:
    """Points ending at END, one per step; None is a missing sample."""
    first = END - step * (len(values) - 1)
    return [(first + i * step, v) for i, v in enumerate(values) if v is not None]


def test_a_step_change_is_reported_with_its_time() -> None:
    series = points([0.0] * 101 + [79.0] * 20)
    summary = summarize(series, start=START, end=END, step=30)
    assert (summary.first, summary.last, summary.minimum, summary.maximum) == (0, 79, 0, 79)
    assert len(summary.changes) == 1 and summary.changes[0].at == END - 19 * 30
    text = describe(summary, now=NOW)
    assert text[0].startswith("last 79, first 0, min 0, max 79, mean 13.06")
    assert text[1] == "0 -> 79 at 14:22:30Z (10m ago)"


def test_flat_series_is_one_line_and_least_interesting() -> None:
    summary = summarize(points([13.0] * 121), start=START, end=END, step=30)
    assert summary.flat and summary.changes == [] and summary.interest() == 0
    assert describe(summary, now=NOW, unit="%") == ["steady at 13% (121 points)"]


def test_noisy_series_reports_only_large_jumps() -> None:
    noisy = [95.0 + (i % 3) for i in range(60)] + [2.0 + (i % 2) for i in range(61)]
    summary = summarize(points(noisy), start=START, end=END, step=30)
    assert summary.changes_total > 3 and summary.trend is None
    assert [(c.before, c.after) for c in summary.changes] == [(97.0, 2.0)]


def test_a_ramp_or_a_counter_is_a_trend_not_a_change_list() -> None:
    ramp = [71.0] * 60 + [72.0 + i for i in range(20)] + [92.0] * 41
    summary = summarize(points(ramp), start=START, end=END, step=30)
    assert summary.trend is not None and summary.changes == []
    assert (summary.trend.before, summary.trend.after, summary.trend.moves) == (71, 92, 21)
    assert describe(summary, now=NOW, unit="°C")[1].startswith(
        "rose from 71 °C to 92 °C between 14:02:00Z (30m ago) and 14:12:00Z (20m ago)"
    )


def test_gaps_inside_and_a_series_that_stopped() -> None:
    series = points([97.0] * 60 + [None] * 20 + [97.0] * 20 + [None] * 21)
    summary = summarize(series, start=START, end=END, step=30)
    assert summary.stopped and len(summary.gaps) == 2
    lines = describe(summary, now=NOW)
    assert "no samples from 14:01:30Z (30m ago) to 14:12:00Z (20m ago)" in lines
    assert "no samples since 14:21:30Z (10m ago)" in lines
    assert (
        summary.interest() > summarize(points([1.0, 5.0]), start=START, end=END, step=30).interest()
    )


def test_leading_gap_and_empty_series() -> None:
    assert find_gaps([END - 60, END], start=START, end=END, step=30)[0].leading
    assert find_gaps([], start=START, end=END, step=30)[0].end is None
    assert describe(summarize([], start=START, end=END, step=30), now=NOW) == [
        "no samples in the window"
    ]


def test_nan_is_left_out_of_statistics() -> None:
    series = points([1.0, float("nan"), 3.0])
    summary = summarize(series, start=END - 60, end=END, step=30)
    assert (summary.count, summary.non_finite, summary.mean) == (2, 1, 2.0)
    assert "1 NaN or no-data samples left out" in describe(summary, now=NOW)[0]


def test_last_change_gives_when_the_current_value_started() -> None:
    change = last_change(points([0.0, 0.0, 13.0, 13.0, 79.0, 79.0]), 30)
    assert change is not None and (change.before, change.after, change.at) == (13, 79, END - 30)
    assert last_change(points([5.0, 5.0]), 30) is None


def test_labels_common_identity_and_format() -> None:
    sets = [
        {"__name__": "m", "Hostname": "n1", "gpu": "0", "UUID": "GPU-a", "modelName": "H100"},
        {"__name__": "m", "Hostname": "n1", "gpu": "1", "UUID": "GPU-b", "modelName": "H100"},
    ]
    assert common_labels(sets) == {"__name__": "m", "Hostname": "n1", "modelName": "H100"}
    varying = [{"gpu": s["gpu"], "UUID": s["UUID"]} for s in sets]
    assert redundant_identity_labels(varying) == ["UUID"]
    # Without another label to tell them apart, the identity label stays.
    assert redundant_identity_labels([{"UUID": "a"}, {"UUID": "b"}]) == []
    labels = {"gpu": "2", "__name__": "x", "pod": "p", "namespace": "ml", "empty": ""}
    assert format_labels(labels) == 'x{namespace="ml",pod="p",gpu="2"}'
    assert format_labels(labels, omit=["__name__", "namespace", "pod", "gpu"]) == "{}"


def test_number_time_and_age_formats() -> None:
    assert format_number(97.0, "%") == "97%"
    assert format_number(71.0, "°C") == "71 °C"
    assert format_number(1.5 * 2**30, "bytes") == "1.5 GiB"
    assert format_number(13.7142857) == "13.71"
    assert format_number(0.25, "s") == "0.25 s"
    assert format_number(1773843720.0) == "1773843720"
    assert format_number(float("inf")) == "+Inf"
    assert format_time(END - 600, NOW) == "14:22:00Z (10m ago)"
    assert format_time(END - 2 * 86400, NOW) == "2026-03-16T14:32:00Z (2d ago)"
    assert [format_age(s) for s in (45, 600, 7500, -300)] == [
        "45s ago",
        "10m ago",
        "2h05m ago",
        "in 5m",
    ]
