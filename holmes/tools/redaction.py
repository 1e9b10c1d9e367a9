"""Redaction at the tool boundary: secrets are masked in every text before it leaves a tool.

Called by the tool registry on each result's compact text and data. (Minimal first version:
bearer tokens and JWTs; the full corpus of secret shapes follows.)
"""

from __future__ import annotations

import re
from typing import Any

MASK = "[REDACTED]"

_PATTERNS = [
    re.compile(r"(?i)(\bbearer\s+)[a-z0-9._~+/=-]{8,}"),
    re.compile(r"\beyJ[a-zA-Z0-9_-]{5,}\.[a-zA-Z0-9_-]{5,}\.[a-zA-Z0-9_-]{5,}"),
]


def redact(text: str) -> str:
    """Mask every secret-looking substring of `text`."""
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + MASK, text)
    return text


def redact_data(data: Any) -> Any:
    """Redact every string inside nested dicts and lists."""
    if isinstance(data, str):
        return redact(data)
    if isinstance(data, dict):
        return {key: redact_data(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [redact_data(value) for value in data]
    return data
