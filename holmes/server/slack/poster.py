"""Every message holmes sends to Slack leaves through `SlackPoster`: redacted, retried, counted.

Text and every string inside the blocks go through `holmes.tools.redaction.redact`. A 429 is
retried after its `Retry-After` (slack_sdk's rate-limit retry handler). A Web API error
(`channel_not_found`, `not_in_channel`, `invalid_auth`...) is logged with what fixes it and
counted in `holmes_slack_api_errors_total{method,error}`; the caller gets None and goes on, so
a Slack problem never crashes a worker or a handler.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import ClientError
from prometheus_client import CollectorRegistry, Counter
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from holmes.server.slack.blocks import SlackMessage
from holmes.tools.redaction import redact

log = logging.getLogger("holmes.server.slack")

FIXES = {
    "channel_not_found": "the channel id is wrong or the bot cannot see it: check "
    "HOLMES_SLACK_ALERT_ROUTES / HOLMES_SLACK_ALERT_CHANNEL and invite the bot",
    "not_in_channel": "invite the bot to the channel (/invite @holmes)",
    "invalid_auth": "SLACK_BOT_TOKEN is wrong or revoked: reinstall, set the new xoxb- token",
    "not_authed": "SLACK_BOT_TOKEN is not set",
    "ratelimited": "Slack kept answering 429 after the retries: fewer posts, or wait",
    "msg_too_long": "a message exceeded Slack's limits (report it: blocks.py should split it)",
    "invalid_blocks": "Slack refused the blocks (report it with the investigation id)",
}


def web_client(token: str | None, api_url: str) -> AsyncWebClient:
    """The Web API client at `api_url` (HOLMES_SLACK_API_URL); 429s and dropped links retried."""
    return AsyncWebClient(
        token=token,
        base_url=api_url,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
        ],
    )


class SlackPoster:
    """Posts, edits and answers slash commands; redacts everything and never raises."""

    def __init__(self, client: AsyncWebClient, registry: CollectorRegistry | None = None) -> None:
        self.client = client
        self.errors = Counter(
            "holmes_slack_api_errors",
            "Slack Web API calls that failed, by method and Slack's error code.",
            ["method", "error"],
            registry=registry,
        )
        self.calls = Counter(
            "holmes_slack_api_calls",
            "Slack Web API calls made, by method.",
            ["method"],
            registry=registry,
        )

    async def post(
        self, channel: str, message: SlackMessage, thread_ts: str | None = None
    ) -> str | None:
        """chat.postMessage; the new message's `ts`, or None when Slack refused it."""
        response = await self._call(
            "chat.postMessage",
            self.client.chat_postMessage,
            channel=channel,
            thread_ts=thread_ts,
            unfurl_links=False,
            **_clean(message),
        )
        return str(response["ts"]) if response is not None else None

    async def update(self, channel: str, ts: str, message: SlackMessage) -> bool:
        """chat.update of the message `ts` in place."""
        response = await self._call(
            "chat.update", self.client.chat_update, channel=channel, ts=ts, **_clean(message)
        )
        return response is not None

    async def replies(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        """conversations.replies: the thread's messages, oldest first ([] on error)."""
        response = await self._call(
            "conversations.replies",
            self.client.conversations_replies,
            channel=channel,
            ts=thread_ts,
            limit=50,
        )
        return list(response.get("messages") or []) if response is not None else []

    async def respond(
        self,
        response_url: str,
        message: SlackMessage,
        *,
        public: bool,
        replace_original: bool | None = None,
    ) -> bool:
        """An answer to a slash command, posted to its `response_url`."""
        self.calls.labels("response_url").inc()
        body = _clean(message)
        try:
            response = await AsyncWebhookClient(response_url).send(
                text=body["text"],
                blocks=body["blocks"],
                response_type="in_channel" if public else "ephemeral",
                replace_original=replace_original,
            )
        except (ClientError, TimeoutError) as error:
            return self._failed("response_url", "unreachable", str(error))
        if response.status_code != 200:
            return self._failed("response_url", f"http_{response.status_code}", response.body)
        return True

    async def _call(self, method: str, call: Any, **arguments: Any) -> Any:
        self.calls.labels(method).inc()
        try:
            response = await call(**{k: v for k, v in arguments.items() if v is not None})
        except SlackApiError as error:
            code = str(error.response.get("error", "unknown")) if error.response else "unknown"
            return self._failed(method, code, None)
        except (ClientError, TimeoutError) as error:
            return self._failed(method, "unreachable", str(error))
        return response

    def _failed(self, method: str, code: str, detail: str | None) -> None:
        self.errors.labels(method, code).inc()
        fix = FIXES.get(code, "see https://api.slack.com/methods/" + method)
        extra = f" ({redact(detail)})" if detail else ""
        log.error("Slack %s failed: %s%s; fix: %s", method, code, extra, fix)
        return None


def _clean(message: SlackMessage) -> dict[str, Any]:
    """The message with every string redacted (text and blocks alike)."""
    return {"text": redact(message.text), "blocks": _redact_strings(message.blocks)}


def _redact_strings(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [_redact_strings(item) for item in value]
    if isinstance(value, dict):
        return {key: _redact_strings(item) for key, item in value.items()}
    return value
