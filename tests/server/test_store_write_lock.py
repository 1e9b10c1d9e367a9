"""SQLite writers of one process queue on the store's lock, not on SQLite's sleeping busy handler.

While one thread is inside a write transaction, another thread's `write_transaction` waits on
the in-process lock (so it starts the moment the first commits) and then sees the first
thread's row; nothing is lost or overwritten.
"""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import text

from holmes.server.store.engine import _SQLITE_WRITE_LOCKS, open_engine, write_transaction


def test_a_second_writer_waits_on_the_lock_then_sees_the_first_commit(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'lock.db'}")
    with engine.begin() as db:
        db.execute(text("CREATE TABLE counter (n INTEGER)"))
        db.execute(text("INSERT INTO counter VALUES (0)"))
    lock = _SQLITE_WRITE_LOCKS[engine]
    inside, release, seen = threading.Event(), threading.Event(), []

    def first() -> None:
        with write_transaction(engine) as db:
            db.execute(text("UPDATE counter SET n = n + 1"))
            inside.set()
            release.wait(10)

    def second() -> None:
        with write_transaction(engine) as db:
            seen.append(db.execute(text("SELECT n FROM counter")).scalar())
            db.execute(text("UPDATE counter SET n = n + 1"))

    holder = threading.Thread(target=first)
    holder.start()
    assert inside.wait(10)
    assert not lock.acquire(blocking=False)  # held by the writer in the other thread
    waiter = threading.Thread(target=second)
    waiter.start()
    waiter.join(0.2)
    assert waiter.is_alive() and not seen  # queued behind the first writer
    release.set()
    holder.join(10)
    waiter.join(10)
    assert seen == [1]
    with engine.connect() as db:
        assert db.execute(text("SELECT n FROM counter")).scalar() == 2
    engine.dispose()


def test_only_sqlite_engines_get_a_lock(tmp_path: Path) -> None:
    sqlite = open_engine(f"sqlite:///{tmp_path / 'a.db'}")
    postgres = open_engine("postgresql://holmes@127.0.0.1:1/holmes")  # never connected
    assert sqlite in _SQLITE_WRITE_LOCKS
    assert postgres not in _SQLITE_WRITE_LOCKS
