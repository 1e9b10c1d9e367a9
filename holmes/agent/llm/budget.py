"""The agent's limits and a token estimate that needs no tokenizer download.

Every investigation is bounded: steps (model turns), tool calls, tokens and wall time. The
estimate errs safe: it counts characters per token as low as small models' tokenizers measured
on holmes's own requests (llama.cpp's server-reported counts, tests/llm/fixtures: evidence text
and JSON 2.4 characters a token, tool schemas 3.6; OpenAI's tokenizers count fewer tokens). No
single tokenizer would do better: the request goes to whatever model the user runs (Qwen,
Llama, SmolLM...), each with its own vocabulary, and none may be downloaded at run time. The
agent lowers the ratio further when a server reports more tokens than estimated. It bounds the
prompt and reports the first request's size, never bills.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field, ValidationError

CHARS_PER_TOKEN = 2.4  # evidence text, messages and JSON
TOOL_CHARS_PER_TOKEN = 3.2  # tool schemas (measured 3.6)
MESSAGE_OVERHEAD_TOKENS = 4  # a chat template's role markers per message


class AgentLimits(BaseModel):
    """Bounds on one LLM investigation; reaching one ends it with the best answer so far."""

    max_steps: int = Field(8, ge=1, description="Model turns (LLM calls) at most.")
    max_tool_calls: int = Field(16, ge=0, description="Tool calls the model may make.")
    max_tokens: int = Field(60_000, ge=1000, description="Prompt + completion tokens in all.")
    max_seconds: float = Field(90.0, gt=0, description="Wall time of the whole investigation.")
    context_tokens: int = Field(
        120_000, ge=2000, description="The model's context window: no request may exceed it."
    )
    prompt_tokens: int = Field(
        8_000, ge=1000, description="Budget of the system prompt and the first user message."
    )
    evidence_chars: int = Field(1_600, ge=200, description="Most characters of one evidence.")


# Environment variables that set a limit, e.g. HOLMES_LLM_CONTEXT_TOKENS=8192 for a small model.
LIMIT_VARIABLES = {
    "HOLMES_AGENT_MAX_STEPS": "max_steps",
    "HOLMES_AGENT_MAX_TOOL_CALLS": "max_tool_calls",
    "HOLMES_AGENT_MAX_TOKENS": "max_tokens",
    "HOLMES_AGENT_MAX_SECONDS": "max_seconds",
    "HOLMES_LLM_CONTEXT_TOKENS": "context_tokens",
    "HOLMES_AGENT_PROMPT_TOKENS": "prompt_tokens",
}


def limits_from_env(environ: Mapping[str, str]) -> AgentLimits:
    """The limits, with any set through the environment; ValueError names a bad variable."""
    given = {field: environ[name] for name, field in LIMIT_VARIABLES.items() if environ.get(name)}
    try:
        return AgentLimits.model_validate(given)
    except ValidationError as invalid:
        fields = {field: name for name, field in LIMIT_VARIABLES.items()}
        problems = "; ".join(
            f"{fields.get(str(e['loc'][0]), e['loc'][0])}: {e['msg']}" for e in invalid.errors()
        )
        raise ValueError(problems) from None


def estimate_tokens(value: Any, chars_per_token: float = CHARS_PER_TOKEN) -> int:
    """Tokens of a text or of JSON-like data (messages, tool schemas), estimated on the high
    side; a list of messages counts each message's template overhead too."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    overhead = len(value) * MESSAGE_OVERHEAD_TOKENS if isinstance(value, list) else 0
    return math.ceil(len(text) / chars_per_token) + overhead


def estimate_request(
    messages: list[Any], tools: list[Any], chars_per_token: float = CHARS_PER_TOKEN
) -> int:
    """Tokens of a whole request: the messages and the tool schemas (denser in tokens)."""
    tool_ratio = chars_per_token * TOOL_CHARS_PER_TOKEN / CHARS_PER_TOKEN
    return estimate_tokens(messages, chars_per_token) + estimate_tokens(tools, tool_ratio)
