"""`holmes eval`: run a suite of recorded incidents through holmes and score the answers.

Prints a table (incident, pass/fail, runbook, seconds, what was missing) and the totals;
`--json FILE` writes every result with its full Diagnosis. Exits 1 when any incident fails.
`--llm` investigates with the LLM agent (configured from the environment, as `holmes ask`) and
adds LLM calls, tokens and cost per incident; `--judge` also asks the model to rule on each
answer against the incident's expected root cause.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from holmes.cli.options import (
    NO_LLM,
    ConfigOption,
    RunbooksOption,
    agent_limits,
    llm_settings,
    load_runbook_set,
    use_config,
)

# The engine, the replay and rich load when the command runs, not for `holmes eval --help`.
if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from holmes.agent.engine.diagnosis import Diagnosis
    from holmes.agent.engine.intake import InvestigationRequest
    from holmes.agent.engine.runbook_engine import RunbookEngine
    from holmes.agent.llm import LLMSettings
    from holmes.evals.bundle import Expected
    from holmes.evals.runner import IncidentResult, Investigator, Judge
    from holmes.tools import ToolContext

DEFAULT_SUITE = Path("evals/incidents")


def eval_command(
    suite: Annotated[
        Path, typer.Option(help="A folder of incident folders, or one incident folder.")
    ] = DEFAULT_SUITE,
    runbooks: RunbooksOption = None,
    workers: Annotated[int, typer.Option(min=1, help="Incidents replayed at once.")] = 2,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write every result (with its Diagnosis) here.")
    ] = None,
    verbose: Annotated[bool, typer.Option("-v", help="Print each failed answer.")] = False,
    llm: Annotated[bool, typer.Option("--llm", help="Investigate with the LLM agent.")] = False,
    judge: Annotated[
        bool, typer.Option("--judge", help="Also have the LLM judge each root cause.")
    ] = False,
    model: Annotated[str | None, typer.Option(help="LLM model for --llm/--judge.")] = None,
    config: ConfigOption = None,
) -> None:
    """Replay every incident of a suite, investigate it, and score the answer."""
    from rich.console import Console
    from rich.markup import escape

    from holmes.agent.engine.rules import RunbookError
    from holmes.agent.engine.runbook_engine import RunbookEngine
    from holmes.evals.errors import BundleError
    from holmes.evals.runner import incident_folders, run_suite
    from holmes.tools import default_registry

    use_config(config, **{"runbooks.folders": runbooks, "llm.model": model})
    console = Console()
    if json_out is not None and not json_out.parent.is_dir():
        raise typer.BadParameter(f"{json_out}: no folder {json_out.parent}", param_hint="--json")
    settings = None
    if llm or judge:
        settings = llm_settings(model)
        if settings is None:
            raise typer.BadParameter(f"--llm and --judge need an LLM: {NO_LLM}", param_hint="--llm")
    try:
        folders = incident_folders(suite)
        engine = RunbookEngine(default_registry(), load_runbook_set(runbooks))
    except (BundleError, RunbookError) as error:
        console.print(f"[red]error:[/red] {escape(str(error))}")
        raise typer.Exit(2) from error
    investigator = _agent_investigator(engine, settings) if llm and settings else None
    ruler = _judge(settings) if judge and settings else None
    started = time.perf_counter()
    with console.status(f"investigating {len(folders)} incidents"):
        results = run_suite(suite, engine, workers=workers, investigator=investigator, judge=ruler)
    wall = time.perf_counter() - started
    console.print(results_table(results))
    console.print(totals(results, wall))
    if verbose:
        for result in results:
            if not result.passed:
                print_failure(console, result)
    if json_out:
        try:
            json_out.write_text(
                json.dumps([r.model_dump(mode="json") for r in results], indent=2),
                encoding="utf-8",
            )
        except OSError as error:
            console.print(
                f"[red]error:[/red] {escape(str(json_out))}: cannot be written: {error.strerror}"
            )
            raise typer.Exit(1) from error
    if not all(r.passed for r in results):
        raise typer.Exit(1)


def print_failure(console: Console, result: IncidentResult) -> None:
    """A failed incident's answer; with a webhook body, each alert's verdict and each failing
    alert's answer, so it is plain which alert failed."""
    from rich.markup import escape

    if not result.alerts:
        if result.diagnosis:
            console.rule(escape(result.incident))
            console.print(escape(result.diagnosis.cause_text()))
            console.print(escape(result.diagnosis.remediation_text()))
        return
    console.rule(escape(result.incident))
    for alert in result.alerts:
        verdict = "pass" if alert.passed else "FAIL"
        console.print(escape(f"{alert.label}: {verdict}"), highlight=False)
        if alert.passed or alert.diagnosis is None:
            continue
        console.print(escape("  missing: " + "; ".join(alert.missing)), highlight=False)
        console.print(escape(alert.diagnosis.cause_text()))
        console.print(escape(alert.diagnosis.remediation_text()))


