"""Prometheus series of a bundle: `prometheus/series.yaml` (expanding notation) and `*.om` files.

Both forms become `Series` (a metric name, labels and timestamped samples in seconds), which the
Prometheus replay renders back into one OpenMetrics file for `promtool tsdb create-blocks-from
openmetrics`. The `.om` reader accepts what promtool accepts (a counter sample need not end in
`_total`), and adds the checks promtool lacks: a millisecond timestamp, which promtool would
silently place ~50,000 years away, is an error here.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from holmes.evals.bundle_files import read_text
from holmes.evals.errors import BundleError
from holmes.tools.times import duration_seconds as parse_duration

# libyaml's parser when PyYAML has it (its wheels do): a bundle's files load ~5x faster.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Seconds since the epoch beyond this (the year 5138) can only be milliseconds or nanoseconds.
MAX_TIMESTAMP_SECONDS = 1e11

_NUMBER = r"[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|Inf|inf|NaN|nan)"
_EXPANDING = re.compile(
    rf"^(?P<start>{_NUMBER})(?:(?P<op>[-+])(?P<step>{_NUMBER}))?x(?P<count>\d+)$"
)
_SINGLE = re.compile(rf"^{_NUMBER}$")
_MISSING_RUN = re.compile(r"^_x(?P<count>\d+)$")
_METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
_LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(,|$)')


class Series(BaseModel):
    """One time series: samples are (unix seconds, value) in time order."""

    name: str
    labels: dict[str, str] = Field(default_factory=dict)
    samples: list[tuple[float, float]] = Field(default_factory=list)
    source: str = ""  # "series.yaml #3" or "gpu.om:12": where the series was written

    @property
    def selector(self) -> str:
        """The series as PromQL would print it: `name{a="b"}`."""
        return format_selector(self.name, self.labels)


def format_selector(name: str, labels: dict[str, str]) -> str:
    """Render a metric name and labels in exposition syntax, escaping label values."""
    if not labels:
        return name
    escaped = (f'{key}="{escape_label_value(value)}"' for key, value in sorted(labels.items()))
    return f"{name}{{{','.join(escaped)}}}"


def escape_label_value(value: str) -> str:
    """Escape a label value for the exposition format (backslash, newline, double quote)."""
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def parse_selector(text: str) -> tuple[str, dict[str, str]]:
    """Parse `name{label="value",...}` into the name and its labels."""
    text = text.strip()
    brace = text.find("{")
    name = text if brace < 0 else text[:brace].strip()
    if not _METRIC_NAME.match(name):
        raise ValueError(f"{name!r} is not a valid metric name")
    labels: dict[str, str] = {}
    if brace < 0:
        return name, labels
    if not text.endswith("}"):
        raise ValueError(f"{text!r}: the label set is not closed with '}}'")
    body = text[brace + 1 : -1].strip()
    position = 0
    while position < len(body):
        match = _LABEL.match(body, position)
        if not match:
            raise ValueError(f"{text!r}: cannot read a label at {body[position:]!r}")
        labels[match[1]] = _unescape(match[2])
        position = match.end()
    return name, labels


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m[1] == "n" else m[1], value)


def expand_values(notation: str) -> list[float | None]:
    """Expand promtool's input-series notation into values; None marks a missing sample.

    `a+bxn` and `a-bxn` give n+1 values from a in steps of b, `axn` n+1 copies of a, `_` one
    missing sample and `_xn` n of them. `stale` is also a missing sample: OpenMetrics text has no
    way to write a staleness marker, so the series simply has no sample there.
    """
    values: list[float | None] = []
    for token in str(notation).split():
        if token in ("_", "stale"):
            values.append(None)
        elif match := _MISSING_RUN.match(token):
            values.extend([None] * int(match["count"]))
        elif match := _EXPANDING.match(token):
            start = float(match["start"])
            step = float(match["step"]) if match["step"] else 0.0
            if match["op"] == "-":
                step = -step
            values.extend(start + step * i for i in range(int(match["count"]) + 1))
        elif _SINGLE.match(token):
            values.append(float(token))
        else:
            raise ValueError(
                f"bad value {token!r}: expected a number, 'a+bxn', 'a-bxn', 'axn', '_', '_xn' "
                "or 'stale'"
            )
    return values


def load_series_yaml(path: Path, end: datetime) -> list[Series]:
    """Read `series.yaml`; each series' last value lands at `end` (the incident's time)."""
    try:
        document = yaml.load(read_text(path), Loader=SAFE_LOADER) or {}
    except yaml.YAMLError as error:
        raise BundleError(path, f"not valid YAML: {error}") from error
    if not isinstance(document, dict):
        raise BundleError(path, "expected a mapping with 'interval' and 'series'")
    try:
        default_interval = parse_duration(document.get("interval", "30s"))
    except ValueError as error:
        raise BundleError(path, str(error), where="interval") from error
    entries = document.get("series")
    if not isinstance(entries, list):
        raise BundleError(path, "must be a list of {series, values}", where="series")
    end_seconds = end.timestamp()
    result = []
    for index, entry in enumerate(entries):
        where = f"series[{index}]"
        if not isinstance(entry, dict) or "series" not in entry or "values" not in entry:
            raise BundleError(path, "needs both 'series' and 'values'", where=where)
        try:
            name, labels = parse_selector(str(entry["series"]))
        except ValueError as error:
            raise BundleError(path, str(error), where=f"{where}.series") from error
        try:
            interval = (
                parse_duration(entry["interval"]) if "interval" in entry else default_interval
            )
        except ValueError as error:
            raise BundleError(path, str(error), where=f"{where}.interval") from error
        try:
            values = expand_values(entry["values"])
        except ValueError as error:
            raise BundleError(
                path, f"{entry['series']}: {error}", where=f"{where}.values"
            ) from error
        last = len(values) - 1
        samples = [
            (end_seconds - (last - i) * interval, value)
            for i, value in enumerate(values)
            if value is not None
        ]
        result.append(
            Series(name=name, labels=labels, samples=samples, source=f"{path.name} {where}")
        )
    return result


def load_openmetrics(path: Path, end: datetime | None = None) -> list[Series]:
    """Read an OpenMetrics text file whose every sample carries a timestamp in seconds."""
    lines = read_text(path).splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines or lines[-1].strip() != "# EOF":
        raise BundleError(path, "does not end with a '# EOF' line (OpenMetrics requires it)")
    by_key: dict[tuple[str, tuple[tuple[str, str], ...]], Series] = {}
    latest_allowed = end.timestamp() + 3600 if end else None
    for number, line in enumerate(lines[:-1], start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            if stripped == "# EOF":
                raise BundleError(path, "'# EOF' before the end of the file", where=str(number))
            continue
        name, labels, value, timestamp = _parse_sample_line(path, number, stripped)
        if timestamp > MAX_TIMESTAMP_SECONDS:
            raise BundleError(
                path,
                f"timestamp {timestamp:.0f} is not in seconds (milliseconds?); OpenMetrics "
                "timestamps are seconds since the epoch",
                where=str(number),
            )
        if latest_allowed is not None and timestamp > latest_allowed:
            raise BundleError(
                path,
                f"timestamp {timestamp:.0f} is more than an hour after the incident's time",
                where=str(number),
            )
        key = (name, tuple(sorted(labels.items())))
        series = by_key.setdefault(
            key, Series(name=name, labels=labels, source=f"{path.name}:{number}")
        )
        series.samples.append((timestamp, value))
    for series in by_key.values():
        series.samples.sort(key=lambda sample: sample[0])
    return list(by_key.values())


def _parse_sample_line(
    path: Path, number: int, line: str
) -> tuple[str, dict[str, str], float, float]:
    closing = line.rfind("}")
    head, rest = (line[: closing + 1], line[closing + 1 :]) if closing >= 0 else line.split(None, 1)
    # An exemplar (" # {...} 1.0") may follow the sample; promtool ignores it and so do we.
    fields = rest.split("#", 1)[0].split()
    try:
        name, labels = parse_selector(head)
    except ValueError as error:
        raise BundleError(path, str(error), where=str(number)) from error
    if len(fields) != 2:
        raise BundleError(
            path,
            f"expected 'name{{labels}} value timestamp', got {line!r} "
            "(every sample needs a timestamp in seconds)",
            where=str(number),
        )
    try:
        value, timestamp = float(fields[0]), float(fields[1])
    except ValueError as error:
        raise BundleError(path, f"not a number in {line!r}", where=str(number)) from error
    if math.isnan(timestamp) or math.isinf(timestamp):
        raise BundleError(path, f"bad timestamp in {line!r}", where=str(number))
    return name, labels, value, timestamp
