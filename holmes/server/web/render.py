"""Rendering a page: the package's Jinja2 templates, autoescaped, with the viewer's CSRF token."""

from __future__ import annotations

from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from holmes.server.web.auth import current_viewer, signer

_templates = jinja2.Environment(
    loader=jinja2.PackageLoader("holmes.server.web", "templates"),
    autoescape=True,  # every value is escaped; nothing is marked safe
    trim_blocks=True,
    lstrip_blocks=True,
)


def page(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    """The rendered template; `csrf` and `viewer` are there for every form and header."""
    who = current_viewer(request)
    values = {
        "viewer": who,
        "auth_required": signer(request).required,
        **context,
    }
    if who is not None and "csrf" not in values:
        values["csrf"] = signer(request).csrf(who.csrf_subject)
    html = _templates.get_template(template).render(values)
    return HTMLResponse(
        html,
        status_code=status,
        headers={
            # Only our own script and styles; no framing by other sites.
            "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
            "Cache-Control": "no-store",
        },
    )
