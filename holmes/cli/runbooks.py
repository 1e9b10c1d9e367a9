"""`holmes runbooks list|check`: see the runbooks holmes would use, and validate them.

`check` loads the built-in runbooks and any `--runbooks DIR` (or `HOLMES_RUNBOOKS`) the way an
investigation does and exits 1 with the loader's message (file, field, problem) when one is
broken: a user's CI can run it on their runbook folder. It then prints style warnings (long
lines, repeated calls: `holmes.agent.engine.rules.lint`), which fail it only with `--strict`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from holmes.cli.options import ConfigOption, RunbooksOption, load_runbook_set, use_config

if TYPE_CHECKING:
    from holmes.agent.engine.rules import LoadedRunbook

# Plain help (no rich_markup_mode) and imports inside the commands keep `--help` instant.
runbooks_app = typer.Typer(
    help="List or validate the runbooks.", no_args_is_help=True, rich_markup_mode=None
)


@runbooks_app.command("list")
def list_runbooks(runbooks: RunbooksOption = None, config: ConfigOption = None) -> None:
    """Show each runbook: id, title, what selects it, how many steps and findings."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from holmes.agent.engine.rules import RunbookError

    use_config(config, **{"runbooks.folders": runbooks})
    try:
        loaded = load_runbook_set(runbooks)
    except RunbookError as error:
        Console(stderr=True).print(f"[red]error:[/red] {escape(str(error))}")
        raise typer.Exit(1) from error
    table = Table()
    for column in ("id", "title", "alerts / symptoms", "steps", "findings", "file"):
        table.add_column(column, overflow="fold")
    for item in loaded:
        runbook = item.runbook
        signals = ", ".join([*runbook.match.alerts[:3], *runbook.match.symptoms[:3]])
        table.add_row(
            runbook.id,
            runbook.title,
            signals,
            str(len(runbook.steps)),
            str(len(runbook.findings)),
            item.path.name,
        )
    Console().print(table)


StrictOption = Annotated[
    bool, typer.Option("--strict", help="Exit 1 on style warnings too (long lines, repeats).")
]


@runbooks_app.command("check")
def check_runbooks(
    runbooks: RunbooksOption = None, config: ConfigOption = None, strict: StrictOption = False
) -> None:
    """Validate every runbook (schema, CEL, tools, cited steps, unique ids), then lint its style:
    lines over 120 characters, a call written more than twice (name it)."""
    from rich.console import Console
    from rich.markup import escape

    from holmes.agent.engine.rules import RunbookError
    from holmes.agent.engine.rules.lint import lint

    use_config(config, **{"runbooks.folders": runbooks})
    try:
        loaded = load_runbook_set(runbooks)
    except RunbookError as error:
        Console(stderr=True).print(f"[red]invalid:[/red] {escape(str(error))}")
        raise typer.Exit(1) from error
    findings = sum(len(item.runbook.findings) for item in loaded)
    typer.echo(f"{len(loaded)} runbooks valid ({findings} findings)")
    _check_alert_routes(loaded)
    warnings = lint(loaded)
    for warning in warnings:
        typer.echo(f"warning: {warning.text()}", err=True)
    if warnings:
        typer.echo(f"{len(warnings)} style warnings", err=True)
    if warnings and strict:
        raise typer.Exit(1)


def _check_alert_routes(loaded: list[LoadedRunbook]) -> None:
    """Validate the alert-route table against the runbooks; exit 1 naming each problem."""
    from rich.console import Console
    from rich.markup import escape

    from holmes.agent.engine.alert_routes import (
        ROUTES_FILE,
        AlertRoutesError,
        load_alert_routes,
        route_problems,
    )

    try:
        table = load_alert_routes()
    except AlertRoutesError as error:
        Console(stderr=True).print(f"[red]invalid:[/red] {escape(str(error))}")
        raise typer.Exit(1) from error
    problems = route_problems(table, loaded)
    for problem in problems:
        Console(stderr=True).print(f"[red]invalid:[/red] {ROUTES_FILE}: {escape(problem)}")
    if problems:
        raise typer.Exit(1)
    kinds = [route.kind for route in table.alerts]
    typer.echo(
        f"{len(kinds)} alert routes valid ({kinds.count('runbook')} to runbooks, "
        f"{kinds.count('sweep')} to the sweep, {kinds.count('explain')} explained)"
    )
