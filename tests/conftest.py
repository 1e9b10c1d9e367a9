"""Shared test fixtures: where the sample bundles live and a loader for them."""

from __future__ import annotations

from pathlib import Path

import pytest

from holmes.evals import Bundle, load_bundle

REPO = Path(__file__).resolve().parents[1]
INCIDENTS = REPO / "evals" / "incidents"
PEER_SUITE = REPO.parent / "shared" / "peer-suite" / "incidents"


@pytest.fixture
def sample_bundle():
    """Load a sample bundle from evals/incidents by id."""

    def load(incident_id: str) -> Bundle:
        return load_bundle(INCIDENTS / incident_id)

    return load
