"""Schemathesis against the service's own /openapi.json: how many requests, how many 5xx.

Starts `holmes serve --incident gpu-xid-79-node-3`, runs `schemathesis run` (its coverage,
fuzzing and stateful phases, with the `not_a_server_error` check) with a bearer token, then
reads the server's access log: every request schemathesis made and every 5xx answer.
Target: >= 1,000 generated requests, 0 server errors.

    .venv/bin/python bench/api_fuzz.py [--examples 120] [--seed 1]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from service import TOKEN, served  # bench/service.py

ACCESS = re.compile(r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3})')


def main() -> None:
    """Fuzz a fresh server and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=120, help="examples per operation")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    schemathesis = Path(sys.executable).with_name("schemathesis")
    with tempfile.TemporaryDirectory(prefix="holmes-fuzz-") as tmp:
        with served(Path(tmp), log_level="info") as (url, _headers, log):
            command = [str(schemathesis), "run", f"{url}/openapi.json"]
            command += ["-H", f"Authorization: Bearer {TOKEN}", "-c", "not_a_server_error"]
            command += ["-n", str(args.examples), "--seed", str(args.seed)]
            finished = subprocess.run(command, capture_output=True, text=True, cwd=tmp)
        summary = [line for line in finished.stdout.splitlines() if "generated" in line]
        answers = [m for m in ACCESS.finditer(log.read_text())]
    errors = [m for m in answers if m["status"].startswith("5")]
    print(f"schemathesis: {summary[-1].strip() if summary else finished.stdout[-500:]}")
    print(f"requests answered: {len(answers)}, 5xx: {len(errors)}")
    for match in errors[:10]:
        print(f"  {match['status']} {match['method']} {match['path']}")
    if finished.returncode not in (0, 1):
        print(finished.stdout[-2000:], finished.stderr[-2000:])


if __name__ == "__main__":
    main()
