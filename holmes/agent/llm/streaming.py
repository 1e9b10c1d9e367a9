"""A streamed chat completion read to its end, with timeouts that tell slow from dead.

A CPU model takes minutes to read a long prompt and then writes a few tokens a second: one
timeout over the whole reply would either cut a working model or wait minutes on a dead one.
Streamed, the first chunk must come within the request's timeout (the prompt's reading) and
each next one within `idle_seconds`; a model that keeps writing is never cut (the reply's cap
and the agent's time limit bound it). The chunks are assembled into one `StreamedReply`:
content, tool calls (their pieces joined by index), finish reason, model and usage (sent in
the last chunk when `stream_options.include_usage` is honoured).
"""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import BaseModel, Field


class StreamedCall(BaseModel):
    """One tool call as its pieces arrived."""

    id: str = ""
    name: str = ""
    arguments: str = ""


class StreamedReply(BaseModel):
    """A streamed completion, assembled."""

    content: str | None = None
    calls: list[StreamedCall] = Field(default_factory=list)
    finish_reason: str | None = None
    model: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    chunks: int = 0


async def read_stream(stream: Any, *, first_seconds: float, idle_seconds: float) -> StreamedReply:
    """Read the SDK's `AsyncStream` of chunks to the end; TimeoutError when the first chunk
    takes longer than `first_seconds` or a later one longer than `idle_seconds`."""
    reply = StreamedReply()
    by_index: dict[int, StreamedCall] = {}
    parts: list[str] = []
    chunks = aiter(stream)
    while True:
        wait = first_seconds if reply.chunks == 0 else idle_seconds
        try:
            async with asyncio.timeout(wait):
                chunk = await anext(chunks)
        except StopAsyncIteration:
            break
        reply.chunks += 1
        reply.model = getattr(chunk, "model", None) or reply.model
        usage = getattr(chunk, "usage", None)
        if usage is not None:
            reply.prompt_tokens = usage.prompt_tokens or 0
            reply.completion_tokens = usage.completion_tokens or 0
        for choice in getattr(chunk, "choices", None) or []:
            if choice.finish_reason:
                reply.finish_reason = choice.finish_reason
            delta = choice.delta
            if delta is None:
                continue
            if delta.content:
                parts.append(delta.content)
            for piece in delta.tool_calls or []:
                call = by_index.setdefault(piece.index, StreamedCall())
                call.id = piece.id or call.id
                function = piece.function
                if function is not None:
                    call.name += function.name or ""
                    call.arguments += function.arguments or ""
    reply.content = "".join(parts) if parts else None
    reply.calls = [by_index[i] for i in sorted(by_index)]
    return reply
