"""The selectors `holmes record` fetches for a PromQL expression, and how far back it looks."""

from __future__ import annotations

import pytest

from holmes.tools.prometheus.selectors import LOOKBACK_SECONDS, query_reads


@pytest.mark.parametrize(
    ("promql", "selectors"),
    [
        ("up", ("up",)),
        ('DCGM_FI_DEV_XID_ERRORS{Hostname="gpu-node-3", gpu="2"}',
         ('DCGM_FI_DEV_XID_ERRORS{Hostname="gpu-node-3", gpu="2"}',)),
        ('sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{namespace="ml"}[5m]))',
         ('container_cpu_usage_seconds_total{namespace="ml"}',)),
        ("sum(x) without (instance) / on (job) group_left (node) kube_node_info",
         ("x", "kube_node_info")),
        ('label_replace(up{job="a"}, "dst", "$1", "src", "(.*)") > bool 0', ('up{job="a"}',)),
        ('{__name__=~"DCGM_FI_DEV_.*", gpu="2"}', ('{__name__=~"DCGM_FI_DEV_.*", gpu="2"}',)),
        ('count_values("v", a) or vector(1) + 1e3 - Inf * NaN', ("a",)),
        ('a{l="}{ and by (x)"} unless b # a comment naming c', ('a{l="}{ and by (x)"}', "b")),
        ("histogram_quantile(0.99, sum by (le) (rate(h_bucket[1m])))", ("h_bucket",)),
        ("a + a", ("a",)),
    ],
)  # fmt: skip
def test_selectors_are_the_series_the_expression_reads(promql, selectors):
    assert query_reads(promql).selectors == selectors


@pytest.mark.parametrize(
    ("promql", "extra"),
    [
        ("up", 0),
        ("rate(x[5m])", 300),
        ("max_over_time((x)[1h:30s])", 3600),
        ("x offset 10m", 600),
        ("max_over_time(rate(x[5m])[1h:1m] offset 1d)", 300 + 3600 + 86400),
    ],
)
def test_lookback_covers_ranges_subqueries_and_offsets(promql, extra):
    assert query_reads(promql).lookback_seconds == LOOKBACK_SECONDS + extra
