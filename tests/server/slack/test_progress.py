"""The progress message: edited in place from the stored tool events, at most once a second."""

from __future__ import annotations

import itertools
import re

from holmes.evals.runner import context_for
from tests.server.slack.conftest import MENTION_TS, SlowInvestigator, mention, post_event


def test_progress_is_edited_at_most_once_a_second(app_with, slack, engine, xid_endpoints) -> None:
    investigator = SlowInvestigator(engine, lambda: context_for(xid_endpoints), delay=0.15)
    running = app_with(investigator)
    post_event(running.url, mention("<@UHOLMES> why is llama-finetune in ml stalling?"))
    slack.wait_for(
        lambda: any(c.params["text"].startswith("Done") for c in slack.of("chat.update"))
    )
    progress = slack.of("chat.postMessage")[0]
    assert progress.params["thread_ts"] == MENTION_TS
    edits = slack.of("chat.update")
    counts = [
        int(m[1])
        for e in edits
        if (m := re.match(r"Looking into it: (\d+) tool call", e.params["text"]))
    ]
    assert len(counts) >= 2, [e.params["text"] for e in edits]
    assert counts == sorted(counts) and counts[-1] > counts[0]
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(edits)]
    assert min(gaps) >= 0.9, gaps
    answer_at = next(
        c.at for c in slack.of("chat.postMessage") if c.params["text"].startswith("Root")
    )
    assert progress.at < answer_at < edits[-1].at  # the answer, then "Done" on the progress
