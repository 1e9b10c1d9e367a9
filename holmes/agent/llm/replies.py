"""Tool calls however a model writes them, and JSON however near it is.

Hosted models return native `tool_calls`. Small local models behind llama.cpp, Ollama or vLLM
often write the call in the message text instead, which the server does not parse: a fenced
```json block or a bare object `{"name": "kubernetes_describe", "arguments": {...}}`, a
`<tool_call>...</tool_call>` tag (Qwen, Hermes), several in one reply, or the final answer's
bare arguments object. `calls_in_text` finds them, repairs near-JSON with `json_repair`, and
keeps only calls to the offered tools (the rest are named in `TextCalls.refused`).
`json_objects` is the shared scanner; `answer.parse_answer` uses it too.
"""

from __future__ import annotations

import json
import re
from typing import Any

import json_repair
from pydantic import BaseModel, Field

from holmes.agent.llm import ToolCall

_TAGGED = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.DOTALL)
_FENCED = re.compile(r"```[a-zA-Z]*\s*\n?(.*?)(?:```|$)", re.DOTALL)
# Keys of the final answer's arguments: an object with these and no name is an answer.
ANSWER_KEYS = frozenset({"summary", "root_cause"})


class TextCalls(BaseModel):
    """The calls found in a reply's text, and the names of tools asked for but not offered."""

    calls: list[ToolCall] = Field(default_factory=list)
    refused: list[str] = Field(default_factory=list)


def json_objects(text: str) -> list[dict[str, Any]]:
    """The JSON objects in `text`, in order: tagged, then fenced blocks, else bare objects.

    Each block is parsed strictly first, then repaired (`json_repair`: unescaped quotes, a
    missing brace, a trailing comma). Text without an object gives an empty list.
    """
    blocks = [m.group(1) for m in _TAGGED.finditer(text)]
    if not blocks:
        blocks = [m.group(1) for m in _FENCED.finditer(text) if "{" in m.group(1)]
    if not blocks:
        blocks = _bare_blocks(text)
    found: list[dict[str, Any]] = []
    for block in blocks:
        found.extend(_objects_in(block))
    return found


def calls_in_text(text: str, offered: set[str], answer_tool: str) -> TextCalls:
    """The tool calls written in a reply's text, checked against the `offered` tool names.

    `{"name": ..., "arguments": {...}}` (or "parameters", or OpenAI's `{"function": {...}}`)
    is a call; an object with the answer's keys and no name is a call of `answer_tool`.
    """
    result = TextCalls()
    for number, obj in enumerate(json_objects(text), start=1):
        name, arguments = _call_of(obj, answer_tool)
        if name is None:
            continue
        if name not in offered:
            result.refused.append(name)
            continue
        result.calls.append(
            ToolCall(id=f"text_call_{number}", name=name, arguments=json.dumps(arguments))
        )
    return result


def _call_of(obj: dict[str, Any], answer_tool: str) -> tuple[str | None, dict[str, Any]]:
    """(tool name, arguments) of one object, or (None, {}) when it is no call."""
    function = obj.get("function")
    if isinstance(function, dict) and isinstance(function.get("name"), str):
        obj = function
    name = obj.get("name")
    if isinstance(name, str) and name.strip():
        raw = obj.get("arguments", obj.get("parameters", {}))
        if isinstance(raw, str):
            parsed = _objects_in(raw)
            raw = parsed[0] if parsed else {}
        return name.strip(), raw if isinstance(raw, dict) else {}
    if obj.keys() >= ANSWER_KEYS:
        return answer_tool, obj
    return None, {}


def _bare_blocks(text: str) -> list[str]:
    """Each top-level {...} span of `text` (braces counted outside strings), an unclosed one
    running to the end."""
    blocks, depth, start, in_string, escaped = [], 0, -1, False, False
    for index, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"' and depth > 0:
            in_string = True
        elif char == "{":
            if depth == 0:
                start = index
            depth += 1
        elif char == "}" and depth > 0:
            depth -= 1
            if depth == 0:
                blocks.append(text[start : index + 1])
    if depth > 0 and start >= 0:
        blocks.append(text[start:])
    return blocks


def _objects_in(block: str) -> list[dict[str, Any]]:
    """The object(s) in one block: strict JSON, else repaired; a list's objects each count."""
    block = block.strip()
    if not block:
        return []
    try:
        value: Any = json.loads(block)
    except ValueError:
        try:
            value = json_repair.loads(block)
        except (ValueError, RecursionError):
            return []
    if isinstance(value, dict):
        return [value] if value else []
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict) and item]
    return []
