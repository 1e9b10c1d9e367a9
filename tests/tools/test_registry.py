"""The registry boundary: every failure becomes a ToolError; text is redacted, bounded, stamped."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from pydantic import BaseModel, Field

from holmes.tools.base import Tool, ToolFailure, ToolOutput
from holmes.tools.context import Limits, SourceEndpoints, ToolContext
from holmes.tools.registry import DuplicateToolError, ToolRegistry, UnknownToolError


class EchoInput(BaseModel):
    text: str = Field(description="What to echo.")
    repeat: int = Field(1, ge=1, le=1000)
    sleep: float = 0.0
    fail: str | None = None


class Echo(Tool):
    name = "echo"
    toolset = "kubernetes"
    description = "Echo the text back."
    Input = EchoInput

    async def run(self, args: EchoInput, ctx: ToolContext) -> ToolOutput:
        await asyncio.sleep(args.sleep)
        if args.fail == "not_found":
            raise ToolFailure("kubernetes", "not_found", 'pods "x" not found')
        if args.fail == "leak":
            raise ToolFailure(
                "prometheus", "unavailable", "http://admin:hunter2@prom:9090 is not reachable"
            )
        if args.fail == "bug":
            raise ZeroDivisionError("division by zero")
        text = "\n".join([args.text] * args.repeat)
        return ToolOutput(data={"echo": args.text, "now": ctx.now().isoformat()}, text=text)


NOW = datetime(2026, 3, 18, 14, 32, tzinfo=UTC)


def context(**limits: float) -> ToolContext:
    return ToolContext(SourceEndpoints(), now=NOW, limits=Limits(**limits))


async def test_result_is_stamped_with_evidence_id_and_the_investigation_clock() -> None:
    registry = ToolRegistry([Echo])
    ctx = context()
    first = await registry.invoke("echo", {"text": "hello"}, ctx)
    second = await registry.invoke("echo", {"text": "again"}, ctx)
    assert (first.evidence_id, second.evidence_id) == ("E1", "E2")
    assert first.ok and first.text == "hello" and first.source == "kubernetes"
    assert first.data["now"] == NOW.isoformat()
    assert first.render().startswith("[E1] echo(text='hello')\nhello")


async def test_bad_arguments_name_the_field() -> None:
    result = await ToolRegistry([Echo]).invoke("echo", {"repeat": 0}, context())
    assert result.error is not None and result.error.kind == "bad_arguments"
    assert "text: Field required" in result.error.message
    assert "repeat: Input should be greater than or equal to 1" in result.error.message


async def test_timeout_is_an_error_naming_the_source_within_the_limit() -> None:
    result = await ToolRegistry([Echo]).invoke(
        "echo", {"text": "x", "sleep": 5}, context(timeout_seconds=0.2)
    )
    assert result.error is not None and result.error.kind == "timeout"
    assert result.error.message == "kubernetes did not answer within 0.2 s"
    assert result.duration_ms < 1000


async def test_reported_failures_and_bugs_become_errors() -> None:
    registry = ToolRegistry([Echo])
    missing = await registry.invoke("echo", {"text": "x", "fail": "not_found"}, context())
    assert missing.error is not None
    assert (missing.error.kind, missing.error.message) == ("not_found", 'pods "x" not found')
    bug = await registry.invoke("echo", {"text": "x", "fail": "bug"}, context())
    assert bug.error is not None and bug.error.kind == "error"
    assert bug.error.message == "ZeroDivisionError: division by zero"


async def test_unknown_tool_is_an_error_listing_the_known_ones() -> None:
    result = await ToolRegistry([Echo]).invoke("kubectl_delete", {}, context())
    assert result.error is not None and "known tools: echo" in result.error.message
    with pytest.raises(UnknownToolError):
        ToolRegistry([Echo]).get("kubectl_delete")


async def test_text_is_redacted_and_cut_to_the_limit_keeping_head_and_tail() -> None:
    registry = ToolRegistry([Echo])
    token = "Authorization: Bearer abcdefghijklmnop1234"
    result = await registry.invoke("echo", {"text": token}, context())
    assert "abcdefghijklmnop1234" not in result.text + str(result.data)
    long = await registry.invoke(
        "echo", {"text": "0123456789", "repeat": 500}, context(max_output_chars=1000)
    )
    assert long.truncated and long.original_chars == 5499
    assert len(long.text) <= 1000
    assert long.text.startswith("0123456789\n") and long.text.endswith("\n0123456789")
    assert "[cut: " in long.text


async def test_errors_and_echoed_arguments_are_redacted_too() -> None:
    registry = ToolRegistry([Echo])
    result = await registry.invoke("echo", {"text": "password=hunter2", "fail": "leak"}, context())
    assert result.error is not None
    assert "hunter2" not in result.error.message and "admin" in result.error.message
    assert "hunter2" not in str(result.arguments) + result.render()


def test_duplicate_names_are_refused_naming_both() -> None:
    class Other(Echo):
        pass

    with pytest.raises(DuplicateToolError, match=r"'echo' is taken by Echo .*Other"):
        ToolRegistry([Echo, Other])


def test_schema_for_function_calling() -> None:
    (schema,) = ToolRegistry([Echo]).schemas()
    assert schema["type"] == "function"
    assert schema["function"]["name"] == "echo"
    assert schema["function"]["parameters"]["required"] == ["text"]
    assert schema["function"]["parameters"]["properties"]["text"]["description"] == "What to echo."
