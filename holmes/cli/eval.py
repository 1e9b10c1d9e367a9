"""`holmes eval`: run a suite of recorded incidents through holmes and score the answers.

Prints a table (incident, pass/fail, runbook, seconds, what was missing) and the totals;
`--json FILE` writes every result with its full Diagnosis. Exits 1 when any incident fails.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from holmes.agent.engine import RunbookEngine
from holmes.agent.runbooks import RunbookError, load_runbooks
from holmes.cli.options import runbook_folders
from holmes.evals.errors import BundleError
from holmes.evals.runner import IncidentResult, incident_folders, run_suite
from holmes.tools import default_registry

DEFAULT_SUITE = Path("evals/incidents")


def eval_command(
    suite: Annotated[
        Path, typer.Option(help="A folder of incident folders, or one incident folder.")
    ] = DEFAULT_SUITE,
    runbooks: Annotated[
        list[Path] | None, typer.Option("--runbooks", help="Another folder of runbooks.")
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Incidents replayed at once.")] = 3,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write every result (with its Diagnosis) here.")
    ] = None,
    verbose: Annotated[bool, typer.Option("-v", help="Print each failed answer.")] = False,
) -> None:
    """Replay every incident of a suite, investigate it without an LLM, and score the answer."""
    console = Console()
    try:
        folders = incident_folders(suite)
        registry = default_registry()
        loaded = load_runbooks(runbook_folders(runbooks), tools=[t.name for t in registry.tools()])
    except (BundleError, RunbookError) as error:
        console.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from error
    engine = RunbookEngine(registry, loaded)
    started = time.perf_counter()
    with console.status(f"investigating {len(folders)} incidents"):
        results = run_suite(suite, engine, workers=workers)
    wall = time.perf_counter() - started
    console.print(results_table(results))
    console.print(totals(results, wall))
    if verbose:
        for result in results:
            if not result.passed and result.diagnosis:
                console.rule(result.incident)
                console.print(result.diagnosis.cause_text())
                console.print(result.diagnosis.remediation_text())
    if json_out:
        json_out.write_text(
            json.dumps([r.model_dump(mode="json") for r in results], indent=2), encoding="utf-8"
        )
    if not all(r.passed for r in results):
        raise typer.Exit(1)


def results_table(results: list[IncidentResult]) -> Table:
    """One row per incident."""
    table = Table(show_lines=False)
    for column in ("incident", "result", "runbook", "seconds", "missing"):
        table.add_column(column, overflow="fold")
    for result in results:
        verdict = "[green]pass[/green]" if result.passed else "[red]FAIL[/red]"
        runbook = result.runbook or "-"
        if result.expected_runbook and result.expected_runbook != result.runbook:
            runbook += f" (expected {result.expected_runbook})"
        missing = result.error or "; ".join(result.missing)
        table.add_row(
            result.incident, verdict, runbook, f"{result.investigation_seconds:.2f}", missing
        )
    return table


def totals(results: list[IncidentResult], wall: float) -> str:
    """The closing line: passed of all, and timings."""
    passed = sum(r.passed for r in results)
    times = sorted(r.investigation_seconds for r in results if r.error is None) or [0.0]
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return (
        f"{passed}/{len(results)} passed; investigation p50 {statistics.median(times):.2f} s, "
        f"p95 {p95:.2f} s; suite wall time {wall:.1f} s"
    )
