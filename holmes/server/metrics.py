"""The service's Prometheus metrics, on a registry of its own (one per app, so tests and
several apps in one process never collide).

Queue depth is read from the store at scrape time (a collector), so it is right across
replicas; the counters count what this replica did.
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from holmes.agent.engine.diagnosis import Diagnosis


class ServiceMetrics:
    """Counters and histograms the routes and the workers update."""

    def __init__(self, status_counts: Callable[[], dict[str, int]]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.investigations = Counter(
            "holmes_investigations",
            "Investigations finished, by source and outcome (done, failed).",
            ["source", "outcome"],
            registry=r,
        )
        self.duration = Histogram(
            "holmes_investigation_duration_seconds",
            "Wall time of an investigation, claim to answer.",
            ["source"],
            buckets=(0.5, 1, 2, 5, 10, 20, 30, 60, 90, 120, 300),
            registry=r,
        )
        self.alerts = Counter(
            "holmes_alerts",
            "Alerts received by the webhook, by what happened (new, deduplicated, deferred, "
            "resolved).",
            ["result"],
            registry=r,
        )
        self.rejected = Counter(
            "holmes_api_rejected", "API requests refused with 429 (queue full).", registry=r
        )
        self.tool_calls = Counter(
            "holmes_tool_calls",
            "Tool calls by source (kubernetes, prometheus, hubble) and outcome (ok or error kind).",
            ["source", "outcome"],
            registry=r,
        )
        self.llm_tokens = Counter(
            "holmes_llm_tokens",
            "LLM tokens spent, by kind (prompt, completion).",
            ["kind"],
            registry=r,
        )
        self.llm_cost = Counter(
            "holmes_llm_cost_usd", "Estimated LLM cost in US dollars.", registry=r
        )
        r.register(_QueueCollector(status_counts))

    def finished(
        self, source: str, outcome: str, seconds: float, diagnosis: Diagnosis | None
    ) -> None:
        """Count one finished investigation and what its LLM spent."""
        self.investigations.labels(source, outcome).inc()
        self.duration.labels(source).observe(seconds)
        if diagnosis is not None:
            cost = diagnosis.cost
            self.llm_tokens.labels("prompt").inc(cost.prompt_tokens)
            self.llm_tokens.labels("completion").inc(cost.completion_tokens)
            if cost.estimated_usd:
                self.llm_cost.inc(cost.estimated_usd)


class _QueueCollector(Collector):
    """`holmes_queue_depth{status}`: investigations per status, read from the store."""

    def __init__(self, status_counts: Callable[[], dict[str, int]]) -> None:
        self._status_counts = status_counts

    def describe(self):  # type: ignore[no-untyped-def]
        return []

    def collect(self):  # type: ignore[no-untyped-def]
        gauge = GaugeMetricFamily(
            "holmes_queue_depth",
            "Investigations by status (queued, deferred, running).",
            labels=["status"],
        )
        counts = self._status_counts()
        for status in ("queued", "deferred", "running"):
            gauge.add_metric([status], counts.get(status, 0))
        yield gauge
