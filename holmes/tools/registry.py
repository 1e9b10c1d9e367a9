"""The tool registry: tools by name and toolset, their schemas, and the one way to call them.

`ToolRegistry.invoke` is the boundary every tool call crosses, from the runbook engine, the LLM
agent and the CLI alike. It refuses arguments the tool does not take, validates the others
against the tool's `Input` model (Kubernetes names by the API server's rules, see
holmes/tools/kubernetes/arguments.py), so a bad call sends no request; it bounds the call by
the context's timeout, turns every failure into a `ToolError` (never an exception),
redacts secrets from the text, the data, the error and the echoed arguments, cuts the text to
the size limit (after redaction, so a cut cannot split a secret past detection), and stamps the
evidence id and timing. It also keeps the context's source health (`health.py`): every error
of a failing source is recorded, and a call to a source already found down (hung or
unreachable) fails at once with the same reason, as does a call still waiting on it.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from asyncio import FIRST_COMPLETED
from collections.abc import Awaitable, Iterable
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from holmes.tools.base import Tool, ToolError, ToolFailure, ToolOutput, ToolResult
from holmes.tools.context import ToolContext
from holmes.tools.redaction import redact, redact_data


class DuplicateToolError(ValueError):
    """Two tools registered under one name."""


class UnknownToolError(KeyError):
    """A name no registered tool has."""


class ToolRegistry:
    """Tools by name; `invoke` runs one and always returns a `ToolResult`."""

    def __init__(self, tools: Iterable[type[Tool]] = ()) -> None:
        self._tools: dict[str, type[Tool]] = {}
        for tool in tools:
            self.register(tool)

    def register(self, tool: type[Tool]) -> None:
        """Add a tool; a second tool with the same name is refused, naming both modules."""
        existing = self._tools.get(tool.name)
        if existing is not None and existing is not tool:
            raise DuplicateToolError(
                f"tool name {tool.name!r} is taken by {_where(existing)}; "
                f"{_where(tool)} cannot register it too"
            )
        self._tools[tool.name] = tool

    def get(self, name: str) -> type[Tool]:
        """The tool class registered under `name`."""
        try:
            return self._tools[name]
        except KeyError:
            raise UnknownToolError(
                f"no tool named {name!r}; known tools: {', '.join(sorted(self._tools))}"
            ) from None

    def tools(self, toolset: str | None = None) -> list[type[Tool]]:
        """Registered tools, optionally of one toolset, sorted by toolset then name."""
        found = [t for t in self._tools.values() if toolset is None or t.toolset == toolset]
        return sorted(found, key=lambda t: (t.toolset, t.name))

    def schemas(self, toolset: str | None = None) -> list[dict[str, Any]]:
        """Function-calling schemas (OpenAI `tools` entries) of the registered tools."""
        return [tool.json_schema() for tool in self.tools(toolset)]

    async def invoke(self, name: str, arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        """Run one tool call through the boundary checks; never raises for a tool's failure."""
        started_at = datetime.now(UTC)
        clock = time.perf_counter()
        evidence_id = ctx.next_evidence_id()
        tool = self._tools.get(name)
        source = tool.toolset if tool else "kubernetes"
        output: ToolOutput | None = None
        error: ToolError | None = None
        if tool is None:
            error = ToolError(
                source="holmes",
                kind="bad_arguments",
                message=f"no tool named {name!r}; known tools: {', '.join(sorted(self._tools))}",
            )
        else:
            output, error = await _run(tool, arguments, ctx)
        if error is not None:
            # A source's error may quote a URL with credentials; it leaves like any text.
            error.message = redact(error.message)
            if error.endpoint:
                error.endpoint = redact(error.endpoint)
            ctx.health.record(error)
        result = ToolResult(
            evidence_id=evidence_id,
            tool=name,
            source=source,
            arguments=redact_data(arguments),
            started_at=started_at,
            duration_ms=round((time.perf_counter() - clock) * 1000, 2),
            error=error,
        )
        if output is not None:
            text = redact(output.text)
            result.data = redact_data(output.data)
            result.text, result.truncated, result.original_chars = _bound(
                text, ctx.limits.max_output_chars
            )
        return result


