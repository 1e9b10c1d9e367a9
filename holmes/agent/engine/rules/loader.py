"""Load and validate runbooks: the built-in `holmes/runbooks/*.yaml` and a user's folders.

Every check runs at load time, so a broken runbook fails before an investigation starts, with
an error naming the file, the field and the problem: YAML syntax, the schema (unknown keys,
missing fields), CEL that does not compile, a function no registered module provides (with the
name it most likely meant), a tool that does not exist, a step that a finding cites but the
runbook does not gather, and a runbook id that two files use (both named).

Called by the engine and by `holmes runbooks list|check`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from holmes.agent.engine.rules.builtin import builtin_functions
from holmes.agent.engine.rules.expressions import (
    ExpressionError,
    compile_expression,
    template_expressions,
)
from holmes.agent.engine.rules.registry import FunctionRegistry
from holmes.agent.engine.rules.schema import TRIAGE_EVIDENCE, NextSubject, Runbook

BUILTIN = Path(__file__).resolve().parents[3] / "runbooks"  # holmes/runbooks
# What triage always gathers: findings may cite it like a step of their own.


class RunbookError(ValueError):
    """A runbook file that cannot be used; the message names the file and the field."""


class LoadedRunbook:
    """A validated runbook and the file it came from."""

    def __init__(self, runbook: Runbook, path: Path) -> None:
        self.runbook = runbook
        self.path = path

    def __repr__(self) -> str:
        return f"LoadedRunbook({self.runbook.id!r}, {str(self.path)!r})"


def load_runbooks(
    folders: Iterable[Path] = (),
    *,
    tools: Iterable[str] | None = None,
    builtin: bool = True,
    functions: FunctionRegistry | None = None,
) -> list[LoadedRunbook]:
    """Every runbook of the built-in folder (unless `builtin=False`) and of `folders`.

    `tools` is the set of tool names steps may use (None skips that check); `functions` the
    registry expressions may call (default: the built-in functions).
    """
    functions = functions if functions is not None else builtin_functions()
    paths: list[Path] = []
    for folder in ([BUILTIN] if builtin else []) + [Path(f) for f in folders]:
        if not folder.is_dir():
            raise RunbookError(f"{folder}: not a folder of runbooks")
        paths += sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
    known_tools = set(tools) if tools is not None else None
    loaded: dict[str, LoadedRunbook] = {}
    for path in paths:
        runbook = load_runbook(path, known_tools, functions)
        if runbook.id in loaded:
            raise RunbookError(
                f"{path}: runbook id {runbook.id!r} is already defined in {loaded[runbook.id].path}"
            )
        loaded[runbook.id] = LoadedRunbook(runbook, path)
    return list(loaded.values())


def load_runbook(
    path: Path, tools: set[str] | None = None, functions: FunctionRegistry | None = None
) -> Runbook:
    """Read and check one runbook file (its calls against `functions`, default the built-in)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise RunbookError(f"{path}: not valid YAML: {error}") from None
    except OSError as error:
        raise RunbookError(f"{path}: cannot be read: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise RunbookError(f"{path}: not UTF-8 (byte {error.start}); save it as UTF-8") from None
    if not isinstance(raw, dict):
        raise RunbookError(f"{path}: a runbook is a mapping with id, title, match, steps, findings")
    try:
        runbook = Runbook.model_validate(raw)
    except ValidationError as invalid:
        raise RunbookError(f"{path}: {_describe(invalid)}") from None
    functions = functions if functions is not None else builtin_functions()
    problems = list(_check_expressions(runbook, functions))
    problems += list(_check_references(runbook, tools))
    if problems:
        raise RunbookError(f"{path}: " + "; ".join(problems))
    return runbook


def _check_expressions(runbook: Runbook, functions: FunctionRegistry) -> Iterable[str]:
    for field, source in expressions(runbook):
        try:
            compile_expression(source)
        except ExpressionError as error:
            yield f"{field}: {error}"
            continue
        for problem in functions.unknown(source):
            yield f"{field}: {problem}"


def expressions(runbook: Runbook) -> Iterable[tuple[str, str]]:
    """(field path, CEL source) of every expression and template part in a runbook."""
    if runbook.match.when:
        yield "match.when", runbook.match.when
    for i, step in enumerate(runbook.steps):
        where = f"steps[{i}] ({step.id})"
        for name in ("for_each", "when"):
            if getattr(step, name):
                yield f"{where}.{name}", getattr(step, name)
        for key, value in step.args.items():
            yield from _templates(f"{where}.args.{key}", value)
    for name, source in runbook.definitions.items():
        yield f"definitions.{name}", source
    for i, finding in enumerate(runbook.findings):
        where = f"findings[{i}] ({finding.id})"
        for name, source in finding.let.items():
            yield f"{where}.let.{name}", source
        yield f"{where}.when", finding.when
        for name in ("root_cause", "summary", "explanation"):
            yield from _templates(f"{where}.{name}", getattr(finding, name) or "")
        for j, claim in enumerate(finding.claims):
            yield from _templates(f"{where}.claims[{j}].text", claim.text)
            if claim.when:
                yield f"{where}.claims[{j}].when", claim.when
            if claim.cite_ids:
                yield f"{where}.claims[{j}].cite_ids", claim.cite_ids
        for j, step in enumerate(finding.remediation):
            yield from _templates(f"{where}.remediation[{j}].action", step.action)
            yield from _templates(f"{where}.remediation[{j}].command", step.command or "")
            if step.when:
                yield f"{where}.remediation[{j}].when", step.when
        if finding.next is not None:
            yield from _next_expressions(f"{where}.next", finding.next)


def _next_expressions(where: str, next_subject: NextSubject) -> Iterable[tuple[str, str]]:
    """The CEL of a finding's `next` subject: its expression or templates, and its `when`."""
    if next_subject.expression:
        yield f"{where}.expression", next_subject.expression
    if next_subject.when:
        yield f"{where}.when", next_subject.when
    for name in ("kind", "namespace", "name", "relation"):
        yield from _templates(f"{where}.{name}", getattr(next_subject, name) or "")


def _templates(field: str, value: Any) -> Iterable[tuple[str, str]]:
    if isinstance(value, str):
        for source in template_expressions(value):
            yield field, source


def _check_references(runbook: Runbook, tools: set[str] | None) -> Iterable[str]:
    steps = {step.id for step in runbook.steps}
    for i, step in enumerate(runbook.steps):
        if tools is not None and step.tool not in tools:
            yield f"steps[{i}] ({step.id}).tool: no tool named {step.tool!r}"
    citable = steps | set(TRIAGE_EVIDENCE)
    for i, finding in enumerate(runbook.findings):
        cited = [*finding.cite, *(c for claim in finding.claims for c in claim.cite)]
        for name in cited:
            if name not in citable:
                yield (
                    f"findings[{i}] ({finding.id}).cite: {name!r} is not a step of this runbook "
                    f"(steps: {', '.join(sorted(steps)) or 'none'})"
                )


def _describe(invalid: ValidationError) -> str:
    problems = []
    for error in invalid.errors():
        field = ".".join(str(part) for part in error["loc"]) or "runbook"
        problems.append(f"{field}: {error['msg']}")
    return "; ".join(problems)
