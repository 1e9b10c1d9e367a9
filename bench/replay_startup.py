"""Time to start and stop the replay of each sample bundle, and one query's latency per source.

Prints the cold start (empty TSDB block cache, so promtool backfills) and the median warm
start+stop over several runs, and median query latencies; asserts nothing (targets live here,
not in timed tests). Target: starting all sources of a typical bundle takes about a second.

    .venv/bin/python bench/replay_startup.py [--runs 5] [bundle ...]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import grpc
import httpx
from kubernetes import client, config

from holmes.evals import load_bundle
from holmes.evals.replay import ReplayEndpoints, replay
from holmes.tools.hubble.proto.observer import observer_pb2, observer_pb2_grpc

INCIDENTS = Path(__file__).resolve().parents[1] / "evals" / "incidents"


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def timed(action: Callable[[], object], runs: int) -> float:
    """Median wall time of `action` in milliseconds."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def query_latencies(endpoints: ReplayEndpoints, runs: int) -> dict[str, float]:
    """Median latency of a pod list, a PromQL range query and a GetFlows call, where recorded."""
    result: dict[str, float] = {}
    if endpoints.kubeconfig:
        core = client.CoreV1Api(config.new_client_from_config(str(endpoints.kubeconfig)))
        result["pod list"] = timed(core.list_pod_for_all_namespaces, runs)
    if endpoints.prometheus_url:
        end = endpoints.time.timestamp()
        params = {
            "query": "max by (Hostname, gpu) (DCGM_FI_DEV_XID_ERRORS)",
            "start": end - 3600,
            "end": end,
            "step": 30,
        }
        url = f"{endpoints.prometheus_url}/api/v1/query_range"
        with httpx.Client() as http:
            result["promql range"] = timed(
                lambda: http.get(url, params=params).raise_for_status(), runs
            )
    if endpoints.hubble_address:
        result["GetFlows"] = asyncio.run(_get_flows_latency(endpoints.hubble_address, runs))
    return result


async def _get_flows_latency(address: str, runs: int) -> float:
    async with grpc.aio.insecure_channel(address) as channel:
        stub = observer_pb2_grpc.ObserverStub(channel)
        request = observer_pb2.GetFlowsRequest(
            number=100, whitelist=[observer_pb2.FlowFilter(verdict=[observer_pb2.DROPPED])]
        )
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            _ = [response async for response in stub.GetFlows(request)]
            samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    """Run the benchmark over the given bundles (default: every sample bundle)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundles", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    paths = args.bundles or sorted(p for p in INCIDENTS.iterdir() if (p / "incident.yaml").exists())
    print(
        f"{'bundle':32} {'sources':30} {'cold ms':>8} {'warm ms':>8}  query latencies (median ms)"
    )
    for path in paths:
        bundle = load_bundle(path)

        def start_stop(bundle=bundle) -> None:  # bound now: the loop rebinds `bundle`
            with replay(bundle):
                pass

        # Cold: an empty TSDB block cache, so promtool backfills. Warm: the cache is filled.
        with tempfile.TemporaryDirectory() as cache, _environment(HOLMES_CACHE_DIR=cache):
            cold = timed(start_stop, 1)
        start_stop()
        startup = timed(start_stop, args.runs)
        with replay(bundle) as endpoints:
            latencies = query_latencies(endpoints, args.runs * 4)
        shown = ", ".join(f"{name} {ms:.1f}" for name, ms in latencies.items())
        sources = ",".join(bundle.incident.sources)
        print(f"{bundle.id:32} {sources:30} {cold:8.0f} {startup:8.0f}  {shown}")


if __name__ == "__main__":
    main()
