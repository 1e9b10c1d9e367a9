"""A runbook's `definitions`: computed once for all its findings, cited through, validated."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from holmes.agent.engine.definitions import define, evidence_read
from holmes.agent.engine.findings import judge, write
from holmes.agent.engine.rules import (
    FunctionRegistry,
    RunbookError,
    builtin_functions,
    load_runbooks,
)
from holmes.agent.engine.rules.builtin import MODULES
from holmes.agent.engine.rules.schema import Runbook
from holmes.agent.engine.steps import dependencies


def result(evidence_id: str, text: str) -> dict:
    return {"id": evidence_id, "ok": True, "args": {}, "data": {}, "text": text}


SCOPE = {
    "evidence": {
        "pods": [result("E1", "pod")],
        "logs": [result("E2", "OOM at step 3\nok")],
        "events": [result("E3", "BackOff")],
    }
}


def runbook(definitions: dict[str, str], findings: list[dict]) -> Runbook:
    return Runbook.model_validate(
        {"id": "t", "title": "t", "definitions": definitions, "findings": findings}
    )


def counting_functions(calls: list[str]) -> FunctionRegistry:
    """The built-in functions, with `line` counting its calls."""
    functions = FunctionRegistry()
    for module in MODULES:
        for name, function in module.FUNCTIONS.items():
            if name == "line":

                def counted(text, pattern, function=function):
                    calls.append(pattern)
                    return function(text, pattern)

                function = counted
            functions.add(name, function, module.__name__)
    return functions


def test_a_definition_is_computed_once_and_read_by_every_finding():
    calls: list[str] = []
    book = runbook(
        {"oom": "line(evidence.logs[0].text, 'OOM')", "step": "capture(oom, 'step (\\\\d+)')"},
        [
            {"id": "never", "when": "oom == ''", "root_cause": "none"},
            {"id": "held", "when": "step == '3'", "root_cause": "{{ oom }} (step {{ step }})"},
        ],
    )
    verdict = judge(book, SCOPE, [], counting_functions(calls))
    assert verdict is not None and verdict.finding.id == "held"
    assert calls == ["OOM"]
    fields = write(verdict, builtin_functions())
    assert fields["root_cause"] == "OOM at step 3 (step 3)"
    # The root cause reads `step`, which reads `oom`, which reads the logs: they are cited.
    assert fields["evidence"][0].evidence_ids == ["E2"]


def test_a_failing_definition_fails_only_the_findings_that_read_it():
    notes: list[str] = []
    book = runbook(
        {"missing": "evidence.logs[5].text", "events": "evidence.events[0].text"},
        [
            {"id": "reads-missing", "when": "missing != ''", "root_cause": "x"},
            {"id": "reads-events", "when": "events == 'BackOff'", "root_cause": "{{ events }}"},
        ],
    )
    verdict = judge(book, SCOPE, notes, builtin_functions())
    assert verdict is not None and verdict.finding.id == "reads-events"
    assert any(note.startswith("t/definitions.missing: not available") for note in notes)
    assert any(note.startswith("t/reads-missing: not applicable") for note in notes)


@pytest.mark.parametrize(
    ("definitions", "let", "problem"),
    [
        ({"pods": "1"}, {}, "would hide the variable"),
        ({"Bad-Name": "1"}, {}, "lower_snake_case"),
        ({"oom": "1"}, {"oom": "2"}, "findings[0] (f).let.oom: also a definition"),
    ],
)
def test_bad_definitions_are_refused_with_the_field(definitions, let, problem):
    with pytest.raises(ValidationError, match=re.escape(problem)):
        runbook(definitions, [{"id": "f", "let": let, "when": "true", "root_cause": "x"}])


def test_a_step_reading_a_definition_waits_for_the_evidence_the_definition_reads():
    book = Runbook.model_validate(
        {
            "id": "t",
            "title": "t",
            "definitions": {"denials": "evidence.events.filter(e, e.ok)", "first": "denials[0]"},
            "steps": [
                {"id": "events", "tool": "kubernetes_events"},
                {"id": "quota", "tool": "kubernetes_get", "when": "size(first) > 0"},
            ],
            "findings": [{"id": "f", "when": "true", "root_cause": "x"}],
        }
    )
    assert dependencies(book.steps[1], book) == {"events"}
    assert dependencies(book.steps[0], book) == set()
    ready = define(book, {"evidence": {}}, builtin_functions(), waiting={"events"})
    assert "denials" not in ready and "first" not in ready


def test_a_comprehension_variable_is_not_the_definition_of_that_name():
    book = runbook(
        {"w": "evidence.late.filter(e, e.ok)"}, [{"id": "f", "when": "true", "root_cause": "x"}]
    )
    assert evidence_read(book, ["subject.workloads.exists(w, w.name != '')"]) == set()
    assert evidence_read(book, ["size(w) > 0"]) == {"late"}


def test_a_bad_definition_fails_the_load_naming_the_file_and_the_definition(runbook_dir):
    text = (
        "id: defs\ntitle: t\nmatch: {keywords: [x]}\n"
        "definitions:\n  oom: \"containers.filter(c, c.last_reason == 'OOMKilled')\"\n"
        '  shown: "lowr(oom[0].name)"\n'
        'findings:\n  - id: f\n    when: "size(oom) > 0"\n    root_cause: "{{ shown }}"\n'
    )
    with pytest.raises(RunbookError) as error:
        load_runbooks([runbook_dir(defs=text)], builtin=False)
    assert "defs.yaml" in str(error.value)
    assert "definitions.shown: unknown function 'lowr'; did you mean 'lower'?" in str(error.value)