def _agent_investigator(engine: RunbookEngine, settings: LLMSettings) -> Callable[[], Investigator]:
    """A fresh agent and client per incident, so each incident's cost is its own."""
    from holmes.agent.llm.client import LLMClient
    from holmes.agent.llm.graph import LLMAgent  # the agent's stack loads only for --llm

    limits = agent_limits()

    def make() -> Investigator:
        async def investigate(request: InvestigationRequest, ctx: ToolContext) -> Diagnosis:
            async with LLMClient(settings) as client:
                agent = LLMAgent(engine, client, limits=limits)
                return await agent.investigate(request, ctx)

        return investigate

    return make


def _judge(settings: LLMSettings) -> Judge:
    """The LLM judge with a client per call: incidents run in threads, each with its own loop."""
    from holmes.agent.llm.client import LLMClient
    from holmes.evals.judge import LLMJudge

    async def rule(diagnosis: Diagnosis, expected: Expected) -> tuple[bool, str]:
        async with LLMClient(settings) as client:
            return await LLMJudge(client)(diagnosis, expected)

    return rule


def results_table(results: list[IncidentResult]) -> Table:
    """One row per incident (LLM columns when an LLM took part)."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(show_lines=False)
    with_llm = any(r.llm_calls for r in results)
    columns = ["incident", "result", "runbook", "seconds"]
    columns += ["LLM calls", "tokens", "cost $"] if with_llm else []
    for column in [*columns, "missing"]:
        table.add_column(column, overflow="fold")
    for result in results:
        verdict = "[green]pass[/green]" if result.passed else "[red]FAIL[/red]"
        if result.error:  # not scored: the bundle could not be loaded or replayed
            verdict = "[red]ERROR[/red]"
        if result.unfilled:
            verdict = "[yellow]unfilled[/yellow]"
        runbook = result.runbook or "-"
        if result.expected_runbook and result.expected_runbook != result.runbook:
            runbook += f" (expected {result.expected_runbook})"
        missing = result.error or "; ".join(result.missing)
        # Text from bundles and answers is data: escaped, so "[/x]" is not read as markup.
        row = [
            escape(result.incident),
            verdict,
            escape(runbook),
            f"{result.investigation_seconds:.2f}",
        ]
        if with_llm:
            usd = "-" if result.estimated_usd is None else f"{result.estimated_usd:.4f}"
            row += [str(result.llm_calls), str(result.tokens), usd]
        table.add_row(*row, escape(missing))
    return table


def totals(results: list[IncidentResult], wall: float) -> str:
    """The closing line: passed of all, and timings."""
    passed = sum(r.passed for r in results)
    times = sorted(r.investigation_seconds for r in results if r.error is None) or [0.0]
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    errors = sum(r.error is not None for r in results)
    line = (
        f"{passed}/{len(results)} passed"
        + (f" ({errors} could not be run)" if errors else "")
        + f"; investigation p50 {statistics.median(times):.2f} s, "
        f"p95 {p95:.2f} s; suite wall time {wall:.1f} s"
    )
    if any(r.llm_calls for r in results):
        costs = [r.estimated_usd for r in results if r.estimated_usd is not None]
        line += f"; LLM calls {sum(r.llm_calls for r in results)}, tokens "
        line += f"{sum(r.tokens for r in results)}"
        line += f", ~${sum(costs):.4f}" if costs else ""
    return line