async def _run(
    tool: type[Tool], arguments: dict[str, Any], ctx: ToolContext
) -> tuple[ToolOutput | None, ToolError | None]:
    unknown = _unknown_arguments(tool, arguments)
    if unknown:
        return None, ToolError(source=tool.toolset, kind="bad_arguments", message=unknown)
    try:
        args = tool.Input.model_validate(arguments)
    except ValidationError as invalid:
        return None, ToolError(
            source=tool.toolset, kind="bad_arguments", message=_describe(invalid)
        )
    known = ctx.health.down(tool.toolset)
    if known is not None:
        return None, known
    try:
        output = await _bounded(tool().run(args, ctx), ctx, tool.toolset)
    except ToolFailure as failure:
        return None, failure.error
    except _SourceDown:
        return None, ctx.health.down(tool.toolset)
    except TimeoutError:
        return None, ToolError(
            source=tool.toolset,
            kind="timeout",
            message=f"{tool.toolset} did not answer within {ctx.limits.timeout_seconds:g} s",
            fault="timeout",
            endpoint=ctx.endpoint(tool.toolset),
        )
    except Exception as unexpected:  # the boundary: a tool's bug is reported, not raised
        return None, ToolError(
            source=tool.toolset,
            kind="error",
            message=f"{type(unexpected).__name__}: {unexpected}",
        )
    return output, None


def _unknown_arguments(tool: type[Tool], arguments: dict[str, Any]) -> str | None:
    """Why the call is refused when it names arguments the tool does not take, else None.

    A misspelt argument silently ignored would answer another question than the one asked
    (`namespce=ml` lists every namespace), so the caller is told which ones the tool takes."""
    known = set()
    for name, field in tool.Input.model_fields.items():
        known.add(field.alias or name)
        known.add(name)
    unknown = sorted(str(key) for key in arguments if key not in known)
    if not unknown:
        return None
    takes = ", ".join(tool.Input.model_fields) or "no arguments"
    plural = "s" if len(unknown) > 1 else ""
    return (
        f"invalid arguments: unknown argument{plural} {', '.join(unknown)}; "
        f"{tool.name} takes {takes}"
    )


class _SourceDown(Exception):
    """Another call found the source down while this one was waiting on it."""


async def _bounded(run: Awaitable[ToolOutput], ctx: ToolContext, source: str) -> ToolOutput:
    """`run` within the call's time limit, given up early when another call of the
    investigation finds the source down (it would only wait for the same dead endpoint)."""
    call = asyncio.ensure_future(run)
    down = asyncio.ensure_future(ctx.health.wait_down(source))
    try:
        done, _ = await asyncio.wait(
            (call, down), timeout=ctx.limits.timeout_seconds, return_when=FIRST_COMPLETED
        )
    except asyncio.CancelledError:
        call.cancel()
        raise
    finally:
        down.cancel()
    if call in done:
        return call.result()
    call.cancel()
    await asyncio.wait((call,))  # let it unwind
    if not call.cancelled():
        call.exception()  # what it raised while given up is moot; marked as seen, not logged
    if down in done:
        raise _SourceDown
    raise TimeoutError


def _describe(invalid: ValidationError) -> str:
    """Name each bad argument and what is wrong with it, for a person or a model to correct."""
    problems = []
    for error in invalid.errors():
        field = ".".join(str(part) for part in error["loc"]) or "arguments"
        message = error["msg"].removeprefix("Value error, ")  # our own validators' words
        problems.append(f"{field}: {message}")
    return "invalid arguments: " + "; ".join(problems)


def _bound(text: str, limit: int) -> tuple[str, bool, int | None]:
    """Cut a text over `limit` characters, keeping its head and its tail."""
    if len(text) <= limit:
        return text, False, None
    marker = f"\n... [cut: {len(text) - limit} of {len(text)} characters left out] ...\n"
    keep = limit - len(marker)
    head = keep * 2 // 3
    return text[:head] + marker + text[len(text) - (keep - head) :], True, len(text)


def _where(tool: type[Tool]) -> str:
    module = inspect.getmodule(tool)
    return f"{tool.__qualname__} ({module.__file__ if module else tool.__module__})"
