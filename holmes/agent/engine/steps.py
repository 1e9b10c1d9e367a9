"""Running a runbook's evidence steps: templated tool calls, in dependency waves, in parallel.

A step's arguments are templates over the investigation's variables (`subject`, `pods`,
`containers`, `alert`, the results of earlier steps as `evidence.<id>`); `for_each` runs it
once per item of a CEL list (bound to `item`), `when` skips it. A step that refers to another
step's evidence waits for it; all others start at once. An argument whose template renders
empty is left out, so optional arguments stay optional. A step whose expressions fail on this
subject's data gathers nothing and says why in `notes`.

Called by the engine; calls go through the `Gatherer` (shared cache, bounded concurrency).
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from holmes.agent.engine.definitions import define, evidence_read
from holmes.agent.engine.gather import Gatherer, as_evidence
from holmes.agent.engine.rules import FunctionRegistry, Runbook, Step
from holmes.agent.engine.rules.expressions import (
    ExpressionError,
    evaluate,
    render,
    template_expressions,
    truthy,
)

_WHOLE = re.compile(r"^\{\{(.*)\}\}$", re.DOTALL)
_EVIDENCE_REF = re.compile(r"\bevidence\.([a-z][a-z0-9_]*)")


def dependencies(step: Step, runbook: Runbook | None = None) -> set[str]:
    """The ids of the steps whose evidence this step's expressions read (also through the
    `runbook`'s definitions they read)."""
    sources = [source for source in (step.for_each, step.when) if source]
    for value in step.args.values():
        if isinstance(value, str):
            sources += template_expressions(value)
    if runbook is not None and runbook.definitions:
        return evidence_read(runbook, sources)
    return {name for source in sources for name in _EVIDENCE_REF.findall(source)}


async def run_steps(
    runbook: Runbook,
    variables: dict[str, Any],
    gatherer: Gatherer,
    notes: list[str],
    functions: FunctionRegistry,
) -> dict[str, list[dict[str, Any]]]:
    """Run every step of `runbook`; returns evidence by step id (a list per step)."""
    evidence: dict[str, list[dict[str, Any]]] = {}
    pending = list(runbook.steps)
    own = {step.id for step in runbook.steps}
    while pending:
        ready = [s for s in pending if not (dependencies(s, runbook) & own) - set(evidence)]
        if not ready:  # a cycle: run the rest without the missing evidence
            ready = pending
        scope = {**variables, "evidence": {**variables.get("evidence", {}), **evidence}}
        if runbook.definitions:
            scope = define(runbook, scope, functions, waiting=own - set(evidence))
        results = await asyncio.gather(*(_run(s, scope, gatherer, notes, functions) for s in ready))
        for step, result in zip(ready, results, strict=True):
            evidence[step.id] = result
        pending = [s for s in pending if s not in ready]
    return evidence


async def _run(
    step: Step,
    scope: dict[str, Any],
    gatherer: Gatherer,
    notes: list[str],
    functions: FunctionRegistry,
) -> list[dict[str, Any]]:
    try:
        if step.when and not truthy(step.when, scope, functions):
            return []
        items = evaluate(step.for_each, scope, functions) if step.for_each else [None]
        if not isinstance(items, list):
            raise ExpressionError(f"for_each gave {type(items).__name__}, not a list")
        calls = []
        for item in items[: step.limit]:
            arguments = render_arguments(step.args, {**scope, "item": item}, functions)
            calls.append((item, gatherer.call(step.tool, arguments)))
    except ExpressionError as error:
        notes.append(f"step {step.id}: {error}")
        return []
    results = await asyncio.gather(*(call for _, call in calls))
    return [as_evidence(r, item) for (item, _), r in zip(calls, results, strict=True)]


def render_arguments(
    args: dict[str, Any], scope: dict[str, Any], functions: FunctionRegistry
) -> dict[str, Any]:
    """Templated arguments: a value that is one `{{ expr }}` keeps its type; empty ones go."""
    rendered: dict[str, Any] = {}
    for key, value in args.items():
        if isinstance(value, str):
            whole = _WHOLE.match(value.strip())
            if whole and "{{" not in whole[1]:
                value = evaluate(whole[1].strip(), scope, functions)
            else:
                value = render(value, scope, functions)
        if value not in (None, "", []):
            rendered[key] = value
    return rendered
