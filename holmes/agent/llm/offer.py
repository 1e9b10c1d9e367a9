"""The tools offered to the model, in the few tokens a small context window can spare.

The tools' own schemas (holmes.tools) are written for people and for validation: long
descriptions, patterns, bounds. The model needs less to pick a tool and fill its arguments:
the first sentences of each description, each parameter's type, enum and a short description.
Arguments are still validated against the full schema when the tool runs (a bad one goes back
to the model as an error). The local profile also offers fewer tools: those the runbook
engine used on this incident first, then the rest, up to a count.
"""

from __future__ import annotations

import re
from typing import Any

from holmes.agent.llm.answer import final_answer_tool
from holmes.tools import SourceEndpoints, ToolRegistry

TOOL_DESCRIPTION_CHARS = 200
PARAMETER_DESCRIPTION_CHARS = 70
# A tool's parameter descriptions share this many characters (Hubble's flow filters are 17).
PARAMETERS_DESCRIPTION_CHARS = 700
# Offered last when the tools' share of the request is short: helpers of other tools, or what
# the kubernetes_* tools also show.
DROPPED_FIRST = (
    "prometheus_metric_names",
    "prometheus_label_values",
    "hubble_server_status",
    "kubernetes_find",
    "kubernetes_get",
    "prometheus_query_range",
    "kubernetes_list",
)
# Keys a model needs to fill an argument; the others (pattern, bounds, defaults) are checked
# by the tool itself.
_KEPT_KEYS = ("type", "enum", "items", "description", "properties", "required")
_SENTENCE_END = re.compile(r"(?<=\.)\s")


def offered_tools(
    registry: ToolRegistry,
    endpoints: SourceEndpoints,
    *,
    used: list[str] | None = None,
    max_tools: int | None = None,
) -> list[dict[str, Any]]:
    """The lean function-calling schemas the model gets: the tools of the configured sources
    (the others can only fail), at most `max_tools` of them (those in `used` first), and
    `final_answer`."""
    configured = {
        "kubernetes": endpoints.has_kubernetes,
        "prometheus": endpoints.prometheus_url is not None,
        "hubble": endpoints.hubble_address is not None,
    }
    tools = [t for t in registry.tools() if configured.get(t.toolset, True)]
    if max_tools is not None and len(tools) > max_tools:
        order = {name: rank for rank, name in enumerate(dict.fromkeys(used or []))}
        kept = sorted(tools, key=lambda t: order.get(t.name, len(order)))[:max_tools]
        tools = [t for t in tools if t in kept]  # the registry's order, stable for caching
    schemas = [lean_schema(t.json_schema()) for t in tools]
    return [*schemas, lean_schema(final_answer_tool())]


def drop_order(name: str, used: list[str]) -> tuple[int, int]:
    """Sort key of the tools to drop first (largest first): unused before used, then the
    DROPPED_FIRST helpers in their order."""
    ranks = {tool: rank for rank, tool in enumerate(dict.fromkeys(used))}
    used_rank = -ranks[name] if name in ranks else 1
    helper = len(DROPPED_FIRST) - DROPPED_FIRST.index(name) if name in DROPPED_FIRST else 0
    return used_rank, helper


def lean_schema(tool: dict[str, Any]) -> dict[str, Any]:
    """A tool's schema with short descriptions and only the keys a model needs."""
    function = tool["function"]
    return {
        "type": "function",
        "function": {
            "name": function["name"],
            "description": shorten(function.get("description", ""), TOOL_DESCRIPTION_CHARS),
            "parameters": _lean_parameters(function.get("parameters", {})),
        },
    }


def _lean_parameters(
    schema: dict[str, Any], definitions: dict[str, Any] | None = None
) -> dict[str, Any]:
    definitions = definitions if definitions is not None else schema.get("$defs", {})
    lean: dict[str, Any] = {"type": schema.get("type", "object")}
    properties = schema.get("properties") or {}
    if properties:
        share = max(
            30, min(PARAMETER_DESCRIPTION_CHARS, PARAMETERS_DESCRIPTION_CHARS // len(properties))
        )
        lean["properties"] = {
            name: _lean_property(p, definitions, share) for name, p in properties.items()
        }
    if schema.get("required"):
        lean["required"] = schema["required"]
    return lean


def _lean_property(
    schema: dict[str, Any], definitions: dict[str, Any], limit: int = PARAMETER_DESCRIPTION_CHARS
) -> dict[str, Any]:
    reference = schema.get("$ref", "")
    if reference.startswith("#/$defs/"):  # inlined: one level of nesting reads more easily
        schema = {**definitions.get(reference.removeprefix("#/$defs/"), {}), **schema}
        schema.pop("$ref")
        schema.pop("description", None)  # the definition's docstring
    lean = {key: schema[key] for key in _KEPT_KEYS if key in schema}
    if isinstance(lean.get("items"), dict):
        lean["items"] = _lean_property(lean["items"], definitions)
    if "properties" in lean:
        lean = {**lean, **_lean_parameters(schema, definitions)}
    if "description" in lean:
        lean["description"] = shorten(lean["description"], limit)
    if "type" not in lean and "anyOf" in schema:
        types = [o.get("type") for o in schema["anyOf"] if isinstance(o, dict) and o.get("type")]
        if types:
            lean["type"] = types[0]
    return lean


def shorten(text: str, limit: int) -> str:
    """Whole sentences of `text` up to `limit` characters (at least the first, cut if long)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    kept = ""
    for sentence in _SENTENCE_END.split(text):
        candidate = f"{kept} {sentence}".strip()
        if len(candidate) > limit:
            break
        kept = candidate
    return kept or text[: limit - 3].rstrip(" ,;:(") + "..."
