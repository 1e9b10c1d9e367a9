"""What a chat completion call returns: the reply, its tool calls and tokens, the running tally.

`client.py` builds these from the SDK's objects (a whole completion, or a stream assembled);
the agent reads them. Plain pydantic models, no SDK import.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class ToolCall(BaseModel):
    """One function call the model asked for. `arguments` is the raw JSON text it sent."""

    id: str
    name: str
    arguments: str = Field(description="as the model wrote it: may be malformed JSON")


class TokenUsage(BaseModel):
    """Tokens of one reply, as the endpoint reported them (zero when it reported none)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        """Prompt and completion tokens together."""
        return self.prompt_tokens + self.completion_tokens


class LLMReply(BaseModel):
    """What the model answered: text, tool calls or both, and what the answer cost."""

    content: str | None = None
    tool_calls: list[ToolCall] = Field(default_factory=list)
    finish_reason: str | None = None
    model: str = Field("", description="the model the endpoint says answered")
    usage: TokenUsage = Field(default_factory=TokenUsage)
    seconds: float = Field(0.0, description="wall time of the call, retries included")
    attempts: int = Field(1, description="requests sent; more than 1 after retries")
    estimated_usd: float | None = Field(None, description="None when the price is unknown")


class LLMUsage(BaseModel):
    """The running tally of one client: what all its calls so far have spent."""

    calls: int = Field(0, description="calls that returned a reply")
    failed_calls: int = Field(0, description="calls that ended in an LLMError")
    retries: int = Field(0, description="extra attempts after 429, 5xx, timeouts...")
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    estimated_usd: float | None = Field(None, description="sum over priced replies; None if none")

    def add(self, reply: LLMReply) -> None:
        """Count one successful reply (its retries are counted by the client as they happen)."""
        self.calls += 1
        self.prompt_tokens += reply.usage.prompt_tokens
        self.completion_tokens += reply.usage.completion_tokens
        self.seconds += reply.seconds
        if reply.estimated_usd is not None:
            self.estimated_usd = (self.estimated_usd or 0.0) + reply.estimated_usd
