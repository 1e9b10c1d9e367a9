"""The Slack responder: mentions, thread follow-ups, `/holmes`, alert threads, feedback buttons.

`mount(app, settings)` adds bolt's `/slack/events` route (verified by Slack's signature, not
the API tokens) and returns it so the auth middleware exempts that route object; the lifespan
calls `app.state.slack.start(services)` once the store and workers run. Settings come from the
environment through `settings.from_environ` only. slack_bolt and slack_sdk load here, when
Slack is enabled, never at CLI start-up.
"""

from __future__ import annotations

from fastapi import FastAPI, Request, Response
from starlette.routing import BaseRoute

from holmes.server.slack.settings import SlackSettings


def mount(app: FastAPI, settings: SlackSettings) -> BaseRoute | None:
    """Attach the responder to `app`; the `/slack/events` route (None in Socket Mode only)."""
    from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler

    from holmes.server.slack.runtime import SlackRuntime

    runtime = SlackRuntime(settings)
    app.state.slack = runtime
    if not settings.signing_secret:
        return None
    handler = AsyncSlackRequestHandler(runtime.bolt)

    async def slack_events(request: Request) -> Response:
        """Events API callbacks, the slash command and interactivity (signed by Slack)."""
        return await handler.handle(request)

    app.add_api_route("/slack/events", slack_events, methods=["POST"], include_in_schema=False)
    return app.router.routes[-1]


__all__ = ["SlackSettings", "mount"]
