"""Exactly once across a restart; 429s retried after Retry-After; Slack errors counted, survived."""

from __future__ import annotations

import time

from tests.server.conftest import Gate
from tests.server.slack.conftest import MENTION_TS, mention, post_event

QUESTION = "<@UHOLMES> why is llama-finetune in ml stalling?"


def _answers(slack) -> list:  # type: ignore[no-untyped-def]
    return [c for c in slack.of("chat.postMessage") if c.params["text"].startswith("Root")]


def test_a_restart_between_ack_and_answer_answers_once(slack_app, slack) -> None:
    gate = Gate()  # held: the first server stops before the investigation runs
    first = slack_app(gate=gate)
    post_event(first.url, mention(QUESTION))
    slack.wait_for(lambda: slack.of("chat.postMessage"))
    first.stop()
    assert not _answers(slack)
    gate.open()
    second = slack_app()  # the same store: the unanswered conversation resumes
    slack.wait_for(lambda: _answers(slack))
    progress = slack.of("chat.postMessage")[0]
    assert (
        len([c for c in slack.of("chat.postMessage") if c.params["text"].startswith("Looking")])
        == 1
    )
    slack.wait_for(
        lambda: any(c.params["text"].startswith("Done") for c in slack.of("chat.update"))
    )
    assert {c.params["ts"] for c in slack.of("chat.update")} == {"1800000000.000001"}
    assert progress.params["thread_ts"] == MENTION_TS
    second.stop()
    third = slack_app()  # answered conversations are never resumed
    time.sleep(0.5)
    assert len(_answers(slack)) == 1
    third.stop()


def test_rate_limits_are_waited_out_and_errors_counted(slack_app, slack) -> None:
    running = slack_app()
    slack.fail("chat.postMessage", status=429, retry_after=1)  # the progress post: retried
    started = time.monotonic()
    post_event(running.url, mention(QUESTION))
    slack.wait_for(lambda: _answers(slack))
    posts = slack.of("chat.postMessage")
    assert posts[1].at - posts[0].at >= 0.9  # retried after Retry-After
    assert posts[1].params["text"].startswith("Looking") and time.monotonic() - started < 10

    slack.fail("chat.postMessage", "not_in_channel")  # the next mention's progress post
    slack.fail("chat.postMessage", "not_in_channel")  # and its answer
    post_event(running.url, mention(QUESTION, event_id="Ev09", ts="1700000000.000900"))
    slack.wait_for(lambda: len(slack.of("chat.postMessage")) >= len(posts) + 2)
    metrics = running.client.get("/metrics").text
    line = 'holmes_slack_api_errors_total{error="not_in_channel",method="chat.postMessage"}'
    assert f"{line} 2.0" in metrics
    assert running.client.get("/readyz").status_code == 200  # the workers are still running


def test_two_replicas_answer_a_mention_once(slack_app, slack, tmp_path) -> None:
    store = tmp_path / "shared.db"
    first = slack_app(store=store)
    slack_app(store=store)  # sweeps the same store every 0.2 s: it must leave the thread alone
    post_event(first.url, mention(QUESTION))
    slack.wait_for(
        lambda: any(c.params["text"].startswith("Done") for c in slack.of("chat.update"))
    )
    time.sleep(0.6)
    texts = [c.params["text"] for c in slack.of("chat.postMessage")]
    assert len(texts) == 2 and texts[0].startswith("Looking") and texts[1].startswith("Root")


def test_old_event_ids_are_pruned(tmp_path) -> None:
    from datetime import UTC, datetime, timedelta

    from holmes.server.store import Store
    from holmes.server.store.slack_repository import SlackStore

    store = Store.open(f"sqlite:///{tmp_path / 'holmes.db'}")
    events = SlackStore(store.engine)
    assert events.claim_event("Ev1") and not events.claim_event("Ev1")
    assert events.prune_events(datetime.now(UTC) - timedelta(days=1)) == 0
    assert events.prune_events(datetime.now(UTC) + timedelta(seconds=1)) == 1
    assert events.claim_event("Ev1")
    store.close()
