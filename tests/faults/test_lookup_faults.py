"""`kubernetes_lookup` when some kinds cannot be listed: a kind RBAC refuses is skipped and
said; an API server that fails a listing fails the lookup ("not found" would be a guess)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from holmes.evals.replay import ReplayEndpoints
from holmes.tools import ToolContext, default_registry
from tests.faults.servers import swapped
from tests.tools.conftest import replayed  # noqa: F401  (fixture)

INCIDENT = "crashloop-app-error-serviceaccount-named-rbac-forbidden"
ARGS = {"names": ["index-sync"], "namespace": "search-prod"}


async def _lookup(endpoints: ReplayEndpoints, fault: str, folder: Path):
    with swapped(endpoints, {"kubernetes": fault}, folder) as sources:
        ctx = ToolContext(sources, now=endpoints.time)
        try:
            return await default_registry().invoke("kubernetes_lookup", ARGS, ctx)
        finally:
            await ctx.aclose()


async def test_a_kind_rbac_refuses_is_skipped_and_said(
    replayed: Callable[[str], ReplayEndpoints],  # noqa: F811
    tmp_path: Path,
) -> None:
    result = await _lookup(replayed(INCIDENT), "http403@/secrets", tmp_path)
    assert result.ok, result.error
    assert [entry.split(" ")[0] for entry in result.data["not_searched"]] == ["Secret"]
    assert ("ServiceAccount", "index-sync") in {
        (r["kind"], r["name"]) for r in result.data["found"]
    }
    assert "not searched (no permission or not listable): Secret" in result.text


async def test_a_listing_the_server_fails_fails_the_lookup(
    replayed: Callable[[str], ReplayEndpoints],  # noqa: F811
    tmp_path: Path,
) -> None:
    result = await _lookup(replayed(INCIDENT), "http500@/rolebindings", tmp_path)
    assert not result.ok
    assert result.error.fault == "server_error"
