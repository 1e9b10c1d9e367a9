"""`holmes tools list|run` through typer's runner, against a replayed sample bundle."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from holmes.cli.main import app
from holmes.tools import default_registry
from tests.conftest import INCIDENTS

runner = CliRunner()


def test_list_shows_every_tool_of_the_three_toolsets() -> None:
    result = runner.invoke(app, ["tools", "list"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    names = [tool.name for tool in default_registry().tools()]
    assert {"kubernetes_logs", "prometheus_gpu_health", "hubble_flow_summary"} <= set(names)
    assert all(name in result.output for name in names)


def test_list_json_is_the_function_calling_schemas() -> None:
    result = runner.invoke(app, ["tools", "list", "--json", "--toolset", "prometheus"])
    schemas = json.loads(result.output)
    assert {schema["function"]["name"] for schema in schemas} >= {"prometheus_query_range"}
    assert all(schema["type"] == "function" for schema in schemas)


def test_run_against_an_incident_prints_the_compact_text() -> None:
    result = runner.invoke(
        app,
        [
            "tools",
            "run",
            "kubernetes_logs",
            "--incident",
            str(INCIDENTS / "crashloop-config-error"),
            "namespace=serving",
            "name=llm-gateway-7c9d8f6b54-q2w4n",
            "container=gateway",
            "previous=true",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("[E1] kubernetes_logs(")
    assert "upstreams.1.url" in result.output and "Field required" in result.output


def test_run_json_and_a_failed_call_exits_1() -> None:
    result = runner.invoke(
        app,
        [
            "tools",
            "run",
            "kubernetes_describe",
            "--json",
            "--incident",
            str(INCIDENTS / "crashloop-config-error"),
            "kind=Pod",
            "namespace=serving",
            "name=no-such-pod",
        ],
    )
    assert result.exit_code == 1
    error = json.loads(result.output)["error"]
    assert error["source"] == "kubernetes" and error["kind"] == "not_found"
    assert "no-such-pod" in error["message"]


def test_run_without_any_source_says_what_to_configure() -> None:
    result = runner.invoke(app, ["tools", "run", "prometheus_query", "query=up"])
    assert result.exit_code == 1
    assert "ERROR (prometheus, unavailable)" in result.output


def test_bad_key_value_is_refused_naming_it() -> None:
    result = runner.invoke(app, ["tools", "run", "kubernetes_find", "payment"])
    assert result.exit_code == 2
    assert "'payment' is not key=value" in result.output
