"""The tool contract: what a tool declares, what it returns, and the errors it may report.

A tool gathers evidence from one source; it never judges it (runbook rules do) and never writes.
Each tool declares a stable `name`, its `toolset`, a `description` written for an LLM, and a
pydantic `Input` model whose JSON schema is what an LLM sees for function calling. Its `run`
returns `ToolOutput` (structured data + a compact text). The registry wraps every call into a
`ToolResult`: it validates arguments, bounds time and output size, redacts, assigns the
evidence id, and turns any failure into a `ToolError` naming the source and the reason, so a
caller never sees an exception from a tool.

Errors (the `kind` of a ToolError):

    unavailable     the source is not configured or cannot be reached
    timeout         the source did not answer within the limit
    not_found       the object, series or endpoint asked for does not exist
    bad_arguments   the call's arguments are invalid (the message names the fields)
    forbidden       the source refused (401/403, RBAC)
    error           anything else the source reported

Independently of the kind, `fault` says whether the source itself failed (rather than the call
being wrong or the object absent), so that the investigation can treat the source as degraded:

    not_configured  no endpoint is set for the source
    unreachable     refused, DNS, reset, TLS: no answer could be had
    timeout         no answer within the limit (a hung source)
    auth            401/403, PERMISSION_DENIED, UNAUTHENTICATED
    server_error    HTTP 5xx, gRPC INTERNAL/UNKNOWN/DATA_LOSS: the source broke
    bad_response    an answer that does not decode (HTML for JSON, truncated JSON, bad bytes)

A Kubernetes 404 or a PromQL syntax error is no fault of the source: `fault` stays None.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from holmes.tools.context import ToolContext
from holmes.tools.health import SourceFault
from holmes.tools.schemas import compact_schema

Source = Literal["kubernetes", "prometheus", "hubble"]
ErrorKind = Literal["unavailable", "timeout", "not_found", "bad_arguments", "forbidden", "error"]


class ToolError(BaseModel):
    """Why a tool call produced no evidence."""

    source: str
    kind: ErrorKind
    message: str
    fault: SourceFault | None = Field(
        None, description="How the source itself failed; None when the call was at fault."
    )
    endpoint: str | None = Field(None, description="The source's address, when known.")


class ToolFailure(Exception):
    """Raised inside a tool to report a `ToolError`; the registry turns it into a result."""

    def __init__(
        self,
        source: str,
        kind: ErrorKind,
        message: str,
        *,
        fault: SourceFault | None = None,
        endpoint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.error = ToolError(
            source=source, kind=kind, message=message, fault=fault, endpoint=endpoint
        )


class ToolOutput(BaseModel):
    """What a tool's `run` returns: structured data and its compact text rendering."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    data: Any = None
    text: str


class ToolResult(BaseModel):
    """One tool call as evidence: what was asked, what came back, and what it cost."""

    evidence_id: str
    tool: str
    source: Source
    arguments: dict[str, Any] = Field(default_factory=dict)
    data: Any = None
    text: str = ""
    truncated: bool = False
    original_chars: int | None = Field(
        None, description="Size of the compact text before it was cut, when it was cut."
    )
    started_at: datetime
    duration_ms: float
    error: ToolError | None = None

    @property
    def ok(self) -> bool:
        """True when the call produced evidence."""
        return self.error is None

    def render(self) -> str:
        """The text an LLM or a person reads: `[E3] tool(args)` then the compact text or error."""
        args = ", ".join(f"{key}={value!r}" for key, value in self.arguments.items())
        head = f"[{self.evidence_id}] {self.tool}({args})"
        if self.error:
            return f"{head}\nERROR ({self.error.source}, {self.error.kind}): {self.error.message}"
        return f"{head}\n{self.text}"


class Tool:
    """Base class of every tool. Subclasses set the class attributes and implement `run`."""

    name: ClassVar[str]
    toolset: ClassVar[Source]
    description: ClassVar[str]
    Input: ClassVar[type[BaseModel]]

    async def run(self, args: Any, ctx: ToolContext) -> ToolOutput:
        """Gather the evidence. Raise `ToolFailure` for a reportable failure."""
        raise NotImplementedError

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """The function-calling schema (OpenAI `tools` entry) for this tool."""
        parameters = compact_schema(cls.Input.model_json_schema())
        parameters.pop("description", None)  # the Input docstring; the tool's says more
        function = {"name": cls.name, "description": cls.description, "parameters": parameters}
        return {"type": "function", "function": function}
