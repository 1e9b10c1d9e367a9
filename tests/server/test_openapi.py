"""The API contract: /openapi.json must equal the stored snapshot.

A change to the API shows up here; if it is intended, regenerate the snapshot with
`HOLMES_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/server/test_openapi.py` and commit it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

SNAPSHOT = Path(__file__).with_name("snapshots") / "openapi.json"


def test_openapi_matches_the_snapshot(serve):
    running = serve()
    document = running.client.get("/openapi.json").json()
    if os.environ.get("HOLMES_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    assert document == json.loads(SNAPSHOT.read_text())
    paths = set(document["paths"])
    assert {
        "/api/v1/investigations",
        "/api/v1/investigations/{investigation_id}",
        "/api/v1/investigations/{investigation_id}/events",
        "/api/v1/investigations/{investigation_id}/follow-ups",
        "/api/v1/ask",
        "/api/v1/alertmanager",
        "/healthz",
        "/readyz",
        "/metrics",
    } <= paths
    assert running.client.get("/docs").status_code == 200
