"""Who is looking at a page: a signed-in session cookie, or a bearer token; else sign in.

The page routes are exempt from the API's token middleware and depend on `viewer` instead
(on the router, so no page can forget it): a valid session cookie or `Authorization: Bearer`
passes; otherwise a page is redirected to the sign-in form and the event stream gets 401.
Forms posted with a cookie must carry the session's CSRF token.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import HTTPException, Request

from holmes.server.web.session import COOKIE, OPEN, SessionSigner


@dataclass(frozen=True)
class Viewer:
    """An authenticated (or, on an open server, anonymous) viewer of the pages."""

    csrf_subject: str  # the session nonce, or OPEN
    bearer: bool  # a bearer token (a script, not a browser): no CSRF check needed
    signed_in: bool


def signer(request: Request) -> SessionSigner:
    """The app's session signer."""
    return request.app.state.web_signer


def current_viewer(request: Request) -> Viewer | None:
    """The viewer of a request, or None when it must sign in."""
    sessions = signer(request)
    session = sessions.verify(request.cookies.get(COOKIE))
    if session is not None:
        return Viewer(csrf_subject=session.nonce, bearer=False, signed_in=True)
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and sessions.token_valid(credentials.strip()):
        return Viewer(csrf_subject=OPEN, bearer=True, signed_in=True)
    if not sessions.required:
        return Viewer(csrf_subject=OPEN, bearer=False, signed_in=False)
    return None


async def viewer(request: Request) -> Viewer:
    """The page routes' dependency: the viewer, or a redirect to the sign-in form."""
    found = current_viewer(request)
    if found is not None:
        return found
    if request.method == "GET" and not request.url.path.endswith("/events"):
        # Only the path goes into `next` (never a query that could carry anything secret).
        raise HTTPException(303, headers={"Location": f"/sign-in?next={request.url.path}"})
    raise HTTPException(401, detail="sign in first (/sign-in) or send Authorization: Bearer")


def check_csrf(request: Request, who: Viewer, presented: str | None) -> None:
    """403 unless a browser's form carries its session's CSRF token."""
    if who.bearer:
        return
    if not signer(request).csrf_valid(who.csrf_subject, presented):
        raise HTTPException(403, detail="the form's CSRF token is missing or stale: reload")
