"""`holmes runbooks check`'s style lint: long lines and calls written more than twice."""

from __future__ import annotations

from pathlib import Path

from holmes.agent.engine.rules import load_runbooks
from holmes.agent.engine.rules.lint import MAX_LINE, calls, lint
from holmes.tools import default_registry

TOOLS = [tool.name for tool in default_registry().tools()]
REPEATED = "get(subject, 'namespace_exists')"
RUNBOOK = f"""
id: lint-me
title: A runbook with style problems
match: {{keywords: ['crash']}}
steps:
  - id: describe
    tool: kubernetes_describe
    for_each: "subject.pods"
    args: {{kind: Pod, namespace: "{{{{ item.namespace }}}}", name: "{{{{ item.name }}}}"}}
findings:
  - id: first
    when: "{REPEATED} == true"
    root_cause: "{{{{ {REPEATED} }}}} {"x" * 130}"
    summary: "{{{{ {REPEATED} }}}}"
    cite: [describe]
"""


def test_long_lines_and_repeated_calls_are_warned(tmp_path: Path) -> None:
    (tmp_path / "lint-me.yaml").write_text(RUNBOOK)
    loaded = load_runbooks([tmp_path], tools=TOOLS, builtin=False)
    warnings = lint(loaded)
    long = [w for w in warnings if w.line]
    assert [w.line for w in long] == [13] and f"> {MAX_LINE}" in long[0].message
    repeated = [w.message for w in warnings if not w.line]
    assert repeated == [f"`{REPEATED}` is written 3 times: name it (a `let` value or a function)"]


def test_calls_are_found_nested_and_inside_strings_skipped() -> None:
    source = "size(net.drops(evidence.flows, subject, '^AUTH(x)$')) > 0"
    assert calls(source) == [
        "size(net.drops(evidence.flows, subject, '^AUTH(x)$'))",
        "net.drops(evidence.flows, subject, '^AUTH(x)$')",
    ]


def test_the_shipped_runbooks_have_no_style_warning() -> None:
    # CI's `holmes runbooks check --strict` fails on any; this names them in the pytest run too.
    warnings = lint(load_runbooks(tools=TOOLS))
    assert [warning.text() for warning in warnings] == []
