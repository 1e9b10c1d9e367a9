"""Toolsets over the sources (Kubernetes, Prometheus, Hubble) and their evidence shaping.

Callers use `default_registry()` to list and invoke tools, a `ToolContext` for the clock,
limits and endpoints of one investigation, and get `ToolResult`s back.
"""

from holmes.tools.base import Tool, ToolError, ToolFailure, ToolOutput, ToolResult
from holmes.tools.checked import CheckedCall
from holmes.tools.context import Limits, SourceEndpoints, ToolContext
from holmes.tools.health import SourceDegraded, SourceFault, SourceHealth
from holmes.tools.registry import ToolRegistry


def default_registry() -> ToolRegistry:
    """A registry holding every built-in tool of the three toolsets."""
    from holmes.tools.hubble import TOOLS as HUBBLE_TOOLS
    from holmes.tools.kubernetes import TOOLS as KUBERNETES_TOOLS
    from holmes.tools.prometheus import TOOLS as PROMETHEUS_TOOLS

    return ToolRegistry((*KUBERNETES_TOOLS, *PROMETHEUS_TOOLS, *HUBBLE_TOOLS))


async def probe_sources(ctx: ToolContext) -> None:
    """Ask every configured source once whether it answers; a dead one is marked down in
    `ctx.health`, so it costs one timeout per investigation (`holmes.tools.probe`)."""
    from holmes.tools.probe import probe_sources as probe

    await probe(ctx)


__all__ = [
    "CheckedCall",
    "Limits",
    "SourceDegraded",
    "SourceEndpoints",
    "SourceFault",
    "SourceHealth",
    "Tool",
    "ToolContext",
    "ToolError",
    "ToolFailure",
    "ToolOutput",
    "ToolRegistry",
    "ToolResult",
    "default_registry",
    "probe_sources",
]
