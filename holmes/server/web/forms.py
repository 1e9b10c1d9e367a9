"""Reading an HTML form (application/x-www-form-urlencoded) without a multipart parser."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import HTTPException, Request

MAX_FORM_BYTES = 64 * 1024


async def read_form(request: Request) -> dict[str, str]:
    """The form's fields (first value of each); 413 past 64 KiB, 415 for another encoding."""
    kind = request.headers.get("content-type", "").split(";")[0].strip()
    if kind != "application/x-www-form-urlencoded":
        raise HTTPException(415, detail="send the form as application/x-www-form-urlencoded")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise HTTPException(413, detail="the form is larger than 64 KiB")
    fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {name: values[0] for name, values in fields.items()}
