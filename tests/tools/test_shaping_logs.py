"""The log compactor, pure: folding, stack traces kept, timestamps, the size bound."""

from __future__ import annotations

from holmes.tools.shaping.logs import compact_log, line_time

PYTHON_TRACE = """2026-10-14T09:37:11.158Z ERROR app: invalid configuration
Traceback (most recent call last):
  File "/app/main.py", line 41, in main
    config = load_config(args.config)
pydantic_core._pydantic_core.ValidationError: 1 validation error for GatewayConfig
upstreams.1.url
  Field required [type=missing]
2026-10-14T09:37:11.160Z CRITICAL app: configuration error, exiting with status 1"""

GO_PANIC = """panic: runtime error: invalid memory address or nil pointer dereference
goroutine 1 [running]:
main.handler(0x0)
	/src/main.go:42 +0x1d
created by main.main
	/src/main.go:12 +0x55"""


def noise(count: int, start: int = 0) -> list[str]:
    """Access-log lines whose numbers and ids vary: one pattern."""
    return [
        f"2026-10-14T09:{(i // 60) % 60:02d}:{i % 60:02d}.{i % 1000:03d}Z INFO access: "
        f"GET /items/{i * 7} status=200 duration_ms={i % 997} req={i * 2654435761 % 2**32:08x}"
        for i in range(start, start + count)
    ]


def test_small_log_is_shown_in_full_with_its_times() -> None:
    result = compact_log(PYTHON_TRACE, max_chars=4000)
    assert "shown in full" in result.text
    assert result.first_time == "2026-10-14T09:37:11.158Z"
    assert result.last_time == "2026-10-14T09:37:11.160Z"
    assert result.lines_read == 8


def test_repeats_with_varying_numbers_fold_and_the_trace_survives() -> None:
    lines = noise(20_000) + PYTHON_TRACE.splitlines() + noise(20_000, 20_000)
    result = compact_log("\n".join(lines), max_chars=4000)
    text = result.text
    assert len(text) <= 4000
    assert result.lines_read == 40_008
    assert result.patterns < 20
    # The whole Python record is kept: the dated ERROR line and its undated trace lines.
    assert "L20001: 2026-10-14T09:37:11.158Z ERROR app: invalid configuration" in text
    assert "upstreams.1.url" in text and "Field required [type=missing]" in text
    assert "CRITICAL app: configuration error" in text
    assert "x40000: " in text  # the access-log pattern, folded with its count
    assert f"{result.lines_folded} repeated lines folded" in text
    assert result.lines_folded > 39_900
    assert text.splitlines()[0].startswith("40008 lines read (")


def test_repeated_error_records_are_shown_once_with_a_count() -> None:
    record = ["2026-01-01T00:00:00Z ERROR db: connection refused (attempt 1)"]
    lines = []
    for attempt in range(500):
        lines += noise(10, attempt * 10)
        lines.append(record[0].replace("attempt 1", f"attempt {attempt}"))
    result = compact_log("\n".join(lines), max_chars=3000)
    assert result.error_records == 1
    assert "[seen 500 times, last at line 5500]" in result.text


def test_go_panic_and_java_trace_kept_in_an_undated_log() -> None:
    java = ['Exception in thread "main" java.lang.StackOverflowError']
    java += ["\tat com.example.Rec.go(Rec.java:5)"] * 3000
    java += ["\tat com.example.Main.main(Main.java:3)"]
    plain = [f"worker {i}: processed batch" for i in range(5000)]
    text = "\n".join([*plain, *GO_PANIC.splitlines(), *plain, *java, *plain])
    result = compact_log(text, max_chars=4000)
    assert len(result.text) <= 4000
    assert "panic: runtime error: invalid memory address" in result.text
    assert "/src/main.go:42" in result.text
    assert "java.lang.StackOverflowError" in result.text
    assert "at com.example.Rec.go(Rec.java:5)  [line repeated 3000 times]" in result.text
    assert result.first_time is None and "no timestamps in the log" in result.text


def test_size_bound_holds_with_many_distinct_errors() -> None:
    lines = [
        f"2026-01-01T00:00:00Z ERROR shard-{i}: disk {chr(103 + i % 19)} failed"
        for i in range(3000)
    ]
    lines = [line + " " + "x" * (i % 700) for i, line in enumerate(lines)]
    result = compact_log("\n".join(lines), max_chars=2500)
    assert len(result.text) <= 2500
    assert "more error-like records not shown" in result.text
    assert result.errors_not_shown > 0


def test_kubelet_timestamps_are_read_and_stripped() -> None:
    lines = [
        f"2026-10-14T09:37:{second:02d}.123456789Z message {second}" for second in range(50)
    ] * 100
    result = compact_log("\n".join(lines), max_chars=1500)
    assert result.first_time == "2026-10-14T09:37:00.123456789Z"
    assert result.last_time == "2026-10-14T09:37:49.123456789Z"
    assert "x5000: message 0" in result.text


def test_line_time_formats() -> None:
    assert line_time("2026-03-18T14:16:00.000Z INFO x") == "2026-03-18T14:16:00.000Z"
    assert line_time("[2026-03-18 14:16:00,000] INFO x") == "2026-03-18 14:16:00,000"
    assert line_time("I0318 14:16:00.123456 1 main.go:1] x") == "0318 14:16:00.123456"
    assert line_time("no time here") is None


def test_empty_log() -> None:
    result = compact_log("", max_chars=1000)
    assert result.text == "(empty log: 0 lines)" and result.lines_read == 0
