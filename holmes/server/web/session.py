"""The web page's session cookie and CSRF tokens, signed with HMAC-SHA256.

The cookie holds `v1.<expiry>.<nonce>.<signature>`: never the token that signed in. The key is
derived from the configured tokens, so every replica with the same tokens accepts the same
sessions and changing the tokens signs everyone out; an open server (no tokens, loopback only)
uses a per-process random key, only for CSRF. A form's CSRF token is the HMAC of the session's
nonce: a page from another site cannot read it, so it cannot post a form on the user's behalf.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

COOKIE = "holmes_session"
LIFETIME_SECONDS = 12 * 3600
OPEN = "open"  # the CSRF subject of an open server's (and the sign-in form's) forms


@dataclass(frozen=True)
class Session:
    """A verified session: its nonce identifies it (and its CSRF token)."""

    nonce: str
    expires: int


class SessionSigner:
    """Signs and verifies session cookies and CSRF tokens for one set of tokens."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = [token.encode() for token in tokens]
        if tokens:
            material = "\n".join(sorted(tokens)).encode()
            self.key = hmac.new(b"holmes-web-session-v1", material, hashlib.sha256).digest()
        else:
            self.key = secrets.token_bytes(32)

    @property
    def required(self) -> bool:
        """True when tokens are configured: the pages need a signed-in session."""
        return bool(self.tokens)

    def token_valid(self, presented: str) -> bool:
        """Constant-time comparison with every configured token."""
        matched = False
        for token in self.tokens:
            matched |= hmac.compare_digest(presented.encode(), token)
        return matched

    def new_cookie(self, now: float | None = None) -> str:
        """A fresh signed session cookie value."""
        expires = int((now or time.time()) + LIFETIME_SECONDS)
        payload = f"v1.{expires}.{secrets.token_urlsafe(16)}"
        return f"{payload}.{self._sign(payload)}"

    def verify(self, cookie: str | None, now: float | None = None) -> Session | None:
        """The session of a cookie signed by this key and not expired; else None."""
        if not cookie or cookie.count(".") != 3:
            return None
        payload, _, signature = cookie.rpartition(".")
        if not hmac.compare_digest(signature, self._sign(payload)):
            return None
        _, expires, nonce = payload.split(".")
        if not expires.isdigit() or int(expires) < (now or time.time()):
            return None
        return Session(nonce=nonce, expires=int(expires))

    def csrf(self, subject: str) -> str:
        """The CSRF token of forms for `subject` (a session nonce, or OPEN)."""
        return self._sign(f"csrf.{subject}")[:32]

    def csrf_valid(self, subject: str, presented: str | None) -> bool:
        """True when `presented` is the CSRF token of `subject`."""
        return bool(presented) and hmac.compare_digest(presented or "", self.csrf(subject))

    def _sign(self, payload: str) -> str:
        return hmac.new(self.key, payload.encode(), hashlib.sha256).hexdigest()
