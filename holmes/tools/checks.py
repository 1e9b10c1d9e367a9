"""A configuration check's outcome, as `holmes doctor` prints it: what, how it went, the fix.

Made by each toolset's `doctor.py` (kubernetes, prometheus) about its own source; the CLI
prints one line per check and exits 1 when any failed.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

# ok: works; warn: works with less (an optional API or series is missing, a privilege is
# broader than needed); fail: holmes cannot use the source as configured.
Status = Literal["ok", "warn", "fail"]


class Check(BaseModel):
    """One check of one source."""

    source: str
    name: str
    status: Status
    detail: str
    fix: str | None = None
