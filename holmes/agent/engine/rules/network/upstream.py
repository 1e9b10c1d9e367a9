"""An upstream answering 5xx: the HTTP servers that fail, whether they are over capacity, and
whether their autoscaler can add more.

`net_http_errors` reads the HTTP servers of `hubble_flow_summary`, `net_load_line` the log
line that shows a server over capacity, `net_hpa_for` the HorizontalPodAutoscaler that scales
a workload; `net_latency` writes a latency. Listed in `FUNCTIONS`; called by the
upstream-http-5xx runbook.
"""

from __future__ import annotations

import re
from typing import Any

from holmes.agent.engine.rules.network.evidence import flow_summaries, tool_data
from holmes.agent.engine.rules.network.scope import in_scope


def net_http_errors(flows: Any, subject: Any, minimum_share: float = 0.05) -> list[dict[str, Any]]:
    """HTTP servers answering 5xx to or as the subject: at least `minimum_share` of answers."""
    servers: list[dict[str, Any]] = []
    for summary in flow_summaries(flows):
        for server in summary.get("http_servers") or []:
            if server.get("errors") and float(server.get("error_share") or 0) >= minimum_share:
                servers.append(server)
    servers = in_scope(servers, subject)
    return sorted(servers, key=lambda s: -int(s.get("errors") or 0))


# Log lines that say a server is over capacity: queues, concurrency limits, full KV caches,
# load shedding, rate limits. vLLM's periodic stats line (`Running: 256 reqs, Waiting: 198
# reqs, GPU KV cache usage: 98.4%`) is one.
_LOAD = re.compile(
    r"waiting: *[1-9]\d* *reqs|kv cache usage: *(9\d|100)(\.\d+)?%|concurrency limit|"
    r"queue (is )?full|too many (concurrent )?requests|overload|server busy|at capacity|"
    r"rate.?limit|max.?num.?seqs|request queue|pending requests|shedding",
    re.IGNORECASE,
)
_STATS = re.compile(r"waiting: *\d+ *reqs|kv cache usage|queue (size|length|depth)", re.IGNORECASE)
_LINE_PREFIX = re.compile(r"^(L\d+(-L\d+)?:\s*)")
_FOLDED = re.compile(r"\s*\[x\d+ similar\]\s*$")


def net_load_line(text: Any) -> str:
    """The latest log line that shows the server over capacity ("" if none).

    A line with the figures (queue length, KV cache usage) beats a bare warning; the line
    numbers and fold marks of compacted logs are cut, and the "most repeated patterns"
    examples (`x72: ...`) are skipped for the lines themselves.
    """
    best, best_score = "", 0
    for raw in str(text or "").splitlines():
        line = raw.strip()
        if re.match(r"^x\d+:", line) or not _LOAD.search(line):
            continue
        line = _FOLDED.sub("", _LINE_PREFIX.sub("", line))
        score = 2 if _STATS.search(line) else 1
        if score >= best_score:
            best, best_score = line, score
    return best


def net_hpa_for(results: Any, kind: Any, name: Any) -> dict[str, Any]:
    """The HorizontalPodAutoscaler (from `kubernetes_get` results) that scales kind/name.

    `{name, min, max, current, desired, at_max, limited, metrics}` or {} when none does;
    `at_max` when the current replicas reached maxReplicas, `limited` when the HPA says it
    wants more than its maximum (condition ScalingLimited, reason TooManyReplicas).
    """
    for data in tool_data(results):
        spec, status = data.get("spec") or {}, data.get("status") or {}
        target = spec.get("scaleTargetRef") or {}
        if target.get("name") != name or (kind and target.get("kind") not in (kind, None)):
            continue
        maximum = int(spec.get("maxReplicas") or 0)
        current = int(status.get("currentReplicas") or 0)
        limited = any(
            c.get("type") == "ScalingLimited"
            and c.get("status") == "True"
            and c.get("reason") == "TooManyReplicas"
            for c in status.get("conditions") or []
        )
        metrics = []
        for metric in status.get("currentMetrics") or []:
            kind_key = str(metric.get("type", "")).lower()
            block = metric.get(kind_key) or metric.get("resource") or {}
            metrics.append(_metric_text(block, kind_key, block.get("current") or {}))
        targets = []
        for metric in spec.get("metrics") or []:
            kind_key = str(metric.get("type", "")).lower()
            block = metric.get(kind_key) or {}
            target_value = {k: v for k, v in (block.get("target") or {}).items() if k != "type"}
            targets.append(_metric_text(block, kind_key, target_value))
        return {
            "name": (data.get("metadata") or {}).get("name", ""),
            "min": int(spec.get("minReplicas") or 1),
            "max": maximum,
            "current": current,
            "desired": int(status.get("desiredReplicas") or 0),
            "at_max": bool(maximum) and current >= maximum,
            "limited": limited,
            "metrics": metrics,
            "targets": targets,
        }
    return {}


def _metric_text(block: dict[str, Any], kind_key: str, values: dict[str, Any]) -> str:
    """`name=value` of an HPA metric: its name, and the first of its (current or target) values."""
    metric_name = (block.get("metric") or {}).get("name") or block.get("name") or kind_key
    value = next(iter(values.values()), "") if values else ""
    return f"{metric_name}={value}"


def net_latency(seconds: Any) -> str:
    """`4ms`, `13.8s`, `60s` for a latency in seconds."""
    value = float(seconds or 0)
    if value < 1:
        return f"{value * 1000:.0f}ms"
    return f"{value:.3g}s"


# The CEL functions of this module, by the name runbooks call them (`builtin.py` registers them).
FUNCTIONS = {
    "net.http_errors": net_http_errors,
    "net.load_line": net_load_line,
    "net.hpa_for": net_hpa_for,
    "net.latency": net_latency,
}
