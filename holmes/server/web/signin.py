"""The sign-in form (not authenticated: it is how one authenticates) and sign-out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from holmes.server.web.auth import Viewer, check_csrf, signer, viewer
from holmes.server.web.forms import read_form
from holmes.server.web.render import page
from holmes.server.web.session import COOKIE, LIFETIME_SECONDS, OPEN

router = APIRouter(include_in_schema=False)


def _safe_next(value: str | None) -> str:
    """Only a local path: never redirect off-site after signing in."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


@router.get("/sign-in")
async def sign_in_form(request: Request, next: str | None = None) -> Response:
    """The form that takes a token."""
    return page(
        request, "signin.html", {"next": _safe_next(next), "csrf": signer(request).csrf(OPEN)}
    )


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    """Check the token; on success set the session cookie (the token itself is not kept)."""
    form = await read_form(request)
    sessions = signer(request)
    target = _safe_next(form.get("next"))
    if not sessions.csrf_valid(OPEN, form.get("csrf")):
        return page(
            request, "signin.html", _retry(request, target, "The form expired: try again."), 403
        )
    if not sessions.required:
        return RedirectResponse(target, status_code=303)
    if not sessions.token_valid(form.get("token", "").strip()):
        return page(
            request, "signin.html", _retry(request, target, "That token is not valid."), 401
        )
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE,
        sessions.new_cookie(),
        max_age=LIFETIME_SECONDS,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


def _retry(request: Request, target: str, error: str) -> dict[str, str]:
    return {"next": target, "csrf": signer(request).csrf(OPEN), "error": error}


@router.post("/sign-out")
async def sign_out(request: Request, who: Annotated[Viewer, Depends(viewer)]) -> Response:
    """Forget the session cookie."""
    check_csrf(request, who, (await read_form(request)).get("csrf"))
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response
