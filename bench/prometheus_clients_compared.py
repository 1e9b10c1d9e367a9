"""holmes's Prometheus client (httpx, async) against prometheus-api-client's PrometheusConnect.

Replays an incident's series into Debian's real Prometheus, then prints for each client: the
import time (a fresh interpreter, median of several) and the latency of instant queries
(median and p95 of many, sequential; then a burst of concurrent ones, as the GPU tool sends five
at once; PrometheusConnect is synchronous, so its burst runs on threads via asyncio.to_thread,
as holmes would have to call it off the event loop). Asserts nothing.

    .venv/bin/python bench/prometheus_clients_compared.py [--incident ID] [--queries 200]
        [--other-python /path/to/python]   # an interpreter that has prometheus-api-client

prometheus-api-client is not a holmes dependency: install it in a separate environment
(`uv venv /tmp/pac && uv pip install -p /tmp/pac/bin/python prometheus-api-client`) and pass
its interpreter with --other-python.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from holmes.evals import load_bundle
from holmes.evals.replay import replay
from holmes.tools.context import SourceEndpoints, ToolContext
from holmes.tools.prometheus.client import prometheus

INCIDENTS = Path(__file__).resolve().parents[1] / "evals" / "incidents"
QUERIES = (
    'DCGM_FI_DEV_GPU_TEMP{Hostname="a100-pod2-n12"}',
    "max by (gpu, Hostname) (max_over_time(DCGM_FI_DEV_SM_CLOCK[1h]))",
    '{__name__=~"DCGM_FI_DEV_(GPU_TEMP|SM_CLOCK|POWER_USAGE|FB_USED|XID_ERRORS)"}',
)
IMPORT_RUNS = 7

# Runs in the other interpreter: times PrometheusConnect's import and queries, prints JSON.
_OTHER = r"""
import asyncio, json, statistics, sys, time
started = time.perf_counter()
from prometheus_api_client import PrometheusConnect
imported = time.perf_counter() - started
url, at, count, queries = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4])
client = PrometheusConnect(url=url, disable_ssl=True)
times = []
for index in range(count):
    query = queries[index % len(queries)]
    begin = time.perf_counter()
    client.custom_query(query, params={"time": at})
    times.append(time.perf_counter() - begin)
async def burst():
    begin = time.perf_counter()
    await asyncio.gather(*(asyncio.to_thread(client.custom_query, q, {"time": at})
                           for q in queries * 5))
    return time.perf_counter() - begin
bursts = [asyncio.run(burst()) for _ in range(10)]
print(json.dumps({"import": imported, "times": times, "bursts": bursts}))
"""


def import_seconds(python: str, statement: str) -> float:
    """Median wall time of `statement` in a fresh interpreter (minus the bare start-up)."""

    def run(code: str) -> float:
        begin = time.perf_counter()
        subprocess.run([python, "-c", code], check=True, capture_output=True)
        return time.perf_counter() - begin

    bare = statistics.median(run("pass") for _ in range(IMPORT_RUNS))
    return statistics.median(run(statement) for _ in range(IMPORT_RUNS)) - bare


async def holmes_latency(url: str, at: float, count: int) -> tuple[list[float], list[float]]:
    """Sequential query latencies and concurrent-burst times of holmes's client."""
    ctx = ToolContext(SourceEndpoints(prometheus_url=url))
    client = prometheus(ctx)
    when = __import__("datetime").datetime.fromtimestamp(at, tz=__import__("datetime").UTC)
    times = []
    for index in range(count):
        begin = time.perf_counter()
        await client.query(QUERIES[index % len(QUERIES)], when)
        times.append(time.perf_counter() - begin)
    bursts = []
    for _ in range(10):
        begin = time.perf_counter()
        await asyncio.gather(*(client.query(q, when) for q in QUERIES * 5))
        bursts.append(time.perf_counter() - begin)
    await ctx.aclose()
    return times, bursts


def line(name: str, imported: float, times: list[float], bursts: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"{name:<36} import {imported * 1000:7.1f} ms   query p50 "
        f"{statistics.median(times) * 1000:6.2f} ms  p95 {p95 * 1000:6.2f} ms   "
        f"burst of {len(QUERIES) * 5} p50 {statistics.median(bursts) * 1000:6.1f} ms"
    )


def main() -> None:
    """Replay the incident, measure both clients, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incident", default="gpu-throttling-default-counters-flux-lora")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--other-python", default=sys.executable)
    args = parser.parse_args()
    with replay(load_bundle(INCIDENTS / args.incident)) as endpoints:
        url, at = endpoints.prometheus_url, endpoints.time.timestamp()
        ours = import_seconds(sys.executable, "import holmes.tools.prometheus.client")
        times, bursts = asyncio.run(holmes_latency(url, at, args.queries))
        print(line("holmes PrometheusClient (httpx)", ours, times, bursts))
        httpx_alone = import_seconds(sys.executable, "import httpx")
        print(f"{'  of which httpx alone':<36} import {httpx_alone * 1000:7.1f} ms")
        other = subprocess.run(
            [args.other_python, "-c", _OTHER, url, str(at), str(args.queries), json.dumps(QUERIES)],
            capture_output=True,
            text=True,
        )
        if other.returncode != 0:
            print(f"prometheus-api-client: not measured ({other.stderr.strip().splitlines()[-1]})")
            return
        measured = json.loads(other.stdout)
        cold = import_seconds(
            args.other_python, "from prometheus_api_client import PrometheusConnect"
        )
        print(
            line(
                "prometheus-api-client PrometheusConnect",
                cold,
                measured["times"],
                measured["bursts"],
            )
        )


if __name__ == "__main__":
    main()
