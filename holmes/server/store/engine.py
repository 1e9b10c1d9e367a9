"""Opening the store: the SQLAlchemy engine for a store URL, and its schema migrations.

`sqlite:///path` (the embedded default) gets WAL journaling, a busy timeout and `BEGIN
IMMEDIATE` for write transactions, so concurrent writers queue on the lock instead of failing
mid-transaction. `postgresql://` and `postgres://` URLs get the psycopg 3 driver. `migrate`
runs Alembic's `upgrade head` at start; on PostgreSQL under an advisory lock, so replicas that
start together migrate once.

`write_transaction` is how the repositories write. On SQLite it also takes a per-engine lock
first: writers of one process then queue on that lock and start the moment it is free, instead
of on SQLite's busy handler, which sleeps in growing steps (up to 100 ms) between retries; under
load that sleeping was most of the webhook's tail latency. Other processes sharing the file
still queue on the busy timeout.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from weakref import WeakKeyDictionary

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

MIGRATIONS = Path(__file__).with_name("migrations")
_MIGRATION_LOCK = 4_827_011  # any constant: the advisory lock key of schema migrations


# Engine -> the lock its SQLite writers take before BEGIN IMMEDIATE (see the module docstring).
_SQLITE_WRITE_LOCKS: WeakKeyDictionary[Engine, threading.RLock] = WeakKeyDictionary()


class StoreError(Exception):
    """The store URL is unusable or the database cannot be reached; the message says which."""


def default_store_url(environ: dict[str, str] | None = None) -> str:
    """`sqlite:///<data dir>/holmes.db`: $HOLMES_DATA_DIR, else ~/.local/share/holmes."""
    environ = dict(os.environ if environ is None else environ)
    folder = environ.get("HOLMES_DATA_DIR") or str(Path.home() / ".local" / "share" / "holmes")
    return f"sqlite:///{Path(folder) / 'holmes.db'}"


def driver_url(url: str) -> str:
    """The URL with the driver SQLAlchemy should use (psycopg 3 for PostgreSQL)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def open_engine(url: str) -> Engine:
    """An engine for a store URL; StoreError names a URL that is not SQLite or PostgreSQL."""
    try:
        parsed = make_url(driver_url(url))
    except ArgumentError as error:
        raise StoreError(f"--store {url!r}: not a database URL ({error})") from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed.database)
    if parsed.get_backend_name() == "postgresql":
        return create_engine(parsed, pool_pre_ping=True, pool_size=10, max_overflow=10)
    raise StoreError(f"--store {url!r}: use sqlite:///PATH or postgresql://USER@HOST/DB")


def _sqlite_engine(database: str | None) -> Engine:
    if not database or database == ":memory:":
        raise StoreError("--store: SQLite needs a file (sqlite:///PATH): workers share it")
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        f"sqlite:///{database}", connect_args={"check_same_thread": False, "timeout": 30}
    )

    _SQLITE_WRITE_LOCKS[engine] = threading.RLock()

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # pysqlite's own transaction handling would defer BEGIN; we issue it (below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        # WAL + NORMAL: a commit survives a killed process (kill -9), not a power cut;
        # FULL would fsync every commit (~3 ms each: the webhook could not keep 200/s).
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:  # type: ignore[no-untyped-def]
        # A writer takes the lock up front: no deadlock between two read-then-write transactions.
        immediate = connection.get_execution_options().get("immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A write transaction (`BEGIN IMMEDIATE` on SQLite), committed when the block ends."""
    lock = _SQLITE_WRITE_LOCKS.get(engine) or nullcontext()
    with lock, engine.connect() as connection:
        connection.execution_options(immediate=True)
        with connection.begin():
            yield connection


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (Alembic `upgrade head`)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as connection:
        connection.execution_options(immediate=True)
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK}
                )
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
