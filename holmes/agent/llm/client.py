"""The LLM client of the agent: one chat-completion call, retried, timed, costed, translated.

The agent (the LangGraph nodes that reason and call tools) holds one `LLMClient` per
investigation and calls `complete(messages, tools=...)`. The client sends exactly what it is
given: redaction happens before, at the agent's boundary. It wraps the official `openai` SDK
(`AsyncOpenAI`, or `AsyncAzureOpenAI` for Azure) with the SDK's own retries off, because the
retry loop here must keep the whole call inside `LLMSettings.deadline_seconds`, honour
Retry-After only when it fits that deadline, and take its backoff base and sleep from the caller
so that tests run in milliseconds.

    attempt n  ->  429, 408, 5xx, timeout, connection error  ->  wait base * 2**(n-1) (capped,
                   or Retry-After if longer), try again while retries and deadline allow
               ->  401/403, other 4xx, a body that is not a chat completion  ->  give up now

Every failure leaves as one `LLMError` (see errors.py) with the SDK error chained. Each reply
carries its token usage, duration and estimated price (cost.py), and the client keeps a running
`LLMUsage` that the investigation copies into the Diagnosis's cost.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import openai

from holmes.agent.llm import errors
from holmes.agent.llm.cost import estimate_usd, known_price
from holmes.agent.llm.errors import LLMError
from holmes.agent.llm.models import LLMReply, LLMUsage, TokenUsage, ToolCall
from holmes.agent.llm.settings import LLMSettings
from holmes.agent.llm.streaming import StreamedReply, read_stream

logger = logging.getLogger(__name__)

# Compatible servers without auth (Ollama, a local vLLM) still get a key: with None the SDK
# would fall back to reading OPENAI_API_KEY from os.environ, which settings must not depend on.
_NO_KEY = "not-needed"
# Do not start an attempt with less than this share of timeout_seconds left before the deadline:
# it could only time out.
_MIN_ATTEMPT_SHARE = 0.1
# Streamed, the most a reply may pause between two chunks when no timeout is configured.
STREAM_IDLE_SECONDS = 60.0


Sleep = Callable[[float], Awaitable[None]]


class LLMClient:
    """Chat completions against the endpoint of `settings`, with bounded retries.

    `backoff_base_seconds` is the first wait after a retryable failure, doubled each time up to
    `backoff_max_seconds`; `sleep` and `clock` are injectable for tests. Use as an async context
    manager, or call `aclose()`, to release the HTTP connections.
    """

    def __init__(
        self,
        settings: LLMSettings,
        *,
        backoff_base_seconds: float = 0.5,
        backoff_max_seconds: float = 8.0,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._backoff_base = backoff_base_seconds
        self._backoff_max = backoff_max_seconds
        self._sleep = sleep
        self._clock = clock
        self._price = settings.price()
        self._usage = LLMUsage()
        self._sdk = _sdk_client(settings)
        self._streaming_refused = False

    @property
    def settings(self) -> LLMSettings:
        """The settings this client was built with."""
        return self._settings

    @property
    def usage(self) -> LLMUsage:
        """A copy of the running tally of calls, tokens, retries, seconds and cost."""
        return self._usage.model_copy()

    async def complete(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: str | dict[str, Any] | None = None,
        response_format: dict[str, Any] | None = None,
        max_tokens: int | None = None,
        *,
        prompt_tokens: int | None = None,
        stream: bool = False,
    ) -> LLMReply:
        """Send one chat completion request (retried as the module docstring says).

        `messages`, `tools` (function definitions), `tool_choice` and `response_format` are
        passed as the OpenAI chat completions API defines them; with tools and no
        `tool_choice`, the settings' choice is sent. Every request is bounded and repeatable:
        the reply's cap (`max_tokens`, else the settings' `max_completion_tokens`) and the
        temperature are always sent.
        `prompt_tokens`, the caller's estimate of the request, scales the timeout when none is
        configured. With `stream`, the reply is streamed (streaming.py: a slow model that keeps
        writing is not cut); a server that refuses streaming is asked again without, and not
        asked to stream again. Raises `LLMError`.
        """
        settings = self._settings
        request = self._request(messages, tools, tool_choice, response_format, max_tokens)
        streamed = stream and not self._streaming_refused
        if streamed:
            request |= {"stream": True, "stream_options": {"include_usage": True}}
        if prompt_tokens is None:
            prompt_tokens = _rough_tokens(messages, tools)
        per_attempt = settings.timeout_for(prompt_tokens)

        started = self._clock()
        deadline = started + settings.deadline_for(prompt_tokens)
        attempt = 0
        while True:
            attempt += 1
            timeout = min(per_attempt, max(deadline - self._clock(), 0.001))
            try:
                outcome = await self._attempt(request, streamed, timeout)
            except (openai.OpenAIError, TimeoutError) as sdk_error:
                error = errors.from_sdk(sdk_error, settings.endpoint, timeout)
                error.attempts = attempt
                if streamed and _refuses_streaming(error):
                    logger.warning(
                        "%s does not stream (%s): asking without", settings.endpoint, error
                    )
                    self._streaming_refused, streamed = True, False
                    request = {k: v for k, v in request.items() if not k.startswith("stream")}
                    attempt -= 1
                    continue
                delay = self._retry_delay(attempt, sdk_error, error, deadline, per_attempt)
                if delay is None:
                    self._usage.failed_calls += 1
                    raise error from sdk_error
                self._usage.retries += 1
                logger.warning("LLM call failed (%s); retry %d in %.2f s", error, attempt, delay)
                await self._sleep(delay)
                continue
            try:
                if streamed:
                    reply = self._streamed_reply(outcome, attempts=attempt)
                else:
                    reply = self._reply(outcome, attempts=attempt)
            except LLMError:
                self._usage.failed_calls += 1
                raise
            reply.seconds = self._clock() - started
            self._usage.add(reply)
            return reply

    async def _attempt(self, request: dict[str, Any], streamed: bool, timeout: float) -> Any:
        """One request: the SDK's completion, or the assembled stream."""
        if streamed:
            return await self._stream_attempt(request, timeout)
        # The SDK's timeout is per connect/read/write; this one bounds the attempt.
        async with asyncio.timeout(timeout):
            return await self._sdk.chat.completions.create(**request, timeout=timeout)

    async def _stream_attempt(self, request: dict[str, Any], timeout: float) -> StreamedReply:
        """One streamed attempt: the first chunk within `timeout`, the next ones each within
        the idle limit (the configured timeout, else STREAM_IDLE_SECONDS)."""
        started = self._clock()
        idle = self._settings.timeout_seconds or STREAM_IDLE_SECONDS
        async with asyncio.timeout(timeout):
            chunks = await self._sdk.chat.completions.create(**request, timeout=max(timeout, idle))
        first = max(timeout - (self._clock() - started), 0.001)
        try:
            return await read_stream(chunks, first_seconds=first, idle_seconds=idle)
        finally:
            await chunks.close()

    def _streamed_reply(self, streamed: StreamedReply, *, attempts: int) -> LLMReply:
        """Our `LLMReply` from an assembled stream; `LLMError('bad_response')` if it was empty."""
        empty = streamed.content is None and not streamed.calls
        if streamed.chunks == 0 or (empty and streamed.finish_reason is None):
            raise LLMError(
                "bad_response",
                f"{self._settings.endpoint} streamed no reply ({streamed.chunks} chunks)",
                attempts=attempts,
            )
        usage = TokenUsage(
            prompt_tokens=streamed.prompt_tokens, completion_tokens=streamed.completion_tokens
        )
        price = self._price or known_price(streamed.model)
        return LLMReply(
            content=streamed.content,
            tool_calls=[
                ToolCall(id=c.id or f"call_{n}", name=c.name, arguments=c.arguments)
                for n, c in enumerate(streamed.calls, start=1)
            ],
            finish_reason=streamed.finish_reason,
            model=streamed.model,
            usage=usage,
            attempts=attempts,
            estimated_usd=estimate_usd(price, usage.prompt_tokens, usage.completion_tokens),
        )

    def _request(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None,
        tool_choice: str | dict[str, Any] | None,
        response_format: dict[str, Any] | None,
        max_tokens: int | None = None,
    ) -> dict[str, Any]:
        """The request's parameters: what was asked, the reply's cap and the temperature."""
        settings = self._settings
        request: dict[str, Any] = {"model": settings.model, "messages": messages}
        # OpenAI's newer models refuse max_tokens; compatible servers (llama.cpp, vLLM,
        # Ollama) all read max_tokens, not all the newer name.
        cap = "max_tokens" if settings.provider == "compatible" else "max_completion_tokens"
        request[cap] = max_tokens or settings.max_completion_tokens
        if settings.temperature is not None:
            request["temperature"] = settings.temperature
        if tools:
            request["tools"] = tools
            request["tool_choice"] = tool_choice or settings.effective_tool_choice
        elif tool_choice is not None:
            request["tool_choice"] = tool_choice
        if response_format is not None:
            request["response_format"] = response_format
        return request

    async def context_window(self) -> int | None:
        """The context size the server reports for the model on GET /models, or None.

        vLLM says `max_model_len`, llama.cpp `meta.n_ctx_train` (and `n_ctx` on newer builds),
        others `context_length` or `context_window`. Any failure means unknown (None).
        """
        if self._settings.provider == "azure":
            return None
        try:
            async with asyncio.timeout(5.0):
                page = await self._sdk.models.list(timeout=5.0)
        except (openai.OpenAIError, TimeoutError, ValueError, TypeError):
            return None
        for model in getattr(page, "data", None) or []:
            extra = model.model_dump() if hasattr(model, "model_dump") else {}
            if extra.get("id") not in (self._settings.model, None) and len(page.data) > 1:
                continue
            size = _window_of(extra)
            if size is not None:
                return size
        return None

    def _retry_delay(
        self,
        attempt: int,
        sdk_error: BaseException,
        error: LLMError,
        deadline: float,
        per_attempt: float,
    ) -> float | None:
        """How long to wait before the next attempt, or None to give up with `error`."""
        if not error.retryable or attempt > self._settings.max_retries:
            return None
        delay = min(self._backoff_base * 2 ** (attempt - 1), self._backoff_max)
        asked = _retry_after(sdk_error)
        if asked is not None:
            delay = max(delay, asked)
        left_after_wait = deadline - self._clock() - delay
        if left_after_wait < _MIN_ATTEMPT_SHARE * per_attempt:
            if asked is not None:
                error.message += f"; the server asked to wait {asked:g} s, past the deadline"
            return None
        return delay

    def _reply(self, completion: Any, *, attempts: int) -> LLMReply:
        """Our `LLMReply` from the SDK's ChatCompletion; `LLMError('bad_response')` if none."""
        endpoint = self._settings.endpoint
        choices = getattr(completion, "choices", None)
        if not choices:
            raise LLMError(
                "bad_response",
                f"{endpoint} answered with something that is not a chat completion: "
                f"{str(completion)[:200]!r}",
                attempts=attempts,
            )
        message = choices[0].message
        calls = []
        for call in message.tool_calls or []:
            function = getattr(call, "function", None)
            if function is None:
                raise LLMError(
                    "bad_response",
                    f"{endpoint} returned a {getattr(call, 'type', '?')!r} tool call; "
                    "only function calls are sent",
                    attempts=attempts,
                )
            calls.append(
                ToolCall(id=call.id, name=function.name, arguments=function.arguments or "")
            )
        usage = TokenUsage()
        cost = None
        if completion.usage is not None:
            usage = TokenUsage(
                prompt_tokens=completion.usage.prompt_tokens or 0,
                completion_tokens=completion.usage.completion_tokens or 0,
            )
            # Settings name the model; the reply names a snapshot we may know when they don't.
            price = self._price or known_price(completion.model)
            cost = estimate_usd(price, usage.prompt_tokens, usage.completion_tokens)
        return LLMReply(
            content=message.content,
            tool_calls=calls,
            finish_reason=choices[0].finish_reason,
            model=completion.model or "",
            usage=usage,
            attempts=attempts,
            estimated_usd=cost,
        )

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._sdk.close()

    async def __aenter__(self) -> LLMClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


