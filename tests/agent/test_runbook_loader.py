"""Runbooks are checked at load time: every error names the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from holmes.agent.engine.rules import RunbookError, load_runbooks
from holmes.tools import default_registry

TOOLS = [tool.name for tool in default_registry().tools()]

VALID = """
id: {id}
title: A test runbook
match: {{keywords: ['crash']}}
steps:
  - id: describe
    tool: kubernetes_describe
    for_each: "subject.pods"
    args: {{kind: Pod, namespace: "{{{{ item.namespace }}}}", name: "{{{{ item.name }}}}"}}
findings:
  - id: always
    when: "true"
    root_cause: "Pods: {{{{ size(subject.pods) }}}}"
    cite: [describe]
"""


def load(folder: Path) -> list:
    return load_runbooks([folder], tools=TOOLS, builtin=False)


def test_a_valid_runbook_loads(runbook_dir):
    loaded = load(runbook_dir(ok=VALID.format(id="ok")))
    assert [r.runbook.id for r in loaded] == ["ok"]
    assert loaded[0].runbook.steps[0].tool == "kubernetes_describe"


def test_the_builtin_runbooks_all_load():
    loaded = load_runbooks(tools=TOOLS)
    assert loaded, "holmes/runbooks/ holds no runbook"
    assert all(r.path.name == f"{r.runbook.id}.yaml" for r in loaded)


@pytest.mark.parametrize(
    ("text", "field", "problem"),
    [
        (VALID.format(id="x").replace("findings:", "finding:"), "finding", "Extra inputs"),
        (
            VALID.format(id="x").replace("root_cause", "rootcause"),
            "findings.0.root_cause",
            "Field required",
        ),
        (
            VALID.format(id="x").replace('when: "true"', 'when: "size(subject.pods) >"'),
            "findings[0] (always).when",
            "invalid CEL",
        ),
        (
            VALID.format(id="x").replace("tool: kubernetes_describe", "tool: kubectl_exec"),
            "steps[0] (describe).tool",
            "no tool named 'kubectl_exec'",
        ),
        (
            VALID.format(id="x").replace("cite: [describe]", "cite: [logs]"),
            "findings[0] (always).cite",
            "'logs' is not a step",
        ),
        (VALID.format(id="Bad_Id"), "id", "lower-case words"),
        ("id: [unclosed", "", "not valid YAML"),
        ("- just\n- a list\n", "", "a runbook is a mapping"),
    ],
)
def test_a_broken_runbook_names_file_and_field(runbook_dir, text, field, problem):
    folder = runbook_dir(broken=text)
    with pytest.raises(RunbookError) as raised:
        load(folder)
    message = str(raised.value)
    assert str(folder / "broken.yaml") in message
    assert field in message
    assert problem in message


def test_a_duplicate_id_names_both_files(runbook_dir):
    first = runbook_dir(a=VALID.format(id="same"))
    second = runbook_dir(b=VALID.format(id="same"))
    with pytest.raises(RunbookError) as raised:
        load_runbooks([first, second], tools=TOOLS, builtin=False)
    assert str(first / "a.yaml") in str(raised.value)
    assert str(second / "b.yaml") in str(raised.value)


def test_a_missing_folder_is_named(tmp_path):
    with pytest.raises(RunbookError, match="nowhere: not a folder"):
        load_runbooks([tmp_path / "nowhere"], builtin=False)
