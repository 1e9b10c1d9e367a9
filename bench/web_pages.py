"""The web page's response times: the investigations list and one finished investigation.

Starts `holmes serve --incident gpu-xid-79-node-3`, queues `--investigations` questions through
the API and waits for them, then fetches `/` (100 rows, the most it shows) and one
investigation's page (its answer and every tool call's output) `--requests` times each, with a
bearer token as a script would, and prints p50/p95 and the page sizes.

Target: both pages p95 <= 100 ms on 2 cores (the list refreshes itself every 5 s per open tab).

    .venv/bin/python bench/web_pages.py [--investigations 120] [--requests 200]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from service import served  # bench/service.py

QUESTION = "Why did the llama-finetune job in namespace ml stop making progress?"


def _timed(client: httpx.Client, path: str, requests: int) -> tuple[list[float], int]:
    times, size = [], 0
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
        size = len(response.content)
    return times, size


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--investigations", type=int, default=120)
    parser.add_argument("--requests", type=int, default=200)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, served(Path(tmp)) as (url, headers, _):
        client = httpx.Client(base_url=url, headers=headers, timeout=60)
        ids = [
            client.post("/api/v1/investigations", json={"question": f"{QUESTION} {n}"}).json()["id"]
            for n in range(options.investigations)
        ]
        while client.get("/api/v1/investigations", params={"status": "queued"}).json()["items"]:
            time.sleep(0.2)
        while client.get("/api/v1/investigations", params={"status": "running"}).json()["items"]:
            time.sleep(0.2)
        for name, path in (("list /", "/"), ("investigation", f"/investigations/{ids[-1]}")):
            times, size = _timed(client, path, options.requests)
            quantiles = statistics.quantiles(times, n=100)
            print(
                f"{name:14} p50 {quantiles[49]:6.1f} ms  p95 {quantiles[94]:6.1f} ms  "
                f"{size / 1024:6.1f} KiB  ({options.requests} requests)"
            )


if __name__ == "__main__":
    main()
