"""Options several `holmes` commands share: runbook folders and source endpoints."""

from __future__ import annotations

import os
from pathlib import Path


def runbook_folders(given: list[Path] | None) -> list[Path]:
    """Folders of extra runbooks: `--runbooks` options, else `HOLMES_RUNBOOKS` (path list)."""
    if given:
        return list(given)
    configured = os.environ.get("HOLMES_RUNBOOKS", "")
    return [Path(p) for p in configured.split(os.pathsep) if p]
