"""The store on both databases: claims never collide, one investigation per open fingerprint
episode even when two replicas ingest the same storm at once, expired leases come back."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from holmes.server.store import FiringAlert, NewInvestigation, Store, StoreError
from tests.server.postgres import postgres_cluster, postgres_url

__all__ = ["postgres_cluster", "postgres_url"]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def store_url(request, tmp_path) -> str:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("postgres_url")


def _alert(fingerprint: str, status: str = "firing") -> FiringAlert:
    labels = {"alertname": "GPUXidError", "fp": fingerprint}
    return FiringAlert(
        fingerprint=fingerprint, status=status, alertname="GPUXidError", alert={"labels": labels}
    )  # type: ignore[arg-type]


def test_concurrent_claims_take_each_investigation_once(store_url):
    store = Store.open(store_url)
    ids = {
        store.submit(NewInvestigation(source="api", question=f"q{n}"), queue_limit=None).id  # type: ignore[union-attr]
        for n in range(24)
    }
    claimed: list[str] = []
    lock = threading.Lock()

    def worker(name: str) -> None:
        replica = Store.open(store_url)  # its own pool, like another replica
        while (record := replica.claim(name, lease_seconds=30)) is not None:
            with lock:
                claimed.append(record.id)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(worker, [f"w{n}" for n in range(4)]))
    assert sorted(claimed) == sorted(ids)


def test_two_replicas_ingesting_the_same_storm_open_one_episode_per_fingerprint(store_url):
    replicas = [Store.open(store_url), Store.open(store_url)]
    storm = [_alert(f"fp{n % 10:02d}") for n in range(200)]
    chunks = [storm[i : i + 20] for i in range(0, len(storm), 20)]

    def deliver(index: int) -> list[str]:
        outcome = replicas[index % 2].ingest_alerts(chunks[index], queue_limit=1000)
        return outcome.created

    with ThreadPoolExecutor(4) as pool:
        created = [i for ids in pool.map(deliver, range(len(chunks))) for i in ids]
    assert len(created) == 10
    assert replicas[0].status_counts() == {"queued": 10}


def test_resolved_closes_and_firing_reopens(store_url):
    store = Store.open(store_url)
    first = store.ingest_alerts([_alert("a"), _alert("a")], queue_limit=10)
    assert len(first.created) == 1 and first.deduplicated == 1
    closed = store.ingest_alerts([_alert("a", "resolved")], queue_limit=10)
    assert closed.resolved == 1
    again = store.ingest_alerts([_alert("a")], queue_limit=10)
    assert len(again.created) == 1 and again.created != first.created


def test_a_full_queue_defers_alerts_and_claims_them_after_queued_work(store_url):
    store = Store.open(store_url)
    queued = store.submit(NewInvestigation(source="api", question="q"), queue_limit=1)
    assert queued is not None
    assert store.submit(NewInvestigation(source="api", question="q"), queue_limit=1) is None
    outcome = store.ingest_alerts([_alert("b")], queue_limit=1)
    assert outcome.deferred == 1
    assert store.claim("w", 30).id == queued.id  # type: ignore[union-attr]
    assert store.claim("w", 30).id == outcome.created[0]  # type: ignore[union-attr]


def test_an_expired_lease_returns_to_the_queue(store_url):
    store = Store.open(store_url)
    record = store.submit(NewInvestigation(source="api", question="q"), queue_limit=None)
    assert store.claim("dead", lease_seconds=0.3).id == record.id  # type: ignore[union-attr]
    assert store.claim("alive", lease_seconds=30) is None
    time.sleep(0.4)
    again = store.claim("alive", lease_seconds=30)
    assert again is not None and again.id == record.id and again.attempts == 2
    assert not store.complete(record.id, "dead", {})  # type: ignore[union-attr]
    assert store.complete(record.id, "alive", {"summary": "x"})  # type: ignore[union-attr]


def test_events_come_back_in_order_after_an_id(store_url):
    store = Store.open(store_url)
    record = store.submit(NewInvestigation(source="api", question="q"), queue_limit=None)
    ids = store.append_events(record.id, [("tool_started", {"n": n}) for n in range(5)])  # type: ignore[union-attr]
    after = store.events_after(record.id, ids[1])  # type: ignore[union-attr]
    assert [event.data["n"] for event in after] == [2, 3, 4]


def test_bad_store_urls_are_named():
    with pytest.raises(StoreError, match="mysql://x"):
        Store.open("mysql://x")
    with pytest.raises(StoreError, match="needs a file"):
        Store.open("sqlite://")
