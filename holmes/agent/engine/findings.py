"""Judging gathered evidence with a runbook's findings, and writing the answer they give.

The runbook's `definitions` are computed once, in order; then, for each finding, its `let`
values, and its `when` decides; the first finding of a runbook that holds is its verdict. Its
templates become the Diagnosis text, each claim cites the evidence ids of the steps it names
(or, by default, every step its expressions read, also through the definitions it reads).
Pure functions over the variables; called by the engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from holmes.agent.engine.definitions import define, definitions_read
from holmes.agent.engine.diagnosis import Claim, RemediationStep
from holmes.agent.engine.rules import Finding, FunctionRegistry, Runbook
from holmes.agent.engine.rules.expressions import ExpressionError, evaluate, render, truthy
from holmes.agent.engine.rules.loader import expressions
from holmes.agent.engine.rules.schema import TRIAGE_EVIDENCE

# `containers` are read from the pods' evidence.
_NAMES = re.compile(
    r"\b(evidence\.[a-z][a-z0-9_]*|containers|" + "|".join(TRIAGE_EVIDENCE) + r")\b"
)


@dataclass
class Verdict:
    """A finding that holds, with the variables it was judged on."""

    runbook: Runbook
    finding: Finding
    variables: dict[str, Any]
    functions: FunctionRegistry  # what its expressions call, for the hops and texts made later


def judge(
    runbook: Runbook, variables: dict[str, Any], notes: list[str], functions: FunctionRegistry
) -> Verdict | None:
    """The first finding of `runbook` that holds over `variables`, or None."""
    shared = define(runbook, variables, functions, notes)
    for finding in runbook.findings:
        scope = dict(shared)
        try:
            for name, source in finding.let.items():
                scope[name] = evaluate(source, scope, functions)
            if truthy(finding.when, scope, functions):
                return Verdict(runbook, finding, scope, functions)
        except ExpressionError as error:
            notes.append(f"{runbook.id}/{finding.id}: not applicable ({error})")
    return None


def write(verdict: Verdict, functions: FunctionRegistry) -> dict[str, Any]:
    """The Diagnosis fields a verdict gives: texts, claims with evidence ids, remediation."""
    finding, scope = verdict.finding, verdict.variables

    def text_of(template: str) -> str:
        return _clean(render(template, scope, functions))

    root_cause = text_of(finding.root_cause)
    summary = text_of(finding.summary) if finding.summary else headline(root_cause)
    explanation = text_of(finding.explanation)
    cited = finding.cite or sorted(_read_groups(verdict))
    claims = [
        Claim(claim=summary or root_cause, evidence_ids=evidence_ids(cited, scope, root_cause))
    ]
    for claim in finding.claims:
        try:
            if claim.when and not truthy(claim.when, scope, functions):
                continue
            text = text_of(claim.text)
        except ExpressionError:
            continue
        if text:
            ids = _exact_ids(claim.cite_ids, scope, functions) if claim.cite_ids else None
            if ids is None:
                ids = evidence_ids(claim.cite or cited, scope, text)
            claims.append(Claim(claim=text, evidence_ids=ids))
    remediation = []
    for step in finding.remediation:
        try:
            if step.when and not truthy(step.when, scope, functions):
                continue
            action = text_of(step.action)
            command = text_of(step.command) if step.command else None
        except ExpressionError:
            continue
        if action:
            remediation.append(RemediationStep(action=action, command=command or None))
    return {
        "summary": summary or headline(root_cause),
        "root_cause": root_cause,
        "explanation": explanation,
        "evidence": claims,
        "remediation": remediation,
        "confidence": finding.confidence,
    }


def headline(text: str, width: int = 140) -> str:
    """The first clause of a text, for a heading: up to its first sentence end, colon or
    semicolon past the opening words and outside brackets and quotes, else cut at a word
    within `width`."""
    first = text.strip().split("\n")[0]
    for index in range(30, min(len(first), width)):
        if first[index : index + 2] in (". ", ": ", "; ") and _balanced(first[:index]):
            return first[:index]
    if len(first) <= width:
        return first
    return first[: first.rfind(" ", 0, width)].rstrip(",;:") + " ..."


def _balanced(prefix: str) -> bool:
    """No bracket or quote left open in `prefix`."""
    return (
        prefix.count("(") == prefix.count(")")
        and prefix.count("[") == prefix.count("]")
        and prefix.count('"') % 2 == 0
        and prefix.count("`") % 2 == 0
    )


def evidence_ids(groups: list[str], scope: dict[str, Any], text: str = "") -> list[str]:
    """The ids of the successful results in the named evidence groups, in order, once.

    Where a group's results are about several objects (a describe per pod, logs per
    container) and `text` names some of them, only those are cited: a claim about one pod
    cites that pod's evidence, not its neighbours'.
    """
    ids: list[str] = []
    evidence = scope.get("evidence", {})
    for group in groups:
        items = [item for item in evidence.get(group, []) if item.get("ok")]
        named = [item for item in items if _names_in(item, text)]
        for item in named if text and 0 < len(named) < len(items) else items:
            if item["id"] not in ids:
                ids.append(item["id"])
    return ids


def _names_in(item: dict[str, Any], text: str) -> bool:
    """Whether `text` names the object a result is about (its call's `name` argument)."""
    name = (item.get("args") or {}).get("name")
    return bool(name) and re.search(rf"(?<![\w-]){re.escape(str(name))}(?![\w-])", text) is not None


def _exact_ids(source: str, scope: dict[str, Any], functions: FunctionRegistry) -> list[str] | None:
    """The ids a claim's `cite_ids` names that this investigation has; None when it fails."""
    try:
        found = evaluate(source, scope, functions)
    except ExpressionError:
        return None
    produced = {
        item["id"] for group in scope.get("evidence", {}).values() for item in group if item["ok"]
    }
    ids = [i for i in (found if isinstance(found, list) else [found]) if i in produced]
    return list(dict.fromkeys(ids)) or None


def _read_groups(verdict: Verdict) -> set[str]:
    """The evidence groups a finding's expressions read."""
    groups: set[str] = set()
    runbook = verdict.runbook.model_copy(
        update={"findings": [verdict.finding], "steps": [], "definitions": {}}
    )
    sources = [source for _, source in expressions(runbook)]
    for source in sources + list(definitions_read(verdict.runbook, sources).values()):
        for name in _NAMES.findall(source):
            group = name.removeprefix("evidence.")
            groups.add("pods" if group == "containers" else group)
    return groups


def _clean(text: str) -> str:
    """Template output without the blank runs that empty parts leave."""
    text = re.sub(r"[ \t]+\n", "\n", text.strip())
    return re.sub(r"\n{3,}", "\n\n", re.sub(r"  +", " ", text))
