"""The Slack responder's settings, read from the environment in one place (`from_environ`).

| variable | meaning |
| --- | --- |
| `SLACK_BOT_TOKEN` | the bot token (`xoxb-...`): the Web API |
| `SLACK_SIGNING_SECRET` | verifies requests to `/slack/events` (events, commands, buttons) |
| `SLACK_APP_TOKEN` | an app-level token (`xapp-...`): Socket Mode instead of a public URL |
| `HOLMES_SLACK_API_URL` | the Web API's base URL (default `https://slack.com/api/`) |
| `HOLMES_SLACK_ALERT_CHANNEL` | where alert investigations are posted when no route matches |
| `HOLMES_SLACK_ALERT_ROUTES` | YAML: `routes: [{match: {LABEL: VALUE}, channel: C}]`, `default` |

Nothing here imports slack_sdk or bolt: `holmes serve` loads them only when Slack is enabled.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError

DEFAULT_API_URL = "https://slack.com/api/"


class SlackConfigError(ValueError):
    """Slack settings that cannot be used; the message names the variable or file."""


class AlertRoute(BaseModel, extra="forbid"):
    """Alerts whose labels equal every `match` entry are posted to `channel`."""

    match: dict[str, str] = Field(default_factory=dict)
    channel: str


class AlertRouting(BaseModel, extra="forbid"):
    """The alert-post routing table: the first matching route wins, else `default`."""

    routes: list[AlertRoute] = Field(default_factory=list)
    default: str | None = None

    def channel_for(self, labels: Mapping[str, str]) -> str | None:
        """The channel an alert with `labels` goes to; None when it is not posted."""
        for route in self.routes:
            if all(labels.get(key) == value for key, value in route.match.items()):
                return route.channel
        return self.default


class SlackSettings(BaseModel):
    """How holmes talks to Slack; `enabled` when a bot token and a way to receive events exist."""

    bot_token: str | None = Field(None, repr=False)
    signing_secret: str | None = Field(None, repr=False)
    app_token: str | None = Field(None, repr=False)
    api_url: str = DEFAULT_API_URL
    alerts: AlertRouting = Field(default_factory=AlertRouting)
    progress_seconds: float = Field(1.0, gt=0, description="At least this long between edits.")
    alert_poll_seconds: float = Field(1.0, gt=0, description="How often alert episodes are read.")

    @property
    def enabled(self) -> bool:
        """True when the responder should run."""
        return bool(self.bot_token and (self.signing_secret or self.app_token))

    @property
    def socket_mode(self) -> bool:
        """True when events come over Socket Mode (an app-level token is set)."""
        return bool(self.app_token)


def from_environ(environ: Mapping[str, str]) -> SlackSettings:
    """The settings from environment variables (the one place they are read)."""
    routing = AlertRouting(default=environ.get("HOLMES_SLACK_ALERT_CHANNEL") or None)
    routes_file = environ.get("HOLMES_SLACK_ALERT_ROUTES")
    if routes_file:
        routing = _routing_file(Path(routes_file), routing.default)
    api_url = environ.get("HOLMES_SLACK_API_URL") or DEFAULT_API_URL
    return SlackSettings(
        bot_token=environ.get("SLACK_BOT_TOKEN") or None,
        signing_secret=environ.get("SLACK_SIGNING_SECRET") or None,
        app_token=environ.get("SLACK_APP_TOKEN") or None,
        api_url=api_url if api_url.endswith("/") else api_url + "/",
        alerts=routing,
    )


def _routing_file(path: Path, default: str | None) -> AlertRouting:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as error:
        raise SlackConfigError(f"HOLMES_SLACK_ALERT_ROUTES {path}: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise SlackConfigError(f"HOLMES_SLACK_ALERT_ROUTES {path}: not YAML ({error})") from None
    if not isinstance(data, dict):
        raise SlackConfigError(f"HOLMES_SLACK_ALERT_ROUTES {path}: expected a mapping")
    data.setdefault("default", default)
    try:
        return AlertRouting.model_validate(data)
    except ValidationError as invalid:
        first = invalid.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise SlackConfigError(
            f"HOLMES_SLACK_ALERT_ROUTES {path}: {where}: {first['msg']}"
        ) from None
