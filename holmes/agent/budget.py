"""The agent's limits and a token estimate that needs no tokenizer download.

Every investigation is bounded: steps (model turns), tool calls, tokens and wall time. The
estimate counts about four characters per token for English and JSON (a tokenizer's vocabulary
file would have to be downloaded at run time, which holmes never does); it is used to bound the
prompt and to report the first request's size, never to bill.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field

CHARS_PER_TOKEN = 4


class AgentLimits(BaseModel):
    """Bounds on one LLM investigation; reaching one ends it with the best answer so far."""

    max_steps: int = Field(8, ge=1, description="Model turns (LLM calls) at most.")
    max_tool_calls: int = Field(16, ge=0, description="Tool calls the model may make.")
    max_tokens: int = Field(60_000, ge=1000, description="Prompt + completion tokens in all.")
    max_seconds: float = Field(90.0, gt=0, description="Wall time of the whole investigation.")
    prompt_tokens: int = Field(
        8_000, ge=1000, description="Budget of the system prompt and the first user message."
    )
    evidence_chars: int = Field(1_600, ge=200, description="Most characters of one evidence.")


def estimate_tokens(value: Any) -> int:
    """Tokens of a text or of JSON-like data (messages, tool schemas), estimated."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return (len(text) + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN
