"""The Slack responder's latencies: ack, progress post, answer, for mentions at a steady rate.

Starts `holmes serve --incident gpu-xid-79-node-3` with the responder on (SLACK_* set, the Web
API at a local stand-in for slack.com: tests/server/slack/standin.py), sends `--mentions`
signed `app_mention` events `--interval` seconds apart, and prints p50/p95/max of

- ack: the HTTP answer to the event (Slack's limit: 3 s),
- progress: from the event to the progress post in its thread (the issue's target: 3 s),
- answer: from the event to the answer post,

and the number of answers (target: exactly one per mention, and none for the retries sent).

    .venv/bin/python bench/slack_latency.py [--mentions 20] [--interval 0.5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from service import served  # noqa: E402  (bench/service.py)

from tests.server.slack.conftest import SECRET, mention, post_event  # noqa: E402
from tests.server.slack.standin import SlackStandIn  # noqa: E402


def _figures(name: str, values: list[float]) -> None:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    print(f"{name:9} p50 {statistics.median(ordered) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms"
          f"   max {ordered[-1] * 1000:7.1f} ms")  # fmt: skip


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=20)
    parser.add_argument("--interval", type=float, default=0.5)
    options = parser.parse_args()
    slack = SlackStandIn().start()
    os.environ.update(
        SLACK_BOT_TOKEN="xoxb-bench",
        SLACK_SIGNING_SECRET=SECRET,
        HOLMES_SLACK_API_URL=slack.api_url,
    )
    os.environ.pop("SLACK_APP_TOKEN", None)
    sent: dict[str, float] = {}
    acks: list[float] = []
    with tempfile.TemporaryDirectory() as tmp, served(Path(tmp)) as (url, _headers, _log):
        for number in range(options.mentions):
            ts = f"1700000000.{number:06d}"
            body = mention("<@UHOLMES> why is llama-finetune in ml stalling?",
                           event_id=f"Ev{number}", ts=ts)  # fmt: skip
            sent[ts] = time.monotonic()
            post_event(url, body)
            acks.append(time.monotonic() - sent[ts])
            post_event(url, body, **{"X-Slack-Retry-Num": "1"})  # a retry: never answered
            time.sleep(options.interval)

        def answers() -> list:  # type: ignore[type-arg]
            return [c for c in slack.of("chat.postMessage") if c.params["text"].startswith("Root")]

        slack.wait_for(lambda: len(answers()) >= options.mentions, timeout=120)
        time.sleep(1.0)
        posts = slack.of("chat.postMessage")
    slack.stop()
    progress = {c.params["thread_ts"]: c.at for c in posts if c.params["text"].startswith("Look")}
    answered = {c.params["thread_ts"]: c.at for c in answers()}
    print(f"{options.mentions} mentions, {options.interval} s apart, each also retried once")
    _figures("ack", acks)
    _figures("progress", [progress[ts] - at for ts, at in sent.items()])
    _figures("answer", [answered[ts] - at for ts, at in sent.items()])
    print(f"answers posted: {len(answers())} (expected {options.mentions})")


if __name__ == "__main__":
    main()
