"""The registry of runbook functions: built explicitly, duplicates refused, unknown calls named
with the file, the field and the name they most likely meant."""

from __future__ import annotations

import pytest

from holmes.agent.engine.rules import (
    BUILTIN,
    FunctionConflict,
    FunctionRegistry,
    RunbookError,
    builtin_functions,
    load_runbooks,
)
from holmes.agent.engine.rules.builtin import MODULES, RENAMED
from holmes.agent.engine.rules.expressions import ExpressionError, evaluate
from holmes.agent.engine.rules.registry import Call, calls
from holmes.tools import default_registry

TOOLS = [tool.name for tool in default_registry().tools()]

RUNBOOK = """
id: calls
title: A runbook that calls functions
match: {{keywords: ['crash']}}
findings:
  - id: first
    when: "true"
    root_cause: "ok"
  - id: second
    when: "{when}"
    root_cause: "ok"
"""


def _triple(value: int) -> int:
    return value * 3


def test_a_dotted_name_is_callable_and_only_the_registered_functions_are():
    functions = FunctionRegistry()
    functions.add("k8s.triple", _triple, "here")
    assert evaluate("k8s.triple(2) + k8s.triple(1)", {}, functions) == 9
    with pytest.raises(ExpressionError, match="triple"):
        evaluate("triple(2)", {}, functions)


def test_a_name_registered_twice_names_both_modules():
    functions = FunctionRegistry()
    functions.add("k8s.triple", _triple, "module_a")
    with pytest.raises(FunctionConflict, match=r"module_b.*module_a"):
        functions.add("k8s.triple", abs, "module_b")
    with pytest.raises(ValueError, match="lower_snake_case"):
        functions.add("K8s.Triple", abs, "module_b")


def test_the_builtin_registry_holds_every_module_table():
    functions = builtin_functions()
    assert len(functions) == sum(len(module.FUNCTIONS) for module in MODULES)
    assert functions.origin("lower") == "holmes.agent.engine.rules.expressions"
    assert builtin_functions() is not functions  # built afresh, nothing global


def test_every_renamed_function_points_at_a_registered_one():
    functions = builtin_functions()
    assert all(new in functions for new in RENAMED.values())
    assert not any(old in functions for old in RENAMED)


def test_calls_tell_functions_from_methods_and_skip_strings():
    found = calls(
        "k8s.owner(p).ref.startsWith('x(') && evidence.a.exists(i, lower(i) == \"f(y)\")",
        {"k8s"},
    )
    assert found == [
        Call("k8s.owner", method=False),
        Call("startsWith", method=True),
        Call("exists", method=True),
        Call("lower", method=False),
    ]


def test_an_evaluation_is_handed_only_the_functions_it_calls():
    functions = builtin_functions()
    assert set(functions.for_source("join(uniq(x), ', ') + lower(y)")) == {"join", "uniq", "lower"}


def test_an_unknown_function_fails_the_load_with_file_field_and_suggestion(runbook_dir):
    folder = runbook_dir(calls=RUNBOOK.format(when="lowr(question) == 'x'"))
    with pytest.raises(RunbookError) as error:
        load_runbooks([folder], tools=TOOLS, builtin=False)
    message = str(error.value)
    assert "calls.yaml" in message
    assert "findings[1] (second).when" in message
    assert "unknown function 'lowr'; did you mean 'lower'?" in message


def test_a_renamed_function_suggests_its_new_name():
    functions = FunctionRegistry(renamed={"old_name": "k8s.triple"})
    functions.add("k8s.triple", _triple, "here")
    assert functions.unknown("old_name(1)") == [
        "unknown function 'old_name'; did you mean 'k8s.triple'?"
    ]
    assert functions.unknown("triple(1)") == [
        "unknown function 'triple'; did you mean 'k8s.triple'?"
    ]
    assert functions.unknown("x.size() + size(x) + optional.of(1).orValue(2)") == []


def test_the_runbook_readme_documents_every_function():
    readme = (BUILTIN / "README.md").read_text(encoding="utf-8")
    reference = readme[readme.index("## Functions") :]
    missing = [name for name in builtin_functions().names() if f"`{name}(" not in reference]
    assert missing == []
