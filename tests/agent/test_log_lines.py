"""The decisive-log-line picker: which line of a crashed instance's log explains the crash."""

from __future__ import annotations

from holmes.agent.engine.rules.log_lines import (
    clean_line,
    decisive_line,
    decisive_record,
    error_lines,
    line_score,
    log_matches,
    log_section,
)

PYDANTIC = """\
2026-10-14T09:37:11.120Z INFO  app.main: starting app 2.3.1
2026-10-14T09:37:11.158Z ERROR app.config: invalid configuration in /etc/app/config.yaml
Traceback (most recent call last):
  File "/app/main.py", line 41, in main
    config = load_config(args.config)
pydantic_core._pydantic_core.ValidationError: 1 validation error for AppConfig
upstreams.1.url
  Field required [type=missing, input_value={'name': 'a', 'uri': 'http://a'}, input_type=dict]
    For further information visit https://errors.pydantic.dev/2.11/v/missing
2026-10-14T09:37:11.160Z CRITICAL app.main: configuration error, exiting with status 1
"""

TOOL_TEXT = """\
logs of ns/p container c (restarts 3, state waiting CrashLoopBackOff)
== previous instance log (last 500 lines):
3 lines read (100 B); shown in full:
starting
ValueError: invalid literal for int() with base 10: 'auto'
== current instance log (last 500 lines):
1 lines read (10 B); shown in full:
starting
"""


def test_the_exception_beats_the_line_announcing_the_exit() -> None:
    assert decisive_line(PYDANTIC).startswith("pydantic_core._pydantic_core.ValidationError")
    assert line_score("CRITICAL app: configuration error, exiting with status 1") < line_score(
        "ValueError: invalid literal for int() with base 10: 'auto'"
    )


def test_a_record_takes_the_detail_lines_but_not_links_or_the_next_record() -> None:
    record = decisive_record(PYDANTIC)
    assert record.startswith("pydantic_core._pydantic_core.ValidationError: 1 validation error")
    assert " / upstreams.1.url / Field required [type=missing" in record
    assert "For further information" not in record
    assert "CRITICAL" not in record


def test_a_header_ending_with_a_colon_takes_its_next_line() -> None:
    log = "Java Network Exception:\nAll host(s) tried for db query failed (tried: db:3333)\n"
    assert decisive_record(log) == (
        "Java Network Exception: / All host(s) tried for db query failed (tried: db:3333)"
    )


def test_an_unstamped_log_does_not_glue_unrelated_lines() -> None:
    log = "Environment variable DEPLOY_ENV is undefined\nnext line\n"
    assert decisive_record(log) == "Environment variable DEPLOY_ENV is undefined"


def test_curl_progress_meter_and_tool_marks_are_cleaned() -> None:
    meter = "  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0"
    line = meter + "curl: (6) Could not resolve host: x.example"
    assert clean_line(line) == "curl: (6) Could not resolve host: x.example"
    assert clean_line("L12-L14: ERROR boom  [x3 similar]") == "ERROR boom"
    assert decisive_line(line) == "curl: (6) Could not resolve host: x.example"


def test_java_stack_overflow_and_shell_errors_are_found() -> None:
    java = 'Exception in thread "main" java.lang.StackOverflowError\n\tat a.b.C.d(C.java:1)\n'
    assert decisive_line(java) == 'Exception in thread "main" java.lang.StackOverflowError'
    assert decisive_line('/bin/sh: syntax error: unexpected "fi"') == (
        '/bin/sh: syntax error: unexpected "fi"'
    )


def test_error_lines_are_in_log_order_without_tool_lines() -> None:
    lines = error_lines("error-like records (2 distinct):\n" + PYDANTIC, 3)
    assert len(lines) == 3
    assert lines[0].endswith("invalid configuration in /etc/app/config.yaml")
    assert not any(line.startswith("error-like records") for line in lines)


def test_nothing_error_like_gives_empty() -> None:
    assert decisive_line("INFO all good\nINFO still good\n") == ""
    assert decisive_record("") == ""


def test_log_section_prefers_the_previous_instance() -> None:
    previous = log_section(TOOL_TEXT, "previous")
    assert "ValueError" in previous and "current instance" not in previous
    assert "ValueError" not in log_section(TOOL_TEXT, "current")
    only_current = TOOL_TEXT.replace(
        "== previous instance log (last 500 lines):\n3 lines read (100 B); shown in full:\n"
        "starting\nValueError: invalid literal for int() with base 10: 'auto'\n",
        "== previous instance: no log available (not found)\n",
    )
    assert log_section(only_current, "previous").startswith("== current instance")
    assert log_section("plain log", "previous") == "plain log"


def test_log_matches_skips_the_repeated_patterns_digest() -> None:
    text = (
        "== previous instance log (x):\nL1: loading shards 10%\nL2: loading shards 20%\n"
        "most repeated patterns (1 in all):\nx5: loading shards 3%\n"
    )
    assert log_matches(text, r"\d+%") == ["loading shards 10%", "loading shards 20%"]
