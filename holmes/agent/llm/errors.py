"""The one error the LLM client raises, `LLMError`, and how SDK failures map onto its kinds.

`client.py` translates every `openai` SDK failure here, in one place, and raises `LLMError` with
the SDK error chained as the cause. The agent catches only `LLMError`: whatever the kind, it
falls back to the runbook diagnosis and says why (`str(error)` names the endpoint and the cause).

    LLMError.kind      retried   when
    timeout            yes       no answer within the attempt's timeout; HTTP 408
    rate_limited       yes       HTTP 429 (a Retry-After past the deadline stops retrying)
    server_error       yes       HTTP 5xx
    connection         yes       refused, DNS failure, reset, TLS failure
    auth               no        HTTP 401/403: a missing or wrong key, a key without access
    context_exceeded   no        HTTP 400 saying the request exceeds the context window; the
                                 window and the prompt's size, when the body tells them, are in
                                 `context` (the agent shrinks the request and tries once more)
    bad_request        no        other HTTP 4xx: unknown model or deployment, a parameter the
                                 endpoint does not support
    bad_response       no        a 200 whose body is not a chat completion (no choices, not JSON,
                                 a tool call that is not a function call)

`attempts` says how many requests were sent before giving up.
"""

from __future__ import annotations

import re
from typing import Any, Literal

import openai
from pydantic import BaseModel

LLMErrorKind = Literal[
    "timeout",
    "rate_limited",
    "server_error",
    "connection",
    "auth",
    "context_exceeded",
    "bad_request",
    "bad_response",
]


class ContextExceeded(BaseModel):
    """What a context-exceeded error said: the window and the prompt's size, when known."""

    context_tokens: int | None = None
    prompt_tokens: int | None = None


# How providers word it. llama.cpp: type exceed_context_size_error with n_ctx/n_prompt_tokens
# fields, "request (9481 tokens) exceeds the available context size (8192 tokens)"; OpenAI:
# code context_length_exceeded, "This model's maximum context length is 8192 tokens. However,
# your messages resulted in 9481 tokens"; vLLM: "... However, you requested 9481 tokens (...)".
_CONTEXT_MARKERS = (
    "exceed_context_size",
    "context_length_exceeded",
    "maximum context length",
    "context size",
    "context window",
    "too many tokens",
    "prompt is too long",
)
_WINDOW_PATTERNS = (
    re.compile(r"maximum context length is (\d+)"),
    re.compile(r"context size \((\d+) tokens\)"),
    re.compile(r"context (?:window|length) (?:of|is) (\d+)"),
)
_PROMPT_PATTERNS = (
    re.compile(r"request \((\d+) tokens\)"),
    re.compile(r"resulted in (\d+) tokens"),
    re.compile(r"you requested (\d+) tokens \((\d+) in the messages"),
    re.compile(r"prompt (?:has|contains|is) (\d+) tokens"),
)

RETRIED_KINDS: frozenset[LLMErrorKind] = frozenset(
    {"timeout", "rate_limited", "server_error", "connection"}
)


class LLMError(Exception):
    """The LLM endpoint gave no usable answer; `kind` says why (see the module docstring)."""

    def __init__(
        self,
        kind: LLMErrorKind,
        message: str,
        *,
        status_code: int | None = None,
        attempts: int = 1,
        context: ContextExceeded | None = None,
    ) -> None:
        super().__init__(message)
        self.kind: LLMErrorKind = kind
        self.message = message
        self.status_code = status_code
        self.attempts = attempts
        self.context = context

    @property
    def retryable(self) -> bool:
        """Whether another attempt might succeed (the client has already retried these)."""
        return self.kind in RETRIED_KINDS

    def __str__(self) -> str:
        tries = "" if self.attempts == 1 else f" (after {self.attempts} attempts)"
        return f"{self.kind}: {self.message}{tries}"


def from_sdk(error: BaseException, endpoint: str, timeout: float) -> LLMError:
    """Translate an `openai` SDK error (or our own attempt deadline) into an `LLMError`.

    The caller chains `error` as the cause and fills in `attempts`.
    """
    # APITimeoutError is a subclass of APIConnectionError: test it first.
    if isinstance(error, openai.APITimeoutError | TimeoutError):
        return LLMError("timeout", f"{endpoint} did not answer within {timeout:g} s")
    if isinstance(error, openai.APIConnectionError):
        return LLMError("connection", f"{endpoint} is not reachable: {_root_cause(error)}")
    if isinstance(error, openai.APIStatusError):
        return _from_status(error, endpoint)
    if isinstance(error, openai.APIResponseValidationError):
        return LLMError("bad_response", f"{endpoint} answered with an unexpected body: {error}")
    return LLMError("bad_response", f"{endpoint}: {type(error).__name__}: {error}")


def _from_status(error: openai.APIStatusError, endpoint: str) -> LLMError:
    """An HTTP error answer: the kind from the status, the text from the OpenAI error body."""
    status = error.status_code
    detail = f"HTTP {status} from {endpoint}: {_error_text(error)}"
    if status == 429:
        kind: LLMErrorKind = "rate_limited"
    elif status == 408:
        kind = "timeout"
    elif status >= 500:
        kind = "server_error"
    elif status in (401, 403):
        kind = "auth"
        detail += " (check the API key: OPENAI_API_KEY or AZURE_OPENAI_API_KEY)"
    else:
        context = context_exceeded(error.body, _error_text(error))
        if context is not None:
            return LLMError("context_exceeded", detail, status_code=status, context=context)
        kind = "bad_request"
    return LLMError(kind, detail, status_code=status)


def context_exceeded(body: Any, text: str) -> ContextExceeded | None:
    """The window and prompt size of a context-exceeded error body; None for another error."""
    inner = body.get("error", body) if isinstance(body, dict) else {}
    inner = inner if isinstance(inner, dict) else {}
    words = " ".join(str(inner.get(key, "")) for key in ("type", "code")) + " " + text
    words = words.lower()
    if not any(marker in words for marker in _CONTEXT_MARKERS):
        return None
    window = _int(inner.get("n_ctx")) or _first_number(_WINDOW_PATTERNS, words)
    prompt = _int(inner.get("n_prompt_tokens"))
    if prompt is None:
        for pattern in _PROMPT_PATTERNS:
            found = pattern.search(words)
            if found:
                # vLLM counts the completion in: its message's second number is the prompt.
                prompt = int(found.group(found.lastindex or 1))
                break
    return ContextExceeded(context_tokens=window, prompt_tokens=prompt)


def _first_number(patterns: tuple[re.Pattern[str], ...], text: str) -> int | None:
    for pattern in patterns:
        found = pattern.search(text)
        if found:
            return int(found.group(1))
    return None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _error_text(error: openai.APIStatusError) -> str:
    """The `error.message` of an OpenAI-shaped error body, else the SDK's own text."""
    body = error.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return inner["message"]
    return error.message


def _root_cause(error: BaseException) -> str:
    """The innermost cause in words ("Connection refused") rather than "Connection error."."""
    seen: BaseException = error
    while seen.__cause__ is not None and seen.__cause__ is not seen:
        seen = seen.__cause__
    return str(seen) or type(seen).__name__
