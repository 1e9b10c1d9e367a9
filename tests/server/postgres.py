"""A throw-away PostgreSQL cluster on loopback (Debian's `postgresql`), for store tests.

`postgres_cluster` (session) runs `initdb` and `pg_ctl start` on a free port with its socket in
a temporary folder; initdb refuses to run as root, so as root it runs as the package's
`postgres` user. `postgres_url` (per test) creates a fresh database in it. Import both fixtures
into a conftest.py or a test module to use them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.server.conftest import free_port

BINARIES = Path("/usr/lib/postgresql")


def _bin(name: str) -> str:
    found = sorted(BINARIES.glob(f"*/bin/{name}"))
    if not found:
        pytest.fail(
            f"{name} not found under {BINARIES}: run scripts/setup.sh (installs postgresql)"
        )
    return str(found[-1])


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[str]:
    """A running cluster; yields the URL of its `postgres` database (user `holmes`, trust)."""
    folder = Path(tempfile.mkdtemp(prefix="holmes-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    data, port = folder / "data", free_port()
    run = {"check": True, "capture_output": True, "timeout": 120}
    subprocess.run(
        _as_postgres([_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "holmes"]), **run
    )
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg_ctl = [_bin("pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w"]
    subprocess.run(_as_postgres([*pg_ctl, "-o", options, "start"]), **run)
    try:
        yield f"postgresql://holmes@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_postgres([*pg_ctl, "-m", "immediate", "stop"]), **run)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_cluster: str) -> str:
    """A fresh, empty database in the cluster."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_cluster, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return postgres_cluster.rsplit("/", 1)[0] + f"/{name}"
