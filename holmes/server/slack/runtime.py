"""The Slack responder of one app: bolt's AsyncApp, its handlers, and what runs beside them.

The AsyncApp verifies each request's signature (HTTP mode) and routes Events API callbacks,
the slash command and button clicks to `Intake`; Socket Mode (`SLACK_APP_TOKEN`) feeds the
same app through bolt's aiohttp socket-mode handler. `start` (in the FastAPI lifespan, once the
store and workers run) resumes unanswered conversations and starts the alert sweep.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncApp

from holmes.server.services import Services
from holmes.server.slack.alerts import AlertThreads
from holmes.server.slack.intake import Intake
from holmes.server.slack.poster import SlackPoster, web_client
from holmes.server.slack.responder import Responder
from holmes.server.slack.settings import SlackSettings
from holmes.server.store.slack_repository import SlackStore

log = logging.getLogger("holmes.server.slack")
FEEDBACK = re.compile(r"^holmes_feedback_(correct|wrong)$")


class SlackRuntime:
    """bolt's app and holmes' responder for one FastAPI app."""

    def __init__(self, settings: SlackSettings) -> None:
        self.settings = settings
        self.client = web_client(settings.bot_token, settings.api_url)
        self.bolt = AsyncApp(
            client=self.client,  # carries the bot token
            signing_secret=settings.signing_secret,
            request_verification_enabled=bool(settings.signing_secret),
            logger=logging.getLogger("holmes.server.slack.bolt"),
        )
        self.intake: Intake | None = None
        self.responder: Responder | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._socket: Any = None
        self._register()

    async def start(self, services: Services) -> None:
        """Resume unanswered conversations, sweep alerts; connect Socket Mode when configured."""
        poster = SlackPoster(self.client, services.metrics.registry)
        slack_store = SlackStore(services.store.engine)
        self.responder = Responder(self.settings, services, poster, slack_store)
        self.intake = Intake(self.responder)
        resumed = await self.responder.resume()
        alerts = AlertThreads(self.settings, self.responder, slack_store)
        self._tasks.append(asyncio.create_task(alerts.run(), name="slack-alerts"))
        if self.settings.socket_mode:
            from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

            self._socket = AsyncSocketModeHandler(
                self.bolt,
                self.settings.app_token,
                web_client=web_client(None, self.settings.api_url),
            )
            await self._socket.connect_async()
        mode = "Socket Mode" if self._socket else "/slack/events"
        log.info("Slack responder on (%s); %d unanswered conversations resumed", mode, resumed)

    async def stop(self) -> None:
        """Disconnect and cancel; unanswered conversations resume at the next start."""
        if self._socket is not None:
            await self._socket.close_async()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.responder is not None:
            await self.responder.stop()

    def _register(self) -> None:
        app = self.bolt

        @app.event("app_mention")
        async def on_mention(body: dict[str, Any], event: dict[str, Any]) -> None:
            if self.intake is not None:
                await self.intake.mention(event, body.get("event_id"))

        @app.event("message")
        async def on_message(body: dict[str, Any], event: dict[str, Any], context: Any) -> None:
            if self.intake is not None:
                bot = context.get("bot_user_id") or ""
                await self.intake.reply(event, body.get("event_id"), bot)

        @app.command("/holmes")
        async def on_command(ack: Any, command: dict[str, Any]) -> None:
            question = " ".join(w for w in (command.get("text") or "").split() if w != "--public")
            if not question:
                await ack("Ask a question: `/holmes why is llama-finetune stalling? [--public]`")
                return
            await ack(f"Looking into it: {question}")
            if self.intake is not None:
                await self.intake.command(command)

        @app.action(FEEDBACK)
        async def on_feedback(ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
            await ack()
            if self.intake is not None:
                await self.intake.feedback(body, action)
