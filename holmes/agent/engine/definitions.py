"""A runbook's `definitions`: named CEL values every step and finding of the runbook may read.

Each is computed once its evidence is there: the steps see those whose `evidence.<step>` reads
are gathered (a step reading one waits for the steps it reads, like a step reading evidence),
the findings see them all, computed once over the whole evidence. One that fails is left
undefined, so only the expressions that read it fail. Called by `steps.py` and `findings.py`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from holmes.agent.engine.rules import FunctionRegistry, Runbook
from holmes.agent.engine.rules.expressions import ExpressionError, compile_expression, evaluate

_EVIDENCE_REF = re.compile(r"\bevidence\.([a-z][a-z0-9_]*)")
# A comprehension's own variable (`pods.map(p, ...)`) is not the definition of that name.
_BOUND = re.compile(r"\.\s*(?:map|filter|exists|exists_one|all)\(\s*([A-Za-z_]\w*)\s*,")


def definitions_read(runbook: Runbook, sources: Iterable[str]) -> dict[str, str]:
    """The definitions (name -> source) that `sources` read, directly or through another."""
    read: dict[str, str] = {}
    pending = list(sources)
    while pending:
        source = pending.pop()
        names = set(compile_expression(source).variables()) - set(_BOUND.findall(source))
        for name in sorted(names):
            if name in runbook.definitions and name not in read:
                read[name] = runbook.definitions[name]
                pending.append(read[name])
    return read


def evidence_read(runbook: Runbook, sources: Iterable[str]) -> set[str]:
    """The `evidence.<step>` names `sources` read, also through the definitions they read."""
    sources = list(sources)
    everything = sources + list(definitions_read(runbook, sources).values())
    return {name for source in everything for name in _EVIDENCE_REF.findall(source)}


def define(
    runbook: Runbook,
    variables: dict[str, Any],
    functions: FunctionRegistry,
    notes: list[str] | None = None,
    waiting: set[str] = frozenset(),  # type: ignore[assignment]
) -> dict[str, Any]:
    """`variables` with the runbook's definitions added, in order. A definition that reads
    evidence of a step in `waiting` is left out; one that fails is left out and, with `notes`,
    noted."""
    scope = dict(variables)
    for name, source in runbook.definitions.items():
        if waiting and evidence_read(runbook, [source]) & waiting:
            continue
        try:
            scope[name] = evaluate(source, scope, functions)
        except ExpressionError as error:
            if notes is not None:
                notes.append(f"{runbook.id}/definitions.{name}: not available ({error})")
    return scope
