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
    bad_request        no        other HTTP 4xx: unknown model or deployment, context too long,
                                 a parameter the endpoint does not support
    bad_response       no        a 200 whose body is not a chat completion (no choices, not JSON,
                                 a tool call that is not a function call)

`attempts` says how many requests were sent before giving up.
"""

from __future__ import annotations

from typing import Literal

import openai

LLMErrorKind = Literal[
    "timeout", "rate_limited", "server_error", "connection", "auth", "bad_request", "bad_response"
]

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
    ) -> None:
        super().__init__(message)
        self.kind: LLMErrorKind = kind
        self.message = message
        self.status_code = status_code
        self.attempts = attempts

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
        kind = "bad_request"
    return LLMError(kind, detail, status_code=status)


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
