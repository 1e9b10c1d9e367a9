"""`holmes tools list|run`: see the tools and run one against a replayed bundle or a live cluster.

`run` takes the tool's arguments as `key=value` pairs (`previous=true tail_lines=50`) and
prints the compact text, or the whole `ToolResult` as JSON with `--json`.
"""

from __future__ import annotations

import asyncio
import json
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from holmes.evals import BundleError, load_bundle
from holmes.evals.replay import replay
from holmes.tools import Limits, SourceEndpoints, ToolContext, ToolResult, default_registry

tools_app = typer.Typer(help="List the tools, or run one.", no_args_is_help=True)


@tools_app.command("list")
def list_tools(
    toolset: Annotated[str | None, typer.Option(help="Only this toolset.")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the function-calling schemas.")
    ] = False,
) -> None:
    """Show every tool with its toolset, arguments and what it is for."""
    registry = default_registry()
    if as_json:
        typer.echo(json.dumps(registry.schemas(toolset), indent=2))
        return
    table = Table(show_lines=False)
    for column in ("tool", "toolset", "arguments", "what it does"):
        table.add_column(column)
    for tool in registry.tools(toolset):
        fields = tool.Input.model_fields
        arguments = ", ".join(
            name if field.is_required() else f"[{name}]" for name, field in fields.items()
        )
        table.add_row(tool.name, tool.toolset, arguments, tool.description.split(". ")[0])
    Console().print(table)


@tools_app.command("run")
def run_tool(
    tool: Annotated[str, typer.Argument(help="Tool name, as `holmes tools list` shows it.")],
    arguments: Annotated[
        list[str] | None, typer.Argument(help="Tool arguments as key=value pairs.")
    ] = None,
    incident: Annotated[
        Path | None, typer.Option(help="Replay this incident bundle and run against it.")
    ] = None,
    kubeconfig: Annotated[Path | None, typer.Option(help="Live cluster: kubeconfig.")] = None,
    context: Annotated[str | None, typer.Option(help="Live cluster: kubeconfig context.")] = None,
    prometheus_url: Annotated[str | None, typer.Option(help="Live Prometheus URL.")] = None,
    hubble_address: Annotated[str | None, typer.Option(help="Live Hubble Relay host:port.")] = None,
    timeout: Annotated[float, typer.Option(help="Seconds before the call gives up.")] = 10.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole result.")] = False,
) -> None:
    """Run one tool and print its compact text (or the result as JSON)."""
    parsed = parse_arguments(arguments or [])
    limits = Limits(timeout_seconds=timeout)
    with ExitStack() as stack:
        if incident is not None:
            try:
                bundle = load_bundle(incident)
            except BundleError as error:
                raise typer.BadParameter(str(error), param_hint="--incident") from error
            served = stack.enter_context(replay(bundle))
            endpoints = SourceEndpoints(
                kubeconfig=served.kubeconfig,
                prometheus_url=served.prometheus_url,
                hubble_address=served.hubble_address,
            )
            ctx = ToolContext(endpoints, now=bundle.time, limits=limits)
        else:
            endpoints = SourceEndpoints(
                kubeconfig=kubeconfig,
                kube_context=context,
                prometheus_url=prometheus_url,
                hubble_address=hubble_address,
            )
            ctx = ToolContext(endpoints, limits=limits)
        result = asyncio.run(_invoke(tool, parsed, ctx))
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
    else:
        typer.echo(result.render())
    if result.error is not None:
        raise typer.Exit(1)


def parse_arguments(pairs: list[str]) -> dict[str, Any]:
    """`key=value` pairs into a dict.

    Values stay strings (the tool's pydantic model turns "50" and "true" into its types), but a
    value written as JSON (`["a","b"]`, `{"k": 1}`) is decoded.
    """
    parsed: dict[str, Any] = {}
    for pair in pairs:
        key, separator, value = pair.partition("=")
        if not separator or not key:
            raise typer.BadParameter(f"{pair!r} is not key=value", param_hint="ARGUMENTS")
        parsed[key] = value
        if value[:1] in "[{":
            try:
                parsed[key] = json.loads(value)
            except json.JSONDecodeError as error:
                raise typer.BadParameter(
                    f"{key}: {value!r} is not valid JSON ({error.msg})", param_hint="ARGUMENTS"
                ) from error
    return parsed


async def _invoke(tool: str, arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
    try:
        return await default_registry().invoke(tool, arguments, ctx)
    finally:
        await ctx.aclose()
