"""`holmes doctor`'s store check: can `holmes serve` write where its store URL points?

SQLite: the database file is writable, or (not created yet) the nearest existing folder on its
path is. PostgreSQL: a psycopg connection and `SELECT 1`. Independent of holmes.server (whose
stack is heavy): the same URL forms, read here on their own.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from holmes.tools.checks import Check

SOURCE = "store"
_URL_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")


def store_check(url: str, timeout: float) -> Check:
    """One check of the store at `url` (sqlite:///PATH or postgresql://...)."""
    shown = _URL_PASSWORD.sub(r"\1********@", url)
    if url.startswith("sqlite:///"):
        return _sqlite_check(Path(url.removeprefix("sqlite:///")), shown)
    if url.startswith(("postgresql://", "postgres://")):
        return _postgres_check(url, shown, timeout)
    return Check(
        source=SOURCE,
        name="writable",
        status="fail",
        detail=f"{shown}: not a sqlite:/// or postgresql:// URL",
        fix="set server.store_url (HOLMES_STORE_URL, --store)",
    )


def _sqlite_check(path: Path, shown: str) -> Check:
    fix = f"make {path.parent} writable by this user, or set server.store_url (HOLMES_STORE_URL)"
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    # Tried, not deduced from mode bits (root passes those): SQLite writes the file and a
    # journal beside it, so both the file and its folder must take a write.
    problem = _write_problem(folder)
    if problem is None and path.exists():
        problem = _open_problem(path)
    if problem is not None:
        return Check(
            source=SOURCE,
            name="writable",
            status="fail",
            detail=f"{shown}: not writable ({problem})",
            fix=fix,
        )
    state = "writable" if path.exists() else f"not created yet; {folder} is writable"
    return Check(source=SOURCE, name="writable", status="ok", detail=f"{shown}: {state}")


def _write_problem(folder: Path) -> str | None:
    """Why a file cannot be created in `folder`, or None when one could."""
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".holmes-doctor-"):
            return None
    except OSError as error:
        return f"{folder}: {error.strerror or error}"


def _open_problem(path: Path) -> str | None:
    try:
        with path.open("r+b"):
            return None
    except OSError as error:
        return f"{path}: {error.strerror or error}"


def _postgres_check(url: str, shown: str, timeout: float) -> Check:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=max(1, int(timeout))) as connection:
            version = connection.execute("SELECT 1, current_setting('server_version')").fetchone()
    except psycopg.Error as error:
        text = str(error).strip()
        reason = _URL_PASSWORD.sub(r"\1********@", text.splitlines()[0] if text else repr(error))
        return Check(
            source=SOURCE,
            name="writable",
            status="fail",
            detail=f"{shown}: {reason}",
            fix="check server.store_url (HOLMES_STORE_URL): host, port, database, "
            "user and password, and that PostgreSQL accepts this client",
        )
    server = version[1] if version else "?"
    return Check(
        source=SOURCE,
        name="writable",
        status="ok",
        detail=f"{shown}: PostgreSQL {server} answered SELECT 1",
    )
