"""The Alertmanager webhook under load: acknowledgement latency, losses, and a storm's dedupe.

Starts `holmes serve --incident gpu-xid-79-node-3` (SQLite by default, or `--store URL`), then

1. sends `--rate` single-alert webhook bodies per second for `--seconds` (open loop: a slow
   answer does not slow the sender), cycling over `--fingerprints` label sets as Alertmanager's
   re-sends would, and prints the ack latency p50/p95/p99, errors, and alerts lost (acknowledged
   but not counted by the server's metrics);
2. sends a storm of 1,000 alerts over 10 new fingerprints as fast as 50 connections allow and
   prints how many investigations it created (target: exactly 10).

Targets: ack p99 <= 25 ms at 200 alerts/s, 0 errors, 0 lost, 10 investigations for the storm.
The sender runs on the same machine: on 2 busy cores it competes with the server, so the steady
phase sends with raw HTTP/1.1 on keep-alive connections (bench/raw_http.py, a fraction of
httpx's CPU per request) and prints what the sender itself cost.

    .venv/bin/python bench/webhook_load.py [--rate 200] [--seconds 30] [--store URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

import httpx
from raw_http import RawHttpError, RawHttpPool  # bench/raw_http.py
from service import served  # bench/service.py


def _alert(name: str, key: int) -> dict:
    labels = {"alertname": name, "Hostname": f"gpu-node-{key % 8}", "gpu": str(key)}
    return {"version": "4", "status": "firing", "alerts": [{"status": "firing", "labels": labels}]}


async def _steady(url: str, headers: dict, rate: int, seconds: int, fingerprints: int) -> None:
    latencies: list[float] = []
    errors = 0
    pool = RawHttpPool(url, headers, size=64)
    requests = [
        pool.request_bytes(
            "POST", "/api/v1/alertmanager", json.dumps(_alert("BenchGPUXid", key)).encode()
        )
        for key in range(fingerprints)
    ]

    async def one(n: int) -> None:
        nonlocal errors
        started = time.perf_counter()
        try:
            status, _ = await pool.send(requests[n % fingerprints])
            errors += status != 200
        except RawHttpError:
            errors += 1
        latencies.append((time.perf_counter() - started) * 1000)

    tasks, begin, cpu = [], time.perf_counter(), time.process_time()
    for n in range(rate * seconds):
        tasks.append(asyncio.create_task(one(n)))
        await asyncio.sleep(max(0.0, begin + (n + 1) / rate - time.perf_counter()))
    await asyncio.gather(*tasks)
    sent_seconds, sender_cpu = time.perf_counter() - begin, time.process_time() - cpu
    await pool.close()
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
        received = await _alerts_counted(client)
    latencies.sort()

    def quantile(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))]

    print(f"steady: {len(latencies)} alerts in {sent_seconds:.1f} s ({rate}/s target)")
    print(
        f"  ack p50 {quantile(0.50):.1f} ms, p95 {quantile(0.95):.1f} ms, "
        f"p99 {quantile(0.99):.1f} ms, max {latencies[-1]:.1f} ms"
    )
    print(f"  errors {errors}, lost {len(latencies) - errors - received}")
    print(
        f"  sender CPU {sender_cpu:.1f} s ({100 * sender_cpu / sent_seconds:.0f}% of one core, "
        f"{1000 * sender_cpu / max(1, len(latencies)):.2f} ms per alert)"
    )


async def _alerts_counted(client: httpx.AsyncClient) -> int:
    text = (await client.get("/metrics")).text
    counted = 0.0
    for line in text.splitlines():
        if line.startswith("holmes_alerts_total{") and 'result="resolved"' not in line:
            counted += float(line.split()[-1])
    return int(counted)


async def _storm(url: str, headers: dict) -> None:
    bound = asyncio.Semaphore(50)
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:

        async def one(n: int) -> int:
            async with bound:
                response = await client.post(
                    "/api/v1/alertmanager", json=_alert("BenchStorm", n % 10)
                )
                return response.status_code

        begin = time.perf_counter()
        codes = await asyncio.gather(*(one(n) for n in range(1000)))
        seconds = time.perf_counter() - begin
        page = await client.get(
            "/api/v1/investigations", params={"alertname": "BenchStorm", "limit": 200}
        )
    created = len(page.json()["items"])
    print(f"storm: 1000 alerts over 10 fingerprints in {seconds:.1f} s")
    print(
        f"  non-200 answers {sum(code != 200 for code in codes)}, investigations created {created}"
    )


def main() -> None:
    """Run both phases against a fresh server."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--fingerprints", type=int, default=50)
    parser.add_argument("--store", help="store URL (default: SQLite in a temporary folder)")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="holmes-bench-") as tmp,
        served(Path(tmp), store=args.store) as (url, headers, _log),
    ):
        asyncio.run(_steady(url, headers, args.rate, args.seconds, args.fingerprints))
        asyncio.run(_storm(url, headers))


if __name__ == "__main__":
    main()
