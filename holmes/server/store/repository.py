"""The repository: every read and write of investigations, events and alert episodes.

The routes, the workers and the metrics talk to the database only through `Store`. Its methods
are synchronous (SQLAlchemy Core) and thread-safe; async callers run them in a thread. Write
transactions are `BEGIN IMMEDIATE` on SQLite, and the queue claim is `SELECT ... FOR UPDATE
SKIP LOCKED` on PostgreSQL, so several workers (and replicas) never claim one investigation
twice. A claim is a lease: the worker renews it while it works; one whose lease expired (its
process died) is claimable again, so nothing accepted is lost.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, case, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from holmes.server.store.engine import migrate, open_engine, write_transaction
from holmes.server.store.records import (
    EventRecord,
    FiringAlert,
    IngestedAlerts,
    InvestigationRecord,
    NewInvestigation,
    Status,
    Verdict,
    utc,
)
from holmes.server.store.schema import alert_episodes, investigation_events, investigations
from holmes.server.store.schema import replicas as replica_table

_inv = investigations
_CLAIMABLE = ("queued", "deferred")


class CursorError(ValueError):
    """A pagination cursor that this store did not hand out."""


class Store:
    """Investigations, their events and alert episodes in one SQL database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name

    @classmethod
    def open(cls, url: str) -> Store:
        """Connect to the store at `url` and migrate its schema to the newest version."""
        engine = open_engine(url)
        migrate(engine)
        return cls(engine)

    def close(self) -> None:
        """Close the connection pool."""
        self.engine.dispose()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with write_transaction(self.engine) as connection:
            yield connection

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as connection, connection.begin():
            yield connection

    # -- submitting ---------------------------------------------------------------------

    def submit(
        self, new: NewInvestigation, *, queue_limit: int | None
    ) -> InvestigationRecord | None:
        """Queue an investigation; None when `queue_limit` investigations are already queued."""
        with self._write() as db:
            if queue_limit is not None and _queued(db) >= queue_limit:
                return None
            return self._get(db, _insert_investigation(db, new, "queued"))

    def ingest_alerts(self, alerts: list[FiringAlert], *, queue_limit: int) -> IngestedAlerts:
        """Record a webhook body's alerts: one investigation per open fingerprint episode.

        A firing fingerprint with no open episode opens one and queues an investigation
        (`deferred` when the queue is full); an open one only counts the notification; a
        resolved one closes its episode. All in one transaction, committed on return.
        """
        outcome = IngestedAlerts()
        now = _now()
        with self._write() as db:
            queued = _queued(db)
            # Fingerprint order: two bodies locking the same episodes never deadlock (PostgreSQL);
            # the sort is stable, so one fingerprint's firing/resolved keep the body's order.
            for alert in sorted(alerts, key=lambda a: a.fingerprint):
                outcome.accepted += 1
                if alert.status == "resolved":
                    closed = db.execute(
                        update(alert_episodes)
                        .where(alert_episodes.c.open_key == alert.fingerprint)
                        .values(open_key=None, closed_at=now, last_seen_at=now)
                    )
                    outcome.resolved += closed.rowcount
                    continue
                attached = _attach(db, alert.fingerprint, now)
                if attached is None:
                    status: Status = "deferred" if queued >= queue_limit else "queued"
                    attached = _open_episode(db, alert, status, now)
                    if attached is not None:
                        queued += status == "queued"
                        outcome.deferred += status == "deferred"
                        outcome.created.append(attached)
                    else:  # another replica opened it between our read and our insert
                        attached = _attach(db, alert.fingerprint, now)
                        outcome.deduplicated += 1
                else:
                    outcome.deduplicated += 1
                if attached and attached not in outcome.investigations:
                    outcome.investigations.append(attached)
        return outcome

    # -- the queue ----------------------------------------------------------------------

    def claim(self, owner: str, lease_seconds: float) -> InvestigationRecord | None:
        """Lease the oldest queued investigation (then deferred ones, then expired leases)."""
        now = _now()
        expired = and_(_inv.c.status == "running", _inv.c.lease_expires_at < now)
        query = (
            select(_inv.c.id)
            .where(or_(_inv.c.status.in_(_CLAIMABLE), expired))
            .order_by(case((_inv.c.status == "deferred", 1), else_=0), _inv.c.created_at)
            .limit(1)
        )
        if self.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        with self._write() as db:
            found = db.execute(query).scalar()
            if found is None:
                return None
            db.execute(
                update(_inv)
                .where(_inv.c.id == found)
                .values(
                    status="running",
                    lease_owner=owner,
                    lease_expires_at=now + timedelta(seconds=lease_seconds),
                    started_at=func.coalesce(_inv.c.started_at, now),
                    attempts=_inv.c.attempts + 1,
                )
            )
            return self._get(db, found)

    def renew(self, investigation_id: str, owner: str, lease_seconds: float) -> bool:
        """Extend a lease (the heartbeat); False when it is no longer `owner`'s."""
        return self._update_leased(
            investigation_id, owner, lease_expires_at=_now() + timedelta(seconds=lease_seconds)
        )

    def complete(self, investigation_id: str, owner: str, diagnosis: dict[str, Any]) -> bool:
        """Store the diagnosis and mark the investigation done (only by its lease holder)."""
        return self._update_leased(
            investigation_id, owner, **_ended("done"), diagnosis=diagnosis, error=None
        )

    def fail(self, investigation_id: str, owner: str, error: str) -> bool:
        """Mark the investigation failed with `error` (only by its lease holder)."""
        return self._update_leased(investigation_id, owner, **_ended("failed"), error=error)

    def release(self, investigation_id: str, owner: str) -> bool:
        """Give the investigation back to the queue (shutdown): another worker resumes it."""
        return self._update_leased(
            investigation_id, owner, status="queued", lease_owner=None, lease_expires_at=None
        )

    def set_feedback(
        self,
        investigation_id: str,
        verdict: Verdict,
        source: str,
        by: str | None = None,
    ) -> InvestigationRecord | None:
        """Record a verdict on the answer (the last one wins); None for an unknown id."""
        if verdict not in ("correct", "wrong"):
            raise ValueError(f"verdict: {verdict!r} is not 'correct' or 'wrong'")
        with self._write() as db:
            changed = db.execute(
                update(_inv)
                .where(_inv.c.id == investigation_id)
                .values(
                    feedback=verdict, feedback_source=source, feedback_by=by, feedback_at=_now()
                )
            )
            if changed.rowcount != 1:
                return None
            return self._get(db, investigation_id)

    def _update_leased(self, investigation_id: str, owner: str, **values: Any) -> bool:
        with self._write() as db:
            changed = db.execute(
                update(_inv)
                .where(
                    _inv.c.id == investigation_id,
                    _inv.c.lease_owner == owner,
                    _inv.c.status == "running",
                )
                .values(**values)
            )
            return changed.rowcount == 1

    # -- events -------------------------------------------------------------------------

    def append_event(self, investigation_id: str, kind: str, data: dict[str, Any]) -> int:
        """Append a progress event; returns its id (the SSE id)."""
        return self.append_events(investigation_id, [(kind, data)])[-1]

    def append_events(
        self, investigation_id: str, events: list[tuple[str, dict[str, Any]]]
    ) -> list[int]:
        """Append events in order, in one transaction; returns their ids."""
        ids = []
        with self._write() as db:
            for kind, data in events:
                inserted = db.execute(
                    insert(investigation_events).values(
                        investigation_id=investigation_id, kind=kind, data=data, created_at=_now()
                    )
                )
                ids.append(int(inserted.inserted_primary_key[0]))
        return ids

    def events_after(self, investigation_id: str, after: int = 0) -> list[EventRecord]:
        """The investigation's events with an id above `after`, in order."""
        ev = investigation_events
        with self._read() as db:
            rows = db.execute(
                select(ev)
                .where(ev.c.investigation_id == investigation_id, ev.c.id > after)
                .order_by(ev.c.id)
            ).mappings()
            return [
                EventRecord.model_validate({**row, "created_at": utc(row["created_at"])})
                for row in rows
            ]

    # -- reading ------------------------------------------------------------------------

    def get(self, investigation_id: str) -> InvestigationRecord | None:
        """One investigation, or None."""
        with self._read() as db:
            return self._get(db, investigation_id)

    def list(
        self,
        *,
        filters: dict[str, Any],
        since: datetime | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> tuple[list[InvestigationRecord], str | None]:
        """Investigations newest first, filtered by column equality; and the next page's cursor."""
        query = select(_inv).order_by(_inv.c.created_at.desc(), _inv.c.id.desc()).limit(limit + 1)
        for column, value in filters.items():
            if value is not None:
                query = query.where(_inv.c[column] == value)
        if since is not None:
            query = query.where(_inv.c.created_at >= since)
        if cursor:
            created, last_id = _decode_cursor(cursor)
            query = query.where(
                or_(
                    _inv.c.created_at < created,
                    and_(_inv.c.created_at == created, _inv.c.id < last_id),
                )
            )
        with self._read() as db:
            rows = [_record(row) for row in db.execute(query).mappings()]
        if len(rows) <= limit:
            return rows, None
        rows = rows[:limit]
        return rows, _encode_cursor(rows[-1])

    def status_counts(self) -> dict[str, int]:
        """How many investigations are in each status."""
        with self._read() as db:
            rows = db.execute(select(_inv.c.status, func.count()).group_by(_inv.c.status))
            return {status: count for status, count in rows}

    def touch(self, owner: str) -> None:
        """Write this replica's heartbeat: proves the store is writable (readiness)."""
        now = _now()
        with self._write() as db:
            seen = db.execute(
                update(replica_table).where(replica_table.c.owner == owner).values(seen_at=now)
            )
            if seen.rowcount == 0:
                db.execute(insert(replica_table).values(owner=owner, started_at=now, seen_at=now))

    def _get(self, db: Connection, investigation_id: str) -> InvestigationRecord | None:
        row = db.execute(select(_inv).where(_inv.c.id == investigation_id)).mappings().first()
        return _record(row) if row else None


def _now() -> datetime:
    return datetime.now(UTC)


def _ended(status: Status) -> dict[str, Any]:
    return {"status": status, "finished_at": _now(), "lease_owner": None, "lease_expires_at": None}


def _queued(db: Connection) -> int:
    return int(db.execute(select(func.count()).where(_inv.c.status == "queued")).scalar() or 0)


def _insert_investigation(db: Connection, new: NewInvestigation, status: Status) -> str:
    investigation_id = uuid.uuid4().hex
    values = new.model_dump(exclude={"llm"})
    db.execute(
        insert(_inv).values(
            id=investigation_id,
            status=status,
            use_llm=new.llm,
            created_at=_now(),
            attempts=0,
            **values,
        )
    )
    return investigation_id


def _attach(db: Connection, fingerprint: str, now: datetime) -> str | None:
    """The open episode's investigation id, counting this notification; None if none is open."""
    episode = db.execute(
        select(alert_episodes.c.id, alert_episodes.c.investigation_id).where(
            alert_episodes.c.open_key == fingerprint
        )
    ).first()
    if episode is None:
        return None
    db.execute(
        update(alert_episodes)
        .where(alert_episodes.c.id == episode.id)
        .values(notifications=alert_episodes.c.notifications + 1, last_seen_at=now)
    )
    return str(episode.investigation_id)


def _open_episode(db: Connection, alert: FiringAlert, status: Status, now: datetime) -> str | None:
    """Open an episode with a new investigation; None if the unique open_key says one exists."""
    new = NewInvestigation(
        source="alertmanager",
        alert=alert.alert,
        namespace=alert.namespace,
        alertname=alert.alertname,
        fingerprint=alert.fingerprint,
    )
    try:
        with db.begin_nested():
            investigation_id = _insert_investigation(db, new, status)
            db.execute(
                insert(alert_episodes).values(
                    fingerprint=alert.fingerprint,
                    open_key=alert.fingerprint,
                    alertname=alert.alertname,
                    investigation_id=investigation_id,
                    opened_at=now,
                    last_seen_at=now,
                    notifications=1,
                )
            )
    except IntegrityError:
        return None
    return investigation_id


def _record(row: Any) -> InvestigationRecord:
    values = dict(row)
    values["llm"] = values.pop("use_llm") or "auto"
    for column in ("created_at", "started_at", "finished_at", "lease_expires_at", "feedback_at"):
        values[column] = utc(values[column])
    return InvestigationRecord.model_validate(values)


def _encode_cursor(last: InvestigationRecord) -> str:
    raw = json.dumps([last.created_at.isoformat(), last.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created, last_id = json.loads(raw)
        return datetime.fromisoformat(created), str(last_id)
    except (ValueError, TypeError) as error:
        raise CursorError(f"cursor: not a cursor this server handed out ({error})") from None
