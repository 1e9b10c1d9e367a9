"""Errors raised while reading a recorded-incident bundle.

Every error names the file, where in it (a line, a document or a field path), and what is wrong,
so the person who wrote the bundle can fix it without reading our code.

    BundleError
"""

from __future__ import annotations

from pathlib import Path


class BundleError(ValueError):
    """A bundle that does not follow the incident format (shared/incident-format.md)."""

    def __init__(self, path: Path | str, problem: str, where: str | None = None) -> None:
        self.path = Path(path)
        self.where = where
        self.problem = problem
        location = f"{self.path}:{where}" if where else str(self.path)
        super().__init__(f"{location}: {problem}")
