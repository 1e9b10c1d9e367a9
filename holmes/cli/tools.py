"""`holmes tools list|run`: see the tools and run one against a replayed bundle or a live cluster.

`run` takes the tool's arguments as `key=value` pairs (`previous=true tail_lines=50`) and
prints the compact text, or the whole `ToolResult` as JSON with `--json`.
"""

from __future__ import annotations

import asyncio
import json
import re
from contextlib import ExitStack
from typing import TYPE_CHECKING, Annotated, Any

import typer

from holmes.cli.inputs import (
    NON_UTF8_NOTE,
    checked_hubble_address,
    checked_kubeconfig,
    checked_prometheus_url,
    utf8_text,
)
from holmes.cli.options import (
    ConfigOption,
    ContextOption,
    HubbleOption,
    IncidentOption,
    InClusterOption,
    KubeconfigOption,
    PrometheusOption,
    TimeoutOption,
    endpoints_and_limits,
    load_incident,
    source_flags,
    use_config,
)

# The tools, their clients and rich load when a command runs, not for `holmes tools --help`.
if TYPE_CHECKING:
    from holmes.tools import ToolContext, ToolResult

# The end of a sentence: punctuation, space, a capital; "e.g. X" and "i.e. X" are not ends.
_SENTENCE_END = re.compile(r"(?<!e\.g\.)(?<!i\.e\.)(?<=[.!?:])\s+(?=[A-Z])")

tools_app = typer.Typer(
    help="List the tools, or run one.", no_args_is_help=True, rich_markup_mode=None
)


@tools_app.command("list")
def list_tools(
    toolset: Annotated[str | None, typer.Option(help="Only this toolset.")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the function-calling schemas.")
    ] = False,
) -> None:
    """Show every tool with its toolset, arguments and what it is for."""
    from rich.console import Console
    from rich.table import Table

    from holmes.tools import default_registry

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
            name if field.is_required() else f"{name}?" for name, field in fields.items()
        )
        first_sentence = _SENTENCE_END.split(tool.description)[0]
        table.add_row(tool.name, tool.toolset, arguments, first_sentence)
    Console().print(table)


@tools_app.command("run")
def run_tool(
    tool: Annotated[str, typer.Argument(help="Tool name, as `holmes tools list` shows it.")],
    arguments: Annotated[
        list[str] | None, typer.Argument(help="Tool arguments as key=value pairs.")
    ] = None,
    incident: IncidentOption = None,
    kubeconfig: KubeconfigOption = None,
    context: ContextOption = None,
    prometheus_url: PrometheusOption = None,
    hubble_address: HubbleOption = None,
    in_cluster: InClusterOption = None,
    timeout: TimeoutOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole result.")] = False,
    config: ConfigOption = None,
) -> None:
    """Run one tool and print its compact text (or the result as JSON)."""
    from holmes.evals.replay import replay
    from holmes.evals.runner import context_for
    from holmes.tools import ToolContext

    parsed = parse_arguments(arguments or [])
    use_config(
        config,
        **source_flags(kubeconfig, context, in_cluster, prometheus_url, hubble_address, timeout),
    )
    endpoints, limits = endpoints_and_limits()
    with ExitStack() as stack:
        if incident is not None:
            bundle = load_incident(incident)
            ctx = context_for(stack.enter_context(replay(bundle)))
            ctx.limits = limits
        else:
            if kubeconfig is not None:
                endpoints.kubeconfig = checked_kubeconfig(kubeconfig)
            endpoints.prometheus_url = checked_prometheus_url(endpoints.prometheus_url)
            endpoints.hubble_address = checked_hubble_address(endpoints.hubble_address)
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

    `true`/`false` and whole numbers become booleans and integers, a value written as JSON
    (`["a","b"]`, `{"k": 1}`) is decoded, and anything else stays a string (the tool's pydantic
    model converts it further where its field asks for another type).
    """
    parsed: dict[str, Any] = {}
    for given in pairs:
        pair, replaced = utf8_text(given)
        if replaced:
            from rich.console import Console
            from rich.markup import escape

            Console(stderr=True).print(escape(NON_UTF8_NOTE.format(what=f"argument {pair!r}")))
        key, separator, value = pair.partition("=")
        if not separator or not key:
            raise typer.BadParameter(f"{pair!r} is not key=value", param_hint="ARGUMENTS")
        parsed[key] = _scalar(value)
        if value[:1] in "[{":
            try:
                parsed[key] = json.loads(value)
            except json.JSONDecodeError as error:
                raise typer.BadParameter(
                    f"{key}: {value!r} is not valid JSON ({error.msg})", param_hint="ARGUMENTS"
                ) from error
    return parsed


def _scalar(value: str) -> Any:
    if value in ("true", "false"):
        return value == "true"
    if re.fullmatch(r"-?[1-9][0-9]*|0", value):
        return int(value)
    return value


async def _invoke(tool: str, arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
    from holmes.tools import default_registry

    try:
        return await default_registry().invoke(tool, arguments, ctx)
    finally:
        await ctx.aclose()
