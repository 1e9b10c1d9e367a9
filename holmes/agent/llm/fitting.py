"""Fitting a request into the model's context window, and learning from the server's count.

The token estimate (budget.py) errs safe, but a model's tokenizer can still count more. The
server says so twice: in `usage.prompt_tokens` of every reply, and in a context-exceeded error
(llama.cpp's `n_prompt_tokens`/`n_ctx`, OpenAI's and vLLM's message). `TokenScale` keeps the
worst ratio of counted to estimated tokens seen in the run, and the window the server reported;
`fit_messages` cuts the longest user and tool messages (their tails: the first message's
evidence is ranked, least useful last) until the request fits.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel

from holmes.agent.llm.budget import CHARS_PER_TOKEN, estimate_request

CUT_MARK = "\n... [cut to fit the model's context]"
MIN_MESSAGE_CHARS = 400  # a message is never cut below this
SAFETY = 1.05  # above the measured ratio, so that the retry is not a near miss again
BLIND_SHRINK = 1.3  # the ratio assumed after an overflow that did not say by how much


class TokenScale(BaseModel):
    """Counted-to-estimated token ratio (>= 1) and the window the server reported."""

    ratio: float = 1.0
    context_tokens: int | None = None

    def tokens(self, messages: list[Any], tools: list[Any]) -> int:
        """The request's tokens: the estimate, scaled by what the server has counted."""
        return math.ceil(estimate_request(messages, tools) * self.ratio)

    def observe(self, estimated: int, counted: int) -> None:
        """A reply's usage: raise the ratio if the server counted more than estimated."""
        if estimated > 0 and counted > estimated * self.ratio:
            self.ratio = counted / estimated

    def overflowed(self, estimated: int, counted: int | None, window: int | None) -> None:
        """A context-exceeded error: learn the count and the window, or assume the worst."""
        if window:
            self.context_tokens = window
        if counted and estimated > 0:
            self.ratio = max(self.ratio, counted / estimated * SAFETY)
        else:
            self.ratio *= BLIND_SHRINK


def fit_messages(
    messages: list[dict[str, Any]], tools: list[Any], limit: int, scale: TokenScale
) -> list[dict[str, Any]] | None:
    """A copy of `messages` whose request (with `tools`) fits in `limit` tokens, cutting the
    longest user and tool messages from their ends; None when even cut it cannot fit."""
    fitted = [dict(m) for m in messages]
    for _ in range(4 * len(fitted) + 4):
        size = scale.tokens(fitted, tools)
        if size <= limit:
            return fitted
        cuttable = [
            i
            for i, m in enumerate(fitted)
            if m.get("role") in ("user", "tool")
            and isinstance(m.get("content"), str)
            and len(m["content"]) > MIN_MESSAGE_CHARS + len(CUT_MARK)
        ]
        if not cuttable:
            return None
        index = max(cuttable, key=lambda i: len(fitted[i]["content"]))
        content = fitted[index]["content"].removesuffix(CUT_MARK)
        excess_chars = math.ceil((size - limit) / scale.ratio * CHARS_PER_TOKEN) + 64
        keep = max(MIN_MESSAGE_CHARS, len(content) - excess_chars)
        fitted[index]["content"] = content[:keep] + CUT_MARK
    return None
