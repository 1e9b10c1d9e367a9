"""Fixtures for the engine's tests: the replay fixtures of the tool tests, and a runbook folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.tools.conftest import replayed, tool_context  # noqa: F401  (fixtures)


@pytest.fixture
def runbook_dir(tmp_path: Path) -> Callable[..., Path]:
    """Write runbook files (name -> YAML text) into a fresh folder and return it."""

    def write(**files: str) -> Path:
        folder = tmp_path / f"runbooks-{len(list(tmp_path.iterdir()))}"
        folder.mkdir()
        for name, text in files.items():
            (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
        return folder

    return write
