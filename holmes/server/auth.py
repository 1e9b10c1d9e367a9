"""Authentication, fail-closed: every route needs a token except the ones exempted by object.

Tokens come from `HOLMES_API_TOKENS` (comma-separated) or a tokens file (one per line, `#`
comments). A request carries one as `Authorization: Bearer TOKEN`; routes listed as
`basic_routes` (the Alertmanager webhook, for Alertmanager's `basic_auth`) also take HTTP basic
auth whose password is a token. Comparison is constant-time (`hmac.compare_digest`) against
every token. The middleware finds the route the request would reach the way the router does
(`route.matches`), so a path trick, a trailing segment or a spoofed Host cannot reach an
exempt route's exemption; an unknown path needs a token too. With no tokens at all the
server is open, which `holmes serve` allows only on a loopback address.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import json
from collections.abc import Iterable
from pathlib import Path

from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Receive, Scope, Send


class AuthConfigError(ValueError):
    """Tokens that cannot be read, or an open server on a non-loopback address."""


def load_tokens(environ: dict[str, str], tokens_file: Path | None) -> list[str]:
    """The accepted tokens: `HOLMES_API_TOKENS` and the lines of `tokens_file`."""
    tokens = [t.strip() for t in environ.get("HOLMES_API_TOKENS", "").split(",") if t.strip()]
    if tokens_file is not None:
        try:
            lines = tokens_file.read_text(encoding="utf-8").splitlines()
        except OSError as error:
            raise AuthConfigError(f"--tokens-file {tokens_file}: {error.strerror}") from None
        tokens += [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    return tokens


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_exposure(host: str, tokens: list[str]) -> None:
    """Refuse to serve without tokens on anything but a loopback address."""
    if not tokens and not is_loopback(host):
        raise AuthConfigError(
            f"--host {host}: refusing to serve without authentication on a non-loopback "
            "address; set HOLMES_API_TOKENS or --tokens-file, or bind to 127.0.0.1"
        )


class TokenAuthMiddleware:
    """Rejects requests without a valid token (401 + WWW-Authenticate), before any route runs."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        tokens: list[str],
        routes: list[BaseRoute],
        exempt: Iterable[BaseRoute],
        basic_routes: Iterable[BaseRoute],
    ) -> None:
        self.app = app
        self.tokens = [token.encode() for token in tokens]
        self.routes = routes
        self.exempt = list(exempt)
        self.basic = list(basic_routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and self.tokens:
            await send({"type": "websocket.close", "code": 1008})  # no route takes websockets
            return
        if scope["type"] != "http" or not self.tokens:
            await self.app(scope, receive, send)
            return
        route = self._route(scope)
        if any(route is exempt for exempt in self.exempt):
            await self.app(scope, receive, send)
            return
        basic = any(route is allowed for allowed in self.basic)
        if self._authorized(scope, basic=basic):
            await self.app(scope, receive, send)
            return
        await _unauthorized(send, basic=basic)

    def _route(self, scope: Scope) -> BaseRoute | None:
        for route in self.routes:
            match, _ = route.matches(scope)
            if match is Match.FULL:
                return route
        return None

    def _authorized(self, scope: Scope, *, basic: bool) -> bool:
        header = dict(scope["headers"]).get(b"authorization", b"")
        scheme, _, credentials = header.partition(b" ")
        scheme = scheme.lower()
        if scheme == b"bearer":
            return self._valid(credentials.strip())
        if scheme == b"basic" and basic:
            try:
                decoded = base64.b64decode(credentials.strip(), validate=True)
            except (binascii.Error, ValueError):
                return False
            return self._valid(decoded.partition(b":")[2])
        return False

    def _valid(self, presented: bytes) -> bool:
        # Compare with every token (no early exit) so timing says nothing about which matched.
        matched = False
        for token in self.tokens:
            matched |= hmac.compare_digest(presented, token)
        return matched


async def _unauthorized(send: Send, *, basic: bool) -> None:
    challenge = 'Bearer realm="holmes"' + (', Basic realm="holmes"' if basic else "")
    body = json.dumps({"detail": "missing or invalid token (Authorization: Bearer TOKEN)"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 401,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"www-authenticate", challenge.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
