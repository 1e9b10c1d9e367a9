"""Function-calling schemas as a model reads them: pydantic's JSON schema without the noise.

Every tool's schema is sent to the LLM on every turn, so its size is paid again and again.
Pydantic writes a `title` for every property and spells an optional argument as
`anyOf: [<type>, {type: null}]` with `default: null`; neither tells a model anything that
"not in `required`" does not. `compact_schema` drops both (about a third of the tokens) and
keeps every type, enum, bound, pattern, default and description. Arguments are still validated
against the full pydantic model when a tool is called. Called by `Tool.json_schema` and the
agent's `final_answer` tool.
"""

from __future__ import annotations

from typing import Any

_NULL = {"type": "null"}


def compact_schema(schema: Any) -> Any:
    """A copy of a JSON schema without titles and with nullable optionals collapsed."""
    if isinstance(schema, list):
        return [compact_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    compact = {
        key: compact_schema(value)
        for key, value in schema.items()
        if key != "title" or not isinstance(value, str)
    }
    options = compact.get("anyOf")
    if isinstance(options, list) and _NULL in options and len(options) == 2:
        (other,) = [option for option in options if option != _NULL]
        del compact["anyOf"]
        compact = {**other, **compact}
        if compact.get("default", ...) is None:
            del compact["default"]
    return compact
