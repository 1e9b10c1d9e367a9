"""Feedback on answers: the store keeps the last verdict (who, where, when), the API sets it,
shows it and filters the list by it; a database at schema 0001 is migrated to take it."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from holmes.server.store import NewInvestigation, Store
from holmes.server.store.engine import MIGRATIONS, open_engine
from tests.server.conftest import QUESTION


def test_the_store_keeps_the_last_verdict_with_its_source_and_author(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'store.db'}")
    record = store.submit(NewInvestigation(source="api", question="q"), queue_limit=None)
    assert record is not None and record.feedback is None
    first = store.set_feedback(record.id, "wrong", "slack", by="U123")
    assert first is not None
    assert (first.feedback, first.feedback_source, first.feedback_by) == ("wrong", "slack", "U123")
    assert first.feedback_at is not None and first.feedback_at.tzinfo is not None
    second = store.set_feedback(record.id, "correct", "web")
    assert second is not None and (second.feedback, second.feedback_by) == ("correct", None)
    assert store.set_feedback("missing", "correct", "api") is None
    wrong, _ = store.list(filters={"feedback": "wrong"})
    correct, _ = store.list(filters={"feedback": "correct"})
    assert wrong == [] and [r.id for r in correct] == [record.id]


def test_a_schema_0001_database_is_migrated_and_keeps_its_rows(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = open_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as connection, connection.begin():
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(
            sa.text(
                "INSERT INTO investigations (id, status, source, question, created_at, attempts)"
                " VALUES ('old1', 'done', 'api', 'q', '2026-01-01 00:00:00', 1)"
            )
        )
    engine.dispose()
    store = Store.open(url)
    assert store.get("old1").feedback is None  # type: ignore[union-attr]
    assert store.set_feedback("old1", "correct", "api").feedback == "correct"  # type: ignore[union-attr]


def test_the_api_sets_shows_and_filters_feedback(serve):
    running = serve()
    ids = [
        running.client.post("/api/v1/investigations", json={"question": f"{QUESTION} {n}"}).json()[
            "id"
        ]
        for n in range(2)
    ]
    assert running.client.get(f"/api/v1/investigations/{ids[0]}").json()["feedback"] is None
    given = running.client.post(
        f"/api/v1/investigations/{ids[0]}/feedback", json={"verdict": "wrong", "by": "ana"}
    )
    assert given.status_code == 200, given.text
    feedback = given.json()["feedback"]
    assert (feedback["verdict"], feedback["source"], feedback["by"]) == ("wrong", "api", "ana")
    shown = running.client.get(f"/api/v1/investigations/{ids[0]}").json()["feedback"]
    assert shown == feedback
    wrong = running.client.get("/api/v1/investigations", params={"feedback": "wrong"}).json()
    assert [item["id"] for item in wrong["items"]] == [ids[0]]
    correct = running.client.get("/api/v1/investigations", params={"feedback": "correct"}).json()
    assert correct["items"] == []


def test_bad_feedback_gets_404_or_422_naming_the_field(serve):
    running = serve()
    created = running.client.post("/api/v1/investigations", json={"question": QUESTION}).json()
    url = f"/api/v1/investigations/{created['id']}/feedback"
    unknown = running.client.post("/api/v1/investigations/nope/feedback", json={"verdict": "wrong"})
    assert unknown.status_code == 404 and "nope" in unknown.json()["detail"]
    for body, location in [
        ({"verdict": "maybe"}, ["body", "verdict"]),
        ({}, ["body", "verdict"]),
        ({"verdict": "wrong", "by": "a\x00"}, ["body", "by"]),
        ({"verdict": "wrong", "extra": 1}, ["body", "extra"]),
    ]:
        response = running.client.post(url, json=body)
        assert response.status_code == 422, body
        assert response.json()["detail"][0]["loc"] == location
    bad_filter = running.client.get("/api/v1/investigations", params={"feedback": "meh"})
    assert bad_filter.status_code == 422
    assert bad_filter.json()["detail"][0]["loc"] == ["query", "feedback"]


def test_feedback_needs_a_token_when_tokens_are_set(serve):
    running = serve()  # with the test token
    created = running.client.post("/api/v1/investigations", json={"question": QUESTION}).json()
    anonymous = running.client.post(
        f"/api/v1/investigations/{created['id']}/feedback",
        json={"verdict": "correct"},
        headers={"Authorization": ""},
    )
    assert anonymous.status_code == 401
