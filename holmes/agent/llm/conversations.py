"""Where conversations live between turns: a SQLite file through LangGraph's checkpointer.

A Slack thread, an HTTP API session or an interactive `holmes ask -i` session is one
conversation id; its state (messages, evidence ids, the runbook diagnosis) is kept here, so a
follow-up in another process continues from the evidence already gathered. The default file is
`$HOLMES_CONVERSATIONS`, else `~/.cache/holmes/conversations.sqlite`; callers pass the mapping
of environment variables.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from holmes.agent.llm.state import checkpoint_serializer


def conversation_file(environ: Mapping[str, str]) -> Path:
    """The SQLite file of the conversation store."""
    configured = environ.get("HOLMES_CONVERSATIONS")
    if configured:
        return Path(configured)
    return Path(environ.get("HOME", ".")) / ".cache" / "holmes" / "conversations.sqlite"


@asynccontextmanager
async def conversation_store(path: Path) -> AsyncIterator[AsyncSqliteSaver]:
    """A checkpointer on `path` (created with its folder if absent), closed on exit."""
    path.parent.mkdir(parents=True, exist_ok=True)
    async with AsyncSqliteSaver.from_conn_string(str(path)) as saver:
        saver.serde = checkpoint_serializer()
        yield saver