def _sdk_client(settings: LLMSettings) -> openai.AsyncOpenAI:
    """The SDK client for the provider, with its retries off (ours bound the deadline)."""
    key = settings.api_key.get_secret_value() if settings.api_key else _NO_KEY
    if settings.provider == "azure":
        return openai.AsyncAzureOpenAI(
            azure_endpoint=str(settings.azure_endpoint),
            azure_deployment=settings.azure_deployment,
            api_version=settings.api_version,
            api_key=key,
            timeout=settings.timeout_for(0),
            max_retries=0,
        )
    return openai.AsyncOpenAI(
        api_key=key,
        base_url=settings.endpoint,
        timeout=settings.timeout_for(0),
        max_retries=0,
    )


_WINDOW_KEYS = ("max_model_len", "n_ctx", "context_length", "context_window", "n_ctx_train")


def _refuses_streaming(error: LLMError) -> bool:
    """Whether a 400 says the server does not stream (then the request is sent without)."""
    return error.kind == "bad_request" and "stream" in error.message.lower()


def _window_of(entry: dict[str, Any]) -> int | None:
    """The context size in one /models entry (at its top level or under `meta`)."""
    for scope in (entry, entry.get("meta") or {}):
        if not isinstance(scope, dict):
            continue
        for key in _WINDOW_KEYS:
            value = scope.get(key)
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                return value
    return None


def _rough_tokens(messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None) -> int:
    """A request's tokens at 2.5 characters each (errs high, which only lengthens a timeout)."""
    return int(len(json.dumps([messages, tools or []], default=str)) / 2.5)


def _retry_after(error: BaseException) -> float | None:
    """The wait an HTTP error asked for (retry-after-ms or retry-after in seconds), if any."""
    response = getattr(error, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        raw = headers.get(name)
        if raw is None:
            continue
        try:
            # An HTTP-date Retry-After is not parsed: it would need the wall clock.
            seconds = float(raw) * scale
        except ValueError:
            continue
        if seconds >= 0:
            return seconds
    return None
