"""`holmes config show`: the effective configuration, each value with where it came from.

Origins: `default`, `file PATH:LINE`, `env VARIABLE`, `flag --x`. `show` takes the source,
limit and model flags the other commands share, to show how a command line would resolve.
Secrets are masked. A config error is one line naming the file and line (or the variable, or
the flag) and the key, exit 2.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from holmes.cli.options import (
    ConfigOption,
    ContextOption,
    HubbleOption,
    InClusterOption,
    KubeconfigOption,
    PrometheusOption,
    RunbooksOption,
    TimeoutOption,
    source_flags,
    use_config,
)

if TYPE_CHECKING:
    from holmes.cli.config_load import ResolvedConfig

MASK = "********"
_URL_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")

config_app = typer.Typer(
    help="Show the effective configuration.", no_args_is_help=True, rich_markup_mode=None
)


@config_app.command("show")
def show_config(
    config: ConfigOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print it as JSON.")] = False,
    kubeconfig: KubeconfigOption = None,
    context: ContextOption = None,
    in_cluster: InClusterOption = None,
    prometheus_url: PrometheusOption = None,
    hubble_address: HubbleOption = None,
    runbooks: RunbooksOption = None,
    timeout: TimeoutOption = None,
    model: Annotated[str | None, typer.Option(help="LLM model (or Azure deployment).")] = None,
) -> None:
    """Print every setting's effective value and its origin (default, file:line, env, flag)."""
    from holmes.cli.config_load import ConfigError
    from holmes.cli.config_use import llm_settings

    flags = source_flags(
        kubeconfig, context, in_cluster, prometheus_url, hubble_address, timeout, runbooks
    )
    resolved = use_config(config, **flags | {"llm.model": model})
    try:  # the LLM fields must also make one endpoint together (a model needs a URL or key)
        llm_settings(resolved)
    except ConfigError as error:
        typer.echo(f"holmes: config: {error}", err=True)
        raise typer.Exit(2) from None
    rows = effective_rows(resolved)
    if as_json:
        typer.echo(json.dumps({"file": _file(resolved), "settings": rows}, indent=2))
        return
    typer.echo(f"# config file: {_file(resolved) or 'none'}")
    width = max(len(row["key"]) for row in rows)
    shown = [(row, _text(row["value"])) for row in rows]
    value_width = min(48, max(len(text) for _, text in shown))
    for row, text in shown:
        typer.echo(f"{row['key']:<{width}}  {text:<{value_width}}  {row['origin']}")


def effective_rows(resolved: ResolvedConfig) -> list[dict[str, Any]]:
    """key, value (secrets masked, JSON-ready) and origin of every leaf."""
    from holmes.cli.config import leaves

    rows = []
    for leaf in leaves():
        value = resolved.value(leaf.path)
        rows.append(
            {
                "key": leaf.path,
                "value": _masked(value) if leaf.secret else _plain(value),
                "origin": str(resolved.origin(leaf.path)),
            }
        )
    return rows


def _masked(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, dict):
        return {key: MASK for key in value}
    if isinstance(value, str) and "://" in value:  # a URL: only its password is secret
        return _URL_PASSWORD.sub(rf"\1{MASK}@", value)
    return MASK


def _plain(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _text(value: Any) -> str:
    return (
        "-"
        if value is None
        else json.dumps(value)
        if isinstance(value, list | dict)
        else str(value)
    )


def _file(resolved: ResolvedConfig) -> str | None:
    return str(resolved.file) if resolved.file else None
