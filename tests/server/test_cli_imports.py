"""The `holmes` command loads the server stack only for `holmes serve` and `investigate`."""

from __future__ import annotations

import subprocess
import sys

from tests.server.conftest import REPO

SERVER_STACK = ("fastapi", "starlette", "sqlalchemy", "alembic", "uvicorn", "sse_starlette")


def test_loading_the_cli_does_not_import_the_server_stack():
    probe = (
        "import sys, holmes.cli.main; "
        f"print(','.join(m for m in {SERVER_STACK!r} + ('prometheus_client',) if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == ""
