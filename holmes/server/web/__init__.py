"""The web page of `holmes serve`: the investigations, one investigation live, the Ask form.

Server-rendered Jinja2 templates (autoescaped) and a small vendored script for the live parts;
nothing is fetched from elsewhere. `install(app, tokens)` adds the routes and returns the ones
the API's token middleware must leave to the pages' own authentication (cookie or bearer).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.routing import BaseRoute

from holmes.server.web import pages, signin
from holmes.server.web.session import SessionSigner

STATIC = Path(__file__).with_name("static")


def install(app: FastAPI, tokens: list[str]) -> list[BaseRoute]:
    """Add the pages to `app`; the routes that authenticate themselves (or need not)."""
    app.state.web_signer = SessionSigner(tokens)
    before = len(app.router.routes)
    app.include_router(signin.router)
    app.include_router(pages.router)
    app.add_exception_handler(pages.PageError, pages.error_page)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return list(app.router.routes[before:])
